"""`seal-setup logout`: confirmation, --yes, no terminal, nothing to remove, seal.toml kept."""

from __future__ import annotations

import json

from tests.cli.helpers import TTYInput, put, run, run_script, store, subprocess_env, write_config
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY


def keys() -> list[str]:
    return [r.key for r in store().list()]


def test_yes_removes_one_and_leaves_seal_toml(tmp_path, capsys, monkeypatch):
    path = write_config(tmp_path / "seal.toml", '# mine\n[model]\nauth = "api_key"\n')
    before = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    put(secret=ANTHROPIC_KEY)
    put("openrouter", secret=OPENROUTER_KEY)
    code, out, err = run(
        ["logout", "--provider", "anthropic", "--profile", "default", "--yes"], capsys, monkeypatch
    )
    assert code == 0, err
    assert "Removed anthropic:default (API key)" in out
    assert keys() == ["openrouter:default"]
    assert path.read_bytes() == before
    assert ANTHROPIC_KEY not in out + err


def test_no_tty_without_yes_is_exit_2(tmp_path, capsys, monkeypatch):
    put(secret=ANTHROPIC_KEY)
    code, _out, err = run(["logout", "--provider", "anthropic"], capsys, monkeypatch)
    assert code == 2
    assert err.startswith("seal-setup: ") and "--yes" in err
    assert keys() == ["anthropic:default"]


def test_tty_confirm_yes(tmp_path, capsys, monkeypatch):
    put(secret=ANTHROPIC_KEY)
    code, _out, err = run(
        ["logout", "--provider", "anthropic"], capsys, monkeypatch, TTYInput("y\n")
    )
    assert code == 0
    assert "Remove anthropic:default (API key) from ~/.config/seal/credentials.json" in err
    assert "[y/N]" in err
    assert keys() == []


def test_tty_answer_no_keeps_everything(tmp_path, capsys, monkeypatch):
    put(secret=ANTHROPIC_KEY)
    code, out, _ = run(["logout"], capsys, monkeypatch, TTYInput("\n"))
    assert code == 130
    assert "Nothing removed" in out
    assert keys() == ["anthropic:default"]


def test_provider_only_removes_all_its_profiles(tmp_path, capsys, monkeypatch):
    put(secret=ANTHROPIC_KEY)
    put(profile="work", secret=ANTHROPIC_KEY)
    put("openrouter", secret=OPENROUTER_KEY)
    code, out, _ = run(["logout", "--provider", "anthropic", "--yes"], capsys, monkeypatch)
    assert code == 0
    assert "These 2 stored credentials" in out
    assert keys() == ["openrouter:default"]


def test_everything_lists_then_asks(tmp_path, capsys, monkeypatch):
    put(secret=ANTHROPIC_KEY)
    put("openrouter", secret=OPENROUTER_KEY)
    code, out, err = run(["logout"], capsys, monkeypatch, TTYInput("yes\n"))
    assert code == 0
    assert "  anthropic:default (API key)" in out and "  openrouter:default (API key)" in out
    assert "Remove these 2 credentials? [y/N]" in err
    assert keys() == []


def test_nothing_to_remove_is_exit_0(tmp_path, capsys, monkeypatch):
    code, out, _ = run(["logout", "--provider", "openai"], capsys, monkeypatch)
    assert code == 0
    assert "Nothing to remove: no credential for openai" in out


def test_notes_env_var_and_claude_code_file(tmp_path, capsys, monkeypatch, isolated_env):
    put(secret=ANTHROPIC_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-" + "E" * 95)
    (isolated_env / ".claude").mkdir()
    (isolated_env / ".claude" / ".credentials.json").write_text(
        json.dumps({"claudeAiOauth": {"accessToken": "a"}})
    )
    code, out, _ = run(["logout", "--provider", "anthropic", "--yes"], capsys, monkeypatch)
    assert code == 0
    assert "ANTHROPIC_API_KEY is still set in the environment" in out
    assert "Claude Code's sign-in at ~/.claude/.credentials.json still provides" in out
    assert "E" * 20 not in out


def test_logout_subprocess_no_tty(tmp_path):
    home = tmp_path / "home"
    env = subprocess_env(home)
    put_env = run_script(["logout"], env, tmp_path)
    assert put_env.returncode == 0 and "Nothing to remove" in put_env.stdout
