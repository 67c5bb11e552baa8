"""The providers Seal can use, as one table: every fact about a provider is written here once.

Ids, labels, the credential variables in the order Seal reads them, the base URL and the
variable that overrides it, where a person gets a key, the key formats it issues, the auth
methods it offers, and the module (in `backend.providers`) that checks a credential and
lists models. Everything else asks this table; adding a provider is one entry here plus
that module.

Lookups read `PROVIDERS` when called (nothing copies it at import), so every caller sees
the same table. The module imports nothing heavy: the first screen reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, TypeVar

from backend.errors import InputError

# What a key format is good for: `key` and `token` call models (an API key, a subscription
# token sent as Bearer); `admin` keys manage an organisation, `refresh` tokens only renew
# a sign-in. Neither of the last two can call models.
KeyUse = Literal["key", "token", "admin", "refresh"]

# The lines of Claude models; each is also an alias for the newest model of its line.
CLAUDE_LINES = ("opus", "sonnet", "haiku")
SETUP_TOKEN_MIN = 80  # OpenClaw's ANTHROPIC_SETUP_TOKEN_MIN_LENGTH; real ones are ~108


@dataclass(frozen=True)
class KeyFormat:
    """One prefix a provider's keys or tokens start with, and what such a value is."""

    prefix: str
    name: str  # "an Anthropic API key": what a value with this prefix is
    use: KeyUse = "key"
    chars: tuple[int, int] | None = None  # plausible (min, max) length of a whole one
    typical: str = ""  # "about 108": said when a paste is shorter than `chars` allows
    note: str = ""  # said when a paste has this prefix, though it may still work


@dataclass(frozen=True)
class Provider:
    """Everything seal-setup knows about one provider that is not code."""

    id: str
    label: str
    blurb: str  # one line for the Provider step
    key_env: str  # the variable Seal reads an API key from
    base_url_env: str  # SEAL_*_BASE_URL: the person's own override of `default_base_url`
    default_base_url: str
    key_page: str  # where a person creates a key (the one address every message names)
    key_wanted: str  # "an Anthropic API key (sk-ant-api03-…)": what the API-key step wants
    key_summary: str  # the API-key line of the Auth-method step
    keys: tuple[KeyFormat, ...]
    methods: tuple[
        str, ...
    ]  # backend.vocabulary.methods ids, in the order the Auth-method step lists
    module: str  # defines check(auth, base, client) and list_models(auth, base, client)
    # Variables holding a subscription token (sent as Bearer); they outrank `key_env`.
    token_env: tuple[str, ...] = ()
    # A value with this prefix is a subscription token in whichever variable it is found
    # (pi-ai's isOAuthToken rule).
    token_prefix: str = ""
    # Short names for the newest model of a line (seal.toml `name = "sonnet"`).
    model_aliases: tuple[str, ...] = ()
    lists_without_key: bool = False  # its model list is public

    @property
    def env_vars(self) -> tuple[str, ...]:
        """The credential variables, highest precedence first (DESIGN §3)."""
        return (*self.token_env, self.key_env)

    @property
    def key_page_shown(self) -> str:
        """The key page as a message writes it: `platform.openai.com/api-keys`."""
        return self.key_page.removeprefix("https://")

    @property
    def family(self) -> KeyFormat:
        """The broadest of its formats (`sk-ant-`): "an Anthropic key" in general."""
        return min(self.keys, key=lambda f: len(f.prefix))

    def seal_reads(self, bearer: bool) -> str:
        """The variable Seal reads a credential from: a subscription token (sent as Bearer)
        from the first token variable, anything else from `key_env`."""
        return self.token_env[0] if bearer and self.token_env else self.key_env

    def outranking(self, name: str | None) -> tuple[str, ...]:
        """The variables Seal reads before `name`, so that one set in the environment wins
        over it; every variable when `name` is None (a source after all of them, such as
        Claude Code's own sign-in) or not one of this provider's."""
        names = self.env_vars
        if name is None or name not in names:
            return names
        return names[: names.index(name)]

    def is_token_variable(self, name: str, value: str) -> bool:
        """True when variable `name` holding `value` goes as a Bearer subscription token."""
        if name in self.token_env:
            return True
        return bool(self.token_prefix) and value.startswith(self.token_prefix)


ANTHROPIC = Provider(
    id="anthropic",
    label="Anthropic",
    blurb="Claude models direct from Anthropic. API key, Console sign-in, or subscription.",
    key_env="ANTHROPIC_API_KEY",
    token_env=("CLAUDE_CODE_OAUTH_TOKEN",),
    token_prefix="sk-ant-oat",
    base_url_env="SEAL_ANTHROPIC_BASE_URL",
    default_base_url="https://api.anthropic.com",
    key_page="https://platform.claude.com/settings/keys",
    key_wanted="an Anthropic API key (sk-ant-api03-…)",
    key_summary="Paste an sk-ant-api03-… key from the Console. Pay per token.",
    keys=(
        KeyFormat("sk-ant-admin01-", "an Anthropic Admin key", "admin"),
        KeyFormat("sk-ant-api03-", "an Anthropic API key", "key", (100, 200), "about 108"),
        KeyFormat(
            "sk-ant-oat01-",
            "an Anthropic subscription token (setup-token)",
            "token",
            (SETUP_TOKEN_MIN, 300),
            f"at least {SETUP_TOKEN_MIN}",
        ),
        KeyFormat("sk-ant-ort01-", "an Anthropic OAuth refresh token", "refresh"),
        KeyFormat(
            "sk-ant-",
            "an Anthropic key",
            "key",
            (40, 200),
            "about 108",
            note="not the usual sk-ant-api03- prefix; the live check will tell if it works",
        ),
    ),
    methods=("api_key", "console_oauth", "oauth", "setup_token", "claude_code", "env"),
    module="backend.providers.anthropic",
    model_aliases=CLAUDE_LINES,
)

OPENROUTER = Provider(
    id="openrouter",
    label="OpenRouter",
    blurb="Hundreds of models from many vendors behind one OpenRouter key.",
    key_env="OPENROUTER_API_KEY",
    base_url_env="SEAL_OPENROUTER_BASE_URL",
    default_base_url="https://openrouter.ai/api/v1",
    key_page="https://openrouter.ai/settings/keys",
    key_wanted="an OpenRouter key (sk-or-v1-…)",
    key_summary="Paste an sk-or-v1-… key from openrouter.ai. Pay per token, credits or free tier.",
    keys=(
        KeyFormat("sk-or-v1-", "an OpenRouter key", "key", (60, 120), "about 73"),
        KeyFormat("sk-or-", "an OpenRouter key", "key", (40, 120), "about 73"),
    ),
    methods=("api_key", "env"),
    module="backend.providers.openrouter",
    lists_without_key=True,
)

OPENAI = Provider(
    id="openai",
    label="OpenAI",
    blurb="GPT and o-series models direct from OpenAI with an API key.",
    key_env="OPENAI_API_KEY",
    base_url_env="SEAL_OPENAI_BASE_URL",
    default_base_url="https://api.openai.com/v1",
    key_page="https://platform.openai.com/api-keys",
    key_wanted="an OpenAI key (sk-proj-…, sk-svcacct-… or sk-…)",
    key_summary="Paste an sk-proj-… key from platform.openai.com. Pay per token.",
    keys=(
        KeyFormat("sk-svcacct-", "an OpenAI service-account key", "key", (80, 400), "about 160"),
        KeyFormat("sk-admin-", "an OpenAI Admin key", "admin"),
        KeyFormat("sk-proj-", "an OpenAI project key", "key", (80, 400), "about 160"),
        KeyFormat("sk-", "an OpenAI key", "key", (40, 400), "at least 40"),
    ),
    methods=("api_key", "env"),
    module="backend.providers.openai",
)

# The table, in the order the Provider step lists it. Read-only: a test that needs another
# provider replaces the whole mapping (and gets it back afterwards).
PROVIDERS: Mapping[str, Provider] = MappingProxyType(
    {p.id: p for p in (ANTHROPIC, OPENROUTER, OPENAI)}
)


def ids() -> tuple[str, ...]:
    """Every provider id, in table order."""
    return tuple(PROVIDERS)


def providers() -> tuple[Provider, ...]:
    """Every provider, in table order."""
    return tuple(PROVIDERS.values())


def find(provider_id: str) -> Provider | None:
    """The provider with that id, or None."""
    return PROVIDERS.get(provider_id)


def get(provider_id: str) -> Provider:
    """The provider with that id; InputError naming the known ones otherwise."""
    found = PROVIDERS.get(provider_id)
    if found is None:
        raise InputError(f"unknown provider {provider_id!r}", f"use one of: {', '.join(ids())}")
    return found


def alias_owner(name: str) -> Provider | None:
    """The provider for which `name` (exactly as written) is a model alias, or None."""
    return next((p for p in PROVIDERS.values() if name in p.model_aliases), None)


_formats: tuple[Mapping[str, Provider] | None, tuple[tuple[Provider, KeyFormat], ...]] = (None, ())


def key_formats() -> tuple[tuple[Provider, KeyFormat], ...]:
    """Every provider's key formats with their provider, the longest prefix first (so the
    first one a value starts with is the most specific)."""
    global _formats
    table, found = _formats
    if table is not PROVIDERS:
        pairs = [(p, f) for p in PROVIDERS.values() for f in p.keys]
        found = tuple(sorted(pairs, key=lambda pair: -len(pair[1].prefix)))
        _formats = (PROVIDERS, found)
    return found


def key_format(value: str) -> tuple[Provider, KeyFormat] | None:
    """The most specific known format `value` starts with, and whose it is; or None."""
    return next(((p, f) for p, f in key_formats() if value.startswith(f.prefix)), None)


T = TypeVar("T")


class _ByProvider(Mapping[str, T]):
    """A read-only view of one fact of every provider, keyed by id, read when used."""

    def __init__(self, fact: Callable[[Provider], T]) -> None:
        self._fact = fact

    def __getitem__(self, provider_id: str) -> T:
        return self._fact(PROVIDERS[provider_id])

    def __iter__(self) -> Iterator[str]:
        return iter(PROVIDERS)

    def __len__(self) -> int:
        return len(PROVIDERS)


# Views for the callers that look a fact up by provider id.
PROVIDER_LABELS: Mapping[str, str] = _ByProvider(lambda p: p.label)
ENV_VARS: Mapping[str, tuple[str, ...]] = _ByProvider(lambda p: p.env_vars)
KEY_ENV_VARS: Mapping[str, str] = _ByProvider(lambda p: p.key_env)
