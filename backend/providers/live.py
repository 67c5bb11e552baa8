"""Provider checks and model lists: `check()` classifies a credential, `list_models()` lists.

Callers pass an `httpx.Client` to share connections (or none: one is made per call).
All calls block; run them off the UI loop. Each provider's own calls live in the module
its registry entry names (`backend.vocabulary.registry.Provider.module`).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol, cast

import httpx

from backend.errors import ProviderError
from backend.providers.base import (
    Auth,
    CheckFailed,
    CheckResult,
    ModelInfo,
    Outcome,
    key_shape_hint,
)
from backend.providers.endpoints import api_base
from backend.system.header_value import header_problem
from backend.system.http import Wait, client_or_new, reporting_waits
from backend.vocabulary import registry

if TYPE_CHECKING:
    from backend.providers.trust import Endpoint

__all__ = [
    "Auth",
    "CheckResult",
    "ModelInfo",
    "Outcome",
    "check",
    "key_shape_hint",
    "list_models",
]


class ProviderModule(Protocol):
    """What a provider module defines. `base` is the API base the request goes to."""

    def check(self, auth: Auth, base: str, client: httpx.Client) -> CheckResult: ...

    # `auth` is None only for a provider whose list is public (`lists_without_key`).
    def list_models(
        self, auth: Auth | None, base: str, client: httpx.Client
    ) -> list[ModelInfo]: ...


def _known(provider: str) -> registry.Provider:
    found = registry.find(provider)
    if found is None:
        raise ProviderError(
            f"Unknown provider {provider!r}", f"Use one of: {', '.join(registry.ids())}."
        )
    return found


def _module(provider: registry.Provider) -> ProviderModule:
    return cast(ProviderModule, importlib.import_module(provider.module))


def _base(provider: str, endpoint: Endpoint | None, env: Mapping[str, str] | None) -> str:
    """Where the request goes: the provider's own base, or a seal.toml base_url the person
    trusts. Every credentialed call passes here, so an untrusted one never leaves."""
    if endpoint is None:
        return api_base(provider, env)
    if endpoint.provider != provider:
        raise ValueError(f"an endpoint for {endpoint.provider} used for {provider}")
    if not endpoint.usable:
        from backend.providers.trust import UntrustedEndpoint

        raise UntrustedEndpoint([endpoint])
    return endpoint.url


def _unsendable(auth: Auth) -> str:
    """Why `auth` cannot go on the wire, or "": the last guard for a credential from any
    source (each source names itself in its own message first)."""
    problem = header_problem(auth.value)
    if not problem:
        return ""
    return f"The credential contains {problem}, so it cannot be sent"


_RESTORE = "Store it again (seal-setup reauth) with the key copied straight from its source."


def check(
    provider: str,
    auth: Auth,
    *,
    endpoint: Endpoint | None = None,
    env: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
    on_wait: Callable[[Wait], None] | None = None,
) -> CheckResult:
    """Ask the provider whether `auth` works: verified, rejected or unverifiable.

    `endpoint` None: the provider's own base. An untrusted one raises UntrustedEndpoint
    before anything is sent. `on_wait` hears of each pause before a retry (a 429 or 503
    with retry-after), from this thread.
    """
    known = _known(provider)
    base = _base(provider, endpoint, env)
    if not auth.value:
        return CheckResult("rejected", "Nothing to check: the credential is empty", "Paste it.")
    unsendable = _unsendable(auth)
    if unsendable:
        return CheckResult("rejected", unsendable, _RESTORE)
    with client_or_new(client, env) as http, reporting_waits(on_wait):
        return _module(known).check(auth, base, http)


def list_models(
    provider: str,
    auth: Auth | None,
    *,
    endpoint: Endpoint | None = None,
    env: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
    on_wait: Callable[[Wait], None] | None = None,
) -> list[ModelInfo]:
    """The live model list; ProviderError (classified message, hint = cause) on failure.
    `on_wait` as for check()."""
    known = _known(provider)
    base = _base(provider, endpoint, env)
    if auth is None and not known.lists_without_key:
        raise ProviderError(f"{known.label} lists models only for a credential", "Add one first.")
    unsendable = _unsendable(auth) if auth is not None else ""
    if unsendable:
        raise ProviderError(unsendable, _RESTORE)
    try:
        with client_or_new(client, env) as http, reporting_waits(on_wait):
            return _module(known).list_models(auth, base, http)
    except CheckFailed as failed:
        raise ProviderError(failed.result.message, failed.result.cause) from None
