"""Snapshot determinism: no Textual env knobs, the default theme, a fixed cwd.

pytest-textual-snapshot does nothing about the environment, and Textual reads its
TEXTUAL_* variables once, at import (before any fixture runs). So the fixture below
removes them from os.environ (for anything reading them later) and resets the values
Textual already derived from them to Textual's defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import textual.constants
import textual.filter

# Variables that change what a screenshot looks like (theme, colours, animation, size).
_ENV_KNOBS = (
    "TEXTUAL_THEME",
    "TEXTUAL_ANIMATIONS",
    "TEXTUAL_COLOR_SYSTEM",
    "TEXTUAL_DIM_FACTOR",
    "TEXTUAL_FPS",
    "TEXTUAL_PRESS",
    "TEXTUAL_SCREENSHOT",
    "TEXTUAL_DEBUG",
    "TEXTUAL_DRIVER",
    "NO_COLOR",
    "FORCE_COLOR",
    "COLUMNS",
    "LINES",
)

# Textual's own defaults for what it read at import time.
_CONSTANTS = {
    "DEFAULT_THEME": "textual-dark",
    "TEXTUAL_ANIMATIONS": "full",
    "COLOR_SYSTEM": "auto",
    "DIM_FACTOR": 0.66,
    "MAX_FPS": 60,
}

THEME = _CONSTANTS["DEFAULT_THEME"]


@pytest.fixture(autouse=True)
def snapshot_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Scrub env knobs, pin Textual's import-time settings, and chdir to a project dir.

    seal.toml is addressed as the relative "seal.toml", so the path in every picture is
    the same whatever tmp_path is. HOME/XDG are isolated by tests/conftest.py.
    """
    for name in _ENV_KNOBS:
        monkeypatch.delenv(name, raising=False)
    for name, value in _CONSTANTS.items():
        monkeypatch.setattr(textual.constants, name, value)
    monkeypatch.setattr(textual.filter, "DIM_FACTOR", _CONSTANTS["DIM_FACTOR"])
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    yield project
