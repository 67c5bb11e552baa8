"""Bounded input (issue 11 §5): floods of pasted or piped text, and credentials that cannot
go in an HTTP header.

Floods: 30 KB and 1 MB of spaces, tabs, unclosed `ESC ]` and line breaks around a real
key or sign-in code, through `check_secret`, `parse_paste`, the wizard's key and sign-in
fields (the app keeps answering keys and says why it refused) and non-interactive stdin
(refused, having read only just past the limit). Headers: non-ASCII and zero-width
characters in provider variables, in Claude Code's tokens and in a tampered stored record,
through `status --probe` and `onboard --non-interactive` as a user runs them: a message
that names the variable or file, the documented exit code, no traceback, and nothing sent.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from backend.auth.oauth import parse_paste
from backend.auth.paste import KEY_PASTE, SIGN_IN_PASTE, check_secret
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.stores import FileStore
from backend.errors import OAuthError
from backend.wizard.answers import Answers
from screens.check import CheckScreen
from screens.secret_entry import ApiKeyScreen
from screens.widgets.secret_input import SecretInput
from tests.cli.helpers import run_script, subprocess_env
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.reliability.conftest import Tally
from tests.tui.harness import (
    SIZE,
    browser_sign_in,
    build,
    next_enabled,
    sign_in_url,
    text_of,
    wait_for,
    wait_screen,
)
from tui.cli import main

CATEGORY = "bounded input"
SHAPES = {"spaces": " ", "tabs": "\t", "unclosed-osc": "\x1b]", "line-breaks": "\n"}
SIZES = {"30KB": 30 * 1024, "1MB": 1024 * 1024}
FLOODS = [(shape, size) for shape in SHAPES for size in SIZES]
FLOOD_IDS = [f"{shape}-{size}" for shape, size in FLOODS]
KEY_REFUSAL = "too long: more than 4,096 characters"
SIGN_IN_REFUSAL = "too long: more than 16,384 characters"
STATE = "S" * 43
CODE = "abcDEF123_-xyz"
SEAL_TOML = '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "{auth}"\n'


def flood(shape: str, size: str, core: str = ANTHROPIC_KEY) -> str:
    """About `size` of `shape` around `core` and inside it: the runs inside are what made
    the old line-break pattern quadratic (the ones around it were stripped first)."""
    unit = SHAPES[shape]
    quarter = SIZES[size] // (4 * len(unit))
    cut = len(core) // 2
    return unit * quarter + core[:cut] + unit * 2 * quarter + core[cut:] + unit * quarter


# --- the backend ------------------------------------------------------------------------


@pytest.mark.parametrize(("shape", "size"), FLOODS, ids=FLOOD_IDS)
@pytest.mark.parametrize("method", ["api_key", "setup_token"])
def test_check_secret_refuses_a_flood(shape: str, size: str, method: str, tally: Tally) -> None:
    result = check_secret(flood(shape, size), "anthropic", method)
    held = (
        not result.ok
        and result.value == ""
        and KEY_REFUSAL in result.message
        and "copy only the key" in result.message
        and ANTHROPIC_KEY[13:40] not in result.message + result.fingerprint
    )
    tally.record(CATEGORY, held)
    assert held, result.message


@pytest.mark.parametrize(("shape", "size"), FLOODS, ids=FLOOD_IDS)
def test_parse_paste_refuses_a_flood(shape: str, size: str, tally: Tally) -> None:
    with pytest.raises(OAuthError) as info:
        parse_paste(flood(shape, size, f"{CODE}#{STATE}"), STATE)
    held = (
        SIGN_IN_REFUSAL in info.value.message
        and "code#state" in info.value.hint
        and CODE not in str(info.value)
    )
    tally.record(CATEGORY, held)
    assert held, str(info.value)


def test_a_paste_within_the_limits_is_still_cleaned(tally: Tally) -> None:
    """The limits leave room for what terminals add around a real key or code."""
    room = (KEY_PASTE.chars - len(ANTHROPIC_KEY)) // 2
    key = check_secret(" " * room + ANTHROPIC_KEY + "\n" * room, "anthropic", "api_key")
    pasted = f"{CODE}#{STATE}"
    room = (SIGN_IN_PASTE.chars - len(pasted)) // 2
    code = parse_paste('"' + " " * (room - 1) + pasted + "\n" * (room - 1) + '"', STATE)
    held = key.ok and key.value == ANTHROPIC_KEY and code == CODE
    tally.record(CATEGORY, held)
    assert held, key.message


# --- the wizard ---------------------------------------------------------------------------


async def _empty(pilot: Pilot[Any], field: SecretInput) -> None:
    """Empty the field as a change (a refusal leaves it empty already) and wait for it."""
    field.value = "x"
    field.value = ""
    await wait_for(pilot, lambda: text_of(pilot, "#feedback") == "", "feedback cleared")


async def test_the_key_field_refuses_floods_and_keeps_answering_keys(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    h = build(fake_provider, tmp_path, start="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, ApiKeyScreen)
        field = screen.query_one("#secret", SecretInput)
        for shape, size in FLOODS:
            await _empty(pilot, field)
            field.post_message(events.Paste(flood(shape, size)))
            await wait_for(pilot, lambda: KEY_REFUSAL in text_of(pilot, "#feedback"), "refusal")
            refused = (
                text_of(pilot, "#feedback").startswith("✗")
                and field.value == ""
                and not next_enabled(pilot)
                and text_of(pilot, "#fingerprint") == ""
            )
            # A key pressed right after is handled: typed into the field and checked.
            await pilot.press("s")
            await wait_for(pilot, lambda: field.value == "s", "the key typed")
            await wait_for(
                pilot, lambda: "does not look like" in text_of(pilot, "#feedback"), "checked"
            )
            tally.record(CATEGORY, refused)
            assert refused, (shape, size, text_of(pilot, "#feedback"))
        # The field still takes a real key wrapped in what a terminal adds.
        await _empty(pilot, field)
        room = (KEY_PASTE.chars - len(ANTHROPIC_KEY)) // 2
        field.post_message(events.Paste("\t" * room + ANTHROPIC_KEY + " \n" * (room // 2)))
        await wait_for(pilot, lambda: next_enabled(pilot), "the key accepted")
        assert field.value == ANTHROPIC_KEY
    assert fake_provider.requests() == []
    assert h.store.list() == []


async def test_the_sign_in_field_refuses_floods_then_signs_in(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    h = build(
        fake_provider,
        tmp_path,
        answers=Answers(provider="anthropic", method="oauth"),
        start="authorize",
    )
    async with h.app.run_test(size=SIZE) as pilot:
        screen, url = await sign_in_url(pilot)
        field = screen.query_one("#code", SecretInput)
        pasted = browser_sign_in(url)
        for shape, size in FLOODS:
            await _empty(pilot, field)
            field.post_message(events.Paste(flood(shape, size, pasted)))
            await wait_for(pilot, lambda: SIGN_IN_REFUSAL in text_of(pilot, "#feedback"), "refusal")
            held = (
                text_of(pilot, "#feedback").startswith("✗")
                and field.value == ""
                and not next_enabled(pilot)
            )
            tally.record(CATEGORY, held)
            assert held, (shape, size, text_of(pilot, "#feedback"))
        assert fake_provider.count("/v1/oauth/token") == 0
        # The same code with as much around it as the limit allows still signs in.
        await _empty(pilot, field)
        room = (SIGN_IN_PASTE.chars - len(pasted)) // 2
        field.post_message(events.Paste(" " * room + pasted + "\n" * room))
        await wait_for(pilot, lambda: next_enabled(pilot), "Sign in enabled")
        screen.action_next()
        # On to the Check step, mounted: leaving run_test while it mounts would tear the
        # app down under the step's on_mount.
        await wait_screen(pilot, CheckScreen)
    assert fake_provider.count("/v1/oauth/token") == 1


# --- non-interactive stdin ----------------------------------------------------------------


def _onboard(
    tmp_path: Path,
    method: str,
    stdin: io.StringIO,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[int, str]:
    config = tmp_path / "seal.toml"
    argv = ["onboard", "--non-interactive", "--config", str(config)]
    monkeypatch.setattr(sys, "stdin", stdin)
    code = main([*argv, "--provider", "anthropic", "--auth", method])
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize(("shape", "size"), FLOODS, ids=FLOOD_IDS)
def test_stdin_floods_are_refused_reading_just_past_the_limit(
    shape: str,
    size: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: FakeProvider,
    tally: Tally,
) -> None:
    line = flood(shape, size, f"{CODE}#{STATE}").replace("\n", " ") + "\n"
    cases = [
        # (method, stdin, the refusal, the most that may be read: the limit and a line end)
        ("api_key", flood(shape, size), KEY_REFUSAL, KEY_PASTE.chars + 1),
        ("setup_token", flood(shape, size), KEY_REFUSAL, KEY_PASTE.chars + 1),
        # The sign-in code is one line: a flood of line breaks becomes spaces here.
        ("oauth", line, SIGN_IN_REFUSAL, SIGN_IN_PASTE.chars + 2),
    ]
    for method, text, refusal, most in cases:
        stdin = io.StringIO(text)
        code, output = _onboard(tmp_path, method, stdin, capsys, monkeypatch)
        held = (
            code == 2
            and refusal in output
            and "Traceback" not in output
            and stdin.tell() <= most
            and not (tmp_path / "seal.toml").exists()
            and FileStore().list() == []
        )
        tally.record(CATEGORY, held)
        assert held, (method, code, stdin.tell(), output[-400:])
    assert fake_provider_env.requests("/v1/models") == []
    assert fake_provider_env.count("/v1/oauth/token") == 0


def test_the_console_script_refuses_a_megabyte_on_stdin(
    tmp_path: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    env = subprocess_env(tmp_path / "home", fake_provider)
    argv = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]
    result = run_script(argv, env, cwd=tmp_path, stdin=flood("spaces", "1MB"))
    held = (
        result.returncode == 2
        and KEY_REFUSAL in result.stderr
        and "Traceback" not in result.stdout + result.stderr
        and not (tmp_path / "seal.toml").exists()
    )
    tally.record(CATEGORY, held)
    assert held, (result.returncode, result.stderr[-400:])


# --- credentials that cannot go in a header -------------------------------------------------

UNSENDABLE = {
    "zero-width": (ANTHROPIC_KEY[:11] + "\u200b" + ANTHROPIC_KEY[11:], 12),
    "byte-order-mark": ("\ufeff" + ANTHROPIC_KEY, 1),
    "accent": (ANTHROPIC_KEY[:40] + "é" + ANTHROPIC_KEY[41:], 41),
    "nbsp-inside": (ANTHROPIC_KEY[:60] + "\u00a0" + ANTHROPIC_KEY[60:], 61),
    "line-break-inside": (ANTHROPIC_KEY[:60] + "\n" + ANTHROPIC_KEY[60:], 61),
}


def _project(tmp_path: Path, auth: str) -> Path:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "seal.toml").write_text(SEAL_TOML.format(auth=auth), encoding="utf-8")
    return project


def _held(
    result: subprocess.CompletedProcess[str],
    code: int,
    needles: tuple[str, ...],
    fake: FakeProvider,
) -> bool:
    """The exit code, every needle, no traceback, no secret, and no request to the provider."""
    out = result.stdout + result.stderr
    return (
        result.returncode == code
        and all(needle in out for needle in needles)
        and "Traceback" not in out
        and "UnicodeEncodeError" not in out
        and ANTHROPIC_KEY[13:40] not in out
        and fake.requests("/v1/models") == []
    )


@pytest.mark.parametrize("case", list(UNSENDABLE), ids=list(UNSENDABLE))
def test_a_provider_variable_that_cannot_be_sent_is_named(
    case: str, tmp_path: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    value, position = UNSENDABLE[case]
    kind = "control" if "\n" in value else "non-ASCII"
    named = f"ANTHROPIC_API_KEY contains a {kind} character at position {position}"
    project = _project(tmp_path, "env")
    before = (project / "seal.toml").read_bytes()
    env = subprocess_env(tmp_path / "home", fake_provider, ANTHROPIC_API_KEY=value)
    for argv, code in (
        (["status", "--probe"], 1),
        (["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "env"], 2),
    ):
        result = run_script(argv, env, cwd=project)
        held = _held(result, code, (named,), fake_provider)
        held = held and (project / "seal.toml").read_bytes() == before
        tally.record(CATEGORY, held)
        assert held, (argv, result.returncode, result.stdout[-600:], result.stderr[-600:])


@pytest.mark.parametrize("token", ["accessToken", "refreshToken"])
def test_a_claude_code_token_that_cannot_be_sent_names_the_file(
    token: str, tmp_path: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    home = tmp_path / "home"
    tokens = {"accessToken": "sk-ant-oat01-" + "a" * 95, "refreshToken": "sk-ant-ort01-r" * 5}
    tokens[token] = tokens[token][:20] + "\u200b" + tokens[token][20:]
    claude = home / ".claude" / ".credentials.json"
    claude.parent.mkdir(parents=True)
    claude.write_text(json.dumps({"claudeAiOauth": {**tokens, "expiresAt": 4102444800000}}))
    project = _project(tmp_path, "claude_code")
    before = (project / "seal.toml").read_bytes()
    env = subprocess_env(home, fake_provider)
    needles = ("~/.claude/.credentials.json", token, "non-ASCII character at position 21")
    for argv in (
        ["status", "--probe"],
        ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "claude_code"],
    ):
        result = run_script(argv, env, cwd=project)
        held = _held(result, 1, needles, fake_provider)
        held = held and (project / "seal.toml").read_bytes() == before
        tally.record(CATEGORY, held)
        assert held, (argv, result.returncode, result.stdout[-600:], result.stderr[-600:])


def test_a_stored_credential_that_cannot_be_sent_is_refused_unsent(
    tmp_path: Path,
    fake_provider: FakeProvider,
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    """The store is untrusted too: a tampered record never reaches httpx."""
    home = tmp_path / "home"
    env = subprocess_env(home, fake_provider)
    for name in ("HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(name, env[name])  # so this FileStore is the script's
    secret = ANTHROPIC_KEY[:30] + "\u200b" + ANTHROPIC_KEY[30:]
    record = CredentialRecord("anthropic", "default", "api_key", secret=secret)
    FileStore().put(record.with_changes(verified_at=utcnow()))
    project = _project(tmp_path, "api_key")
    result = run_script(["status", "--probe"], env, cwd=project)
    needles = ("rejected", "non-ASCII character at position 31", "cannot be sent")
    held = _held(result, 1, needles, fake_provider)
    tally.record(CATEGORY, held)
    assert held, (result.returncode, result.stdout[-600:], result.stderr[-600:])
