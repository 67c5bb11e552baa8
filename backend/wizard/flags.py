"""The onboarding choices given on the command line (`--provider`, `--auth`, `--model`,
`--profile`, `--agent`), checked once for both the wizard and `--non-interactive`.

Each wrong value is an InputError (exit 2) that says what to write instead, raised before
anything is asked, fetched or written.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.config.schema import check_agent_name, validate
from backend.errors import InputError
from backend.vocabulary import registry
from backend.vocabulary.methods import find_method, methods_for
from backend.vocabulary.selectors import check_model_id, parse_selector


@dataclass(frozen=True)
class Given:
    """The choices named on the command line, checked; None: not given."""

    provider: str | None = None
    method: str | None = None
    model: str | None = None
    profile: str | None = None
    agent: str | None = None

    @property
    def names(self) -> frozenset[str]:
        """The choices given, by the name the step graph knows them (`tui.flow`)."""
        named = {
            "provider": self.provider,
            "auth": self.method,
            "model": self.model,
            "profile": self.profile,
            "agent": self.agent,
        }
        return frozenset(name for name, value in named.items() if value is not None)


def check_given(
    provider: str | None,
    auth: str | None,
    model: str | None,
    profile: str | None,
    agent: str | None,
    *,
    default_provider: str = "anthropic",
) -> Given:
    """Check each choice; `auth` and `model` against `provider`, else `default_provider`
    (the one the run starts from)."""
    if provider is not None:
        registry.get(provider)  # InputError naming the known ones
    chosen = provider or default_provider
    if auth is not None and find_method(chosen, auth) is None:
        offered = ", ".join(m.id for m in methods_for(chosen))
        raise InputError(f"{chosen} has no auth method {auth!r}", f"use one of: {offered}")
    if profile is not None:
        try:
            validate("profile", profile)
        except InputError as exc:
            hint = "e.g. --profile work"
            raise InputError(f"--profile {profile!r}: {exc.message}", hint) from None
    if agent is not None:
        check_agent_name(agent)
    return Given(
        provider=provider,
        method=auth,
        model=model_flag(model, chosen) if model is not None else None,
        profile=profile,
        agent=agent,
    )


def model_flag(text: str, provider: str) -> str:
    """`--model`'s model id for `provider` (a `provider:` prefix must name that one)."""
    prefix, sep, _ = text.strip().partition(":")
    if sep and prefix.lower() in registry.ids():
        selector = parse_selector(text)
        if selector.provider != provider:
            raise InputError(
                f"--model {text} is a {selector.provider} model, but --provider is {provider}",
                "give the model without a provider prefix, or change --provider",
            )
        return selector.model
    if sep and "/" not in prefix:
        # `foo:bar`: a provider prefix that is not one (a `vendor/model:variant` is fine).
        raise InputError(
            f"unknown provider {prefix!r} in --model {text.strip()!r}",
            "the provider must be one of " + ", ".join(registry.ids()) + ", or give no prefix",
        )
    return check_model_id(text.strip())
