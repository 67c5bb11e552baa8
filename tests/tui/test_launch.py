"""`launch_wizard`, the console script's start: the collector paused until the first paint."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from backend.errors import ConfigError
from screens.base import StepScreen
from screens.welcome import WelcomeScreen
from tests.tui.harness import wait_for
from tui.cli import launch_wizard


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "SEAL_CREDENTIAL_STORE": "file",
    }


def test_the_collector_is_back_on_once_the_first_step_has_painted(tmp_path: Path) -> None:
    seen: list[tuple[str, bool]] = []

    async def pilot(p: Pilot[Any]) -> None:
        await wait_for(p, lambda: isinstance(p.app.screen, StepScreen), "first step")
        screen = p.app.screen
        assert isinstance(screen, WelcomeScreen)
        await wait_for(p, lambda: screen.facts is not None, "survey")
        seen.append((type(screen).__name__, gc.isenabled()))
        p.app.exit(0)

    code = launch_wizard(
        "onboard",
        config=str(tmp_path / "seal.toml"),
        env=_env(tmp_path),
        headless=True,
        size=(80, 24),
        auto_pilot=pilot,
    )
    assert code == 0
    assert seen == [("WelcomeScreen", True)]
    assert gc.isenabled()
    assert not (tmp_path / "seal.toml").exists()


def test_the_collector_is_back_on_when_the_wizard_cannot_start(tmp_path: Path) -> None:
    # `roles` needs seal.toml: the error comes before any screen.
    with pytest.raises(ConfigError, match="does not exist"):
        launch_wizard("roles", config=str(tmp_path / "seal.toml"), env=_env(tmp_path))
    assert gc.isenabled()
