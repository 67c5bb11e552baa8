"""One judge of credential health: every state, and `status`, the re-auth panel and the
Roles checks showing the same one.

Each case is a (record kind, origin, expiry, refresh token, verified_at, stale, shadowing)
situation and the one Health it has. For each, `status` (its entry and its JSON), the
re-auth panel and the Roles checks are asked, and must agree with the judge: the same
state, the same next step, a ⚠ warning exactly when the credential will not work and a
note when it is expiring or unverified.

Where the three used to disagree, the case ids say what was chosen:
- an expired sign-in with a refresh token is ok (Seal refreshes it on next use); the
  panel said expired;
- a setup-token expiring in 3 days is expiring; the panel said ok, roles ok (now a note);
- a key never verified is unverified; roles said ok (now a note, not a warning);
- a 401 on a sign-in that keeps its refresh token is stale (rejected in JSON); a 401 with
  no refresh token, or on a key, is rejected;
- the panel judges the credential Seal uses (an env key over a rejected stored one is ok
  and the stored one is named), like status and roles; it judged the stored one;
- `auth = "env"` with the variable unset is missing even with a stored key; roles said ok.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.config.document import load_config
from backend.credentials.health import (
    FAILING,
    WARNING,
    Account,
    Health,
    judge,
    public_state,
    unreadable,
    when,
)
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.resolution import resolve
from backend.credentials.stores import MemoryStore
from backend.errors import CredentialStoreError
from backend.status import Target, advice, assess
from backend.wizard.reauth import credential_status
from backend.wizard.roles import check_roles, credential_state, unreadable_state
from tests.reliability.conftest import Tally

CATEGORY = "credential health: one state in status, the re-auth panel and roles"
NOW = utcnow()
KEY = "sk-ant-api03-" + "k" * 95
ENV_KEY = "sk-ant-api03-" + "E" * 95
OAT = "sk-ant-oat01-" + "t" * 95
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Case:
    """A situation and the Health it has (`expect`: state, refreshable, shadowed_by)."""

    id: str
    auth: str
    expect: tuple[str, bool, str | None]
    provider: str = "anthropic"
    kind: str | None = None  # a stored record of this kind, or none
    expires: timedelta | None = None  # from now
    refresh: bool = False
    verified: bool = True
    stale: bool = False
    env: dict[str, str] = field(default_factory=dict)
    claude_code: dict[str, Any] | None = None  # Claude Code's file: expires, refresh
    fallback: bool = False


CASES = [
    # --- stored API keys
    Case("key verified", "api_key", ("ok", False, None), kind="api_key"),
    Case(
        "key never verified: unverified (roles said ok)",
        "api_key",
        ("unverified", False, None),
        kind="api_key",
        verified=False,
    ),
    Case("key after a 401", "api_key", ("rejected", False, None), kind="api_key", stale=True),
    Case(
        "key after a 401, never verified",
        "api_key",
        ("rejected", False, None),
        kind="api_key",
        stale=True,
        verified=False,
    ),
    Case("openrouter key verified", "api_key", ("ok", False, None), "openrouter", kind="api_key"),
    # --- stored setup-tokens
    Case(
        "setup-token expiring in 3 days: expiring (the panel said ok)",
        "setup_token",
        ("expiring", False, None),
        kind="setup_token",
        expires=3 * DAY,
    ),
    Case(
        "setup-token a month away",
        "setup_token",
        ("ok", False, None),
        kind="setup_token",
        expires=29 * DAY,
    ),
    Case(
        "setup-token expired",
        "setup_token",
        ("expired", False, None),
        kind="setup_token",
        expires=-HOUR,
    ),
    Case(
        "setup-token expiring and never verified: expiring",
        "setup_token",
        ("expiring", False, None),
        kind="setup_token",
        expires=3 * DAY,
        verified=False,
    ),
    # --- stored sign-ins
    Case(
        "sign-in expired with a refresh token: ok (the panel said expired)",
        "oauth",
        ("ok", True, None),
        kind="oauth",
        expires=-HOUR,
        refresh=True,
    ),
    Case(
        "sign-in expired without a refresh token",
        "oauth",
        ("expired", False, None),
        kind="oauth",
        expires=-HOUR,
    ),
    Case(
        "sign-in expiring in 6 h without a refresh token",
        "oauth",
        ("expiring", False, None),
        kind="oauth",
        expires=6 * HOUR,
    ),
    Case(
        "sign-in expiring in 6 h with a refresh token",
        "oauth",
        ("ok", True, None),
        kind="oauth",
        expires=6 * HOUR,
        refresh=True,
    ),
    Case(
        "sign-in after a 401 with a refresh token: stale",
        "oauth",
        ("stale", True, None),
        kind="oauth",
        expires=HOUR,
        refresh=True,
        stale=True,
    ),
    Case(
        "sign-in after a 401 without a refresh token: rejected",
        "oauth",
        ("rejected", False, None),
        kind="oauth",
        expires=HOUR,
        stale=True,
    ),
    Case(
        "sign-in with a refresh token, never verified",
        "oauth",
        ("unverified", True, None),
        kind="oauth",
        expires=6 * HOUR,
        refresh=True,
        verified=False,
    ),
    # --- nothing stored
    Case("nothing stored", "api_key", ("missing", False, None)),
    Case("openai: nothing stored", "api_key", ("missing", False, None), "openai"),
    # --- environment variables
    Case("env key", "env", ("ok", False, None), env={"ANTHROPIC_API_KEY": ENV_KEY}),
    Case("env token", "env", ("ok", False, None), env={"CLAUDE_CODE_OAUTH_TOKEN": OAT}),
    Case("env unset", "env", ("missing", False, None), "openai"),
    Case(
        "env unset with a stored key: missing (roles said ok)",
        "env",
        ("missing", False, None),
        kind="api_key",
    ),
    Case(
        "env key shadows a rejected stored key: ok (the panel said rejected)",
        "api_key",
        ("ok", False, "ANTHROPIC_API_KEY"),
        kind="api_key",
        stale=True,
        env={"ANTHROPIC_API_KEY": ENV_KEY},
    ),
    Case(
        "env key where auth wants a stored key that is not there",
        "api_key",
        ("ok", False, "ANTHROPIC_API_KEY"),
        env={"ANTHROPIC_API_KEY": ENV_KEY},
    ),
    Case(
        "env token shadows a stored sign-in",
        "oauth",
        ("ok", False, "CLAUDE_CODE_OAUTH_TOKEN"),
        kind="oauth",
        expires=HOUR,
        refresh=True,
        env={"CLAUDE_CODE_OAUTH_TOKEN": OAT},
    ),
    # --- Claude Code's file
    Case(
        "Claude Code expired with a refresh token",
        "claude_code",
        ("ok", True, None),
        claude_code={"expires": -HOUR, "refresh": True},
    ),
    Case(
        "Claude Code expired without a refresh token",
        "claude_code",
        ("expired", False, None),
        claude_code={"expires": -HOUR, "refresh": False},
    ),
    Case(
        "Claude Code expiring in 2 days without a refresh token",
        "claude_code",
        ("expiring", False, None),
        claude_code={"expires": 2 * DAY, "refresh": False},
    ),
    Case("Claude Code not signed in", "claude_code", ("missing", False, None)),
    Case(
        "a stored key shadows Claude Code's sign-in",
        "claude_code",
        ("ok", False, "memory"),
        kind="api_key",
        claude_code={"expires": HOUR, "refresh": True},
    ),
    Case(
        "nothing stored: Seal falls back to Claude Code",
        "api_key",
        ("ok", True, None),
        claude_code={"expires": HOUR, "refresh": True},
        fallback=True,
    ),
]


def _record(case: Case) -> CredentialRecord | None:
    if case.kind is None:
        return None
    record = CredentialRecord(
        case.provider,
        "default",
        case.kind,  # type: ignore[arg-type]
        secret=None if case.kind == "oauth" else KEY,
        access_token=OAT if case.kind == "oauth" else None,
        refresh_token="sk-ant-ort01-" + "r" * 95 if case.refresh else None,
        expires_at=NOW + case.expires if case.expires is not None else None,
        verified_at=NOW - DAY if case.verified else None,
        stale=case.stale,
    )
    return record


def _env(case: Case, home: Path) -> dict[str, str]:
    env = {"HOME": str(home), **case.env}
    if case.claude_code is not None:
        folder = home / ".claude"
        folder.mkdir(parents=True, exist_ok=True)
        oauth: dict[str, Any] = {
            "accessToken": OAT,
            "expiresAt": int((NOW + case.claude_code["expires"]).timestamp() * 1000),
        }
        if case.claude_code["refresh"]:
            oauth["refreshToken"] = "sk-ant-ort01-" + "c" * 95
        (folder / ".credentials.json").write_text(json.dumps({"claudeAiOauth": oauth}))
    return env


def _roles_severity(tmp_path: Path, provider: str, auth: str, state: Any) -> str | None:
    """The severity of the line the Roles checks give the [model] account, if any."""
    path = tmp_path / "seal.toml"
    path.write_text(f'[model]\nprovider = "{provider}"\nname = "some-model"\nauth = "{auth}"\n')
    problems = check_roles(load_config(path), {(provider, "default"): state})
    lines = [p for p in problems if p.role is None]
    assert len(lines) <= 1
    return lines[0].severity if lines else None


def _agree(case: Case, tmp_path: Path) -> list[str]:
    """What differs from the expected Health, or between the judge and the three places."""
    env = _env(case, tmp_path / "home")
    record = _record(case)
    store = MemoryStore([record] if record else [])
    resolution = resolve(case.provider, "default", env, store, auth=case.auth)
    health = judge(resolution, case.auth, NOW, env=env)
    wrong: list[str] = []
    got = (health.state, health.refreshable, health.shadowed_by)
    if got != case.expect:
        wrong.append(f"judge {got} != {case.expect}")
    if bool(health.fallback) != case.fallback:
        wrong.append(f"fallback {health.fallback!r}")
    if (health.next_step is None) != (health.state == "ok"):
        wrong.append(f"next step {health.next_step!r} for {health.state}")
    if health.source is None and health.state != "missing":
        wrong.append("no source judged")
    wrong += _status_agrees(case, env, store, health)
    panel = credential_status(resolution, case.auth, NOW, env=env)
    if panel.state != health.state:
        wrong.append(f"panel {panel.state}")
    if not panel.headline.startswith(health.reason):
        wrong.append(f"panel headline {panel.headline!r}")
    roles = credential_state(resolution, NOW, env=env)
    if (roles.state, roles.detail, roles.next_step) != (
        health.state,
        health.summary,
        health.next_step,
    ):
        wrong.append(f"roles {roles}")
    if bool(roles.flag) != (health.state in FAILING):
        wrong.append(f"roles flag {roles.flag!r}")
    severity = _roles_severity(tmp_path, case.provider, case.auth, roles)
    expected = "warning" if health.state in FAILING else "note" if health.state in WARNING else None
    if severity != expected:
        wrong.append(f"roles check {severity}")
    return wrong


def _status_agrees(
    case: Case, env: Mapping[str, str], store: MemoryStore, health: Health
) -> list[str]:
    entry = assess(Target(case.provider, "default", case.auth), env, store, NOW)
    wrong = []
    if entry.state != health.state:
        wrong.append(f"status {entry.state}")
    if entry.to_json()["state"] != public_state(health.state):
        wrong.append(f"status --json {entry.to_json()['state']}")
    if (entry.refreshable, entry.shadowed_by) != (health.refreshable, health.shadowed_by):
        wrong.append(f"status entry {entry}")
    want = f"{entry.key}: {health.next_step}" if health.next_step else None
    if advice(entry) != want:
        wrong.append(f"status advice {advice(entry)!r}")
    return wrong


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_one_state_everywhere(case: Case, tmp_path: Path, tally: Tally) -> None:
    wrong = _agree(case, tmp_path)
    tally.record(CATEGORY, not wrong)
    assert not wrong, wrong


def test_every_state_is_pinned() -> None:
    states = {c.expect[0] for c in CASES}
    assert states == {"ok", "missing", "rejected", "stale", "expired", "expiring", "unverified"}


class BrokenStore(MemoryStore):
    """A store whose every read fails, the way a locked keyring does."""

    name = "keyring"

    def get(self, provider: str, profile: str) -> CredentialRecord | None:
        raise CredentialStoreError("the keyring is locked", "unlock it, or use the file store")


def test_an_unreadable_store_is_missing_everywhere(tmp_path: Path, tally: Tally) -> None:
    exc = CredentialStoreError("the keyring is locked", "unlock it, or use the file store")
    health = unreadable("anthropic", "default", "api_key", exc)
    entry = assess(Target("anthropic", "default", "api_key"), {}, BrokenStore(), NOW)
    roles = unreadable_state(Account("anthropic", "default", "api_key"), exc)
    held = (
        health.state == entry.state == roles.state == "missing"
        and entry.note
        == health.reason
        == "the keyring is locked — unlock it, or use the file store"
        and roles.flag.startswith("⚠ the keyring is locked: run seal-setup reauth")
        and advice(entry) == f"anthropic:default: {health.next_step}"
    )
    tally.record(CATEGORY, held)
    assert held, (health, entry, roles)


def test_stale_sign_in_next_step_tries_the_refresh_first() -> None:
    record = CredentialRecord(
        "anthropic",
        "work",
        "oauth",
        access_token=OAT,
        refresh_token="rt",
        expires_at=NOW + HOUR,
        verified_at=NOW - DAY,
        stale=True,
    )
    health = judge(resolve("anthropic", "work", {}, MemoryStore([record]), auth="oauth"), now=NOW)
    assert health.state == "stale" and health.public_state == "rejected"
    assert health.next_step == (
        "run seal-setup status --probe to refresh and check it now; if it is still rejected, "
        "run seal-setup reauth --provider anthropic --profile work"
    )


def test_a_refreshable_sign_in_past_expiry_says_it_is_refreshed() -> None:
    record = CredentialRecord(
        "anthropic",
        "default",
        "oauth",
        access_token=OAT,
        refresh_token="rt",
        expires_at=NOW - HOUR,
        verified_at=NOW - DAY,
    )
    resolution = resolve("anthropic", "default", {}, MemoryStore([record]), auth="oauth")
    panel = credential_status(resolution, "oauth", NOW)
    assert panel.state == "ok"
    assert panel.headline == (
        f"stored sign-in anthropic:default (memory): its access token expired {when(NOW - HOUR)}"
        "; Seal refreshes it on next use; re-authenticating replaces it"
    )
    assert (
        panel.lines[0] == "If the refresh token is dead (used, revoked or expired), sign in again."
    )
