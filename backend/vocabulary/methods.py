"""The auth methods of DESIGN §2 as one table: what each needs, costs, writes and stores.

Every fact about a method is here: what `[model] auth` says for it, where its credential
lives (Seal's store, the environment, Claude Code's file), which record kind it gives
(so whether it goes as a Bearer subscription token or as an API key), whether it is a
subscription, and how the wizard acquires it (which decides the step after the choice).
Which methods a provider offers, and its words for them, come from the provider registry
(`backend.vocabulary.registry`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Literal

from backend.vocabulary import registry

# The kinds of a stored credential record (`backend.credentials.record.record`).
RecordKind = Literal["api_key", "setup_token", "oauth"]
# Subscription credentials: sent as Bearer plus the oauth beta, not as an API key.
BEARER_KINDS: tuple[RecordKind, ...] = ("oauth", "setup_token")

MethodId = Literal["api_key", "console_oauth", "oauth", "setup_token", "claude_code", "env"]
# How the wizard obtains the credential, which decides the screen after the method choice.
Acquire = Literal["paste_key", "sign_in", "paste_token", "import", "env"]
# Where the credential is found when Seal runs (backend.credentials.resolution's sources).
Origin = Literal["env", "store", "claude_code"]

# How long a `claude setup-token` lasts, as Claude Code says ("about a year"); the token
# carries no expiry of its own, so `status` estimates it from when it was stored.
SETUP_TOKEN_LIFETIME = timedelta(days=365)

SUBSCRIPTION_NOTE = (
    "Anthropic's terms reserve subscription sign-in for Claude Code and Claude.ai; "
    "third-party use may bill as extra usage. An API key is the recommended path."
)

# The same note in one line, for lists where the full sentence would crowd the choices.
SUBSCRIPTION_NOTE_SHORT = "Subscription: Anthropic may bill third-party use as extra usage."


@dataclass(frozen=True)
class AuthMethod:
    """One way to authenticate (with one provider, once `methods_for` has worded it)."""

    id: MethodId
    label: str
    summary: str  # what it needs and what it costs, one line
    acquire: Acquire
    auth_value: str  # what `[model] auth` says: a Console sign-in stores a plain API key
    origin: Origin
    # The kind of record it gives; None: the variable decides (`Provider.is_token_variable`).
    record_kind: RecordKind | None
    subscription: bool = False
    recommended: bool = False
    # How a sentence names it when the label is an action ("Use Claude Code's sign-in").
    called: str = ""

    @property
    def name(self) -> str:
        """The method as a sentence names it: "you chose Claude Pro/Max sign-in"."""
        return self.called or self.label

    @property
    def stored(self) -> bool:
        """True when seal-setup keeps the credential in its own store."""
        return self.origin == "store"

    @property
    def bearer(self) -> bool | None:
        """True: sent as a Bearer subscription token; False: as an API key; None: the
        variable decides."""
        return None if self.record_kind is None else self.record_kind in BEARER_KINDS


# Every method, in the order the Auth-method step lists them. The api_key and env lines
# are worded per provider by `methods_for`.
METHODS: dict[str, AuthMethod] = {
    m.id: m
    for m in (
        AuthMethod(
            "api_key",
            "API key",
            "Paste an API key. Pay per token.",
            acquire="paste_key",
            auth_value="api_key",
            origin="store",
            record_kind="api_key",
            recommended=True,
        ),
        AuthMethod(
            "console_oauth",
            "Sign in to the Anthropic Console",
            "Sign in with your browser; seal-setup creates an API key for you. Pay per token.",
            acquire="sign_in",
            auth_value="api_key",
            origin="store",
            record_kind="api_key",
        ),
        AuthMethod(
            "oauth",
            "Claude Pro/Max sign-in",
            "Sign in with your Claude subscription and paste the code shown. Uses plan limits.",
            acquire="sign_in",
            auth_value="oauth",
            origin="store",
            record_kind="oauth",
            subscription=True,
        ),
        AuthMethod(
            "setup_token",
            "Claude setup-token",
            "Paste the output of `claude setup-token` (sk-ant-oat01-…, valid about a year).",
            acquire="paste_token",
            auth_value="setup_token",
            origin="store",
            record_kind="setup_token",
            subscription=True,
        ),
        AuthMethod(
            "claude_code",
            "Use Claude Code's sign-in",
            "Import the credentials Claude Code saved on this machine. Nothing to paste.",
            acquire="import",
            auth_value="claude_code",
            origin="claude_code",
            record_kind="oauth",
            subscription=True,
            called="Claude Code's sign-in",
        ),
        AuthMethod(
            "env",
            "Environment variable",
            "Seal reads the variable at run time; nothing is stored by seal-setup.",
            acquire="env",
            auth_value="env",
            origin="env",
            record_kind=None,
        ),
    )
}

# Every method id (the CLI's --auth choices).
METHOD_IDS: tuple[str, ...] = tuple(METHODS)
# The ones whose credential seal-setup keeps in its own store.
STORED_METHODS: tuple[str, ...] = tuple(m.id for m in METHODS.values() if m.stored)
# What seal.toml's `auth` may say (no `console_oauth`: it writes api_key).
AUTH_VALUES: tuple[str, ...] = tuple(dict.fromkeys(m.auth_value for m in METHODS.values()))
# The `auth` values that use a subscription (their settings rules differ).
SUBSCRIPTION_AUTH: tuple[str, ...] = tuple(
    dict.fromkeys(m.auth_value for m in METHODS.values() if m.subscription)
)

# [model] options only an API key can use (Anthropic refuses prompt caching and the 1M
# context window with a subscription token), each with the value that means "off", which
# any method may keep. The rule the Model step, the check, the CLI and re-auth all apply.
API_KEY_ONLY_OPTIONS: dict[str, object] = {"cache_retention": "none", "context_1m": False}


def allows(auth: str | None, option: str) -> bool:
    """True when a table with this `auth` may turn [model] option `option` on."""
    return not (auth in SUBSCRIPTION_AUTH and option in API_KEY_ONLY_OPTIONS)


def refused_options(auth: str | None, settings: Mapping[str, object]) -> list[str]:
    """The options in `settings` that `auth` cannot use (set, and not to their "off"
    value), in the order of API_KEY_ONLY_OPTIONS; [] when all of them can stay."""
    return [
        option
        for option, off in API_KEY_ONLY_OPTIONS.items()
        if not allows(auth, option) and settings.get(option) not in (None, off)
    ]


def withheld_options(auth: str | None) -> tuple[str, ...]:
    """The [model] options a table with this `auth` cannot turn on (by `allows`), in the
    order of API_KEY_ONLY_OPTIONS: the ones the Model step does not offer."""
    return tuple(option for option in API_KEY_ONLY_OPTIONS if not allows(auth, option))


def auth_label(auth: str | None) -> str:
    """How a person reads seal.toml's `auth` value: "API key", "Claude Pro/Max sign-in";
    the first method that writes it names it (a Console sign-in writes an API key)."""
    method = next((m for m in METHODS.values() if m.auth_value == auth), None)
    if method is not None:
        return method.name
    return auth or "no method"  # a value no method writes: the file's own word


def origin_of_auth(auth: str | None) -> Origin:
    """The source seal.toml's `auth` asks for; the store when none (or an unknown one) is given."""
    method = METHODS.get(auth or "")
    return method.origin if method else "store"


def _worded(method: AuthMethod, provider: registry.Provider) -> AuthMethod:
    if method.id == "api_key":
        return replace(method, summary=provider.key_summary)
    if method.id == "env":
        var = provider.key_env
        return replace(
            method,
            label=f"Environment variable {var}",
            summary=f"Seal reads ${var} at run time; nothing is stored by seal-setup.",
        )
    return method


def methods_for(provider: str) -> list[AuthMethod]:
    """Every method the provider offers, the recommended one first; KeyError if unknown."""
    found = registry.find(provider)
    if found is None:
        raise KeyError(provider)
    return [_worded(METHODS[m], found) for m in found.methods]


def find_method(provider: str, method_id: str) -> AuthMethod | None:
    """The method with that id for that provider, or None."""
    return next((m for m in methods_for(provider) if m.id == method_id), None)


def offers(provider: str, acquire: Acquire) -> bool:
    """True when the provider has a method acquired that way (e.g. a browser sign-in)."""
    found = registry.find(provider)
    return found is not None and any(METHODS[m].acquire == acquire for m in found.methods)


def seal_variable(provider: str, method_id: str) -> str:
    """The variable Seal reads the credential of `method_id` from: a subscription token
    (Pro/Max sign-in, setup-token, Claude Code's sign-in) from the provider's token
    variable, an API key (pasted or minted by a Console sign-in) from its key variable;
    for `env`, the key variable the person sets. KeyError for an unknown provider or method.
    """
    found = registry.find(provider)
    if found is None:
        raise KeyError(provider)
    bearer = METHODS[method_id].bearer
    return found.seal_reads(bool(bearer))
