"""Credential health: the one judge of what state a credential is in.

`judge` looks at the credential Seal would use for a (provider, profile, auth), given as
a `Resolution`, or at one `Source`, and returns its `Health`: the state, the reason in
one line, the next step (its commands shell-quoted) and the facts behind them. `status`,
the re-auth panel and the Roles checks all ask it; none of them decides a state itself.

States, worst first:
- missing: nothing where `auth` looks (for `auth = "env"` a stored key does not count);
- rejected: a provider answered 401 and only a new credential helps;
- stale: a provider answered 401 to a sign-in that still has its refresh token: the next
  use refreshes it first, which may be all it needs;
- expired: past its expiry with no refresh token (a sign-in with one is refreshed on its
  next use, so it stays ok);
- expiring: within 7 days of its expiry, no refresh token (a stored setup-token, which
  carries no expiry, is expected to expire a year after it was stored: an estimate, said
  as one, and dropped once a check succeeds after that date);
- unverified: in the seal store without a successful check (environment variables and
  Claude Code's file are checked by `status --probe` or when Seal runs);
- ok.
DESIGN §5's `status --json` has no "stale": it shows it as "rejected" (`public_state`).
Pure: nothing here blocks, and no text holds a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from backend.credentials.claude_code import is_keychain_label, searched
from backend.credentials.record import CredentialRecord, to_rfc3339, utcnow
from backend.credentials.resolution import Resolution, Source
from backend.system.shell import reauth_command
from backend.vocabulary.methods import SETUP_TOKEN_LIFETIME
from backend.vocabulary.registry import ENV_VARS

if TYPE_CHECKING:
    from backend.errors import SealError

State = Literal["ok", "missing", "rejected", "stale", "expired", "expiring", "unverified"]
# The states of `status --json` (DESIGN §5).
PublicState = Literal["ok", "missing", "rejected", "expired", "expiring", "unverified"]

FAILING: tuple[State, ...] = ("missing", "rejected", "stale", "expired")
WARNING: tuple[State, ...] = ("expiring", "unverified")
# Worst first: status's exit code and a probe's "worse of two" follow it.
SEVERITY: dict[str, int] = {
    "missing": 5,
    "rejected": 5,
    "stale": 5,
    "expired": 5,
    "expiring": 2,
    "unverified": 1,
    "ok": 0,
}
EXPIRING_WITHIN = timedelta(days=7)

# What each kind of stored record is called in every sentence about it.
KIND_LABELS: dict[str, str] = {
    "api_key": "API key",
    "setup_token": "setup-token",
    "oauth": "sign-in",
}
CLAUDE_CODE_LABEL = "Claude Code's sign-in"
PROBE_COMMAND = "seal-setup status --probe"


@dataclass(frozen=True)
class Account:
    """A credential seal.toml uses: provider, profile and its `auth` method."""

    provider: str
    profile: str
    auth: str


@dataclass(frozen=True)
class Health:
    """What state a credential is in, why, and what to do about it.

    `reason` is one line naming the credential; `summary` a few words for lists and flags;
    `next_step` one line with the command(s) to run (None when ok). `source` is the
    credential judged (None when missing); `fallback` says so when it is not the kind
    `auth` asks for (Claude Code's sign-in standing in for a stored one).
    """

    state: State
    reason: str
    next_step: str | None = None
    summary: str = ""
    refreshable: bool = False
    expires_at: datetime | None = None
    # True when `expires_at` is an estimate (a stored setup-token: see `expected_expiry`).
    expires_estimated: bool = False
    verified_at: datetime | None = None
    shadowed_by: str | None = None
    fallback: str | None = None
    source: Source | None = field(default=None, repr=False, compare=False)

    @property
    def public_state(self) -> PublicState:
        return public_state(self.state)


def public_state(state: State) -> PublicState:
    """The state as `status --json` names it: "stale" is a 401 seen, so "rejected"."""
    return "rejected" if state == "stale" else state


def worse(a: State, b: State) -> State:
    """The worse of two states (the first on a tie)."""
    return a if SEVERITY[a] >= SEVERITY[b] else b


# --- words ----------------------------------------------------------------------------------


def when(value: datetime | None) -> str:
    """`2026-01-02 03:04:05 UTC`, or `never`."""
    text = to_rfc3339(value)
    return text.replace("T", " ").replace("Z", " UTC") if text else "never"


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def span(delta: timedelta) -> str:
    """`45 s`, `3 min`, `6 h`, `29 days` (rounded down, never negative)."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return _plural(seconds // 86400, "day")


def countdown(expires_at: datetime | None, now: datetime) -> str:
    """`in 6 h`, `in 29 days`, `expired 2 h ago`, or `—` when it does not expire."""
    if expires_at is None:
        return "—"
    if expires_at <= now:
        return f"expired {span(now - expires_at)} ago"
    return f"in {span(expires_at - now)}"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def describe_source(source: Source) -> str:
    """`stored API key anthropic:default (keyring)`, `$ANTHROPIC_API_KEY`,
    `Claude Code's sign-in (~/.claude/.credentials.json)`, or `Claude Code's sign-in in
    the macOS keychain (Claude Code-credentials)`."""
    if source.origin == "env":
        return f"${source.label}"
    if source.origin == "claude_code" and is_keychain_label(source.label):
        return f"{CLAUDE_CODE_LABEL} in the {source.label}"
    if source.origin == "claude_code":
        return f"{CLAUDE_CODE_LABEL} ({source.label})"
    return f"stored {kind_label(source.record.kind)} {source.record.key} ({source.label})"


def _short(source: Source) -> str:
    if source.origin == "env":
        return f"${source.label}"
    if source.origin == "claude_code":
        return CLAUDE_CODE_LABEL
    return f"stored {kind_label(source.record.kind)}"


def wanted_label(auth: str | None) -> str:
    """What seal.toml's `auth` asks for: `stored API key`, `Claude Code's sign-in`, …"""
    if auth == "claude_code":
        return CLAUDE_CODE_LABEL
    if auth in KIND_LABELS:
        return f"stored {KIND_LABELS[auth]}"
    return "stored credential"


def missing_reason(provider: str, profile: str, auth: str | None, env: Mapping[str, str]) -> str:
    """Why nothing was found where `auth` looks."""
    if auth == "env":
        names = " or ".join(f"${name}" for name in ENV_VARS.get(provider, ()))
        return f"{names or 'the variable'} is not set in this shell"
    if auth == "claude_code":
        return f"no Claude Code sign-in {searched(env)}"
    return f"no stored credential for {provider}:{profile}"


def next_step(
    state: State,
    provider: str,
    profile: str,
    auth: str | None,
    origin: str | None = None,
    source_label: str | None = None,
    *,
    failed: str | None = None,
    last_verified: datetime | None = None,
    now: datetime | None = None,
) -> str | None:
    """What to do about a credential in `state`, one line; None when it is ok.

    `failed` is what a live check made just now answered (status --probe): the step then
    says that, and when the credential last passed one, not what a stored state means.
    """
    if state == "ok":
        return None
    reauth = reauth_command(provider, profile)
    if failed is not None:
        if last_verified is not None:
            last = f"it last passed one {span((now or utcnow()) - last_verified)} ago"
        else:
            last = "no check of it has passed yet"
        if state == "unverified":  # the check could not be made: nothing said about the key
            todo = f"run {PROBE_COMMAND} again later; if it keeps failing, run {reauth}"
        else:
            todo = next_step(state, provider, profile, auth, origin, source_label) or ""
        return f"the live check just now failed ({failed}); {last}: {todo}"
    if state == "missing" and auth == "env":
        var = ENV_VARS.get(provider, ("the variable",))[-1]
        return f"export {var}=… before running Seal, or run {reauth}"
    if state == "missing" and auth == "claude_code":
        return f"sign in with `claude`, or run {reauth}"
    if state == "unverified":
        return f"run {PROBE_COMMAND}, or {reauth}"
    if origin == "env":
        return f"replace ${source_label}, or unset it and run {reauth}"
    if state == "stale":
        return (
            f"run {PROBE_COMMAND} to refresh and check it now; if it is still rejected, "
            f"run {reauth}"
        )
    return f"run {reauth}"


# --- the judge --------------------------------------------------------------------------------


def chosen_source(resolution: Resolution, auth: str | None) -> Source | None:
    """The credential Seal uses for `auth`: the effective one, except that `auth = "env"`
    means the variable (a stored key does not stand in for it)."""
    if auth == "env":
        return next((s for s in resolution.candidates if s.origin == "env"), None)
    return resolution.effective


def wanted_source(resolution: Resolution) -> Source | None:
    """The credential of the kind `auth` asks for, present or not used."""
    wanted = resolution.wanted_origin
    return next((s for s in resolution.candidates if s.origin == wanted), None)


def _refreshable(record: CredentialRecord) -> bool:
    """A sign-in with a refresh token: Seal renews it on its next use."""
    return record.kind == "oauth" and bool(record.refresh_token)


def expected_expiry(source: Source) -> tuple[datetime | None, bool]:
    """(when the credential expires, whether that is an estimate).

    A setup-token carries no expiry; Claude Code says it lasts about a year, so a stored
    one is expected to expire a year after it was stored (its `created_at`), unless a
    check succeeded after that date, which proves the estimate wrong. A variable's token
    has no known start, so no estimate.
    """
    record = source.record
    if record.expires_at is not None:
        return record.expires_at, False
    if record.kind == "setup_token" and source.origin == "store":
        guess = record.created_at + SETUP_TOKEN_LIFETIME
        if record.verified_at is None or record.verified_at < guess:
            return guess, True
    return None, False


def _state(source: Source, now: datetime) -> State:
    record = source.record
    refreshable = _refreshable(record)
    if record.stale:
        return "stale" if refreshable else "rejected"
    expires, _ = expected_expiry(source)
    if expires is not None and not refreshable:
        if expires <= now:
            return "expired"
        if expires - now <= EXPIRING_WITHIN:
            return "expiring"
    if source.origin == "store" and record.verified_at is None:
        return "unverified"
    return "ok"


def _reason(state: State, source: Source, now: datetime) -> tuple[str, str]:
    """(reason, summary) for a credential that is there."""
    where, short = describe_source(source), _short(source)
    expires, estimated = expected_expiry(source)
    about = "about " if estimated else ""
    guess = "estimated: a setup-token lasts about a year from when it was stored"
    if state in ("rejected", "stale"):
        # A sign-in Seal can renew may come back with a refresh; anything else needs a new one.
        again = "a refresh or sign-in again" if state == "stale" else "replacing"
        return f"{where} was rejected: the provider answered 401 (needs {again})", (
            f"{short} was rejected (401)"
        )
    if state == "expired":
        said = f"{where} expired {about}{when(expires)}" + (f" ({guess})" if estimated else "")
        return said, f"{short} has expired"
    if state == "expiring":
        left = countdown(expires, now) + (f"; {guess}" if estimated else "")
        return (
            f"{where} expires {about}{when(expires)} ({left})",
            f"{short} expires {about}{countdown(expires, now)}",
        )
    if state == "unverified":
        return f"{where} was never verified (no check has succeeded yet)", (
            f"{short} was never verified"
        )
    if expires is not None and expires <= now:
        return (
            f"{where}: its access token expired {when(expires)}; Seal refreshes it on next use",
            f"{short} (refreshed on next use)",
        )
    return f"{where} looks fine", short


def _judge_source(
    source: Source, provider: str, profile: str, auth: str | None, now: datetime
) -> Health:
    record = source.record
    state = _state(source, now)
    reason, summary = _reason(state, source, now)
    expires, estimated = expected_expiry(source)
    return Health(
        state=state,
        reason=reason,
        next_step=next_step(state, provider, profile, auth, source.origin, source.label),
        summary=summary,
        refreshable=_refreshable(record),
        expires_at=expires,
        expires_estimated=estimated,
        verified_at=record.verified_at,
        source=source,
    )


def judge(
    found: Resolution | Source,
    auth: str | None = None,
    now: datetime | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> Health:
    """The health of the credential Seal uses for `found` (a Resolution, whose own `auth`
    counts unless `auth` is given), or of one Source on its own.

    `env` only places Claude Code's file in the reason when it is missing.
    """
    now = now or utcnow()
    if isinstance(found, Source):
        record = found.record  # on its own, a source's commands name its record's account
        return _judge_source(found, record.provider, record.profile, auth, now)
    resolution = found
    if auth is not None and auth != resolution.auth:
        resolution = replace(resolution, auth=auth)
    auth = resolution.auth
    provider, profile = resolution.provider, resolution.profile
    source = chosen_source(resolution, auth)
    # The keychain's trouble matters where Claude Code's sign-in is what counts.
    problems = list(resolution.claude_code_problems)
    if source is None:
        reason = missing_reason(provider, profile, auth, env or {})
        return Health(
            state="missing",
            reason="; ".join([reason, *problems]) if auth == "claude_code" else reason,
            next_step=next_step("missing", provider, profile, auth),
            summary="no credential",
        )
    health = _judge_source(source, provider, profile, auth, now)
    notes = problems if source.origin == "claude_code" else []
    if source.origin == "claude_code" and resolution.wanted_origin == "store":
        # Nothing stored: Seal reads Claude Code's sign-in, last in the order (DESIGN §3).
        missing = missing_reason(provider, profile, auth, env or {})
        notes.insert(0, f"{missing}; Seal falls back to {describe_source(source)}")
    fallback = "; ".join(notes) or None
    shadowed = resolution.shadowed_by if auth != "env" else None
    return replace(health, shadowed_by=shadowed, fallback=fallback)


def unreadable(provider: str, profile: str, auth: str | None, exc: SealError) -> Health:
    """The health of a credential that could not be looked up (a store, a Claude Code file
    or a variable that cannot be read): missing, with the error as the reason."""
    return Health(
        state="missing",
        reason=str(exc),
        next_step=next_step("missing", provider, profile, auth),
        summary=exc.message,
    )
