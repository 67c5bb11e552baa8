"""`seal-setup status`: for each credential Seal would use, where it comes from and its state.

States (DESIGN §5): ok, missing, rejected (a 401 was seen), expired, expiring (within 7 days,
no refresh), unverified (stored without a successful check). `probe` checks them live, all
at once. Nothing here prints; nothing returned holds a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from backend.claude_code import claude_credentials_path, display_path
from backend.credentials import CredentialRecord, CredentialStore, to_rfc3339, utcnow
from backend.errors import SealError
from backend.registry import ENV_VARS
from backend.resolution import Resolution, Source, resolve
from backend.shell import reauth_command

if TYPE_CHECKING:
    from backend.config import SealConfig
    from backend.trust import Endpoint

State = Literal["ok", "missing", "rejected", "expired", "expiring", "unverified"]
EXPIRING_WITHIN = timedelta(days=7)
# Worst first: the report's exit code and the order of the advice follow it.
SEVERITY: dict[str, int] = {
    "missing": 5,
    "rejected": 5,
    "expired": 5,
    "expiring": 2,
    "unverified": 1,
    "ok": 0,
}
FAILING = ("missing", "rejected", "expired")
WARNING = ("expiring", "unverified")


@dataclass(frozen=True)
class Target:
    """One (provider, profile, auth) that seal.toml uses, or that exists without one."""

    provider: str
    profile: str
    auth: str
    base_url: str | None = None


@dataclass(frozen=True)
class Entry:
    """The status of one target. `source` is an env var name, the store kind, or
    "claude_code"; `note` is one line on what was found (never a secret)."""

    provider: str
    profile: str
    auth: str
    source: str | None
    state: State
    expires_at: datetime | None = None
    verified_at: datetime | None = None
    shadowed_by: str | None = None
    note: str = ""
    origin: str | None = None  # "env" | "store" | "claude_code"
    refreshable: bool = False
    base_url: str | None = field(default=None, repr=False)
    # Where a probe sends this credential: None is the provider's own base.
    endpoint: Endpoint | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.profile}"

    def to_json(self) -> dict[str, Any]:
        """The object of `status --json` (DESIGN §5): exactly these keys."""
        return {
            "provider": self.provider,
            "profile": self.profile,
            "auth": self.auth,
            "source": self.source,
            "state": self.state,
            "expires_at": to_rfc3339(self.expires_at),
            "verified_at": to_rfc3339(self.verified_at),
            "shadowed_by": self.shadowed_by,
        }


@dataclass(frozen=True)
class Report:
    """Every entry, plus the seal.toml it was computed for (None: there is none)."""

    config_path: str | None
    entries: list[Entry]
    # Every seal.toml base_url other than a provider's own, trusted or not.
    endpoints: list[Endpoint] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 all ok; 1 anything missing/rejected/expired (or nothing at all); 2 warnings,
        a seal.toml base_url this machine does not trust among them."""
        states = [e.state for e in self.entries]
        if not states or any(s in FAILING for s in states):
            return 1
        if any(s in WARNING for s in states) or any(not e.usable for e in self.endpoints):
            return 2
        return 0

    def to_json(self) -> dict[str, Any]:
        return {
            "config": self.config_path,
            "providers": [e.to_json() for e in self.entries],
        }


# --- what to report -----------------------------------------------------------------------


def _table_base_urls(config: SealConfig) -> dict[tuple[Any, Any], str | None]:
    """(provider, profile) → the base_url of the first table that uses it (None if that
    table sets none), in one pass over the tables."""
    from backend.trust import table_provider

    found: dict[tuple[Any, Any], str | None] = {}
    for agent in [None, *config.agents()]:
        key = (table_provider(config, agent), config.get("profile", agent) or "default")
        if key not in found:
            value = config.get("base_url", agent)
            found[key] = value if isinstance(value, str) else None
    return found


def targets_from_config(config: SealConfig) -> list[Target]:
    """Every (provider, profile, auth) seal.toml uses: [model], agents and role selectors."""
    base_urls = _table_base_urls(config)
    return [Target(p, n, a, base_urls.get((p, n))) for p, n, a in config.providers_in_use()]


def targets_without_config(store: CredentialStore, env: Mapping[str, str]) -> list[Target]:
    """No seal.toml: every stored credential, every provider env key, Claude Code's file."""
    found: list[Target] = []
    for record in store.list():
        found.append(Target(record.provider, record.profile, record.kind))
    for provider, names in ENV_VARS.items():
        if any(env.get(name, "").strip() for name in names):
            found.append(Target(provider, "default", "env"))
    if claude_credentials_path(env).exists():
        found.append(Target("anthropic", "default", "claude_code"))
    return found


# --- judging one credential ---------------------------------------------------------------


def _describe(source: Source) -> str:
    """An env var name, the store's name (keyring | file | memory), or "claude_code"."""
    return "claude_code" if source.origin == "claude_code" else source.label


def judge_record(record: CredentialRecord, origin: str, now: datetime) -> State:
    """The state a credential is in from what is known without asking the provider."""
    if record.stale:
        return "rejected"
    refreshable = record.kind == "oauth" and bool(record.refresh_token)
    expires = record.expires_at
    if expires is not None and not refreshable:
        if expires <= now:
            return "expired"
        if expires - now <= EXPIRING_WITHIN:
            return "expiring"
    # Only the seal store records a verification; env keys and Claude Code's file are
    # checked by `--probe` (or when Seal runs) and are not "unverified" by nature.
    if origin == "store" and record.verified_at is None:
        return "unverified"
    return "ok"


def _effective(resolution: Resolution, auth: str) -> Source | None:
    if auth == "env":
        # auth = "env" means the variable: a stored key does not stand in for it.
        return next((s for s in resolution.candidates if s.origin == "env"), None)
    return resolution.effective


def assess(
    target: Target,
    env: Mapping[str, str],
    store: CredentialStore | None,
    now: datetime | None = None,
) -> Entry:
    """The entry for one target, from the store, the environment and Claude Code's file."""
    now = now or utcnow()
    base = Entry(target.provider, target.profile, target.auth, None, "missing")
    base = replace(base, base_url=target.base_url)
    try:
        resolution = resolve(target.provider, target.profile, env, store, auth=target.auth)
    except SealError as exc:
        return replace(base, note=str(exc))  # the message and what to do
    source = _effective(resolution, target.auth)
    if source is None:
        return replace(base, note=_missing_note(target, env))
    record = source.record
    note = ""
    if source.origin == "claude_code" and target.auth not in ("claude_code", "env"):
        note = (
            f"no stored credential for {target.provider}:{target.profile}; Seal falls back "
            f"to Claude Code's sign-in ({display_path(claude_credentials_path(env), env)})"
        )
    return replace(
        base,
        source=_describe(source),
        origin=source.origin,
        state=judge_record(record, source.origin, now),
        expires_at=record.expires_at,
        verified_at=record.verified_at,
        shadowed_by=resolution.shadowed_by if target.auth != "env" else None,
        refreshable=record.kind == "oauth" and bool(record.refresh_token),
        note=note,
    )


def _missing_note(target: Target, env: Mapping[str, str]) -> str:
    if target.auth == "env":
        names = " or ".join(ENV_VARS[target.provider])
        return f"{names} is not set"
    if target.auth == "claude_code":
        where = display_path(claude_credentials_path(env), env)
        return f"no Claude Code sign-in at {where}"
    return f"nothing stored for {target.provider}:{target.profile}"


def build_report(
    config: SealConfig | None,
    store: CredentialStore,
    env: Mapping[str, str],
    now: datetime | None = None,
) -> Report:
    """Assess every target: from seal.toml when it exists, else from what is present."""
    if config is not None and config.exists:
        from backend.trust import TrustList, endpoint_for, project_endpoints

        trust = TrustList.load(env)
        entries = []
        for target in targets_from_config(config):
            entry = assess(target, env, store, now)
            if target.base_url is not None:
                where = endpoint_for(
                    target.provider, target.base_url, config.path, env, trust=trust
                )
                entry = replace(entry, endpoint=where if where.source == "project" else None)
            entries.append(entry)
        return Report(str(config.path), entries, project_endpoints(config, env, trust))
    # No seal.toml: the JSON says so with "config": null.
    return Report(None, [assess(t, env, store, now) for t in targets_without_config(store, env)])


# --- probing ------------------------------------------------------------------------------


def _worse(a: State, b: State) -> State:
    return a if SEVERITY[a] >= SEVERITY[b] else b


def probe_entry(
    entry: Entry, env: Mapping[str, str], store: CredentialStore, now: datetime | None = None
) -> Entry:
    """Check one entry live; a 401 marks the stored record stale, a success stamps it."""
    from backend import oauth, providers
    from backend.errors import OAuthError
    from backend.providers.base import Auth
    from backend.record_writes import mark_stale, stamp_verified

    if entry.source is None or entry.state in ("missing", "expired"):
        return entry
    if entry.endpoint is not None and not entry.endpoint.usable:
        # `probe` refuses the whole report first; this keeps the rule where the request is.
        from backend.trust import UntrustedEndpoint

        raise UntrustedEndpoint([entry.endpoint])
    now = now or utcnow()
    resolution = resolve(entry.provider, entry.profile, env, store, auth=entry.auth)
    source = _effective(resolution, entry.auth)
    if source is None:
        return replace(entry, state="missing")
    record = source.record
    stored = source.origin == "store"
    if source.origin == "claude_code" and record.expires_at and record.expires_at <= now:
        # Refreshing would rotate Claude Code's own refresh token and sign Claude Code
        # out; Seal refreshes it when it runs, so there is nothing to probe now.
        return replace(entry, note="access token expired; refreshed when Seal uses it")
    if stored and record.kind == "oauth" and record.refresh_token:
        try:
            record = oauth.ensure_fresh(store, entry.provider, entry.profile, env=env)
        except OAuthError as exc:
            if oauth.unavailable(exc):
                # Network trouble, 429 or 5xx on the refresh: not judged, so not expired.
                return replace(entry, state=_worse(entry.state, "unverified"), note=exc.message)
            return replace(entry, state="expired", note=exc.message)
        entry = replace(entry, expires_at=record.expires_at)
    auth = Auth.from_record(record)
    result = providers.check(entry.provider, auth, endpoint=entry.endpoint, env=env)
    # Both stamps go to the record that was checked, under its lock: a refresh meanwhile
    # (another thread, another process) made a new one, which keeps its own stamps.
    # Stamps change only from answers of an endpoint this credential may be sent to: the
    # provider's own, or a seal.toml base_url the person trusts (checked above).
    stamps = stored and (entry.endpoint is None or entry.endpoint.usable)
    if result.outcome == "rejected":
        if stamps and result.status_code is not None:  # a provider's answer, not our guard
            mark_stale(store, record, env=env)
        return replace(entry, state="rejected", note=result.message)
    if result.outcome == "unverifiable":
        return replace(entry, state=_worse(entry.state, "unverified"), note=result.message)
    verified = record.with_changes(verified_at=now, stale=False)
    if stamps:
        stamp_verified(store, record, now, env=env)
    state = judge_record(verified, source.origin, now)
    return replace(entry, state=state, verified_at=now if stored else entry.verified_at, note="")


def probe(
    report: Report, env: Mapping[str, str], store: CredentialStore, *, workers: int = 32
) -> Report:
    """Check every entry live, concurrently; the order of entries is kept.

    Raises UntrustedEndpoint, before any request, when seal.toml sends any provider's
    requests to a base_url this machine does not trust.
    """
    from backend.trust import refuse_untrusted

    refuse_untrusted(report.endpoints)
    if not report.entries:
        return report

    def one(entry: Entry) -> Entry:
        try:
            return probe_entry(entry, env, store)
        except SealError as exc:
            return replace(entry, state=_worse(entry.state, "unverified"), note=exc.message)

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(report.entries)))) as pool:
        entries = list(pool.map(one, report.entries))
    return replace(report, entries=entries)


# --- words --------------------------------------------------------------------------------


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


def ago(when: datetime | None, now: datetime) -> str:
    """`3 min ago`, `just now`, or `never`."""
    if when is None:
        return "never"
    if (now - when).total_seconds() < 60:
        return "just now"
    return f"{span(now - when)} ago"


SOURCE_LABELS = {"claude_code": "Claude Code file", "keyring": "keyring", "file": "file"}


def source_label(entry: Entry) -> str:
    if entry.source is None:
        return "—"
    return SOURCE_LABELS.get(entry.source, entry.source)


def shadow_line(entry: Entry) -> str | None:
    """ "ANTHROPIC_API_KEY in the environment shadows the stored key for anthropic:default"."""
    if not entry.shadowed_by:
        return None
    wanted = {
        "api_key": "stored key",
        "setup_token": "stored setup-token",
        "oauth": "stored sign-in",
        "claude_code": "Claude Code sign-in",
    }.get(entry.auth, "stored credential")
    if entry.origin == "env":
        where = f"{entry.shadowed_by} in the environment"
    else:
        where = f"the credential in the {entry.shadowed_by} store"
    return f"{where} shadows the {wanted} for {entry.key}"


def advice(entry: Entry) -> str | None:
    """What to do about a non-ok entry, one line; the commands in it are shell-quoted."""
    reauth = reauth_command(entry.provider, entry.profile)
    if entry.state == "ok":
        return None
    if entry.state == "missing" and entry.auth == "env":
        var = ENV_VARS[entry.provider][-1]
        return f"{entry.key}: export {var}=… before running Seal, or run {reauth}"
    if entry.state == "missing" and entry.auth == "claude_code":
        return f"{entry.key}: sign in with `claude`, or run {reauth}"
    if entry.state == "unverified":
        return f"{entry.key}: never checked — run seal-setup status --probe, or {reauth}"
    if entry.state in ("expiring", "expired", "rejected", "missing") and entry.origin == "env":
        return f"{entry.key}: replace ${entry.source}, or unset it and run {reauth}"
    return f"{entry.key}: run {reauth}"
