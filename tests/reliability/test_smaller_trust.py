"""The smaller trust cases of issue 11 §7, each tried as an attacker or an unlucky user would.

- The pending sign-in file (verifier and state, 0600) goes when the sign-in is refused
  (the token endpoint refused the code, a code of another sign-in, an expired sign-in),
  abandoned (Back, Cancel, a non-interactive run that ends) or expired (loading it); a
  sign-in interrupted by a restart still completes while it is valid.
- `"stale": "false"` (or 0, "", null, "true") in a stored record is not a 401 seen.
- Every command printed for the person to copy (status advice, the Review screen's
  equivalent command) reads back, in a real shell, as exactly its arguments, with
  spaces, quotes, `$(…)`, `;` and leading dashes in the values; nothing in it runs.
- A symlinked seal.toml is written only after Review named its real target, and the
  non-interactive path refuses a link leaving the project's folder unless `--config`
  names the target itself.
"""

from __future__ import annotations

import io
import json
import os
import shlex
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.auth import oauth
from backend.config.document import load_config
from backend.credentials.record import CredentialRecord, utcnow
from backend.errors import OAuthError
from backend.status import Entry, advice
from backend.wizard.answers import Answers
from backend.wizard.onboarding import apply_answers, equivalent_command
from backend.wizard.roles import CredentialState
from screens.auth_method import AuthMethodScreen
from screens.done import DoneScreen
from screens.review import ReviewScreen
from tests.cli.helpers import run, store, write_config
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, FakeProvider
from tests.reliability.conftest import Tally
from tests.support.steps import start_at
from tests.tui.harness import (
    SIZE,
    browser_sign_in,
    build,
    cancel,
    paste,
    press_next,
    sign_in_url,
    wait_for,
    wait_screen,
    wait_text,
)
from tui.cli import build_parser

CATEGORY = "smaller trust cases"
TOKEN_PATH = "/v1/oauth/token"


@pytest.fixture(autouse=True)
def file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI runs here use the file store in the per-test dirs, never a keyring."""
    monkeypatch.setenv("SEAL_CREDENTIAL_STORE", "file")


# --- the pending sign-in ---------------------------------------------------------------------


def pending_file(mode: oauth.Mode = "max", env: dict[str, str] | None = None) -> Path:
    return oauth.pending_path(mode, env)


def expired_copy(pending: oauth.PendingSignIn) -> oauth.PendingSignIn:
    """The same sign-in, eleven minutes later."""
    return oauth.PendingSignIn(
        pending.mode,
        pending.state,
        pending.verifier,
        pending.url,
        pending.created_at - timedelta(minutes=11),
        pending.created_at - timedelta(minutes=1),
        pending.redirect_uri,
    )


def _refused_by_server(fake: FakeProvider, pending: oauth.PendingSignIn) -> str:
    return f"not-the-code#{pending.state}"  # our state, a code the server never issued


def _token_endpoint_answers(status: int | None) -> Any:
    """The code the browser shows, with the token endpoint answering `status` (None:
    dropping the connection) when it is exchanged."""

    def make(fake: FakeProvider, pending: oauth.PendingSignIn) -> str:
        if status is None:
            fake.drop(TOKEN_PATH)
        else:
            fake.fail(TOKEN_PATH, status)
        return browser_sign_in(pending.url)

    return make


def _foreign_state(fake: FakeProvider, pending: oauth.PendingSignIn) -> str:
    return browser_sign_in(pending.url).partition("#")[0] + "#" + "x" * 43


def _expired(fake: FakeProvider, pending: oauth.PendingSignIn) -> str:
    return browser_sign_in(pending.url)


ENDED = {
    "refused code (400 invalid_grant)": _refused_by_server,
    "refused code (401)": _token_endpoint_answers(401),
    "code of another sign-in": _foreign_state,
    "expired sign-in": _expired,
}


@pytest.mark.parametrize("case", list(ENDED))
def test_a_refused_sign_in_removes_its_file(
    case: str, fake_provider: FakeProvider, tally: Tally
) -> None:
    env = fake_provider.env()
    pending = oauth.start_sign_in("max", env)
    pasted = ENDED[case](fake_provider, pending)
    assert pending_file(env=env).exists()
    used = expired_copy(pending) if case == "expired sign-in" else pending
    with pytest.raises(OAuthError) as info:
        oauth.complete_sign_in(used, pasted, env=env)
    held = oauth.ends_sign_in(info.value) and not pending_file(env=env).exists()
    tally.record(CATEGORY, held)
    assert held, (case, info.value.message)


def _bare_code(fake: FakeProvider, pending: oauth.PendingSignIn) -> str:
    return browser_sign_in(pending.url).partition("#")[0]


GOES_ON = {
    "paste cut short (bare code)": _bare_code,
    "server error (500)": _token_endpoint_answers(500),
    "a proxy's 403": _token_endpoint_answers(403),
    "dropped connection": _token_endpoint_answers(None),
}


@pytest.mark.parametrize("case", list(GOES_ON))
def test_a_sign_in_that_can_go_on_keeps_its_file(
    case: str, fake_provider: FakeProvider, fast_retries: object, tally: Tally
) -> None:
    """Nothing judged the code: after a restart the same sign-in still completes."""
    env = fake_provider.env()
    pending = oauth.start_sign_in("max", env)
    pasted = GOES_ON[case](fake_provider, pending)
    with pytest.raises(OAuthError) as info:
        oauth.complete_sign_in(pending, pasted, env=env)
    kept = not oauth.ends_sign_in(info.value) and pending_file(env=env).exists()
    fake_provider.clear_faults()
    resumed = oauth.load_pending("max", env)  # as a restarted seal-setup does
    assert resumed == pending
    record = oauth.complete_sign_in(resumed, browser_sign_in(pending.url), env=env)
    held = kept and record.kind == "oauth" and not pending_file(env=env).exists()
    tally.record(CATEGORY, held)
    assert held, (case, info.value.message)


def test_loading_an_expired_sign_in_removes_it(fake_provider: FakeProvider, tally: Tally) -> None:
    env = fake_provider.env()
    pending = oauth.start_sign_in("max", env)
    path = pending_file(env=env)
    path.write_text(expired_copy(pending).to_json(), encoding="utf-8")
    loaded = oauth.load_pending("max", env)
    # Returned once, so the wizard can say it expired; the file is gone.
    held = loaded is not None and loaded.expired() and not path.exists()
    tally.record(CATEGORY, held)
    assert held


def test_a_refused_old_sign_in_keeps_the_newer_one(
    fake_provider: FakeProvider, tally: Tally
) -> None:
    """Two sign-ins of one mode (a second wizard, New link): refusing the old one's code
    must not remove the newer one's file."""
    env = fake_provider.env()
    old = oauth.start_sign_in("max", env)
    newer = oauth.start_sign_in("max", env)
    with pytest.raises(OAuthError):
        oauth.complete_sign_in(old, f"bogus#{old.state}", env=env)
    held = oauth.load_pending("max", env) == newer
    tally.record(CATEGORY, held)
    assert held


async def test_wizard_back_and_cancel_abandon_the_sign_in(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "authorize", method="oauth")
    path = pending_file(env=h.services.env)
    results: dict[str, bool] = {}
    async with h.app.run_test(size=SIZE) as pilot:
        await sign_in_url(pilot)
        was_there = path.exists()
        await pilot.press("escape")  # Back
        await wait_screen(pilot, AuthMethodScreen)
        await wait_for(pilot, lambda: not path.exists(), "pending sign-in removed")
        results["back"] = was_there
        await press_next(pilot)  # the same method again: a new sign-in
        await sign_in_url(pilot)
        was_there = path.exists()
        await cancel(pilot)
    results["cancel"] = was_there and not path.exists()
    for held in results.values():
        tally.record(CATEGORY, held)
    assert all(results.values()), results


async def test_wizard_restart_continues_a_valid_sign_in(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """Interrupted (no Back, no Cancel): the next start continues the same sign-in."""
    h = build(fake_provider, tmp_path, answers=Answers(provider="anthropic", method="oauth"))
    started = h.services.start_sign_in("max")  # what the interrupted run left
    h.app = build(
        fake_provider,
        tmp_path,
        answers=Answers(provider="anthropic", method="oauth"),
        start="authorize",
    ).app
    async with h.app.run_test(size=SIZE) as pilot:
        screen, url = await sign_in_url(pilot)
        note = await wait_text(pilot, "#link-status", "Continuing the sign-in")
        await paste(pilot, "#code", browser_sign_in(url))
        await press_next(pilot)
        await wait_for(pilot, lambda: screen.answers.record is not None, "signed in")
    held = (
        url == started.url
        and "Continuing" in note
        and not pending_file(env=h.services.env).exists()
    )
    tally.record(CATEGORY, held)
    assert held


class CodeOnStdin(io.StringIO):
    """stdin for a non-interactive sign-in: the line is made once the URL is out (the
    pending file is read for its state, as the browser page would show it)."""

    def __init__(self, make: Any) -> None:
        super().__init__()
        self.make = make

    def readline(self, *args: Any) -> str:
        # The environment the CLI runs in (the fake's sign-in server included).
        pending = oauth.load_pending("max", dict(os.environ))
        assert pending is not None, "the sign-in is saved while the code is awaited"
        return str(self.make(pending)) + "\n"


@pytest.mark.parametrize(
    ("case", "make", "exit_code"),
    [
        ("refused code", lambda p: f"not-the-code#{p.state}", 1),
        ("no code", lambda p: "", 2),
        ("code of another sign-in", lambda p: "abc#" + "y" * 43, 2),
    ],
)
def test_non_interactive_sign_in_leaves_no_pending_file(
    case: str,
    make: Any,
    exit_code: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: FakeProvider,
    tally: Tally,
) -> None:
    argv = ["onboard", "--non-interactive", "--config", str(tmp_path / "seal.toml")]
    argv += ["--provider", "anthropic", "--auth", "oauth"]
    code, _, err = run(argv, capsys, monkeypatch, CodeOnStdin(make))
    held = code == exit_code and not pending_file().exists() and store().list() == []
    tally.record(CATEGORY, held)
    assert held, (case, code, err)


# --- "stale": only JSON true -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stale"),
    [
        ("false", False),
        ("true", False),
        (0, False),
        (1, False),
        ("", False),
        (None, False),
        ([], False),
        ({}, False),
        (False, False),
        (True, True),
    ],
    ids=repr,
)
def test_stale_is_only_json_true(
    value: object,
    stale: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    record = CredentialRecord(
        "anthropic", "default", "api_key", secret=ANTHROPIC_KEY, verified_at=utcnow()
    )
    data = record.to_dict()
    data["stale"] = value
    path = store().path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "credentials": {record.key: data}}))
    path.chmod(0o600)
    write_config(
        tmp_path / "seal.toml", '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\n'
    )
    code, out, err = run(
        ["status", "--json", "--config", str(tmp_path / "seal.toml")], capsys, monkeypatch
    )
    state = json.loads(out)["providers"][0]["state"]
    held = (
        store().get("anthropic", "default").stale is stale  # type: ignore[union-attr]
        and state == ("rejected" if stale else "ok")
        and code == (1 if stale else 0)
    )
    tally.record(CATEGORY, held)
    assert held, (value, state, err)


# --- commands to copy -----------------------------------------------------------------------

PRINT_ARGV = shlex.join([sys.executable, "-c", "import json,sys; print(json.dumps(sys.argv[1:]))"])
HOSTILE = "a b \"c\" 'd' $(touch PWNED) `touch PWNED`; touch PWNED | x & y"


def through_a_shell(command: str, cwd: Path) -> list[str]:
    """The arguments a POSIX shell gives the program when `command` is pasted into it
    (seal-setup replaced by a program printing its argv; `< secret.txt` read from cwd)."""
    assert command.startswith("seal-setup ")
    (cwd / "secret.txt").write_text(ANTHROPIC_KEY)
    line = PRINT_ARGV + command[len("seal-setup") :]
    result = subprocess.run(
        ["sh", "-c", line], cwd=cwd, capture_output=True, text=True, timeout=30, check=True
    )
    return list(json.loads(result.stdout))


@pytest.mark.parametrize(
    "profile", [HOSTILE, "--yes", "-rf", "x'y", "nl\nand\ttab", "$HOME"], ids=repr
)
def test_status_advice_reads_back_as_its_arguments(
    profile: str, tmp_path: Path, tally: Tally
) -> None:
    results = []
    for state, origin in (("rejected", "store"), ("unverified", "store"), ("missing", None)):
        entry = Entry("anthropic", profile, "api_key", "file", state, origin=origin)  # type: ignore[arg-type]
        line = advice(entry)
        assert line is not None
        command = line[line.index("seal-setup reauth") :]
        argv = through_a_shell(command, tmp_path)
        args = build_parser().parse_args(argv)
        results.append(
            argv[0] == "reauth" and args.profile == profile and not (tmp_path / "PWNED").exists()
        )
    fix = CredentialState("anthropic", profile, "missing", "no credential").fix
    argv = through_a_shell(fix, tmp_path)
    results.append(build_parser().parse_args(argv).profile == profile)
    for held in results:
        tally.record(CATEGORY, held)
    assert all(results), (profile, results)


START = '# project\n[model]\nprovider = "openai"\nname = "gpt-5"\n'
HEADER_NAME = "X-A'b`c$d|e&f"


def test_review_command_with_hostile_values_writes_what_the_wizard_writes(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: FakeProvider,
    tally: Tally,
) -> None:
    project = tmp_path / "my proj; $(touch PWNED) 'q' `x`"
    project.mkdir()
    wizard_path = write_config(tmp_path / "wizard.toml", START)
    cli_path = write_config(project / "seal.toml", START)
    answers = Answers(
        provider="openrouter",
        method="api_key",
        model="anthropic/claude-opus-4.7",
        agent="--yes",
        profile="team.a-1",
    )
    answers.headers = {HEADER_NAME: HOSTILE, "X-OpenRouter-Title": "-rf"}
    answers.roles = {"fast": "openrouter:anthropic/claude-haiku-4.5"}
    answers.record = CredentialRecord("openrouter", "team.a-1", "api_key", secret=OPENROUTER_KEY)
    answers.check_outcome = "verified"
    answers.config_path = str(cli_path)
    config = load_config(wizard_path)
    apply_answers(config, answers)
    config.save()

    command = equivalent_command(answers, answers.config_path)
    argv = through_a_shell(command, tmp_path)
    assert argv == shlex.split(command)[1:-2]  # Python's reading is the shell's
    args = build_parser().parse_args(argv)
    parsed = (
        args.config == str(cli_path)
        and args.agent == "--yes"
        and args.header == [f"{HEADER_NAME}={HOSTILE}", "X-OpenRouter-Title=-rf"]
    )
    code, _, err = run(argv, capsys, monkeypatch, OPENROUTER_KEY)
    held = (
        parsed
        and code == 0
        and cli_path.read_text() == wizard_path.read_text()
        and not (tmp_path / "PWNED").exists()
        and not (project / "PWNED").exists()
    )
    tally.record(CATEGORY, held)
    assert held, (command, argv, code, err)


# --- a symlinked seal.toml ----------------------------------------------------------------

VALID = '# theirs\n[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\n'
ONBOARD = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]


def linked(tmp_path: Path) -> tuple[Path, Path]:
    """project/seal.toml → elsewhere/seal.toml (a shell start-up file, another project)."""
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    target = write_config(elsewhere / "seal.toml", VALID)
    link = project / "seal.toml"
    link.symlink_to(target)
    return link, target


def test_non_interactive_refuses_a_link_leaving_the_project(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: FakeProvider,
    tally: Tally,
) -> None:
    link, target = linked(tmp_path)
    results: dict[str, bool] = {}
    for how in ("--config LINK", "default ./seal.toml", "SEAL_CONFIG=LINK"):
        argv = [*ONBOARD, "--effort", "low"]
        if how == "--config LINK":
            argv += ["--config", str(link)]
        elif how == "SEAL_CONFIG=LINK":
            monkeypatch.setenv("SEAL_CONFIG", str(link))
        monkeypatch.chdir(link.parent)
        code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
        monkeypatch.delenv("SEAL_CONFIG", raising=False)
        named = shlex.join(["--config", str(target)])
        results[how] = (
            code == 3
            and str(target) in err
            and "outside the project's folder" in err
            and named in err
            and target.read_text() == VALID
            and link.is_symlink()
            and sorted(p.name for p in target.parent.iterdir()) == ["seal.toml"]
            and store().list() == []
            and fake_provider_env.requests() == []  # refused before anything was sent
        )
    # Naming the target itself writes it.
    argv = [*ONBOARD, "--effort", "low", "--config", str(target)]
    code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    results["--config TARGET"] = code == 0 and 'effort = "low"' in target.read_text()
    for held in results.values():
        tally.record(CATEGORY, held)
    assert all(results.values()), results


def _review_harness(fake: FakeProvider, tmp_path: Path) -> Any:
    answers = Answers(provider="anthropic", method="api_key", model="claude-opus-4-7")
    answers.record = CredentialRecord("anthropic", "default", "api_key", secret=ANTHROPIC_KEY)
    answers.check_outcome = "verified"
    return build(fake, tmp_path, answers=answers, start="review")


async def test_review_names_the_link_target_then_writes_it(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    h = _review_harness(fake_provider, tmp_path)
    (tmp_path / "elsewhere").mkdir()
    target = write_config(tmp_path / "elsewhere" / "seal.toml", VALID)
    h.config_path.symlink_to(target)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, ReviewScreen)
        summary = await wait_text(pilot, "#summary", "(a symlink)")
        await press_next(pilot)  # Write
        await wait_screen(pilot, DoneScreen)
    held = (
        f"seal.toml → {target} (a symlink)" in summary
        and 'name = "claude-opus-4-7"' in target.read_text()
        and h.config_path.is_symlink()
        and h.stored("anthropic") is not None
    )
    tally.record(CATEGORY, held)
    assert held, summary


async def test_review_refuses_a_link_pointed_elsewhere_after_it_was_shown(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    h = _review_harness(fake_provider, tmp_path)
    (tmp_path / "elsewhere").mkdir()
    shown = write_config(tmp_path / "elsewhere" / "seal.toml", VALID)
    swapped = write_config(tmp_path / "elsewhere" / "bashrc", "# not a seal.toml\n")
    h.config_path.symlink_to(shown)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, ReviewScreen)
        await wait_text(pilot, "#summary", f"→ {shown}")
        h.config_path.unlink()
        h.config_path.symlink_to(swapped)  # re-pointed while Review is open
        await press_next(pilot)  # Write
        status = await wait_text(pilot, "#write-status", "✗")
        still_on_review = isinstance(pilot.app.screen, ReviewScreen)
    held = (
        still_on_review
        and "refusing to write" in status
        and str(swapped) in status
        and shown.read_text() == VALID
        and swapped.read_text() == "# not a seal.toml\n"
        and h.store.list() == []  # the credential write was rolled back
    )
    tally.record(CATEGORY, held)
    assert held, status
