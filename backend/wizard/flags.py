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
from backend.vocabulary.selectors import check_model_id, infer_provider, parse_selector


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
    """`--model`'s model id for `provider` (a `provider:` prefix must name that one).

    The id must be one `provider` serves, by DESIGN §4's selector rules: `gpt-5` is
    OpenAI's, `claude-*` Anthropic's, `vendor/model` OpenRouter's; another provider's is
    refused with what to write instead. One exception, as Sinatra routes models (seed
    001): a bare opus | sonnet | haiku with OpenRouter means Claude through OpenRouter,
    and resolves to the newest `anthropic/…` slug of that line.
    """
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
    _not_a_router(text.strip())
    return _served_by(check_model_id(text.strip()), provider)


def _not_a_router(model: str) -> None:
    """OpenRouter's `~` router ids are not offered (the picker does not list them either):
    one names a different model, with other limits, whenever the vendor ships one."""
    from backend.providers.base import line_of
    from backend.providers.openrouter import is_router_id

    if not is_router_id(model):
        return
    line = line_of(model)
    instead = f"--model {line} (the newest {line.title()}, resolved now) or " if line else ""
    raise InputError(
        f"--model {model} is an OpenRouter router id, which moves to another model "
        "without notice; seal-setup writes a model",
        f"write {instead}a model id from `seal-setup models --provider openrouter`",
    )


def _a(label: str) -> str:
    return ("an " if label[:1] in "AEIOU" else "a ") + label


def _served_by(model: str, provider: str) -> str:
    """`model` when `provider` serves it (or its shape says nothing), else InputError."""
    from backend.providers.catalog import Catalog

    owner = infer_provider(model)
    if owner is None or owner == provider:
        return model
    catalog = Catalog.bundled()
    label, owner_label = registry.get(provider).label, registry.get(owner).label
    routed = catalog.routed("openrouter", owner, model) if owner != "openrouter" else None
    if provider == "openrouter":
        if registry.alias_owner(model) is not None and routed is not None:
            return routed  # the seed's exception: Claude through OpenRouter
        raise InputError(
            f"--model {model} is {_a(owner_label)} model, but --provider is openrouter, "
            "which names models vendor/model",
            f"write --model {routed or f'{owner}/{model}'}, or --provider {owner} --model {model}",
        )
    if owner == "openrouter":
        said = f"--model {model} is an OpenRouter vendor/model id, but --provider is {provider}"
        instead = [f"--provider openrouter --model {model}"]
        vendor, _, rest = model.partition("/")
        if vendor == provider:
            direct = catalog.find(provider, rest)
            instead.append(f"--model {direct.id if direct else rest}")
    else:
        said = f"--model {model} is {_a(owner_label)} model, but --provider is {provider}"
        instead = [
            f"--provider {owner} --model {model}",
            f"--provider openrouter --model {routed or f'{owner}/{model}'}",
        ]
    models = catalog.models(provider)
    if models:
        instead.append(f"{_a(label)} model such as {models[0].id}")
    raise InputError(said, "write " + ", or ".join(instead))
