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


# --- `seal-setup roles` with no seal.toml -------------------------------------------------


def _roles(tmp_path, capsys, monkeypatch, answer: str) -> tuple[int, str, str, list[str]]:
    started: list[str] = []

    def launch(mode: str, **_: object) -> int:
        started.append(mode)
        return ExitCode.OK

    monkeypatch.setattr("tui.cli.launch_wizard", launch)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    argv = ["roles", "--config", str(tmp_path / "seal.toml")]
    code, out, err = run(argv, capsys, monkeypatch, TTYInput(answer))
    return code, out, err, started


@pytest.mark.parametrize("answer", ["n\n", ""], ids=["no", "end of input"])
def test_roles_without_seal_toml_explains_and_a_no_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
) -> None:
    code, out, err, started = _roles(tmp_path, capsys, monkeypatch, answer)
    assert code == ExitCode.CANCELLED  # not 3: nothing is broken
    assert "there is no seal.toml at" in err and "Roles (fast, escalate, fallbacks)" in err
    assert "Create it now with the setup wizard? [Y/n]" in err
    assert "Nothing written. Run `seal-setup --config" in err
    assert started == [] and out == ""
    assert not (tmp_path / "seal.toml").exists()


@pytest.mark.parametrize("answer", ["\n", "y\n", "YES\n"])
def test_roles_without_seal_toml_starts_the_wizard_on_yes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
) -> None:
    code, _, err, started = _roles(tmp_path, capsys, monkeypatch, answer)
    assert code == ExitCode.OK and started == ["onboard"]
    assert "there is no seal.toml at" in err


def test_roles_with_a_broken_seal_toml_is_exit_3_without_an_offer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path / "seal.toml", "[model\n")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    argv = ["roles", "--config", str(tmp_path / "seal.toml")]
    code, out, err = run(argv, capsys, monkeypatch, TTYInput("y\n"))
    assert code == ExitCode.CONFIG
    assert "Create it now" not in err and out == ""
