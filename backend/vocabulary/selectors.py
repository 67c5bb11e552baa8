"""Model selectors: the `[provider:]model` text used by roles (DESIGN §4).

Without a provider prefix the provider is inferred from the model id's shape: a model
alias (opus|sonnet|haiku, from the registry) and `claude-*` are Anthropic, `vendor/model`
is OpenRouter, `gpt-*` and `o1…`-style ids are OpenAI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from backend.errors import InputError
from backend.vocabulary import registry

# Model ids seen across the three providers: letters, digits and . _ - / : @ (OpenRouter
# variants such as `:free`, dated snapshots with `@`). Anything else is a typo or a paste
# accident, and refusing it early keeps garbage out of seal.toml.
_MODEL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/:@+-]*")
_OPENROUTER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._/:@+-]*")
_OPENAI_RE = re.compile(r"(gpt-|chatgpt-|o[0-9])")

_HINT = "write it as provider:model, e.g. anthropic:claude-sonnet-4-6 or openrouter:vendor/model"


@dataclass(frozen=True)
class Selector:
    """A parsed role selector; `explicit` keeps whether the provider was written out."""

    provider: str
    model: str
    explicit: bool

    def __str__(self) -> str:
        return f"{self.provider}:{self.model}" if self.explicit else self.model


def infer_provider(model: str) -> str | None:
    """The provider a bare model id belongs to, or None when its shape says nothing."""
    owner = registry.alias_owner(model)
    if owner is not None:
        return owner.id
    if model.startswith("claude-"):
        return "anthropic"
    if _OPENROUTER_RE.fullmatch(model):
        return "openrouter"
    if _OPENAI_RE.match(model):
        return "openai"
    return None


def _check_model(model: str, original: str) -> None:
    if not model:
        raise InputError(f"model selector {original!r} names no model", _HINT)
    if not _MODEL_RE.fullmatch(model):
        raise InputError(
            f"model selector {original!r} contains characters a model id cannot have",
            "use the id exactly as the provider lists it (no spaces or quotes)",
        )


def parse_selector(text: str) -> Selector:
    """Parse `[provider:]model`; raises InputError saying what is wrong and how to write it."""
    stripped = text.strip()
    if not stripped:
        raise InputError("model selector is empty", _HINT)
    prefix, sep, rest = stripped.partition(":")
    if sep and prefix.lower() in registry.ids():
        provider = prefix.lower()
        model = rest.strip()
        _check_model(model, stripped)
        if provider == "openrouter" and not _OPENROUTER_RE.fullmatch(model):
            raise InputError(
                f"OpenRouter model {model!r} must be written vendor/model",
                "e.g. openrouter:anthropic/claude-sonnet-4-6",
            )
        return Selector(provider, model, True)
    # A colon after a vendor/model id is an OpenRouter variant (`…:free`), not a prefix.
    if sep and "/" not in prefix:
        raise InputError(
            f"unknown provider {prefix!r} in model selector {stripped!r}",
            "the provider must be one of " + ", ".join(registry.ids()),
        )
    _check_model(stripped, stripped)
    provider_guess = infer_provider(stripped)
    if provider_guess is None:
        raise InputError(f"cannot tell which provider serves model {stripped!r}", _HINT)
    return Selector(provider_guess, stripped, False)


def check_model_id(model: str) -> str:
    """Return `model` if it has the shape of a model id, else raise InputError."""
    _check_model(model, model)
    return model
