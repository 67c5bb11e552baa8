"""What already exists, for the Welcome screen: seal.toml, stored credentials, env keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from backend.credentials.health import kind_label
from backend.errors import InputError, SealError
from backend.vocabulary.registry import ENV_VARS

if TYPE_CHECKING:
    from backend.config.document import SealConfig
    from backend.credentials.record import CredentialRecord
    from backend.providers.trust import Endpoint
    from backend.services import Services
    from backend.wizard.reauth import ReauthTarget
    from backend.wizard.resume import Existing


@dataclass
class Survey:
    """Facts gathered once at start; every error becomes a sentence, never a traceback."""

    config_path: str
    config_exists: bool = False
    config_error: str = ""
    provider: str | None = None
    model: str | None = None
    auth: str | None = None
    profile: str = "default"
    agents: list[str] = field(default_factory=list)
    # What "Re-authenticate" would re-authenticate: the same target `seal-setup reauth`
    # takes from seal.toml (None: seal.toml names no provider, or none it knows).
    reauth: ReauthTarget | None = None
    # [model] base_url as written, and every base_url that is not a provider's own.
    base_url: str | None = None
    endpoints: list[Endpoint] = field(default_factory=list)
    endpoint_error: str = ""
    store_reason: str = ""
    store_error: str = ""
    stored: list[str] = field(default_factory=list)  # "anthropic:default (API key, verified)"
    env_keys: list[str] = field(default_factory=list)
    environment: str = ""
    # Where Claude Code's sign-in file is (None: not there): the Auth step lists it first.
    claude_code: str | None = None
    # What "Set up Seal" starts from: seal.toml's [model] and the stored credentials.
    existing: Existing | None = field(default=None, repr=False)


def survey(services: Services, config_path: str) -> Survey:
    """Blocking (disk, keyring): call from a worker thread."""
    from backend.wizard.resume import read_existing

    facts = Survey(config_path=config_path)
    facts.environment = services.environment().describe()
    config: SealConfig | None = None
    facts.env_keys = [
        var for names in ENV_VARS.values() for var in names if services.env.get(var, "").strip()
    ]
    try:
        loaded = services.load_config(Path(config_path))
        facts.config_exists = loaded.exists
        config = loaded
        folder = Path(config_path).parent
        if not config.exists and not folder.is_dir():
            # Said now, not at the last step when writing fails.
            facts.config_error = (
                f"cannot create {config_path}: the folder {folder} does not exist — "
                "create it first, or pass another --config"
            )
        if config.exists:
            facts.provider = config.get("provider")
            facts.model = config.get("name")
            facts.auth = config.get("auth")
            facts.profile = _profile(config.get("profile"))
            facts.agents = config.agents()
            facts.reauth = _reauth_target(config)
            base_url = config.get("base_url")
            facts.base_url = base_url if isinstance(base_url, str) else None
            try:
                from backend.providers.trust import project_endpoints

                facts.endpoints = project_endpoints(config, services.env)
            except SealError as exc:
                facts.endpoint_error = str(exc)
    except SealError as exc:
        config = None
        facts.config_exists = Path(config_path).exists()
        facts.config_error = str(exc)
    records: list[CredentialRecord] = []
    try:
        choice = services.store_choice()
        facts.store_reason = choice.reason
        records = choice.store.list()
        for record in records:
            state = "verified" if record.verified_at else "unverified"
            if record.stale:
                state = "rejected last time"
            facts.stored.append(f"{record.key} ({kind_label(record.kind)}, {state})")
    except SealError as exc:
        facts.store_error = str(exc)
    facts.existing = read_existing(config, records)
    facts.claude_code = _claude_code_file(services)
    return facts


def _claude_code_file(services: Services) -> str | None:
    """Claude Code's credentials file, if there is one. Only whether it exists: reading it
    (and on macOS the keychain, which may ask for a password) waits for that method's step."""
    from backend.credentials.claude_code import display_path

    path = services.claude_code_path()
    try:
        return display_path(path, services.env) if path.is_file() else None
    except OSError:
        return None


def _profile(value: object) -> str:
    """seal.toml's profile when it is a valid one (the file is untrusted), else the default."""
    from backend.config.schema import profile_problem

    return value if isinstance(value, str) and not profile_problem(value) else "default"


def _reauth_target(config: SealConfig) -> ReauthTarget | None:
    from backend.wizard.reauth import reauth_target

    try:
        return reauth_target(config)
    except InputError:  # no provider to re-authenticate: Welcome offers none
        return None
