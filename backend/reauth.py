"""Re-authentication: which credential to replace, and what is wrong with the current one.

`reauth_target` reads seal.toml's [model] (plus `--provider`/`--profile`) into the provider,
profile and method the wizard starts from. `credential_status` explains the credential the
configured `auth` asks for: where it comes from and whether it is missing, rejected
(marked stale after a 401), expired or unverified. Both are pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from backend import registry
from backend.credentials import to_rfc3339, utcnow
from backend.errors import InputError
from backend.registry import KEY_ENV_VARS
from backend.selectors import infer_provider

if TYPE_CHECKING:
    from backend.config import SealConfig
    from backend.resolution import Resolution, Source

State = Literal["missing", "rejected", "expired", "unverified", "ok"]

_KIND_LABELS = {"api_key": "API key", "setup_token": "setup-token", "oauth": "sign-in"}


@dataclass(frozen=True)
class ReauthTarget:
    """What `seal-setup reauth` re-authenticates.

    `config_auth` is seal.toml's `auth` for this provider (its default, api_key, when the
    key is absent), or None when seal.toml does not configure this provider: then the
    wizard never touches seal.toml.
    """

    provider: str
    profile: str
    method: str
    config_auth: str | None


def reauth_target(
    config: SealConfig | None, provider: str | None = None, profile: str | None = None
) -> ReauthTarget:
    """From `--provider`/`--profile` and [model]; raises InputError when no provider is known."""
    configured: str | None = None
    if config is not None and config.exists:
        value = config.own("provider")
        name = config.own("name")
        if isinstance(value, str):
            configured = value
        elif isinstance(name, str):
            configured = infer_provider(name) or "anthropic"
        elif config.own("auth") is not None:
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
    if config is not None and chosen == configured:
        auth = config.own("auth")
        config_auth = auth if isinstance(auth, str) else "api_key"
        own_profile = config.own("profile")
        config_profile = own_profile if isinstance(own_profile, str) else None
    return ReauthTarget(
        provider=chosen,
        profile=profile or config_profile or "default",
        method=config_auth or "api_key",
        config_auth=config_auth,
    )


@dataclass(frozen=True)
class CredentialStatus:
    """What is wrong with the credential seal.toml asks for; `lines` are for the screen."""

    state: State
    headline: str
    lines: list[str] = field(default_factory=list)


def _when(value: datetime | None) -> str:
    text = to_rfc3339(value)
    return text.replace("T", " ").replace("Z", " UTC") if text else "never"


def _describe_source(source: Source) -> str:
    record = source.record
    kind = _KIND_LABELS.get(record.kind, record.kind)
    if source.origin == "env":
        return f"${source.label}"
    if source.origin == "claude_code":
        return f"Claude Code's sign-in ({source.label})"
    return f"stored {kind} {record.key} ({source.label})"


def credential_status(
    resolution: Resolution, auth: str | None, now: datetime | None = None
) -> CredentialStatus:
    """Explain the credential `auth` asks for (the store when auth is None)."""
    now = now or utcnow()
    provider, profile = resolution.provider, resolution.profile
    wanted = {"env": "env", "claude_code": "claude_code"}.get(
        auth or resolution.auth or "", "store"
    )
    source = next((s for s in resolution.candidates if s.origin == wanted), None)
    lines: list[str] = []
    effective = resolution.effective
    if source is None:
        if wanted == "env":
            headline = f"${KEY_ENV_VARS.get(provider, '?')} is not set in this shell"
        elif wanted == "claude_code":
            headline = "Claude Code's sign-in was not found on this machine"
        else:
            headline = f"no stored credential for {provider}:{profile}"
        if effective is not None:
            lines.append(f"Seal uses {_describe_source(effective)} instead.")
        return CredentialStatus("missing", headline, lines)
    record = source.record
    where = _describe_source(source)
    if effective is not None and effective is not source:
        lines.append(
            f"Note: {_describe_source(effective)} takes precedence over it: unset it, or "
            "Seal keeps using that one."
        )
    if record.verified_at is not None:
        lines.append(f"Last verified: {_when(record.verified_at)}.")
    if record.stale:
        headline = f"{where} was rejected: the provider answered 401 (marked stale)"
        if record.kind == "oauth":
            lines.insert(
                0,
                "A refresh did not fix it: the refresh token is dead (used, revoked or "
                "expired). Sign in again.",
            )
        return CredentialStatus("rejected", headline, lines)
    expires = record.expires_at
    if expires is not None and expires <= now:
        headline = f"{where} expired {_when(expires)}"
        if record.kind == "oauth" and record.refresh_token:
            lines.insert(
                0,
                "Seal refreshes it on next use; if the refresh token is dead, sign in again.",
            )
        return CredentialStatus("expired", headline, lines)
    if record.verified_at is None and source.origin == "store":
        return CredentialStatus(
            "unverified", f"{where} was never verified (it could not be checked)", lines
        )
    if expires is not None:
        lines.insert(0, f"Valid until {_when(expires)}.")
    return CredentialStatus("ok", f"{where} looks fine; re-authenticating replaces it", lines)
