"""The auth methods of DESIGN §2 as data: what each needs, costs, and how it is stored.

Screens render these; the flow and the non-interactive path branch on `kind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MethodId = Literal["api_key", "console_oauth", "oauth", "setup_token", "claude_code", "env"]
# How the wizard obtains the credential, which decides the screen after the method choice.
Acquire = Literal["paste_key", "sign_in", "paste_token", "import", "env"]

SUBSCRIPTION_NOTE = (
    "Anthropic's terms reserve subscription sign-in for Claude Code and Claude.ai; "
    "third-party use may bill as extra usage. An API key is the recommended path."
)

# The same note in one line, for lists where the full sentence would crowd the choices.
SUBSCRIPTION_NOTE_SHORT = "Subscription: Anthropic may bill third-party use as extra usage."

ENV_VAR_FOR_PROVIDER = {
    "anthropic": "ANTHROPIC_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "openai": "OPENAI_API_KEY",
}

PROVIDER_LABELS = {"anthropic": "Anthropic", "openrouter": "OpenRouter", "openai": "OpenAI"}

PROVIDER_BLURBS = {
    "anthropic": "Claude models direct from Anthropic. API key, Console sign-in, or subscription.",
    "openrouter": "Hundreds of models from many vendors behind one OpenRouter key.",
    "openai": "GPT and o-series models direct from OpenAI with an API key.",
}

KEY_PAGES = {
    "anthropic": "https://platform.claude.com/settings/keys",
    "openrouter": "https://openrouter.ai/settings/keys",
    "openai": "https://platform.openai.com/api-keys",
}


@dataclass(frozen=True)
class AuthMethod:
    """One way to authenticate with one provider."""

    id: MethodId
    label: str
    summary: str  # what it needs and what it costs, one line
    acquire: Acquire
    subscription: bool = False
    recommended: bool = False

    @property
    def auth_value(self) -> str:
        """What `[model] auth` says: a Console sign-in stores a plain API key."""
        return "api_key" if self.id == "console_oauth" else self.id


_API_KEY = {
    "anthropic": AuthMethod(
        "api_key",
        "API key",
        "Paste an sk-ant-api03-… key from the Console. Pay per token.",
        "paste_key",
        recommended=True,
    ),
    "openrouter": AuthMethod(
        "api_key",
        "API key",
        "Paste an sk-or-v1-… key from openrouter.ai. Pay per token, credits or free tier.",
        "paste_key",
        recommended=True,
    ),
    "openai": AuthMethod(
        "api_key",
        "API key",
        "Paste an sk-proj-… key from platform.openai.com. Pay per token.",
        "paste_key",
        recommended=True,
    ),
}

_ANTHROPIC_EXTRA = (
    AuthMethod(
        "console_oauth",
        "Sign in to the Anthropic Console",
        "Sign in with your browser; seal-setup creates an API key for you. Pay per token.",
        "sign_in",
    ),
    AuthMethod(
        "oauth",
        "Claude Pro/Max sign-in",
        "Sign in with your Claude subscription and paste the code shown. Uses plan limits.",
        "sign_in",
        subscription=True,
    ),
    AuthMethod(
        "setup_token",
        "Claude setup-token",
        "Paste the output of `claude setup-token` (sk-ant-oat01-…, valid about a year).",
        "paste_token",
        subscription=True,
    ),
    AuthMethod(
        "claude_code",
        "Use Claude Code's sign-in",
        "Import the credentials Claude Code saved on this machine. Nothing to paste.",
        "import",
        subscription=True,
    ),
)


def env_method(provider: str) -> AuthMethod:
    """The env-var method: the key stays in the environment, read when Seal runs."""
    var = ENV_VAR_FOR_PROVIDER[provider]
    return AuthMethod(
        "env",
        f"Environment variable {var}",
        f"Seal reads ${var} at run time; nothing is stored by seal-setup.",
        "env",
    )


def methods_for(provider: str) -> list[AuthMethod]:
    """Every method the provider offers, the recommended one first."""
    if provider not in _API_KEY:
        raise KeyError(provider)
    extra = list(_ANTHROPIC_EXTRA) if provider == "anthropic" else []
    return [_API_KEY[provider], *extra, env_method(provider)]


def find_method(provider: str, method_id: str) -> AuthMethod | None:
    """The method with that id for that provider, or None."""
    return next((m for m in methods_for(provider) if m.id == method_id), None)
