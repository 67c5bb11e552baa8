"""Claude Code's macOS keychain entry in `status` (text, `--json`), import and logout.

In-process runs, so the darwin path is forced through `claude_code.on_macos` (the
`fake_keychain` fixture, with its stand-in `security` first on PATH).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from tests.cli.helpers import put, run, store, write_config
from tests.fakes.fixtures import FAKE_KEYCHAIN_DEADLINE
from tests.fakes.provider import FakeProvider

LABEL = "macOS keychain (Claude Code-credentials)"
ANTHROPIC_TOML = '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "{auth}"\n'


def sign_in(access: str, hours: float = 2) -> dict[str, object]:
    expires = int((time.time() + hours * 3600 + 30) * 1000)
    return {"claudeAiOauth": {"accessToken": access, "refreshToken": "r", "expiresAt": expires}}


def write_file(home: Path, access: str) -> None:
    folder = home / ".claude"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".credentials.json").write_text(json.dumps(sign_in(access, hours=5)))


def status(tmp_path: Path, capsys, monkeypatch, *flags: str) -> tuple[int, str, str]:
    argv = ["status", "--config", str(tmp_path / "seal.toml"), *flags]
    return run(argv, capsys, monkeypatch)


def config(tmp_path: Path, auth: str = "claude_code") -> None:
    write_config(tmp_path / "seal.toml", ANTHROPIC_TOML.format(auth=auth))


def test_status_names_the_keychain(tmp_path, capsys, monkeypatch, fake_keychain, isolated_env):
    config(tmp_path)
    write_file(isolated_env, "sk-ant-oat01-file")  # the keychain comes first
    fake_keychain.holds(sign_in("sk-ant-oat01-keychain"))
    code, out, _ = status(tmp_path, capsys, monkeypatch, "--json")
    assert code == 0
    (entry,) = json.loads(out)["providers"]
    assert entry["source"] == "claude_code" and entry["state"] == "ok"
    assert entry["expires_at"].endswith("Z")
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 0
    assert LABEL in out and "in 2 h" in out and "Claude Code file" not in out
    assert "sk-ant-oat01" not in out


def test_status_locked_keychain_then_the_file(
    tmp_path, capsys, monkeypatch, fake_keychain, isolated_env
):
    config(tmp_path)
    write_file(isolated_env, "sk-ant-oat01-file")
    fake_keychain.answer("locked")
    code, out, _ = status(tmp_path, capsys, monkeypatch, "--json")
    (entry,) = json.loads(out)["providers"]
    assert code == 0 and entry["state"] == "ok" and entry["source"] == "claude_code"
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert "Claude Code file" in out and "in 5 h" in out
    assert f"anthropic:default: Claude Code's {LABEL} entry could not be read" in out
    assert "security unlock-keychain" in out


def test_status_locked_keychain_and_no_file_is_missing(
    tmp_path, capsys, monkeypatch, fake_keychain
):
    config(tmp_path)
    fake_keychain.answer("locked")
    code, out, _ = status(tmp_path, capsys, monkeypatch, "--json")
    (entry,) = json.loads(out)["providers"]
    assert code == 1 and entry["state"] == "missing" and entry["source"] is None
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 1
    assert f"no Claude Code sign-in in the {LABEL} or at ~/.claude/.credentials.json" in out
    assert "the login keychain is locked, or access was denied" in out


def test_status_malformed_entry_is_a_note_not_a_crash(tmp_path, capsys, monkeypatch, fake_keychain):
    config(tmp_path)
    fake_keychain.answer("found", '{"claudeAiOauth": {"accessToken": "sk-ant-oat01-half')
    code, out, err = status(tmp_path, capsys, monkeypatch)
    assert code == 1 and "Traceback" not in out + err
    assert f"Claude Code's {LABEL} entry is not valid JSON" in out
    assert "sk-ant-oat01-half" not in out + err


def test_status_slow_keychain_gives_up_at_the_deadline(
    tmp_path, capsys, monkeypatch, fake_keychain, isolated_env
):
    config(tmp_path)
    write_file(isolated_env, "sk-ant-oat01-file")
    fake_keychain.answer("slow")
    started = time.monotonic()
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert time.monotonic() - started < FAKE_KEYCHAIN_DEADLINE + 5
    assert code == 0 and "Claude Code file" in out
    assert f"did not answer in {FAKE_KEYCHAIN_DEADLINE:g} s" in out


def test_status_stored_key_is_not_held_by_a_locked_keychain(
    tmp_path, capsys, monkeypatch, fake_keychain
):
    config(tmp_path, auth="api_key")
    put(secret="sk-ant-api03-" + "k" * 95)
    fake_keychain.answer("locked")
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 0 and "keychain" not in out.lower()


def test_status_without_config_lists_a_keychain_sign_in(
    tmp_path, capsys, monkeypatch, fake_keychain
):
    fake_keychain.holds(sign_in("sk-ant-oat01-keychain"))
    code, out, _ = status(tmp_path, capsys, monkeypatch, "--json")
    doc = json.loads(out)
    assert code == 0 and doc["config"] is None, out
    assert [(e["auth"], e["source"]) for e in doc["providers"]] == [("claude_code", "claude_code")]


def test_import_from_the_keychain(
    tmp_path, capsys, monkeypatch, fake_keychain, fake_provider_env: FakeProvider
):
    tokens = fake_provider_env.issue_tokens()
    fake_keychain.holds(sign_in(tokens["access_token"]))
    argv = [
        *("onboard", "--non-interactive", "--config", str(tmp_path / "seal.toml")),
        *("--provider", "anthropic", "--auth", "claude_code", "--model", "sonnet"),
    ]
    code, out, err = run(argv, capsys, monkeypatch)
    assert code == 0, err
    assert f"Using Claude Code's sign-in from the {LABEL}." in err
    assert 'auth = "claude_code"' in (tmp_path / "seal.toml").read_text()
    assert store().list() == []  # nothing copied into seal's store
    assert tokens["access_token"] not in out + err


def test_import_locked_keychain_without_a_file_is_exit_1(
    tmp_path, capsys, monkeypatch, fake_keychain
):
    fake_keychain.answer("locked")
    argv = [
        *("onboard", "--non-interactive", "--config", str(tmp_path / "seal.toml")),
        *("--provider", "anthropic", "--auth", "claude_code"),
    ]
    code, _, err = run(argv, capsys, monkeypatch)
    assert code == 1
    assert f"no Claude Code sign-in in the {LABEL} or at ~/.claude/.credentials.json" in err
    assert "locked, or access was denied" in err
    assert not (tmp_path / "seal.toml").exists()


def test_import_locked_keychain_uses_the_file_and_says_so(
    tmp_path, capsys, monkeypatch, fake_keychain, fake_provider_env: FakeProvider, isolated_env
):
    tokens = fake_provider_env.issue_tokens()
    write_file(isolated_env, tokens["access_token"])
    fake_keychain.answer("locked")
    argv = [
        *("onboard", "--non-interactive", "--config", str(tmp_path / "seal.toml")),
        *("--provider", "anthropic", "--auth", "claude_code", "--model", "sonnet"),
    ]
    code, _, err = run(argv, capsys, monkeypatch)
    assert code == 0, err
    assert f"Note: Claude Code's {LABEL} entry could not be read" in err
    assert "Using Claude Code's sign-in from ~/.claude/.credentials.json." in err


def test_logout_names_the_keychain_sign_in(tmp_path, capsys, monkeypatch, fake_keychain):
    put()
    fake_keychain.holds(sign_in("sk-ant-oat01-keychain"))
    code, out, _ = run(["logout", "--provider", "anthropic", "--yes"], capsys, monkeypatch)
    assert code == 0
    assert f"Note: Claude Code's sign-in in the {LABEL} still provides a credential" in out


def test_keychain_not_asked_when_not_on_macos(tmp_path, capsys, monkeypatch, fake_keychain):
    from backend.credentials import claude_code

    monkeypatch.setattr(claude_code, "on_macos", lambda: False)
    config(tmp_path)
    fake_keychain.holds(sign_in("sk-ant-oat01-keychain"))
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 1 and "no Claude Code sign-in at ~/.claude/.credentials.json" in out
    assert fake_keychain.calls() == []
