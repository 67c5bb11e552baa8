"""The environment Seal is started with: `seal-setup run`, `env` and `token` build on this.

For every provider seal.toml uses ([model], agents, role selectors and fallbacks, as
`status` collects them), the configured credential goes into the variable Seal reads
(`backend.credentials.handoff.plan`), a sign-in refreshed first under its cross-process
lock, and the parent's variables Seal would read before it are taken out. Seal reads one
credential per provider from its environment, so the first account seal.toml names for a
provider is the one handed on; another profile of the same provider is said in a note.

Nothing here prints or writes a secret anywhere but into the mapping it returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from backend.credentials.handoff import REFRESH_WITHIN, Supply, configured_source, plan
from backend.errors import CredentialFailure, OAuthError
from backend.status import Target, targets_from_config, targets_without_config

if TYPE_CHECKING:
    from backend.config.document import SealConfig
    from backend.services import Services

DEFAULT_PROVIDER = "anthropic"


class HandoffRefused(CredentialFailure):
    """A credential Seal needs is missing, rejected or expired beyond refresh (exit 1).

    `advice` has one line per account, in `status`'s words.
    """

    def __init__(self, advice: list[str]) -> None:
        super().__init__(
            "Seal would not authenticate: " + "; ".join(advice),
            "run `seal-setup status` for details",
        )
        self.advice = advice


@dataclass(frozen=True)
class ChildEnv:
    """The child's whole environment and what changed from the parent's (names only)."""

    env: dict[str, str]
    supplies: list[Supply]
    set: tuple[str, ...]  # variables given a credential
    removed: tuple[str, ...]  # parent variables taken out: they would outrank one
    replaced: tuple[str, ...]  # parent variables given another value
    notes: tuple[str, ...] = ()

    @property
    def unset(self) -> tuple[str, ...]:
        """Every variable the child must not inherit: removed, and not set again."""
        return tuple(n for n in self.removed if n not in self.set)


# --- which accounts ----------------------------------------------------------------------


def accounts(config: SealConfig | None, services: Services) -> tuple[list[Target], list[str]]:
    """The first account seal.toml uses per provider, and a note for each one left out.

    Without a seal.toml: what is stored, set or signed in on this machine (as `status`).
    """
    if config is not None and config.exists:
        found = targets_from_config(config)
    else:
        found = targets_without_config(services.store, services.env)
    chosen: dict[str, Target] = {}
    notes: list[str] = []
    for target in found:
        first = chosen.setdefault(target.provider, target)
        if first is not target and first.profile != target.profile:
            notes.append(
                f"seal.toml also uses {target.provider}:{target.profile}; Seal reads one "
                f"{target.provider} credential from its environment, so it gets "
                f"{first.provider}:{first.profile}'s"
            )
    return list(chosen.values()), list(dict.fromkeys(notes))


def account_for(config: SealConfig | None, provider: str | None, profile: str | None) -> Target:
    """The account `token` prints: the provider (default: [model]'s, else anthropic) and
    profile given, with seal.toml's `auth` and profile for it when seal.toml uses it."""
    found = targets_from_config(config) if config is not None and config.exists else []
    provider = provider or (found[0].provider if found else DEFAULT_PROVIDER)
    for target in found:
        if target.provider == provider and profile in (None, target.profile):
            return target
    return Target(provider, profile or "default", None)  # type: ignore[arg-type]


# --- one account --------------------------------------------------------------------------


def _refresh(services: Services, target: Target) -> None:
    """Refresh a stored sign-in that expires within REFRESH_WITHIN (or was rejected once),
    under its lock, so the child starts with a token that lasts."""
    from backend.auth import oauth

    resolution = services.resolve(target.provider, target.profile, target.auth)
    source = configured_source(resolution)
    if source is None or source.origin != "store":
        return
    record = source.record
    if not record.refresh_token:
        return
    skew = REFRESH_WITHIN.total_seconds()
    if not oauth.needs_refresh(record, skew):
        return
    try:
        oauth.ensure_fresh(
            services.store,
            target.provider,
            target.profile,
            env=services.env,
            client=services.http_client(),
            skew=skew,
        )
    except OAuthError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        raise HandoffRefused([f"{target.provider}:{target.profile}: {exc.message}{hint}"]) from None


def supply(services: Services, target: Target, *, refresh: bool = True) -> Supply:
    """How Seal gets `target`'s credential, a sign-in refreshed first when `refresh`."""
    if refresh:
        _refresh(services, target)
    resolution = services.resolve(target.provider, target.profile, target.auth)
    return plan(resolution, env=services.env)


def _check(services: Services, config: SealConfig | None, target: Target, found: Supply) -> Supply:
    """Send the credential `run` supplies to its provider once: a 401 marks a stored one
    stale and fails it; no answer leaves it as it is (Seal will find out)."""
    from backend.credentials.health import judge
    from backend.credentials.writes import mark_stale
    from backend.providers import live
    from backend.providers.base import Auth

    source = found.source
    if not found.supplied or source is None:
        return found
    endpoint = services.endpoint(
        target.provider, target.base_url, config.path if config is not None else None
    )
    result = live.check(
        target.provider,
        Auth.from_record(source.record),
        endpoint=endpoint,
        env=services.env,
        client=services.http_client(),
    )
    if result.outcome != "rejected":
        return found
    rejected = source.record.with_changes(stale=True)
    if source.origin == "store" and result.status_code is not None:
        mark_stale(services.store, source.record, env=services.env)
    health = judge(replace(source, record=rejected), target.auth)
    return replace(found, supplied=False, health=health)


# --- the child's environment ------------------------------------------------------------


def child_environment(
    services: Services, config: SealConfig | None, *, check: bool = False
) -> ChildEnv:
    """The environment to start Seal with: the parent's, every provider's credential in
    the variable Seal reads, and the variables that would outrank one taken out.

    Raises HandoffRefused (nothing started, nothing printed) when any account Seal needs
    has no usable credential; UntrustedEndpoint when seal.toml sends requests to a
    server this machine does not trust (the child would send the credentials there).
    `check` sends each credential to its provider once first (a revoked key fails here).
    """
    from backend.providers.trust import refuse_untrusted

    if config is not None and config.exists:
        refuse_untrusted(services.project_endpoints(config))
    targets, notes = accounts(config, services)
    supplies = [supply(services, t) for t in targets]
    if check and supplies:
        with ThreadPoolExecutor(max_workers=len(supplies)) as pool:
            supplies = list(
                pool.map(
                    lambda pair: _check(services, config, *pair),
                    zip(targets, supplies, strict=True),
                )
            )
    failing = [s.advice for s in supplies if s.failing]
    if failing:
        raise HandoffRefused(failing)
    return build_env(services.env, supplies, notes)


def build_env(parent: Mapping[str, str], supplies: list[Supply], notes: list[str]) -> ChildEnv:
    """The parent's environment with `supplies` applied (pure)."""
    env = dict(parent)
    given = {s.variable: s.value for s in supplies if s.supplied and s.variable}
    removed: list[str] = []
    for found in supplies:
        for name in found.outranked_by:
            if name in env and name not in given:
                del env[name]
                removed.append(name)
    replaced = [n for n, v in given.items() if parent.get(n) not in (None, v)]
    env.update(given)
    extra = [s.note for s in supplies if s.note]
    return ChildEnv(
        env=env,
        supplies=supplies,
        set=tuple(given),
        removed=tuple(dict.fromkeys(removed)),
        replaced=tuple(replaced),
        notes=(*notes, *extra),
    )
