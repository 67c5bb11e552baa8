"""The model catalog: models.dev's facts (`models_dev`) with Seal's overlay on top
(`overlay`), merged with live lists, plus the seal.toml setting rules that depend on a
model (DESIGN §4).

A live list says which models exist; the bundled entry fills in whatever the live one
leaves out (OpenAI's list has ids only, older Anthropic responses lack capabilities).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from typing import Any

from backend.config.schema import (
    CACHE_RETENTION,
    EFFORT_LEVELS,
    MIN_THINKING_BUDGET,
    OPTION_LABELS,
    SEAL_DEFAULT_THINKING,
    THINKING_MODES,
)
from backend.providers import models_dev, overlay
from backend.providers.base import ModelInfo
from backend.vocabulary import registry
from backend.vocabulary.methods import auth_label, refused_options


def _norm(model_id: str) -> str:
    # OpenRouter writes versions with dots (claude-sonnet-4.6), seal.toml often with dashes.
    return model_id.strip().lower().replace(".", "-")


def _offered(provider: str) -> Callable[[str], bool]:
    """Which of a provider's ids are offered at all (the same rule as its live list)."""
    from backend.providers import openai, openrouter

    if provider == openai.PROVIDER:
        return openai.is_chat_model
    if provider == openrouter.PROVIDER:
        return lambda model_id: not openrouter.is_router_id(model_id)
    return lambda model_id: True


_BUILT: dict[tuple[str, str, str], dict[str, tuple[ModelInfo, ...]]] = {}


def _bundled_models(copy: models_dev.Copy) -> dict[str, tuple[ModelInfo, ...]]:
    # Built once per copy: the shipped snapshot, or the cached live copy when newer.
    key = (copy.origin, copy.data_as_of, copy.made_from)
    built = _BUILT.get(key)
    if built is None:
        layer = overlay.load()
        built = {p: tuple(models_dev.models(copy, p, layer, _offered(p))) for p in registry.ids()}
        _BUILT[key] = built
    return built


def _present(value: object) -> bool:
    return value not in (None, "", ())


def merge_model(live: ModelInfo, bundled: ModelInfo | None) -> ModelInfo:
    """Live fields win where present; the bundled entry fills the gaps."""
    if bundled is None:
        return live
    changes: dict[str, Any] = {}
    for f in fields(ModelInfo):
        if f.name in ("provider", "id", "source", "aliases", "context_1m"):
            continue
        if not _present(getattr(live, f.name)) and _present(getattr(bundled, f.name)):
            changes[f.name] = getattr(bundled, f.name)
    # A live list cannot say "1M via beta" (Sonnet 4/4.5); the bundled flag can.
    changes["context_1m"] = live.context_1m or bundled.context_1m
    aliases = tuple(dict.fromkeys((*live.aliases, *bundled.aliases, bundled.id)))
    changes["aliases"] = tuple(a for a in aliases if a != live.id)
    return replace(live, **changes)


def _created_key(model: ModelInfo) -> str:
    return model.created or ""


class Catalog:
    """Models per provider, newest / most useful first. Immutable: `merged` returns a new one."""

    def __init__(
        self,
        models: Mapping[str, Iterable[ModelInfo]],
        sources: Mapping[str, str] | None = None,
        facts_from: str = "",
    ) -> None:
        self._models = {p: tuple(models.get(p, ())) for p in {*registry.ids(), *models}}
        self._sources = {p: (sources or {}).get(p, "bundled") for p in self._models}
        self._index: dict[str, dict[str, ModelInfo]] = {}
        # Where the facts come from ("models.dev snapshot shipped with seal-setup, data of …").
        self.facts_from = facts_from

    @classmethod
    def bundled(cls, env: Mapping[str, str] | None = None) -> Catalog:
        """models.dev's facts with the overlay on top: the shipped snapshot, or the live
        copy `seal-setup models --refresh` cached when it is newer (built once per copy)."""
        copy = models_dev.current(env)
        return cls(_bundled_models(copy), facts_from=copy.describe())

    def source(self, provider: str) -> str:
        """ "live" when a live list was merged for `provider`, else "bundled"."""
        return self._sources.get(provider, "bundled")

    def models(self, provider: str) -> list[ModelInfo]:
        return list(self._models.get(provider, ()))

    def _lookup(self, provider: str) -> dict[str, ModelInfo]:
        index = self._index.get(provider)
        if index is None:
            index = {}
            # Later names never override earlier ones: exact ids first, then aliases.
            for model in self._models.get(provider, ()):
                index.setdefault(model.id, model)
            for model in self._models.get(provider, ()):
                for name in (*model.aliases, model.id):
                    index.setdefault(name, model)
                    index.setdefault(_norm(name), model)
            self._index[provider] = index
        return index

    def find(self, provider: str, model_id: str) -> ModelInfo | None:
        """By id, a known alias (dated snapshot) or a dot/dash-insensitive id."""
        index = self._lookup(provider)
        return index.get(model_id) or index.get(_norm(model_id))

    def resolve_alias(self, alias: str, provider: str | None = None) -> str | None:
        """A model alias (Anthropic's opus | sonnet | haiku) → the newest id of that line;
        None when `alias` is none (or, with `provider`, not one of that provider's)."""
        line = alias.strip().lower()
        owner = registry.alias_owner(line)
        if owner is None or provider not in (None, owner.id):
            return None
        for model in self._models.get(owner.id, ()):
            if model.line == line:
                return model.id
        return None

    def routed(self, router: str, vendor: str, model: str) -> str | None:
        """`vendor`'s `model` as `router` (OpenRouter) lists it, `vendor/model`: an alias
        (opus | sonnet | haiku) is the newest of its line there; None when not listed."""
        prefix = f"{vendor}/"
        line = model.strip().lower()
        if registry.alias_owner(line) is not None:
            # The vendor's own newest of the line that the router lists: the router's
            # variants of it (`-fast`, `:thinking`) are other products, never "opus".
            for info in self._models.get(vendor, ()):
                if info.line == line and (found := self.find(router, prefix + info.id)):
                    return found.id
            return None
        found = self.find(router, prefix + model)
        return found.id if found is not None else None

    def merged(self, provider: str, live: list[ModelInfo]) -> Catalog:
        """A new catalog whose `provider` list is `live`, enriched from this one.

        The live list decides which models exist (a model it lacks is not offered to
        this credential); an empty live list changes nothing.
        """
        if not live:
            return self
        enriched = [merge_model(m, self.find(provider, m.id)) for m in live]
        # Newest first: Anthropic already sends that order, OpenAI's order is arbitrary.
        # The sort is stable, so models without a date keep the provider's order.
        if any(m.created for m in enriched):
            enriched.sort(key=_created_key, reverse=True)
        models = dict(self._models)
        models[provider] = tuple(enriched)
        sources = dict(self._sources)
        sources[provider] = "live"
        return Catalog(models, sources, self.facts_from)


# --- setting rules ----------------------------------------------------------------------

# Messages name options the way people read them (OPTION_LABELS), never by their keys.
_THINKING, _BUDGET = OPTION_LABELS["thinking"], OPTION_LABELS["thinking_budget"]
_MAX_TOKENS, _CACHE = OPTION_LABELS["max_tokens"], OPTION_LABELS["cache_retention"]
_EFFORT, _CONTEXT_1M = OPTION_LABELS["effort"], OPTION_LABELS["context_1m"]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def effort_choices(model: ModelInfo | None) -> tuple[str, ...]:
    """The effort levels `model` takes, in EFFORT_LEVELS order; every level when the
    catalog says nothing about its effort (unknown is not "none")."""
    offered = model.effort if model is not None else ()
    known = tuple(level for level in EFFORT_LEVELS if level in offered)
    return known or EFFORT_LEVELS


def thinking_choices(model: ModelInfo | None) -> tuple[str, ...]:
    """The thinking modes `model` takes: only adaptive on an adaptive-only model, manual
    only where it has budget thinking ("enabled"); every mode when the catalog says nothing."""
    kinds = model.thinking if model is not None else ()
    if not kinds:
        return THINKING_MODES
    if kinds == ("adaptive",):
        return ("adaptive",)
    allowed = {"adaptive": "adaptive" in kinds, "manual": "enabled" in kinds, "disabled": True}
    return tuple(mode for mode in THINKING_MODES if allowed[mode])


def seal_defaults(model: ModelInfo | None) -> dict[str, str]:
    """What Seal applies to `model` when seal.toml leaves thinking and effort unset: its
    default thinking where the model takes it, and the model's default effort."""
    defaults: dict[str, str] = {}
    if model is not None and SEAL_DEFAULT_THINKING in model.thinking:
        defaults["thinking"] = SEAL_DEFAULT_THINKING
    if model is not None and model.default_effort in model.effort:
        defaults["effort"] = str(model.default_effort)
    return defaults


def _int_setting(settings: Mapping[str, Any], name: str, problems: list[str]) -> int | None:
    value = settings.get(name)
    if value is None:
        return None
    label = _capital(OPTION_LABELS.get(name, name))
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{label} must be a whole number of tokens (got {value!r})")
        return None
    if value <= 0:
        problems.append(f"{label} must be above 0 (got {value})")
        return None
    return value


def _join(values: Iterable[str]) -> str:
    return ", ".join(values)


def check_settings(model: ModelInfo | None, settings: Mapping[str, Any], auth: str) -> list[str]:
    """Problems with `[model]` settings for this model and auth method; [] = fine.

    An unknown model (None) or an unknown capability (empty tuple) is not flagged:
    only what the catalog says for certain is. The messages name options and methods
    in words (the Model step and Review show them).
    """
    problems: list[str] = []
    name = model.id if model else "this model"
    refused = refused_options(auth, settings)

    effort = settings.get("effort")
    if effort is not None:
        levels = effort_choices(model)
        if effort not in EFFORT_LEVELS:
            problems.append(
                f"{_capital(_EFFORT)} {effort!r} is not a level — use one of {_join(EFFORT_LEVELS)}"
            )
        elif effort not in levels:
            problems.append(
                f'{_capital(_EFFORT)} "{effort}" is not offered by {name} (it offers '
                f"{_join(levels)}) — pick one of those or leave {_EFFORT} out"
            )

    thinking = settings.get("thinking")
    modes = thinking_choices(model)
    if thinking is not None:
        if thinking not in THINKING_MODES:
            problems.append(
                f"{_capital(_THINKING)} {thinking!r} is not a mode — use one of "
                f"{_join(THINKING_MODES)}"
            )
        elif modes == ("adaptive",) and thinking != "adaptive":
            problems.append(
                f'{name} only takes adaptive thinking ("{thinking}" is refused with a 400) — '
                f"choose adaptive and set {_EFFORT} instead"
            )
        elif thinking not in modes and thinking == "adaptive":
            problems.append(
                f"{name} has no adaptive thinking — use manual thinking with a {_BUDGET}, "
                "or turn thinking off (disabled)"
            )
        elif thinking not in modes:
            problems.append(f"{name} has no budget thinking — use adaptive thinking")

    max_tokens = _int_setting(settings, "max_tokens", problems)
    ceiling = model.max_output if model else None
    if max_tokens is not None and ceiling is not None and max_tokens > ceiling:
        problems.append(
            f"{_capital(_MAX_TOKENS)} {max_tokens:,} is above {name}'s ceiling of {ceiling:,} "
            "— lower it, or leave it empty to use the ceiling"
        )

    budget = _int_setting(settings, "thinking_budget", problems)
    if budget is not None:
        if thinking != "manual":
            problems.append(f"A {_BUDGET} only applies with manual thinking — remove the {_BUDGET}")
        if budget < MIN_THINKING_BUDGET:
            problems.append(
                f"{_capital(_BUDGET)} {budget:,} is below the minimum of "
                f"{MIN_THINKING_BUDGET:,} — raise it"
            )
        limit = max_tokens if max_tokens is not None else ceiling
        if limit is not None and budget >= limit:
            which = _MAX_TOKENS if max_tokens is not None else f"{name}'s max output"
            problems.append(
                f"{_capital(_BUDGET)} {budget:,} must be below {which} ({limit:,}) — lower "
                f"the budget or raise {_MAX_TOKENS}"
            )
    elif thinking == "manual" and "manual" in modes and settings.get("thinking_budget") is None:
        # (A budget given but not a number has its own message above.)
        problems.append(
            f"Manual thinking needs a {_BUDGET} (at least {MIN_THINKING_BUDGET:,} tokens)"
        )

    cache = settings.get("cache_retention")
    if cache is not None:
        if cache not in CACHE_RETENTION:
            problems.append(
                f"{_capital(_CACHE)} {cache!r} is not valid — use one of {_join(CACHE_RETENTION)}"
            )
        elif "cache_retention" in refused:
            problems.append(
                f"{_capital(_CACHE)} works only with an API key, not with {auth_label(auth)} "
                "— remove it or switch to an API key"
            )

    context_1m = settings.get("context_1m")
    if context_1m is not None and not isinstance(context_1m, bool):
        problems.append(f"{_CONTEXT_1M} must be on or off (true or false; got {context_1m!r})")
    elif context_1m:
        if "context_1m" in refused:
            problems.append(
                f"{_CONTEXT_1M} is not available with {auth_label(auth)} — remove it or "
                "switch to an API key"
            )
        if model and not model.context_1m:
            problems.append(f"{name} has no 1M context window — turn {_CONTEXT_1M} off")
    return problems
