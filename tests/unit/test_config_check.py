"""What save and `changed()` rely on: the check before writing, values as the base, and the
quick structure pass at load.

`changed()` compares values (1, 1.0 and true differ) rather than dumping the document, and
the values come from the strict parse at load; these tests hold those shortcuts to the
answers the slow way gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.config.document import SealConfig, load_config
from backend.config.io import check_written_text
from backend.errors import ConfigError


def test_invalid_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    with pytest.raises(ConfigError, match="not valid TOML"):
        check_written_text('[model]\nname = """\n', path)
    with pytest.raises(ConfigError, match="not valid TOML"):
        check_written_text('[model]\nname = "a"\nname = "b"\n', path)


def test_save_refuses_a_document_that_renders_invalid(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "seal.toml"
    path.write_text('[model]\nname = "a"\n')
    cfg = load_config(path)
    cfg.set("name", "claude-opus-4-7")
    broken = cfg.text().replace('"claude-opus-4-7"', '"""claude-opus-4-7')
    monkeypatch.setattr(SealConfig, "text", lambda self: broken)
    with pytest.raises(ConfigError, match="not valid TOML"):
        cfg.save()
    assert path.read_text() == '[model]\nname = "a"\n'


def test_values_after_a_save_are_the_new_base(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    path.write_text("[model]\nmax_tokens = 1  # keep\n")
    cfg = load_config(path)
    cfg.set("max_tokens", 2)
    cfg.save()
    saved = path.read_text()
    assert saved == "[model]\nmax_tokens = 2  # keep\n" and not cfg.changed()
    cfg.set("max_tokens", 1)
    assert cfg.changed() and "max_tokens = 1" in cfg.text()
    cfg.set("effort", "high")
    cfg.set("effort", None)
    cfg.set("max_tokens", 2)
    assert not cfg.changed() and cfg.text() == saved


def test_an_edit_that_fails_half_way_still_shows_as_a_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # [model.roles] without [model]: setting `name` first gives [model] its own header
    # (the text changes, the values do not), then fails.
    path = tmp_path / "seal.toml"
    path.write_text('[model.roles]\nfast = "haiku"\n')
    cfg = load_config(path)

    def boom(value: object) -> object:
        raise RuntimeError("half-way")

    monkeypatch.setattr("backend.config.toml_edit.tomlkit.item", boom)
    with pytest.raises(RuntimeError):
        cfg.set("name", "claude-opus-4-7")
    monkeypatch.undo()
    assert cfg.text() != path.read_text()
    assert cfg.changed() and cfg.diff()
    # The next edit that settles makes the values the judge again.
    cfg.set("name", "claude-opus-4-7")
    cfg.set("name", None)
    assert not cfg.changed() and cfg.text() == path.read_text()


def test_quick_structure_pass_only_decides_what_the_walk_would(tmp_path: Path) -> None:
    # A sub-table where a managed value goes: the quick pass is unsure, the walk accepts.
    path = tmp_path / "seal.toml"
    path.write_text(
        '[model]\nprovider = "openai"\n[model.name]\nx = 1\n[agents.a.model.roles.fast]\ny = 2\n'
    )
    cfg = load_config(path)
    assert cfg.own("provider") == "openai"
    path.write_text("[agents.a.model]\nmax_tokens = true\n")
    with pytest.raises(ConfigError, match=r"\[agents\.a\.model\] max_tokens must be a whole"):
        load_config(path)
