"""An edit touches only what it edits (issue 12 §3).

A new table never lands on a last line that holds only spaces.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from backend.config import SealConfig, load_config
from tests.reliability.conftest import Tally

CATEGORY = "edits touch only what they edit"


def edit_name(cfg: SealConfig) -> None:
    cfg.set("name", "claude-opus-4-7")


def edit_role(cfg: SealConfig) -> None:
    cfg.set_role("fast", "haiku")


def edit_header(cfg: SealConfig) -> None:
    cfg.set_header("X-Title", "my-app")


def edit_add_agent(cfg: SealConfig) -> None:
    cfg.add_agent("ops")
    cfg.set("name", "haiku", "ops")


@pytest.mark.parametrize(
    ("text", "edit", "want"),
    [
        (
            '[model]\nname = "opus"\n   ',
            edit_role,
            '[model]\nname = "opus"\n   \n[model.roles]\nfast = "haiku"\n',
        ),
        ("# header only\n  ", edit_name, '# header only\n  \n[model]\nname = "claude-opus-4-7"\n'),
        (
            '[model]\nname = "opus"\n\n  ',
            edit_add_agent,
            '[model]\nname = "opus"\n\n  \n[agents.ops.model]\nname = "haiku"\n',
        ),
        (
            '[model]\nname = "opus"',
            edit_header,
            '[model]\nname = "opus"\n\n[model.headers]\nX-Title = "my-app"\n',
        ),
    ],
)
def test_a_new_table_starts_on_its_own_line(
    tmp_path: Path, tally: Tally, text: str, edit: Callable[[SealConfig], None], want: str
) -> None:
    path = tmp_path / "seal.toml"
    path.write_text(text, encoding="utf-8")
    cfg = load_config(path)
    edit(cfg)
    held = cfg.text() == want
    tally.record(f"{CATEGORY}: new table after a spaces-only last line", held)
    assert held, repr(cfg.text())
