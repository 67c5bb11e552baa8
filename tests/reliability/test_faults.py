"""Every network step × every fault: classified, no crash, nothing half-written, Retry works.

Steps: the credential check (each provider and auth kind), the model lists, the token
exchange, the refresh, the Console key minting, and `status --probe`. Faults: 401, 403,
404, 429 with retry-after, 500, 529, a slow answer (timeout), a refused connection,
malformed JSON, a dropped connection and a 30 s stall. Timeouts use a short
SEAL_HTTP_READ_TIMEOUT, so a stall costs a fraction of a second, not 30 s.

Most cases run at the backend level; a representative subset goes through the wizard's
Check screen (Pilot) and `seal-setup status --probe` (in process).
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from backend.auth import oauth
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.stores import FileStore
from backend.errors import OAuthError, ProviderError
from backend.providers import live as providers
from backend.providers.live import Auth
from backend.system.atomic import TEMP_PREFIX
from backend.vocabulary.registry import PROVIDER_LABELS
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SETUP_TOKEN,
    FakeProvider,
)
from tests.reliability.conftest import Tally

FAULTS = (
    "401",
    "403",
    "404",
    "429",
    "500",
    "529",
    "timeout",
    "refused",
    "malformed",
    "drop",
    "stall",
)
SHORT_READ_TIMEOUT = "0.25"  # seconds: the stall (30 s) and the slow answer (3 s) exceed it
RETRY_AFTER = 30  # longer than the fast retry budget: reported, not slept through
SEAL_TOML = '# project\n[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\n'


def dead_url() -> str:
    """A loopback URL nothing listens on: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def arm(
    fake: FakeProvider,
    fault: str,
    path: str,
    monkeypatch: pytest.MonkeyPatch,
    short_timeout: bool = True,
) -> None:
    """Make `path` misbehave until fake.clear_faults() (refused: the caller points the
    step's base URL at `dead_url()`)."""
    if fault in ("timeout", "stall") and short_timeout:
        monkeypatch.setenv("SEAL_HTTP_READ_TIMEOUT", SHORT_READ_TIMEOUT)
    if fault.isdigit():
        retry_after = RETRY_AFTER if fault == "429" else None
        fake.fail(path, int(fault), retry_after=retry_after, times=None)
    elif fault == "timeout":
        fake.latency(path, 3.0)  # answers, but later than the read timeout
    elif fault == "stall":
        fake.stall(path, 30.0, times=None)  # never answers; freed when the fake stops
    elif fault == "malformed":
        fake.malformed(path, times=None)
    elif fault == "drop":
        fake.drop(path, times=None)


def clear(fake: FakeProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fault goes away: the fake answers normally at the normal timeouts."""
    fake.clear_faults()
    monkeypatch.delenv("SEAL_HTTP_READ_TIMEOUT", raising=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (lock files aside: they hold no data) with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".lock")
    }


def temps(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(TEMP_PREFIX + "*")]


# --- expected words ----------------------------------------------------------------------


def check_needles(provider: str, fault: str) -> tuple[str, list[str]]:
    """(outcome, words the message must hold) for a check or model list under `fault`."""
    name = PROVIDER_LABELS[provider]
    if fault in ("401", "403"):
        return "rejected", [f"Rejected by {name}"]
    words = {
        "404": ["(404)", "base URL"],
        "429": [f"Rate limited by {name} (429", f"try again in {RETRY_AFTER} s"],
        "500": [f"{name} had a server error (500"],
        "529": [f"{name} is overloaded (529)"],
        "timeout": ["did not answer in time (read timeout)"],
        "stall": ["did not answer in time (read timeout)"],
        "refused": ["connection refused"],
        "malformed": ["not the expected JSON"],
        "drop": ["dropped before an answer"],
    }[fault]
    return "unverifiable", words


def oauth_needles(what: str, fault: str, refresh: bool = False) -> list[str]:
    """Words the OAuthError message must hold for `what` (code exchange, …) under `fault`."""
    if refresh and fault == "401":
        return [oauth.SIGN_IN_AGAIN]
    return {
        "401": [f"refused the {what} (401)"],
        "403": [f"refused the {what} (403)"],
        "404": [f"refused the {what} (404)"],
        "429": [f"rate limited the {what} (429)"],
        "500": [f"failed during the {what} (500)"],
        "529": ["overloaded", f"no {what} happened (529)"],
        "timeout": [f"did not answer in time ({what})"],
        "stall": [f"did not answer in time ({what})"],
        "refused": ["connection refused", what],
        "malformed": [f"not JSON ({what})"],
        "drop": [f"dropped before an answer ({what})"],
    }[fault]


def holds(text: str, needles: list[str]) -> bool:
    return all(n in text for n in needles)


# --- backend steps -----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    path: str  # the fake's path the fault is put on
    env_var: str  # pointed at a dead port for "refused"
    kind: str  # "check" | "models" | "oauth"


STEPS = (
    Step("check anthropic api_key", "/v1/models", "SEAL_ANTHROPIC_BASE_URL", "check"),
    Step("check anthropic setup_token", "/v1/models", "SEAL_ANTHROPIC_BASE_URL", "check"),
    Step("check openrouter", "/openrouter/api/v1/key", "SEAL_OPENROUTER_BASE_URL", "check"),
    Step("check openai", "/openai/v1/models", "SEAL_OPENAI_BASE_URL", "check"),
    Step("models anthropic", "/v1/models", "SEAL_ANTHROPIC_BASE_URL", "models"),
    Step("models openrouter", "/openrouter/api/v1/models", "SEAL_OPENROUTER_BASE_URL", "models"),
    Step("models openai", "/openai/v1/models", "SEAL_OPENAI_BASE_URL", "models"),
    Step("token exchange", "/v1/oauth/token", "SEAL_ANTHROPIC_OAUTH_URL", "oauth"),
    Step("token refresh", "/v1/oauth/token", "SEAL_ANTHROPIC_OAUTH_URL", "oauth"),
    Step("key minting", "/api/oauth/claude_cli/create_api_key", "SEAL_ANTHROPIC_BASE_URL", "oauth"),
)

AUTHS = {
    "check anthropic api_key": ("anthropic", Auth("api_key", ANTHROPIC_KEY)),
    "check anthropic setup_token": ("anthropic", Auth("bearer", SETUP_TOKEN)),
    "check openrouter": ("openrouter", Auth("api_key", OPENROUTER_KEY)),
    "check openai": ("openai", Auth("api_key", OPENAI_KEY)),
    "models anthropic": ("anthropic", Auth("api_key", ANTHROPIC_KEY)),
    "models openrouter": ("openrouter", Auth("api_key", OPENROUTER_KEY)),
    "models openai": ("openai", Auth("api_key", OPENAI_KEY)),
}


def browser_code(pending: oauth.PendingSignIn) -> str:
    """What the person copies from the callback page: `code#state`."""
    with httpx.Client(follow_redirects=True, timeout=5.0) as client:
        page = client.get(pending.url)
    assert page.status_code == 200, page.text
    found = re.search(r"<code id='code'>([^<]+)</code>", page.text)
    assert found, page.text
    return found.group(1)


def prepare(step: Step, fake: FakeProvider, work: Path) -> Callable[[dict[str, str]], Any]:
    """Set the step's files up in `work`; return a call that runs the step with an env."""
    (work / "seal.toml").write_text(SEAL_TOML, encoding="utf-8")
    store = FileStore(work / "config" / "credentials.json")
    store.put(CredentialRecord("openai", "default", "api_key", secret=OPENAI_KEY))
    if step.kind in ("check", "models"):
        provider, auth = AUTHS[step.name]
        if step.kind == "check":
            return lambda env: providers.check(provider, auth, env=env)
        return lambda env: providers.list_models(provider, auth, env=env)
    if step.name == "token refresh":
        tokens = fake.issue_tokens()
        store.put(
            CredentialRecord(
                "anthropic",
                "default",
                "oauth",
                access_token=tokens["access_token"],
                refresh_token=tokens["refresh_token"],
                expires_at=utcnow() + timedelta(seconds=10),  # within the refresh skew
            )
        )
        lock_dir = work / "state"
        lock_dir.mkdir()
        return lambda env: oauth.ensure_fresh(
            store, "anthropic", "default", env=env, lock_dir=lock_dir
        )
    mode: oauth.Mode = "console" if step.name == "key minting" else "max"
    pending_dir = work / "pending"
    pending = oauth.start_sign_in(mode, fake.env(), pending_dir=pending_dir)
    pasted = browser_code(pending)
    return lambda env: oauth.complete_sign_in(pending, pasted, env=env, pending_dir=pending_dir)


def succeeded(step: Step, result: Any, work: Path) -> bool:
    """What a working step returns (and, for the refresh, stores)."""
    if step.kind == "check":
        return isinstance(result, providers.CheckResult) and result.outcome == "verified"
    if step.kind == "models":
        return isinstance(result, list) and len(result) > 0
    assert isinstance(result, CredentialRecord)
    if step.name == "token refresh":
        stored = FileStore(work / "config" / "credentials.json").get("anthropic", "default")
        return stored is not None and stored.access_token == result.access_token
    if step.name == "key minting":
        return result.kind == "api_key" and (result.secret or "").startswith("sk-ant-api03-")
    return result.kind == "oauth" and bool(result.refresh_token)


OAUTH_WHAT = {
    "token exchange": "code exchange",
    "token refresh": "token refresh",
    "key minting": "API key creation",
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name.replace(" ", "-"))
def test_backend_step_under_fault(
    step: Step,
    fault: str,
    fake_provider: FakeProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    fake = fake_provider
    work = tmp_path / "work"
    work.mkdir()
    run = prepare(step, fake, work)
    before = snapshot(work)
    env = fake.env()
    if fault == "refused":
        env = {**env, step.env_var: dead_url()}
    arm(fake, fault, step.path, monkeypatch)

    # 1. The fault: a classified outcome or a SealError with clear words, never a crash.
    outcome: str | None = None
    message = ""
    try:
        result = run(env)
    except (OAuthError, ProviderError) as exc:
        message = exc.message
        outcome = "error"
    else:
        assert isinstance(result, providers.CheckResult), f"{step.name} worked under {fault}"
        outcome, message = result.outcome, result.message
    if step.kind == "check":
        want_outcome, needles = check_needles(AUTHS[step.name][0], fault)
        classified = outcome == want_outcome and holds(message, needles)
        if fault == "429":
            classified = classified and result.retry_after == RETRY_AFTER
    elif step.kind == "models":
        _, needles = check_needles(AUTHS[step.name][0], fault)
        classified = outcome == "error" and holds(message, needles)
    else:
        what = OAUTH_WHAT[step.name]
        needles = oauth_needles(what, fault, refresh=step.name == "token refresh")
        classified = outcome == "error" and holds(message, needles)
    # 2. Nothing half-written: seal.toml, the store and the pending sign-in unchanged;
    # only a code the token endpoint refused (401, as 400) removes the pending sign-in.
    expected = before
    if step.name == "token exchange" and fault == "401":
        expected = {k: v for k, v in before.items() if not k.startswith("pending/")}
        assert expected != before
    intact = snapshot(work) == expected and not temps(work)
    # 3. Retry once the fault clears.
    clear(fake, monkeypatch)
    retried = succeeded(step, run(fake.env()), work)
    tally.record("faults (backend)", classified and intact and retried)
    assert classified, f"{step.name} / {fault}: {outcome}: {message!r} lacks {needles}"
    assert intact, f"{step.name} / {fault}: files changed on failure"
    assert retried, f"{step.name} / {fault}: retry after the fault cleared did not work"


def test_short_retry_after_is_waited_for(
    fake_provider: FakeProvider, tally: Tally, fast_retries: object
) -> None:
    # A retry-after within the budget is honoured: the second try answers, no user action.
    fake_provider.fail("/v1/models", 429, retry_after=0.05, times=1)
    result = providers.check("anthropic", Auth("api_key", ANTHROPIC_KEY), env=fake_provider.env())
    held = result.outcome == "verified" and fake_provider.count("/v1/models") == 2
    tally.record("faults (backend)", held)
    assert held, result.message


def test_refresh_fault_in_status_is_unverified_not_expired(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    # A 529 on the refresh says nothing about the sign-in: "unverified", not "expired".
    from backend.status import Entry, probe_entry

    store = FileStore(tmp_path / "credentials.json")
    tokens = fake_provider.issue_tokens()
    store.put(
        CredentialRecord(
            "anthropic",
            "default",
            "oauth",
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            expires_at=utcnow() - timedelta(minutes=1),
            verified_at=utcnow() - timedelta(hours=1),
        )
    )
    before = store.path.read_bytes()
    entry = Entry("anthropic", "default", "oauth", "file", "ok", origin="store")
    fake_provider.fail("/v1/oauth/token", 529, times=None)
    env = fake_provider.env()
    faulted = probe_entry(entry, env, store)
    unchanged = store.path.read_bytes() == before
    fake_provider.clear_faults()
    fixed = probe_entry(entry, env, store)
    held = (
        faulted.state == "unverified"
        and "overloaded" in faulted.note
        and unchanged
        and fixed.state == "ok"
    )
    tally.record("faults (status)", held)
    assert faulted.state == "unverified" and "overloaded" in faulted.note, faulted
    assert unchanged
    assert fixed.state == "ok", fixed


# --- status --probe (the CLI, in process) -------------------------------------------------


@pytest.mark.parametrize("fault", FAULTS)
def test_status_probe_under_fault(
    fault: str,
    fake_provider: FakeProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tally: Tally,
) -> None:
    from tests.cli.helpers import run

    fake = fake_provider
    monkeypatch.setenv("SEAL_CREDENTIAL_STORE", "file")
    for key, value in fake.env().items():
        monkeypatch.setenv(key, value)
    config = tmp_path / "seal.toml"
    config.write_text(SEAL_TOML + 'auth = "api_key"\n', encoding="utf-8")
    store = FileStore()
    checked_at = utcnow() - timedelta(hours=2)
    store.put(
        CredentialRecord(
            "anthropic", "default", "api_key", secret=ANTHROPIC_KEY, verified_at=checked_at
        )
    )
    config_before = config.read_bytes()
    store_before = store.path.read_bytes()
    if fault == "refused":
        monkeypatch.setenv("SEAL_ANTHROPIC_BASE_URL", dead_url())
    arm(fake, fault, "/v1/models", monkeypatch)
    argv = ["status", "--config", str(config), "--probe"]

    code, out, err = run(argv, capsys, monkeypatch)
    outcome, needles = check_needles("anthropic", fault)
    after = store.get("anthropic", "default")
    assert after is not None
    if outcome == "rejected":
        # A 401/403 marks the record stale (by design): that is the only change.
        classified = code == 1 and "rejected" in out and holds(out, needles)
        stored_before = json.loads(store_before)["credentials"]["anthropic:default"]
        store_ok = after.stale and after.with_changes(stale=False).to_dict() == stored_before
    else:
        classified = code == 2 and "unverified" in out and holds(out, needles)
        store_ok = store.path.read_bytes() == store_before
    intact = store_ok and config.read_bytes() == config_before and not temps(tmp_path)
    no_crash = "Traceback" not in out + err

    clear(fake, monkeypatch)
    monkeypatch.setenv("SEAL_ANTHROPIC_BASE_URL", fake.anthropic_url)
    code2, out2, _ = run(argv, capsys, monkeypatch)
    fresh = store.get("anthropic", "default")
    retried = (
        code2 == 0
        and fresh is not None
        and not fresh.stale
        and fresh.verified_at is not None
        and fresh.verified_at > checked_at
    )
    tally.record("faults (status)", classified and intact and no_crash and retried)
    assert classified, f"{fault}: exit {code}: {out}{err} lacks {needles}"
    assert intact and no_crash, f"{fault}: files changed or a crash: {err}"
    assert retried, f"{fault}: status --probe after the fault cleared: exit {code2}: {out2}"


# --- the wizard's Check screen (Pilot) ------------------------------------------------------

# Representative: rejected, rate limited, overloaded, no connection, dropped, stalled.
WIZARD_FAULTS = ("401", "429", "529", "refused", "drop", "stall")


async def test_wizard_check_under_faults(
    fake_provider: FakeProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    """One wizard session (starting the app costs seconds): for each fault, Back to the key,
    Next with the fault armed → the classified message; the fault clears → Retry → Verified."""
    from screens.secret_entry import SecretEntryScreen
    from tests.support.steps import start_at
    from tests.tui.harness import (
        SIZE,
        build,
        cancel,
        enter_secret,
        press,
        press_next,
        text_of,
        wait_check,
        wait_screen,
    )

    fake = fake_provider
    # The wizard's one HTTP client reads the read timeout when it is made: set it first.
    # 1 s: a stall costs 1 s, and a loaded machine still answers a healthy check in time.
    monkeypatch.setenv("SEAL_HTTP_READ_TIMEOUT", "1.0")
    h = build(fake, tmp_path)
    start_at(h.app, "api_key")
    failures: list[str] = []
    async with h.app.run_test(size=SIZE) as pilot:
        await enter_secret(pilot, ANTHROPIC_KEY)
        await press_next(pilot)
        await wait_check(pilot, "✓")
        for fault in WIZARD_FAULTS:
            await press(pilot, "back")
            await wait_screen(pilot, SecretEntryScreen)
            if fault == "refused":
                h.services.env["SEAL_ANTHROPIC_BASE_URL"] = dead_url()
            arm(fake, fault, "/v1/models", monkeypatch, short_timeout=False)
            outcome, needles = check_needles("anthropic", fault)
            await press_next(pilot)  # the same key, checked again: now under the fault
            screen = await wait_check(pilot, "✗" if outcome == "rejected" else "⚠")
            shown = text_of(pilot, "#check-status")
            classified = holds(shown, needles) and not screen.ready
            intact = not h.config_path.exists() and h.store.list() == []
            # The fault clears; Retry checks again and is verified.
            fake.clear_faults()
            h.services.env["SEAL_ANTHROPIC_BASE_URL"] = fake.anthropic_url
            await press(pilot, "retry")
            await wait_check(pilot, "✓")
            retried = screen.ready and text_of(pilot, "#check-status").startswith("✓ Verified")
            tally.record("faults (wizard)", classified and intact and retried)
            if not (classified and intact and retried):
                failures.append(f"{fault}: {shown!r} (needs {needles}) {intact=} {retried=}")
        await cancel(pilot)
    assert h.app.return_code == 130
    h.assert_nothing_written()
    assert not failures, failures
