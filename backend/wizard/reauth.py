"""Re-authentication: which credential to replace, and what is wrong with the current one.

`reauth_target` reads seal.toml's [model] (plus `--provider`/`--profile`) into the provider,
profile and method the wizard starts from; `start_reauth` puts a target into the answers.
`seal-setup reauth` and the Welcome step's "Re-authenticate" both go through these two, so
they offer and prepare the same re-auth. `no_longer_allowed` names the options a change of
method leaves seal.toml with that the new method cannot use (Review shows them and the
edit removes them). `credential_status` explains the credential Seal
uses for the configured `auth`: its state is `backend.credentials.health`'s (the same as
`status` and the Roles checks), with the lines that matter when replacing it. All are pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from backend.config.schema import OPTION_LABELS
from backend.credentials.health import (
    CLAUDE_CODE_LABEL,
    PROBE_COMMAND,
    Health,
    State,
    describe_source,
    judge,
    wanted_source,
    when,
)
from backend.credentials.record import utcnow
from backend.errors import InputError
from backend.vocabulary import registry
from backend.vocabulary.methods import API_KEY_ONLY_OPTIONS, refused_options
from backend.vocabulary.selectors import infer_provider

if TYPE_CHECKING:
    from backend.config.document import SealConfig
    from backend.credentials.resolution import Resolution, Source
    from backend.wizard.answers import Answers


@dataclass(frozen=True)
class ReauthTarget:
    """What `seal-setup reauth` re-authenticates.

    `config_auth` is seal.toml's `auth` for this provider (its default, api_key, when the
    key is absent), or None when seal.toml does not configure this provider: then the
    wizard never touches seal.toml. `base_url` is [model]'s when seal.toml configures the
    provider (the check goes there once it is trusted), else None.
    """

    provider: str
    profile: str
    method: str
    config_auth: str | None
    base_url: str | None = None


def reauth_target(
    config: SealConfig | None,
    provider: str | None = None,
    profile: str | None = None,
    *,
    agent: str | None = None,
) -> ReauthTarget:
    """From `--provider`/`--profile` and [model] (or what `agent`'s table makes of it);
    raises InputError when no provider is known."""
    configured: str | None = None
    if config is not None and config.exists:
        value = config.get("provider", agent)
        name = config.get("name", agent)
        if isinstance(value, str):
            configured = value
        elif isinstance(name, str):
            configured = infer_provider(name) or "anthropic"
        elif config.get("auth", agent) is not None:
            configured = "anthropic"
    chosen = provider or configured
    if chosen is None:
        where = "no seal.toml here" if config is None or not config.exists else "seal.toml"
        raise InputError(
            f"nothing to re-authenticate: {where} names no provider",
            "run `seal-setup` to set Seal up, or pass --provider " + "|".join(registry.ids()),
        )
    registry.get(chosen)  # InputError naming the known ones
    config_auth: str | None = None
    config_profile: str | None = None
    base_url: str | None = None
    if config is not None and chosen == configured:
        auth = config.get("auth", agent)
        config_auth = auth if isinstance(auth, str) else "api_key"
        own_profile = config.get("profile", agent)
        config_profile = own_profile if isinstance(own_profile, str) else None
        own_base = config.get("base_url", agent)
        base_url = own_base if isinstance(own_base, str) else None
    return ReauthTarget(
        provider=chosen,
        profile=profile or config_profile or "default",
        method=config_auth or "api_key",
        config_auth=config_auth,
        base_url=base_url,
    )


def start_reauth(answers: Answers, target: ReauthTarget) -> None:
    """The answers of a re-auth of `target`: its provider, profile and current method
    preselected, nothing pasted or checked yet."""
    answers.reauthenticate(
        target.provider,
        target.profile,
        target.method,
        configured=target.config_auth is not None,
        base_url=target.base_url,
    )


@dataclass(frozen=True)
class NotAllowed:
    """Options of one table (`agent` None: [model]) that the new method cannot use."""

    agent: str | None
    options: tuple[str, ...]

    @property
    def table(self) -> str:
        return "[model]" if self.agent is None else f"[agents.{self.agent}.model]"


def no_longer_allowed(config: SealConfig, answers: Answers) -> list[NotAllowed]:
    """What a re-auth that changes seal.toml's `auth` must remove: the options of [model],
    and of each agent that takes its auth from [model], that the new method cannot use
    (`methods.refused_options`). [] when re-auth leaves `auth` as it is."""
    new = answers.auth_value
    if answers.mode != "reauth" or answers.reauth_auth is None or new == answers.reauth_auth:
        return []
    found: list[NotAllowed] = []
    for agent in [None, *config.agents()]:
        if agent is not None and config.own("auth", agent) is not None:
            continue  # its own auth stays what it is
        own = {option: config.own(option, agent) for option in API_KEY_ONLY_OPTIONS}
        refused = refused_options(new, own)
        if refused:
            found.append(NotAllowed(agent, tuple(refused)))
    return found


def remove_not_allowed(config: SealConfig, found: list[NotAllowed]) -> None:
    """Remove the options `no_longer_allowed` found (in memory; Review shows the diff)."""
    for item in found:
        for option in item.options:
            config.set(option, None, item.agent)


def not_allowed_lines(found: list[NotAllowed]) -> list[str]:
    """Review's words for what the change of method removes, and why."""
    if not found:
        return []
    lines = [
        "Removed with the change of method: Anthropic takes these only with an API key, "
        "not with a subscription."
    ]
    for item in found:
        names = ", ".join(OPTION_LABELS[option] for option in item.options)
        lines.append(f"  {item.table}: {names}")
    return lines


@dataclass(frozen=True)
class CredentialStatus:
    """What is wrong with the credential seal.toml asks for; `lines` are for the screen.

    `state` and the headline are `health.judge`'s; the lines say what matters when
    re-authenticating (what takes precedence, when it was last verified).
    """

    state: State
    headline: str
    lines: list[str] = field(default_factory=list)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _first_line(health: Health, now: datetime) -> str | None:
    """What the expiry or a sign-in's refresh token means for this credential."""
    record = health.source.record if health.source else None
    expires = health.expires_at
    if health.state == "stale":
        return f"Sign in again if a refresh does not fix it: {PROBE_COMMAND} tries one now."
    if health.state == "rejected" and record is not None and record.kind == "oauth":
        return "Sign in again: there is no refresh token to renew it with."
    if health.state != "ok" or expires is None:
        return None
    if expires <= now:
        return "If the refresh token is dead (used, revoked or expired), sign in again."
    if health.expires_estimated:
        return f"Valid until about {when(expires)} (estimated: setup-tokens last about a year)."
    return f"Valid until {when(expires)}."


def _precedence(resolution: Resolution, source: Source, now: datetime) -> list[str]:
    """What takes precedence over what seal.toml's `auth` asks for, and how that one is."""
    wanted = wanted_source(resolution)
    lines: list[str] = []
    if source.origin == "env" and resolution.wanted_origin != "env":
        over = describe_source(wanted) if wanted else "a credential stored now"
        if wanted is None and resolution.wanted_origin == "claude_code":
            over = CLAUDE_CODE_LABEL
        lines.append(
            f"Note: {describe_source(source)} takes precedence over {over}: unset it, or "
            "Seal keeps using that one."
        )
    elif wanted is not None and wanted is not source:
        lines.append(
            f"Note: {describe_source(source)} takes precedence over {describe_source(wanted)}."
        )
    if wanted is not None and wanted is not source:
        other = judge(wanted, resolution.auth, now)
        if other.state != "ok":
            lines.append(_sentence(other.reason))
    return lines


def credential_status(
    resolution: Resolution,
    auth: str | None,
    now: datetime | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> CredentialStatus:
    """Explain the credential Seal uses for `auth` (the store's when auth is None)."""
    now = now or utcnow()
    if auth is not None and auth != resolution.auth:
        resolution = replace(resolution, auth=auth)
    health = judge(resolution, now=now, env=env)
    source = health.source
    lines: list[str] = []
    if source is None:
        present = resolution.effective
        if present is not None:  # only `auth = "env"` passes over a credential that is there
            lines.append(f'{describe_source(present)} is there, but auth = "env" does not use it.')
        return CredentialStatus(health.state, health.reason, lines)
    headline = health.reason
    if health.state == "ok" and source.origin == "store":
        headline += "; re-authenticating replaces it"
    first = _first_line(health, now)
    if first:
        lines.append(first)
    if health.fallback:
        lines.append(_sentence(health.fallback))
    lines += _precedence(resolution, source, now)
    if source.record.verified_at is not None:
        lines.append(f"Last verified: {when(source.record.verified_at)}.")
    return CredentialStatus(health.state, headline, lines)
