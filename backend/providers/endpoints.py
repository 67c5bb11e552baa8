"""Provider base URLs, overridable from the environment (proxies, the loopback fake in tests).

`env` is a mapping of environment variables; None means `os.environ`. An empty variable
counts as unset, so `SEAL_ANTHROPIC_BASE_URL=` does not point requests at "".

Every base a secret may be sent to passes `check_transport`: https, or plain http only to
a loopback host. A base URL written in a project's seal.toml is not taken here at all: it
goes through `backend.providers.trust`, which also asks whether the person trusts it.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from backend.errors import InputError
from backend.vocabulary import registry

# Anthropic's sign-in hosts (API bases are in backend.vocabulary.registry).
CLAUDE_AI = "https://claude.ai"
PLATFORM = "https://platform.claude.com"
# One base that replaces both sign-in hosts (proxies, the loopback fake).
OAUTH_ENV = "SEAL_ANTHROPIC_OAUTH_URL"

SignInMode = Literal["max", "console"]


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def clean_url(url: str) -> str:
    """The form base URLs are compared and used in: no surrounding space, no trailing /."""
    return url.strip().rstrip("/")


def host_of(url: str) -> str:
    """`proxy.example.com` or `127.0.0.1:8080`: what a person recognises in a URL."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return url
    if not host:
        return url
    shown = f"[{host}]" if ":" in host else host
    return f"{shown}:{port}" if port else shown


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 and `localhost`: traffic that never leaves this machine."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(url: str, where: str) -> str:
    """`url` cleaned, or InputError when a secret sent there could be read on the way.

    `where` names the setting in the message (`SEAL_ANTHROPIC_BASE_URL`, `seal.toml
    [model] base_url`).
    """
    cleaned = clean_url(url)
    if not cleaned.isascii() or not cleaned.isprintable() or " " in cleaned:
        # Controls would reach the request line or the terminal; a space is never in a URL.
        raise InputError(
            f"{where} has a space, a control or a non-ASCII character",
            "write it as https://host[:port][/path] in plain ASCII (punycode for hosts)",
        )
    try:
        parts = urlsplit(cleaned)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (a bad port raises here, not in the request)
    except ValueError:
        raise InputError(
            f"{where} is not a usable URL", "write it as https://host[:port][/path]"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise InputError(
            f"{where} is not an http(s) URL with a host", "write it as https://host[:port][/path]"
        )
    if scheme == "http" and not is_loopback(host):
        raise InputError(
            f"{where} uses plain http:// to {host_of(cleaned)}: keys and tokens would cross "
            "the network unencrypted, so seal-setup does not send them there",
            "use https://, or plain http:// only to a proxy on this machine (127.0.0.1, localhost)",
        )
    return cleaned


def api_base(provider: str, env: Mapping[str, str] | None = None) -> str:
    """The API base a credential belongs to: SEAL_*_BASE_URL when set, else the default.

    The environment is the person's own setting, so it needs no trust; it still has to
    pass `check_transport`.
    """
    known = registry.find(provider)
    if known is None:
        raise ValueError(f"unknown provider {provider!r}")
    name = known.base_url_env
    value = _env(env).get(name, "")
    return check_transport(value, name) if value.strip() else known.default_base_url


def oauth_base(env: Mapping[str, str] | None = None) -> str | None:
    """SEAL_ANTHROPIC_OAUTH_URL, or None when the real hosts are used."""
    name = OAUTH_ENV
    value = _env(env).get(name, "")
    return check_transport(value, name) if value.strip() else None


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
