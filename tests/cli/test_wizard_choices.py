"""The interactive wizard's `--provider/--auth/--model/--profile/--agent`: a wrong value is
refused on the command line, with what to write instead, before the screen takes over."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from backend.errors import ExitCode
from tests.cli.helpers import TTYInput, run, write_config


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--provider", "openrouter", "--auth", "oauth"], "use one of: api_key"),
        (["--model", "foo:bar"], "unknown provider 'foo'"),
        (["--profile", "no spaces"], "e.g. --profile work"),
        (["--agent", "bad name!"], "not a valid agent name"),
    ],
    ids=["auth", "model", "profile", "agent"],
)
def test_a_wrong_choice_is_refused_before_the_wizard_starts(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    said: str,
) -> None:
    config = write_config(tmp_path / "seal.toml", '[model]\nprovider = "anthropic"\n')
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, err = run(
        ["onboard", "--config", str(config), *argv], capsys, monkeypatch, TTYInput()
    )
    assert code == ExitCode.USAGE
    assert said in err, err
    assert out == ""  # no screen was drawn
    assert config.read_text(encoding="utf-8") == '[model]\nprovider = "anthropic"\n'


def test_a_broken_seal_toml_is_said_before_the_wizard_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path / "seal.toml", "[model\n")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    argv = ["onboard", "--config", str(config), "--provider", "anthropic"]
    code, out, err = run(argv, capsys, monkeypatch, TTYInput())
    assert code == ExitCode.CONFIG
    assert "seal.toml" in err and out == ""
