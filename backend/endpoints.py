"""Provider base URLs, overridable from the environment (proxies, the loopback fake in tests).

`env` is a mapping of environment variables; None means `os.environ`. An empty variable
counts as unset, so `SEAL_ANTHROPIC_BASE_URL=` does not point requests at "".
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

ANTHROPIC_API = "https://api.anthropic.com"
CLAUDE_AI = "https://claude.ai"
PLATFORM = "https://platform.claude.com"
OPENROUTER_API = "https://openrouter.ai/api/v1"
OPENAI_API = "https://api.openai.com/v1"

ENV_VARS = {
    "anthropic": "SEAL_ANTHROPIC_BASE_URL",
    "oauth": "SEAL_ANTHROPIC_OAUTH_URL",
    "openrouter": "SEAL_OPENROUTER_BASE_URL",
    "openai": "SEAL_OPENAI_BASE_URL",
}
_DEFAULTS = {"anthropic": ANTHROPIC_API, "openrouter": OPENROUTER_API, "openai": OPENAI_API}

SignInMode = Literal["max", "console"]


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _clean(url: str) -> str:
    return url.strip().rstrip("/")


def api_base(
    provider: str, env: Mapping[str, str] | None = None, base_url: str | None = None
) -> str:
    """The API base for `provider`: `base_url` (seal.toml) > SEAL_*_BASE_URL > default."""
    if provider not in _DEFAULTS:
        raise ValueError(f"unknown provider {provider!r}")
    if base_url and base_url.strip():
        return _clean(base_url)
    value = _env(env).get(ENV_VARS[provider], "")
    return _clean(value) if value.strip() else _DEFAULTS[provider]


def oauth_base(env: Mapping[str, str] | None = None) -> str | None:
    """SEAL_ANTHROPIC_OAUTH_URL, or None when the real hosts are used."""
    value = _env(env).get(ENV_VARS["oauth"], "")
    return _clean(value) if value.strip() else None


@dataclass(frozen=True)
class OAuthEndpoints:
    """Where each sign-in step goes; one override base replaces claude.ai and platform."""

    authorize_max: str
    authorize_console: str
    token: str
    redirect_uri: str

    def authorize(self, mode: SignInMode) -> str:
        return self.authorize_max if mode == "max" else self.authorize_console


def oauth_endpoints(env: Mapping[str, str] | None = None) -> OAuthEndpoints:
    override = oauth_base(env)
    max_host = override or CLAUDE_AI
    platform = override or PLATFORM
    return OAuthEndpoints(
        authorize_max=f"{max_host}/oauth/authorize",
        authorize_console=f"{platform}/oauth/authorize",
        token=f"{platform}/v1/oauth/token",
        redirect_uri=f"{platform}/oauth/code/callback",
    )


def create_api_key_url(env: Mapping[str, str] | None = None) -> str:
    """Console sign-in mints an API key here (on the API host, not the OAuth host)."""
    return f"{api_base('anthropic', env)}/api/oauth/claude_cli/create_api_key"
