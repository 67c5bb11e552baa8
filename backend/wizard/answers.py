"""The wizard's answers: one plain dataclass handed to each step and returned by it.

Steps change them through the transitions at the bottom, which also drop what an answer
makes stale (a new provider's old key, a new credential's old check); the rules can be
tested without any screen. Secrets (a pasted key, the record built from it) are kept out
of `repr` so a traceback or a debug print of the answers never shows them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from backend.vocabulary.methods import METHODS

if TYPE_CHECKING:
    # Types only: the App imports this module before its first paint.
    from backend.credentials.record import CredentialRecord
    from backend.providers.base import CheckResult, ModelInfo, Outcome
    from backend.wizard.resume import Existing
    from backend.wizard.roles import RoleEdit

EntryMode = Literal["onboard", "reauth", "roles"]
ENTRY_MODES: tuple[EntryMode, ...] = ("onboard", "reauth", "roles")


def entry_mode(name: str) -> EntryMode:
    """`name` as an entry mode; ValueError when it is none."""
    for mode in ENTRY_MODES:
        if mode == name:
            return mode
    raise ValueError(f"not an entry mode: {name!r}")


@dataclass(frozen=True)
class CommitResult:
    """What Write did: where the secret went and what happened to seal.toml (the version
    it replaced is kept in `backup`, older ones in `older`)."""

    stored_where: str | None
    config_written: bool
    backup: str | None
    older: tuple[str, ...] = ()


@dataclass
class Answers:
    """Everything the person has chosen so far; steps read and fill it in order."""

    mode: EntryMode = "onboard"
    config_path: str = "seal.toml"
    provider: str | None = None
    method: str | None = None  # a backend.vocabulary.methods.MethodId
    profile: str = "default"
    # The credential built by the auth step (pasted key, exchanged tokens, minted key,
    # imported Claude Code sign-in). None for the env method.
    record: CredentialRecord | None = field(default=None, repr=False)
    # Outcome of the live check of `record`; None: not checked (yet).
    check_outcome: Outcome | None = None
    check_message: str = ""
    identity: dict[str, Any] = field(default_factory=dict)
    store_unverified: bool = False
    # seal.toml's base_url for the table this run writes, as read (the wizard never sets
    # one); `own_base` True: the person chose to check with the provider's own server
    # instead of an untrusted base_url.
    base_url: str | None = None
    own_base: bool = False
    # Models fetched by the live check (backend.providers.base.ModelInfo), for the picker.
    live_models: list[ModelInfo] = field(default_factory=list, repr=False)
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
    # Every change made on the Roles step, in order; Review replays them on the seal.toml
    # read from disk (backend.wizard.roles.apply_role_edits), after the model choice.
    role_edits: list[RoleEdit] = field(default_factory=list)
    # The agents seal.toml had when the run began: onboarding offers the Roles step
    # after the Model step when there are any.
    agents_found: tuple[str, ...] = ()
    # Where Welcome's survey found Claude Code's sign-in (None: not there, or not looked).
    claude_code_found: str | None = None
    # reauth mode: seal.toml's `auth` for the provider being re-authenticated, or None
    # when seal.toml does not configure that provider (then seal.toml is never touched).
    reauth_auth: str | None = None
    # onboard mode: what seal.toml's table and the store held when the run started (the
    # answers start from it, and a key whose answer is still what was read is not edited).
    existing: Existing | None = field(default=None, repr=False)
    # The credential in hand is the stored one, kept: nothing new is stored. `replacing`:
    # the person chose to replace the stored one (a new one is to come, or came).
    kept: bool = False
    replacing: bool = False
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
    def offers_roles(self) -> bool:
        """Onboarding goes through the Roles step: seal.toml has agents to give roles to."""
        return self.mode == "onboard" and bool(self.agents_found)

    @property
    def auth_value(self) -> str | None:
        """`[model] auth` for the chosen method (a Console sign-in stores an api_key)."""
        method = METHODS.get(self.method or "")
        return method.auth_value if method else self.method

    # -- transitions -----------------------------------------------------------------

    def begin(self, mode: EntryMode, base_url: str | None = None) -> None:
        """Welcome's choice: the walk of `mode`. `base_url` is seal.toml's for the table
        this run writes, where the check sends the credential (the trust rule applies)."""
        self.mode = mode
        self.base_url = base_url

    def choose_profile(self, profile: str) -> None:
        """The credential profile: the store key the credential goes under
        (`<provider>:<profile>`) and seal.toml's `profile` (checked by the caller against
        backend.config.schema.profile_problem)."""
        self.profile = profile

    def found_claude_code(self, where: str | None) -> None:
        """Record where Claude Code's sign-in is (the Auth step offers it first)."""
        self.claude_code_found = where

    def found_agents(self, agents: Sequence[str]) -> None:
        """The agents Welcome's survey found in seal.toml."""
        self.agents_found = tuple(agents)

    def resume(self, existing: Existing) -> None:
        """Start from what is set up: seal.toml's provider, method, profile, model and
        options are the answers, until the person changes them (once per run)."""
        self.existing = existing
        self.agent = existing.agent
        self.provider = existing.provider
        self.method = existing.method
        self.profile = existing.profile
        self.model = existing.model
        self.settings = dict(existing.settings)
        self.headers = dict(existing.headers)
        self.roles = dict(existing.roles)
        self.set_credential(None)

    def stored_credential(self) -> CredentialRecord | None:
        """The stored credential the chosen provider, profile and method would keep using
        (onboarding only: re-auth is there to replace it)."""
        if self.mode != "onboard" or self.existing is None:
            return None
        return self.existing.credential(self.provider, self.profile, self.method)

    def keep_stored(self, record: CredentialRecord) -> None:
        """Keep the stored credential: it is the one in hand (and checked), none is stored."""
        self.replacing = False
        if self.kept and self.record is record:
            return
        self.set_credential(record)
        self.kept = True

    def replace_stored(self) -> None:
        """Replace the stored credential: the kept one is dropped (a new one in hand stays)."""
        self.replacing = True
        if self.kept:
            self.set_credential(None)

    def reauthenticate(
        self,
        provider: str,
        profile: str,
        auth: str,
        *,
        configured: bool = True,
        base_url: str | None = None,
    ) -> None:
        """Re-authenticate provider:profile with method `auth` preselected, no new
        credential in hand yet. `configured`: seal.toml configures this provider with
        `auth` (False: it does not, and seal.toml is then never touched); `base_url` is
        seal.toml's for it, where the check goes (the trust rule applies)."""
        self.mode = "reauth"
        self.provider = provider
        self.profile = profile
        self.reauth_auth = auth if configured else None
        self.method = auth
        self.base_url = base_url
        self.set_credential(None)

    def choose_provider(self, provider: str) -> None:
        """A different provider drops what was chosen for the old one: its method, its
        credential and check, its model and the model's options."""
        if provider == self.provider:
            return
        self.provider = provider
        self.method = None
        self.replacing = False
        self.set_credential(None)
        self.model = None
        self.settings = {}

    def choose_method(self, method: str) -> None:
        """A different method drops the credential the old one produced, and its check."""
        if method == self.method:
            return
        self.method = method
        self.replacing = False
        self.set_credential(None)

    def set_credential(self, record: CredentialRecord | None) -> None:
        """The credential the auth step produced (None: there is none to check, such as
        an env variable not set in this shell). A check made earlier was of another one."""
        self.record = record
        self.kept = False
        self.check_outcome = None
        self.check_message = ""
        self.identity = dict(record.account or {}) if record is not None else {}

    def record_check(self, result: CheckResult, models: Sequence[ModelInfo]) -> None:
        """The live check of the credential in hand came back; `models` were listed with it."""
        self.check_outcome = result.outcome
        self.check_message = result.message
        account: Mapping[str, Any] = (self.record.account if self.record else None) or {}
        self.identity = {**account, **dict(result.identity)}
        self.live_models = list(models)

    def keep_unverified(self, keep: bool = True) -> None:
        """Store the credential marked unverified (the check could not be made), or not."""
        self.store_unverified = keep

    def check_with_own_server(self) -> None:
        """Check with the provider's own server instead of seal.toml's base_url."""
        self.own_base = True

    def choose_model(
        self, model: str, settings: Mapping[str, Any], headers: Mapping[str, str]
    ) -> None:
        """The model and its options (a None setting removes the key from seal.toml)."""
        self.model = model
        self.settings = {**self.settings, **settings}
        self.headers = dict(headers)

    def edit_roles(self, edit: RoleEdit) -> None:
        """One more change on the Roles step (Review replays them in order)."""
        self.role_edits.append(edit)

    def restart_roles(self) -> None:
        """seal.toml changed under the Roles step: the changes made so far no longer apply."""
        self.role_edits.clear()

    def forget_agent(self) -> None:
        """The agent named on the command line is not edited after all."""
        self.agent = None

    def wrote(self, result: CommitResult, config_path: str) -> None:
        """Write is done: what it stored where, and whether it wrote `config_path`."""
        self.written = True
        self.saved_path = config_path if result.config_written else None
        self.backup = result.backup
        self.older_backups = result.older
        self.stored_where = result.stored_where
