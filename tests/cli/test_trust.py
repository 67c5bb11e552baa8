"""`seal-setup trust`: what it shows, what it asks, what it keeps; and status saying so."""

from __future__ import annotations

from pathlib import Path

from backend.providers.trust import TrustList, config_key
from tests.cli.helpers import TTYInput, put, run, write_config
from tests.fakes.provider import ANTHROPIC_KEY

PROXY = "https://proxy.example.com/v1"
CONFIG = f'[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nbase_url = "{PROXY}"\n'


def trust(tmp_path: Path, capsys, monkeypatch, *flags: str, stdin="") -> tuple[int, str, str]:
    path = str(tmp_path / "seal.toml")
    return run(["trust", "--config", path, *flags], capsys, monkeypatch, stdin)


def test_asks_on_a_terminal_and_keeps_the_answer(tmp_path, capsys, monkeypatch):
    write_config(tmp_path / "seal.toml", CONFIG)
    code, out, err = trust(tmp_path, capsys, monkeypatch, stdin=TTYInput("n\n"))
    assert code == 130 and "Nothing trusted" in out and "[y/N]" in err
    assert "proxy.example.com" in out and "anthropic credentials" in out
    assert not TrustList.load().entries

    code, out, _ = trust(tmp_path, capsys, monkeypatch, stdin=TTYInput("y\n"))
    assert code == 0 and "Trusted 1 server(s)" in out
    assert TrustList.load().allows(tmp_path / "seal.toml", "anthropic", PROXY)

    code, out, _ = run(["trust", "--list"], capsys, monkeypatch)
    assert code == 0 and config_key(tmp_path / "seal.toml") in out and PROXY in out


def test_nothing_to_trust_and_no_file(tmp_path, capsys, monkeypatch):
    code, _, err = trust(tmp_path, capsys, monkeypatch, "--yes")
    assert code == 2 and "there is no seal.toml" in err
    write_config(tmp_path / "seal.toml", '[model]\nprovider = "openai"\nname = "gpt-5"\n')
    code, out, _ = trust(tmp_path, capsys, monkeypatch, "--yes")
    assert code == 0 and "nothing to trust" in out
    code, out, _ = run(["trust", "--list"], capsys, monkeypatch)
    assert code == 0 and "No seal.toml base_url is trusted" in out


def test_a_broken_seal_toml_is_exit_3(tmp_path, capsys, monkeypatch):
    write_config(tmp_path / "seal.toml", "[model\n")
    code, _, err = trust(tmp_path, capsys, monkeypatch, "--yes")
    assert code == 3 and "line 1" in err


def test_status_names_the_servers_and_their_trust(tmp_path, capsys, monkeypatch):
    write_config(tmp_path / "seal.toml", CONFIG)
    put(secret=ANTHROPIC_KEY)
    code, out, _ = run(["status", "--config", str(tmp_path / "seal.toml")], capsys, monkeypatch)
    # Exit 2: a warning. Nothing was sent, and --probe would refuse.
    assert code == 2
    assert f"anthropic → {PROXY} ([model] base_url): NOT trusted" in out
    assert "seal-setup trust --config" in out
    assert trust(tmp_path, capsys, monkeypatch, "--yes")[0] == 0
    code, out, _ = run(["status", "--config", str(tmp_path / "seal.toml")], capsys, monkeypatch)
    assert code == 0 and "trusted on this machine" in out


def test_forget_withdraws(tmp_path, capsys, monkeypatch):
    write_config(tmp_path / "seal.toml", CONFIG)
    assert trust(tmp_path, capsys, monkeypatch, "--yes")[0] == 0
    code, out, _ = trust(tmp_path, capsys, monkeypatch, "--forget")
    assert code == 0 and "Withdrew trust from 1" in out
    assert not TrustList.load().entries
