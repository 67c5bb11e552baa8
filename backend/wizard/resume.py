"""What a second run starts from: the answers seal.toml and the credential store already give.

`read_existing` reads the table the run writes ([model], or what `--agent NAME`'s table
makes of it) through the document model and the schema, and lists the stored credentials.
A value the schema refuses (seal.toml is untrusted) is not an answer: it is left out here,
and since the run's answer for that key is then what was read, the file keeps it untouched
(`Existing.unchanged`, which `backend.wizard.onboarding` asks before every edit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from backend.config.schema import MODEL_OPTIONS, ROLE_NAMES, validate
from backend.errors import InputError
from backend.vocabulary.methods import METHODS, find_method
from backend.vocabulary.selectors import parse_selector

if TYPE_CHECKING:
    from backend.config.document import SealConfig
    from backend.credentials.record import CredentialRecord


@dataclass(frozen=True)
class Existing:
    """The answers seal.toml's table gives, and the credentials the store holds.

    `provider`, `method`, `model` are None where the file says nothing usable; `settings`,
    `headers` and `roles` hold only the valid values. `credentials` are every stored record
    (the Keep step offers the one for the chosen provider, profile and method).
    """

    agent: str | None = None
    provider: str | None = None
    method: str | None = None
    auth: str | None = None  # `[model] auth` as the method writes it (api_key when absent)
    profile: str = "default"
    model: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    roles: Mapping[str, Any] = field(default_factory=dict)
    credentials: tuple[CredentialRecord, ...] = field(default=(), repr=False)

    def unchanged(self, key: str, value: Any) -> bool:
        """True when `value` is the answer the file gave for a [model] key: the run leaves
        the key as it is in the file (an absent default, an alias, an invalid value)."""
        read: dict[str, Any] = {
            "provider": self.provider,
            "name": self.model,
            "auth": self.auth,
            "profile": self.profile,
            **{k: self.settings.get(k) for k in MODEL_OPTIONS},
        }
        return key in read and read[key] == value

    def credential(
        self, provider: str | None, profile: str, method: str | None
    ) -> CredentialRecord | None:
        """The stored record this provider, profile and method would use, unless a provider
        rejected it last time or its sign-in has expired: then there is nothing a check
        could pass, and the person gets a new one as on a first run."""
        from backend.credentials.record import utcnow

        found = METHODS.get(method or "")
        if found is None or not found.stored:
            return None
        now = utcnow()
        for record in self.credentials:
            if (
                record.provider == provider
                and record.profile == profile
                and record.kind == found.record_kind
                and not record.stale
                and (record.expires_at is None or record.expires_at > now)
            ):
                return record
        return None


def read_existing(
    config: SealConfig | None,
    credentials: Iterable[CredentialRecord] = (),
    agent: str | None = None,
) -> Existing:
    """The answers `config` (None or missing: none) and the store give for `agent`'s table."""
    records = tuple(credentials)
    if config is None or not config.exists:
        return Existing(agent=agent, credentials=records)
    from backend.wizard.reauth import reauth_target

    provider: str | None = None
    method: str | None = None
    auth: str | None = None
    profile = "default"
    try:
        target = reauth_target(config, agent=agent)
    except InputError:  # no provider, or one seal-setup does not know
        target = None
    if target is not None:
        provider = target.provider
        if _valid("profile", target.profile):
            profile = target.profile
        if find_method(provider, target.method) is not None:
            method = target.method
            auth = METHODS[method].auth_value
    model = _scalar(config, "name", agent)
    settings = {key: _scalar(config, key, agent) for key in MODEL_OPTIONS}
    return Existing(
        agent=agent,
        provider=provider,
        method=method,
        auth=auth,
        profile=profile,
        model=model if isinstance(model, str) else None,
        settings={k: v for k, v in settings.items() if v is not None},
        headers=_headers(config.headers(agent)),
        roles=_roles(config.roles(agent)),
        credentials=records,
    )


def _valid(key: str, value: Any) -> bool:
    try:
        validate(key, value)
    except InputError:
        return False
    return True


def _scalar(config: SealConfig, key: str, agent: str | None) -> Any:
    """The table's value for `key` when the schema accepts it, else None."""
    value = config.get(key, agent)
    return value if value is not None and _valid(key, value) else None


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The valid headers, the attribution title under its one name (`TITLE_HEADER`,
    whichever spelling the file has: writing it back keeps that spelling)."""
    from backend.config.document import check_header_name, check_header_value
    from backend.config.schema import canonical_header

    kept: dict[str, str] = {}
    for name, value in headers.items():
        try:
            check_header_name(name)
            check_header_value(name, value)
        except InputError:
            continue
        kept.setdefault(canonical_header(name), value)
    return kept


def _roles(roles: Mapping[str, Any]) -> dict[str, Any]:
    """The role selectors that parse (fallbacks only when every one does); not `primary`,
    which is the model."""
    kept: dict[str, Any] = {}
    for role, value in roles.items():
        if role == "primary" or role not in ROLE_NAMES:
            continue
        items = value if isinstance(value, list) else [value]
        try:
            for item in items:
                parse_selector(str(item))
        except InputError:
            continue
        kept[role] = value
    return kept


def kept_label(record: CredentialRecord) -> str:
    """`key`, `setup-token` or `sign-in`: what the Keep choice calls the stored credential."""
    from backend.credentials.health import kind_label

    return "key" if record.kind == "api_key" else kind_label(record.kind)


def masked(record: CredentialRecord) -> str:
    """`sk-ant-api03-AbC…xYz9 · 108 chars` (a masked fingerprint), or for a sign-in its
    account: enough to recognise it, never to rebuild it."""
    from backend.auth.paste import fingerprint

    if record.kind != "oauth":
        return fingerprint(record.token)
    account = (record.account or {}).get("account")
    email = account.get("email_address") if isinstance(account, dict) else None
    return f"signed in as {email}" if isinstance(email, str) and email else "signed in"


def describe_stored(record: CredentialRecord, now: datetime | None = None) -> str:
    """`sk-ant-api03-AbC…xYz9 · 108 chars, last verified 3 days ago`: the masked
    credential and when a provider last accepted it."""
    from backend.credentials.record import utcnow
    from backend.status import ago

    shown = masked(record)
    verified = record.verified_at
    when = ago(verified, now or utcnow()) if verified else "never verified"
    return f"{shown}, last verified {when}" if verified else f"{shown}, {when}"
