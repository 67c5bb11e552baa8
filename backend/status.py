"""`seal-setup status`: for each credential Seal would use, where it comes from and its state.

The state is `backend.credentials.health`'s judgement; `--json` shows it in DESIGN §5's words (ok,
missing, rejected, expired, expiring, unverified: a stale sign-in is "rejected" there).
`probe` checks them live, all at once. Nothing here prints; nothing returned holds a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from backend.credentials import claude_code
from backend.credentials.claude_code import (
    claude_credentials_path,
    find_claude_code,
    is_keychain_label,
)
from backend.credentials.handoff import plan
from backend.credentials.health import (
    FAILING,
    WARNING,
    Account,
    State,
    chosen_source,
    judge,
    next_step,
    public_state,
    span,
    unreadable,
    wanted_label,
    worse,
)
from backend.credentials.health import countdown as countdown  # the report's words, with `ago`
from backend.credentials.record import CredentialRecord, CredentialStore, to_rfc3339, utcnow
from backend.credentials.resolution import Source, resolve
from backend.errors import SealError
from backend.vocabulary.registry import ENV_VARS

if TYPE_CHECKING:
    from backend.config.document import SealConfig
    from backend.providers.trust import Endpoint


@dataclass(frozen=True)
class Target(Account):
    """One account that seal.toml uses, or that exists without one, and its base_url."""

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
    # Why the state is what it is, one line (the judge's reason, or the live check's).
    reason: str = ""
    expires_estimated: bool = False
    # True when `--probe` checked it just now; `check_failed` is what that check answered
    # when it did not pass (a refusal, or why it could not be made).
    checked_live: bool = False
    check_failed: str | None = None
    origin: str | None = None  # "env" | "store" | "claude_code"
    refreshable: bool = False
    # The variable Seal reads this credential from (None: Claude Code's sign-in, which
    # Seal reads itself), and whether `seal-setup run` puts it there.
    seal_reads: str | None = None
    run_supplies: bool = False
    # Where the credential is, in words: the keychain entry or the file Claude Code's
    # sign-in came from (`source` stays "claude_code" in the JSON for both).
    where: str | None = field(default=None, repr=False)
    base_url: str | None = field(default=None, repr=False)
    # Where a probe sends this credential: None is the provider's own base.
    endpoint: Endpoint | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.profile}"

    def to_json(self) -> dict[str, Any]:
        """The object of `status --json`: DESIGN §5's keys, then what Seal reads and how
        fresh the judgement is (the README documents each key)."""
        return {
            "provider": self.provider,
            "profile": self.profile,
            "auth": self.auth,
            "source": self.source,
            "state": public_state(self.state),
            "expires_at": to_rfc3339(self.expires_at),
            "verified_at": to_rfc3339(self.verified_at),
            "shadowed_by": self.shadowed_by,
            "seal_reads": self.seal_reads,
            "run_supplies": self.run_supplies,
            "reason": self.reason,
            "expires_estimated": self.expires_estimated,
            "checked_live": self.checked_live,
            "check_failed": self.check_failed,
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
    from backend.providers.trust import table_provider

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
    """No seal.toml: every stored credential, every provider env key, Claude Code's sign-in."""
    found: list[Target] = []
    for record in store.list():
        found.append(Target(record.provider, record.profile, record.kind))
    for provider, names in ENV_VARS.items():
        if any(env.get(name, "").strip() for name in names):
            found.append(Target(provider, "default", "env"))
    # On macOS the keychain entry counts too (asked only when the file is not there).
    if claude_credentials_path(env).exists() or (
        # Through the module: on_macos is the one seam the tests replace.
        claude_code.on_macos() and find_claude_code(env).record is not None
    ):
        found.append(Target("anthropic", "default", "claude_code"))
    return found


# --- judging one credential ---------------------------------------------------------------


def _describe(source: Source) -> str:
    """An env var name, the store's name (keyring | file | memory), or "claude_code"."""
    return "claude_code" if source.origin == "claude_code" else source.label


def assess(
    target: Target,
    env: Mapping[str, str],
    store: CredentialStore | None,
    now: datetime | None = None,
) -> Entry:
    """The entry for one target, from the store, the environment and Claude Code's file."""
    base = Entry(target.provider, target.profile, target.auth, None, "missing")
    base = replace(base, base_url=target.base_url)
    try:
        resolution = resolve(target.provider, target.profile, env, store, auth=target.auth)
    except SealError as exc:
        health = unreadable(target.provider, target.profile, target.auth, exc)
        return replace(base, note=health.reason, reason=health.reason)
    health = judge(resolution, target.auth, now, env=env)
    supply = plan(resolution, now, env=env)
    base = replace(base, seal_reads=supply.variable, run_supplies=supply.supplied)
    source = health.source
    if source is None:
        return replace(base, note=health.reason, reason=health.reason)
    return replace(
        base,
        source=_describe(source),
        origin=source.origin,
        state=health.state,
        reason=health.reason,
        expires_at=health.expires_at,
        expires_estimated=health.expires_estimated,
        verified_at=health.verified_at,
        shadowed_by=health.shadowed_by,
        refreshable=health.refreshable,
        where=source.label,
        note=health.fallback or "",
    )


class _ReadOnce:
    """The store as one `list()` read it, for the reads of one report.

    A report asks for every target's record; each ask of the real store is a read of
    the whole file or a keyring round trip (a D-Bus connection each), so a report over
    many targets read the store once per target. Writes go to the real store.
    """

    def __init__(self, store: CredentialStore, records: list[CredentialRecord]) -> None:
        self.name = store.name
        self._store = store
        self._records = {record.key: record for record in records}

    @property
    def location(self) -> str:
        return self._store.location

    def get(self, provider: str, profile: str) -> CredentialRecord | None:
        return self._records.get(f"{provider}:{profile}")

    def put(self, record: CredentialRecord) -> None:
        self._store.put(record)
        self._records[record.key] = record

    def delete(self, provider: str, profile: str) -> bool:
        self._records.pop(f"{provider}:{profile}", None)
        return self._store.delete(provider, profile)

    def list(self) -> list[CredentialRecord]:
        return [self._records[key] for key in sorted(self._records)]


def _read_once(store: CredentialStore) -> CredentialStore:
    """`store` read once; itself when that fails, so each target then reports its own
    trouble (one damaged record must not make every other entry unreadable)."""
    try:
        return _ReadOnce(store, store.list())
    except SealError:
        return store


def build_report(
    config: SealConfig | None,
    store: CredentialStore,
    env: Mapping[str, str],
    now: datetime | None = None,
) -> Report:
    """Assess every target: from seal.toml when it exists, else from what is present."""
    store = _read_once(store)
    if config is not None and config.exists:
        from backend.providers.trust import TrustList, endpoint_for, project_endpoints

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


def probe_entry(
    entry: Entry, env: Mapping[str, str], store: CredentialStore, now: datetime | None = None
) -> Entry:
    """Check one entry live; a 401 marks the stored record stale, a success stamps it."""
    from backend.auth import oauth
    from backend.credentials.writes import mark_stale, stamp_verified
    from backend.errors import OAuthError
    from backend.providers import live
    from backend.providers.base import Auth

    if entry.source is None or entry.state in ("missing", "expired"):
        return entry
    if entry.endpoint is not None and not entry.endpoint.usable:
        # `probe` refuses the whole report first; this keeps the rule where the request is.
        from backend.providers.trust import UntrustedEndpoint

        raise UntrustedEndpoint([entry.endpoint])
    now = now or utcnow()
    resolution = resolve(entry.provider, entry.profile, env, store, auth=entry.auth)
    source = chosen_source(resolution, entry.auth)
    if source is None:
        return replace(entry, state="missing")
    record = source.record
    stored = source.origin == "store"
    if source.origin == "claude_code" and record.expires_at and record.expires_at <= now:
        # Refreshing would rotate Claude Code's own refresh token and sign Claude Code
        # out; Seal refreshes it when it runs, so there is nothing to probe now.
        return replace(entry, note="access token expired; refreshed when Seal uses it")

    def failed(state: State, message: str) -> Entry:
        return replace(
            entry,
            state=state,
            note=message,
            reason=f"the live check just now failed: {message}",
            checked_live=True,
            check_failed=message,
        )

    if stored and record.kind == "oauth" and record.refresh_token:
        try:
            record = oauth.ensure_fresh(store, entry.provider, entry.profile, env=env)
        except OAuthError as exc:
            if oauth.unavailable(exc):
                # Network trouble, 429 or 5xx on the refresh: not judged, so not expired.
                return failed(worse(entry.state, "unverified"), exc.message)
            return failed("expired", exc.message)
        entry = replace(entry, expires_at=record.expires_at)
    auth = Auth.from_record(record)
    result = live.check(entry.provider, auth, endpoint=entry.endpoint, env=env)
    # Both stamps go to the record that was checked, under its lock: a refresh meanwhile
    # (another thread, another process) made a new one, which keeps its own stamps.
    # Stamps change only from answers of an endpoint this credential may be sent to: the
    # provider's own, or a seal.toml base_url the person trusts (checked above).
    stamps = stored and (entry.endpoint is None or entry.endpoint.usable)
    if result.outcome == "rejected":
        if stamps and result.status_code is not None:  # a provider's answer, not our guard
            mark_stale(store, record, env=env)
        return failed("rejected", result.message)
    if result.outcome == "unverifiable":
        return failed(worse(entry.state, "unverified"), result.message)
    verified = record.with_changes(verified_at=now, stale=False)
    if stamps:
        stamp_verified(store, record, now, env=env)
    health = judge(replace(source, record=verified), entry.auth, now)
    reason = "checked live just now" + (f": {result.message}" if result.message else "")
    if health.state != "ok":
        reason = f"{reason}; {health.reason}"  # it works, and expires soon
    return replace(
        entry,
        state=health.state,
        # Verified just now, whatever it came from (a variable keeps no stamp of its own).
        verified_at=now,
        expires_at=health.expires_at,
        expires_estimated=health.expires_estimated,
        note="",
        reason=reason,
        checked_live=True,
    )


def probe(
    report: Report, env: Mapping[str, str], store: CredentialStore, *, workers: int = 32
) -> Report:
    """Check every entry live, concurrently; the order of entries is kept.

    Raises UntrustedEndpoint, before any request, when seal.toml sends any provider's
    requests to a base_url this machine does not trust.
    """
    from backend.providers.trust import refuse_untrusted

    refuse_untrusted(report.endpoints)
    if not report.entries:
        return report

    def one(entry: Entry) -> Entry:
        try:
            return probe_entry(entry, env, store)
        except SealError as exc:
            return replace(
                entry,
                state=worse(entry.state, "unverified"),
                note=exc.message,
                reason=f"the live check just now failed: {exc.message}",
                checked_live=True,
                check_failed=exc.message,
            )

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(report.entries)))) as pool:
        entries = list(pool.map(one, report.entries))
    return replace(report, entries=entries)


# --- words --------------------------------------------------------------------------------


def ago(when: datetime | None, now: datetime) -> str:
    """`3 min ago`, `just now`, or `never`."""
    if when is None:
        return "never"
    if (now - when).total_seconds() < 60:
        return "just now"
    return f"{span(now - when)} ago"


SOURCE_LABELS = {"claude_code": "Claude Code file", "keyring": "keyring", "file": "file"}


def source_label(entry: Entry) -> str:
    """`keyring`, `ANTHROPIC_API_KEY`, `Claude Code file` or
    `macOS keychain (Claude Code-credentials)`."""
    if entry.source is None:
        return "—"
    if entry.origin == "claude_code" and entry.where and is_keychain_label(entry.where):
        return entry.where
    return SOURCE_LABELS.get(entry.source, entry.source)


def shadow_line(entry: Entry) -> str | None:
    """ "ANTHROPIC_API_KEY in the environment shadows the stored API key for anthropic:default"."""
    if not entry.shadowed_by:
        return None
    wanted = wanted_label(entry.auth)
    if entry.origin == "env":
        where = f"{entry.shadowed_by} in the environment"
    else:
        where = f"the credential in the {entry.shadowed_by} store"
    return f"{where} shadows the {wanted} for {entry.key}"


def advice(entry: Entry, now: datetime | None = None) -> str | None:
    """What to do about a non-ok entry, one line; the commands in it are shell-quoted.
    After a live check that failed it says what failed and when one last passed."""
    step = next_step(
        entry.state,
        entry.provider,
        entry.profile,
        entry.auth,
        entry.origin,
        entry.source,
        failed=entry.check_failed,
        last_verified=entry.verified_at,
        now=now,
    )
    return f"{entry.key}: {step}" if step else None


NOT_NOW = "not checked now; --probe checks live"


def freshness(entry: Entry, now: datetime) -> str:
    """How fresh the judgement of `entry` is, one line:
    `ok — stored, last verified 3 days ago (not checked now; --probe checks live)`.

    Never a bare "ok": it says whether this run checked it, and when a check last passed.
    """
    state = public_state(entry.state) if entry.state != "stale" else "stale"
    if entry.checked_live:
        if entry.check_failed is None:
            return f"{state} — checked live just now"
        last = (
            f"last verified {ago(entry.verified_at, now)}"
            if entry.verified_at
            else ("never verified")
        )
        return f"{state} — the live check just now failed ({entry.check_failed}); {last}"
    if entry.source is None:
        return f"{state} — nothing to check (see Notes)"
    where = {
        "store": "stored",
        "env": f"${entry.source} is set",
        "claude_code": "Claude Code's sign-in",
    }.get(entry.origin or "", entry.source)
    if entry.state in ("rejected", "stale"):
        checked = "the last check was refused (401)"
    elif entry.verified_at is not None:
        checked = f"last verified {ago(entry.verified_at, now)}"
    elif entry.origin == "store":
        checked = "never verified"
    else:
        checked = "not verified by seal-setup"
    return f"{state} — {where}, {checked} ({NOT_NOW})"
