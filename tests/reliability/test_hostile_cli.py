"""Hostile text on every CLI output (issue 11 §3): status (table, notes, advice, JSON,
--probe), logout, non-interactive onboarding and the wizard's start-up errors.

The console script runs as a user runs it, its output captured as bytes: it must be
UTF-8, hold no ESC, no C1 control and no bidi override (colour codes aside, and there
are none off a terminal), show each value's escaped form, and never a traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import urlencode

import pytest

from backend.credentials.record import CredentialRecord
from tests.cli.helpers import SEAL_SETUP, TTYInput, put, run, store, subprocess_env, write_config
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, FakeProvider
from tests.reliability.conftest import Tally
from tests.reliability.hostile_text import (
    HOSTILE,
    anthropic_says,
    escaped,
    joined,
    raw_found,
    toml_string,
)

CATEGORY = "hostile text: CLI"
CLICK_QUIT, CLICK_SHOT, CLOSE, BOLD, OSC52, CLEAR, C1_CSI, RLO, NUL = HOSTILE
UNKNOWN_KEY = "sk-ant-api03-" + "Unknown0Key0Here" * 6 + "xY"


@pytest.fixture(autouse=True)
def file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAL_CREDENTIAL_STORE", "file")


def script(
    args: Sequence[str | bytes], env: dict[str, str], cwd: Path, stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    """The installed console script, output kept as bytes."""
    return subprocess.run(
        [os.fsencode(str(SEAL_SETUP)), *(os.fsencode(a) for a in args)],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def held(
    tally: Tally,
    where: str,
    out: bytes | str,
    err: bytes | str,
    shown: Iterable[str] = (),
    *,
    colour: bool = False,
) -> str:
    """Record and assert that one command's output holds; return stdout + stderr."""
    problems: list[str] = []
    texts = []
    for name, data in (("stdout", out), ("stderr", err)):
        if isinstance(data, bytes):
            for raw in (b"\x1b", "\u202e".encode()):
                if raw in data and not colour:
                    problems.append(f"{raw!r} in {name}")
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                problems.append(f"{name} is not UTF-8: {exc}")
                data = data.decode("utf-8", "replace")
        problems += [f"raw {char} on {name}" for char in raw_found(data, allow_colour=colour)]
        texts.append(data)
    both = "\n".join(texts)
    if "Traceback" in both:
        problems.append("a traceback")
    problems += [f"{v!r} not shown as {escaped(v)!r}" for v in shown if escaped(v) not in both]
    tally.record(CATEGORY, not problems)
    assert not problems, f"{where}: {problems}\n{both}"
    return both


def hostile_config(folder: Path, *, base_url: bool = True) -> Path:
    """seal.toml with hostile values in every key status reads (and some it does not)."""
    fallbacks = ", ".join(toml_string(v) for v in HOSTILE)
    proxy = f"base_url = {toml_string('https://proxy.example/' + CLEAR)}\n" if base_url else ""
    return write_config(
        folder / "seal.toml",
        "[model]\n"
        'provider = "anthropic"\n'
        f"name = {toml_string(CLICK_QUIT)}\n"
        'auth = "api_key"\n'
        f"profile = {toml_string(OSC52 + RLO)}\n"
        f"{proxy}"
        "\n[model.headers]\n"
        f'"X-OpenRouter-Title" = {toml_string(BOLD + C1_CSI)}\n'
        "\n[model.roles]\n"
        f"fallbacks = [{fallbacks}]\n"
        f"\n[agents.{toml_string(CLOSE + NUL)}.model]\n"
        'provider = "openai"\n'
        'name = "gpt-5"\n'
        f"profile = {toml_string(C1_CSI + CLICK_SHOT)}\n",
    )


def project(tmp_path: Path) -> Path:
    """A project folder whose name carries escapes: every path line shows it."""
    folder = tmp_path / f"proj{CLEAR}{RLO}"
    folder.mkdir()
    return folder


# --- status -------------------------------------------------------------------------------


def test_status_table_notes_and_advice(tmp_path: Path, isolated_env: Path, tally: Tally) -> None:
    folder = project(tmp_path)
    path = hostile_config(folder)
    put("anthropic", OSC52 + RLO, secret=ANTHROPIC_KEY)
    env = subprocess_env(isolated_env)
    result = script(["status", "--config", str(path)], env, tmp_path)
    held(
        tally, "status", result.stdout, result.stderr, [str(path), OSC52 + RLO, C1_CSI + CLICK_SHOT]
    )
    assert result.returncode in (0, 1, 2, 3), result.returncode


def test_status_without_config_lists_hostile_profiles(
    tmp_path: Path, isolated_env: Path, tally: Tally
) -> None:
    for value in HOSTILE:
        put("openai", value, secret="sk-proj-" + "x" * 40)
    env = subprocess_env(isolated_env)
    result = script(["status", "--config", str(tmp_path / "absent.toml")], env, tmp_path)
    held(tally, "status (no seal.toml)", result.stdout, result.stderr, HOSTILE)


def test_status_json_has_no_raw_control(tmp_path: Path, isolated_env: Path, tally: Tally) -> None:
    folder = project(tmp_path)
    path = hostile_config(folder)
    for value in HOSTILE:
        put("openai", value, secret="sk-proj-" + "x" * 40)
    env = subprocess_env(isolated_env)
    for config in (path, tmp_path / "absent.toml"):
        result = script(["status", "--json", "--config", str(config)], env, tmp_path)
        held(tally, "status --json", result.stdout, result.stderr)
        text = result.stdout.decode("utf-8")
        assert text.isascii() and all(line.isprintable() for line in text.splitlines())
        document = json.loads(text)
        profiles = {entry["profile"] for entry in document["providers"]}
        if config == path:
            # The values themselves go out intact (JSON escapes them, nothing is lost).
            assert document["config"] == str(path)
            assert OSC52 + RLO in profiles
        else:
            assert set(HOSTILE) <= profiles


def test_status_colour_is_ours_only(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    path = hostile_config(project(tmp_path))
    put("anthropic", OSC52 + RLO, secret=ANTHROPIC_KEY, verified=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    _, out, err = run(["status", "--config", str(path)], capsys, monkeypatch)
    assert "\x1b[33m" in out  # unverified, in yellow: colour is on
    both = held(tally, "status in colour", out, err, [OSC52 + RLO, str(path)], colour=True)
    # Padding is by the escaped width: the column after PROFILE starts under its header.
    plain = [re.sub(r"\x1b\[\d+m", "", line) for line in both.splitlines()]
    header = next(line for line in plain if line.startswith("PROVIDER"))
    rows = [line for line in plain if line.startswith(("anthropic ", "openai "))]
    assert len(rows) == 2 and {row.find("api_key") for row in rows} == {header.find("AUTH")}


def test_status_probe_shows_the_providers_words(
    tmp_path: Path, isolated_env: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    path = write_config(
        tmp_path / "seal.toml",
        '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "api_key"\n',
    )
    put(secret=UNKNOWN_KEY)
    anthropic_says(fake_provider, 401, times=None)
    env = subprocess_env(isolated_env, fake_provider)
    result = script(["status", "--probe", "--config", str(path)], env, tmp_path)
    held(tally, "status --probe", result.stdout, result.stderr, HOSTILE)
    assert result.returncode == 1


def test_status_path_that_is_not_utf8(tmp_path: Path, isolated_env: Path, tally: Tally) -> None:
    """A folder name that is not UTF-8 decodes to lone surrogates: printed, escaped."""
    folder = os.path.join(os.fsencode(tmp_path), b"proj\xff")
    os.mkdir(folder)
    path = os.path.join(folder, b"seal.toml")
    with open(path, "wb") as file:
        file.write(b'[model]\nprovider = "openai"\nname = "gpt-5"\n')
    env = subprocess_env(isolated_env)
    result = script([b"status", b"--config", path], env, tmp_path)
    held(tally, "status (non-UTF-8 path)", result.stdout, result.stderr, [os.fsdecode(path)])
    assert result.returncode == 1  # missing credential: an answer, not a crash


# --- logout -------------------------------------------------------------------------------


def test_logout_lists_and_removes_hostile_profiles(
    tmp_path: Path, isolated_env: Path, tally: Tally
) -> None:
    for value in HOSTILE:
        put("anthropic", value, secret=ANTHROPIC_KEY)
    env = subprocess_env(isolated_env)
    result = script(["logout", "--yes"], env, tmp_path)
    held(tally, "logout", result.stdout, result.stderr, HOSTILE)
    assert result.returncode == 0
    assert store().list() == []


def test_logout_question_on_a_terminal(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    put("anthropic", OSC52 + RLO, secret=ANTHROPIC_KEY)
    code, out, err = run(["logout"], capsys, monkeypatch, TTYInput("n\n"))
    held(tally, "logout question", out, err, [f"anthropic:{OSC52}{RLO}"])
    assert code == 130
    assert store().list() != []


# --- onboard --non-interactive ----------------------------------------------------------


def _onboard(path: Path, provider: str, auth: str, *flags: str) -> list[str]:
    return ["onboard", "--non-interactive", "--config", str(path), "--provider", provider,
            "--auth", auth, *flags]  # fmt: skip


def test_onboard_rejected_by_the_provider(
    tmp_path: Path, isolated_env: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    anthropic_says(fake_provider, 401, times=None)
    env = subprocess_env(isolated_env, fake_provider)
    path = project(tmp_path) / "seal.toml"
    args = _onboard(path, "anthropic", "api_key")
    result = script(args, env, tmp_path, stdin=ANTHROPIC_KEY.encode())
    held(tally, "onboard rejected", result.stdout, result.stderr, HOSTILE)
    assert result.returncode == 1 and not path.exists()


def test_onboard_unverified_keeps_the_providers_words(
    tmp_path: Path, isolated_env: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    anthropic_says(fake_provider, 500, times=None)
    env = subprocess_env(isolated_env, fake_provider)
    path = project(tmp_path) / "seal.toml"
    args = _onboard(path, "anthropic", "api_key", "--no-verify")
    result = script(args, env, tmp_path, stdin=ANTHROPIC_KEY.encode())
    held(tally, "onboard unverified", result.stdout, result.stderr, [str(path)])
    assert result.returncode == 0 and path.exists()


def test_onboard_verified_openrouter_label(
    tmp_path: Path, isolated_env: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    fake_provider.add_key("openrouter", OPENROUTER_KEY, label=joined())
    env = subprocess_env(isolated_env, fake_provider)
    path = project(tmp_path) / "seal.toml"
    args = _onboard(path, "openrouter", "api_key", "--model", "openai/gpt-5")
    result = script(args, env, tmp_path, stdin=OPENROUTER_KEY.encode())
    held(tally, "onboard openrouter label", result.stdout, result.stderr, [*HOSTILE, str(path)])
    assert result.returncode == 0


def test_onboard_with_a_hostile_seal_toml(
    tmp_path: Path, isolated_env: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    # No base_url: where a credential may be sent is another rule's (issue 11 §1).
    path = hostile_config(project(tmp_path), base_url=False)
    env = subprocess_env(isolated_env, fake_provider)
    args = _onboard(path, "anthropic", "api_key")
    result = script(args, env, tmp_path, stdin=ANTHROPIC_KEY.encode())
    held(tally, "onboard hostile seal.toml", result.stdout, result.stderr, [str(path)])
    assert result.returncode in (0, 1, 2, 3)


def test_onboard_sign_in_error_url(
    tmp_path: Path, isolated_env: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    env = subprocess_env(isolated_env, fake_provider)
    query = urlencode({"error": "access_denied", "error_description": joined()})
    pasted = f"{fake_provider.redirect_uri}?{query}\n".encode()
    path = tmp_path / "seal.toml"
    result = script(_onboard(path, "anthropic", "oauth"), env, tmp_path, stdin=pasted)
    held(tally, "onboard sign-in error", result.stdout, result.stderr, HOSTILE)
    assert result.returncode == 2 and not path.exists()


# --- the wizard's start-up errors ---------------------------------------------------------


def test_wizard_start_errors(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    """Before the screen takes over, seal.toml's problems are said on stderr: escaped."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    folder = project(tmp_path)
    missing = folder / "seal.toml"
    code, out, err = run(["roles", "--config", str(missing)], capsys, monkeypatch, TTYInput(""))
    held(tally, "roles start-up offer", out, err, [str(missing)])
    # No seal.toml: explained and offered (end of input declines), not exit 3.
    assert code == 130 and err.startswith("seal-setup roles: there is no seal.toml")

    path = write_config(folder / "seal.toml", f"[model]\nprovider = {toml_string(joined())}\n")
    code, out, err = run(["reauth", "--config", str(path)], capsys, monkeypatch, TTYInput(""))
    held(tally, "reauth start-up error", out, err, HOSTILE)
    assert code == 2 and err.startswith("seal-setup reauth: ")

    argv = ["roles", "--config", str(path), "--agent", OSC52 + RLO]
    code, out, err = run(argv, capsys, monkeypatch, TTYInput(""))
    held(tally, "roles --agent error", out, err, [OSC52 + RLO])
    assert code == 2


def test_stored_record_keys_are_data(tmp_path: Path, isolated_env: Path, tally: Tally) -> None:
    """A record whose profile holds escapes (the file store is untrusted too)."""
    store().put(CredentialRecord("anthropic", joined(), "api_key", secret=ANTHROPIC_KEY))
    env = subprocess_env(isolated_env)
    for args in (["status"], ["logout", "--provider", "anthropic", "--yes"]):
        result = script(args, env, tmp_path)
        held(tally, " ".join(args), result.stdout, result.stderr, HOSTILE)
