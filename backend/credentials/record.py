"""The credential record of DESIGN §3: one secret-bearing value per provider and profile.

A record never shows its secret in `repr`/`str`; serialisation is explicit (`to_json`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from backend.vocabulary.methods import BEARER_KINDS, RecordKind

RECORD_VERSION = 1
DEFAULT_PROFILE = "default"


def utcnow() -> datetime:
    """Now, in UTC, to the second (records store whole seconds)."""
    return datetime.now(UTC).replace(microsecond=0)


def to_rfc3339(value: datetime | None) -> str | None:
    """`2026-01-02T03:04:05Z`, or None."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_rfc3339(value: object) -> datetime | None:
    """Parse an RFC 3339 string (a trailing `Z` included); None and "" give None."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError("timestamp is not a string")
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class CredentialRecord:
    """A stored credential. `secret` holds api_key/setup_token; oauth uses the token fields."""

    provider: str
    profile: str
    kind: RecordKind
    secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    created_at: datetime = field(default_factory=utcnow)
    verified_at: datetime | None = None
    account: dict[str, Any] | None = None
    # Set when a provider answered 401 to this credential: the next use refreshes
    # (oauth) and `status` reports it as rejected until a re-auth clears it.
    stale: bool = False

    @property
    def key(self) -> str:
        """The store key, `<provider>:<profile>`."""
        return f"{self.provider}:{self.profile}"

    @property
    def token(self) -> str:
        """The value sent to the provider: the secret, or the OAuth access token."""
        value = self.secret if self.kind != "oauth" else self.access_token
        return value or ""

    @property
    def is_bearer(self) -> bool:
        """Subscription credentials (oauth, setup_token) go as Bearer + the oauth beta."""
        return self.kind in BEARER_KINDS

    def with_changes(self, **changes: Any) -> CredentialRecord:
        """A copy with some fields replaced."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of DESIGN §3 (secret-bearing: only for the store)."""
        data: dict[str, Any] = {
            "version": RECORD_VERSION,
            "provider": self.provider,
            "profile": self.profile,
            "kind": self.kind,
        }
        if self.kind == "oauth":
            data["access_token"] = self.access_token
            data["refresh_token"] = self.refresh_token
            data["expires_at"] = to_rfc3339(self.expires_at)
        else:
            data["secret"] = self.secret
            if self.expires_at is not None:
                data["expires_at"] = to_rfc3339(self.expires_at)
        data["created_at"] = to_rfc3339(self.created_at)
        data["verified_at"] = to_rfc3339(self.verified_at)
        data["account"] = self.account
        if self.stale:
            data["stale"] = True
        return data

    def to_json(self) -> str:
        """Compact JSON of `to_dict` (what the keyring stores as the password)."""
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_dict(cls, data: object) -> CredentialRecord:
        """Parse a stored record; raises ValueError naming the bad field (never its value)."""
        if not isinstance(data, dict):
            raise ValueError("credential record is not a JSON object")
        version = data.get("version", RECORD_VERSION)
        if version != RECORD_VERSION:
            raise ValueError(f"unsupported credential record version {version!r}")
        kind = data.get("kind")
        if kind not in ("api_key", "setup_token", "oauth"):
            raise ValueError("credential record has no valid 'kind'")
        provider, profile = data.get("provider"), data.get("profile")
        if not isinstance(provider, str) or not isinstance(profile, str):
            raise ValueError("credential record has no provider/profile")
        strings = {}
        for name in ("secret", "access_token", "refresh_token"):
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"credential field '{name}' is not a string")
            strings[name] = value
        if kind == "oauth" and not strings["access_token"]:
            raise ValueError("oauth record has no access_token")
        if kind != "oauth" and not strings["secret"]:
            raise ValueError(f"{kind} record has no secret")
        account = data.get("account")
        if account is not None and not isinstance(account, dict):
            raise ValueError("credential field 'account' is not an object")
        return cls(
            provider=provider,
            profile=profile,
            kind=kind,
            secret=strings["secret"],
            access_token=strings["access_token"],
            refresh_token=strings["refresh_token"],
            expires_at=from_rfc3339(data.get("expires_at")),
            created_at=from_rfc3339(data.get("created_at")) or utcnow(),
            verified_at=from_rfc3339(data.get("verified_at")),
            account=account,
            # Only JSON true: "false", 0 or "" must not read as a 401 seen. Anything else
            # is not an error either: seal-setup writes nothing but true, and a record
            # whose tokens are fine stays usable (a bad field would make the whole
            # credential file unwritable) when a hint beside them is garbled.
            stale=data.get("stale") is True,
        )

    @classmethod
    def from_json(cls, text: str) -> CredentialRecord:
        """Parse `to_json` output; ValueError on anything malformed (message has no secret)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"credential record is not valid JSON (at char {exc.pos})") from None
        return cls.from_dict(data)


class CredentialStore(Protocol):
    """Where records live (keyring or 0600 file). Every call may block: keep it off the UI loop.

    Errors surface as `backend.errors.CredentialStoreError` with a hint naming the fix.
    """

    name: str  # "keyring" | "file" | "memory"

    @property
    def location(self) -> str:
        """Human description of where secrets go, e.g. the file path or 'system keyring'."""
        ...

    def get(self, provider: str, profile: str) -> CredentialRecord | None: ...

    def put(self, record: CredentialRecord) -> None: ...

    def delete(self, provider: str, profile: str) -> bool: ...

    def list(self) -> list[CredentialRecord]: ...
