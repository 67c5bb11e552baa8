"""The wizard's answers: one plain dataclass handed to each step and returned by it.

Secrets (a pasted key, the record built from it) are kept out of `repr` so a traceback
or a debug print of the answers never shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from backend.methods import METHODS

if TYPE_CHECKING:
    # Types only: the App imports this module before its first paint.
    from backend.credentials import CredentialRecord
    from backend.roles import RoleEdit

EntryMode = Literal["onboard", "reauth", "roles"]


@dataclass
class Answers:
    """Everything the person has chosen so far; steps read and fill it in order."""

    mode: EntryMode = "onboard"
    config_path: str = "seal.toml"
    provider: str | None = None
    method: str | None = None  # a backend.methods.MethodId
    profile: str = "default"
    # The credential built by the auth step (pasted key, exchanged tokens, minted key,
    # imported Claude Code sign-in). None for the env method.
    record: CredentialRecord | None = field(default=None, repr=False)
    # Outcome of the live check: "verified" | "rejected" | "unverifiable" | None.
    check_outcome: str | None = None
    check_message: str = ""
    identity: dict[str, Any] = field(default_factory=dict)
    store_unverified: bool = False
    # seal.toml's base_url for the table this run writes, as read (the wizard never sets
    # one); `own_base` True: the person chose to check with the provider's own server
    # instead of an untrusted base_url.
    base_url: str | None = None
    own_base: bool = False
    # Models fetched by the live check (backend.providers.base.ModelInfo), for the picker.
    live_models: list[Any] = field(default_factory=list, repr=False)
    model: str | None = None
    # [model] options beyond provider/name/auth/profile (thinking, effort, max_tokens, …);
    # a None value means "remove the key".
    settings: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    # Role selectors (fast, escalate: str; fallbacks: list[str]); a None value removes it.
    roles: dict[str, Any] = field(default_factory=dict)
    # roles mode: the agent being edited; onboard mode: the [agents.NAME.model] table the
    # model choice goes to instead of [model] (`--agent NAME` on the command line).
    agent: str | None = None
    # roles mode: every change made on the Roles step, in order; Review replays them on
    # the seal.toml read from disk (backend.roles.apply_role_edits).
    role_edits: list[RoleEdit] = field(default_factory=list)
    # reauth mode: seal.toml's `auth` for the provider being re-authenticated, or None
    # when seal.toml does not configure that provider (then seal.toml is never touched).
    reauth_auth: str | None = None
    written: bool = False
    saved_path: str | None = None
    # Where Write kept the version of seal.toml it replaced, and the older ones still kept.
    backup: str | None = None
    older_backups: tuple[str, ...] = ()
    stored_where: str | None = None

    @property
    def check_base_url(self) -> str | None:
        """The seal.toml base_url the live check goes to (None: the provider's own)."""
        return None if self.own_base else self.base_url

    @property
    def auth_value(self) -> str | None:
        """`[model] auth` for the chosen method (a Console sign-in stores an api_key)."""
        method = METHODS.get(self.method or "")
        return method.auth_value if method else self.method
