"""Seal's own facts about models, which models.dev does not hold (`assets/models_overlay.toml`):
thinking types, effort levels and the default effort, whether `context_1m` is accepted,
and a model the snapshot does not have yet. `problems` checks the overlay against a copy
of the data (the test and `make models-snapshot` run it).
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from backend.config.schema import EFFORT_LEVELS
from backend.vocabulary import registry

OVERLAY_FILE = "models_overlay.toml"
_THINKING_TYPES = ("adaptive", "enabled")
# The facts an `ahead` entry carries in models.dev's place, by their overlay names.
AHEAD_FACTS = (
    "display_name",
    "family",
    "release_date",
    "context",
    "max_output",
    "price_in",
    "price_out",
    "price_cache_read",
    "price_cache_write",
    "vision",
)


@dataclass(frozen=True)
class Facts:
    """What the overlay says of one model (as a provider's defaults: of its reasoning ones)."""

    thinking: tuple[str, ...] | None = None  # None: the overlay does not say
    effort: tuple[str, ...] | None = None
    default_effort: str | None = None
    context_1m: bool | None = None
    source: str = ""
    ahead: Mapping[str, Any] | None = None  # the facts of a model models.dev lacks


def _strings(value: object) -> tuple[str, ...] | None:
    return tuple(str(v) for v in value) if isinstance(value, list) else None


def _facts(entry: Mapping[str, Any]) -> Facts:
    default = entry.get("default_effort")
    context_1m = entry.get("context_1m")
    return Facts(
        thinking=_strings(entry.get("thinking")),
        effort=_strings(entry.get("effort")),
        default_effort=default if isinstance(default, str) else None,
        context_1m=context_1m if isinstance(context_1m, bool) else None,
        source=str(entry.get("source", "")),
        ahead={k: entry[k] for k in AHEAD_FACTS if k in entry} if entry.get("ahead") else None,
    )


@dataclass(frozen=True)
class Overlay:
    models: Mapping[str, Mapping[str, Facts]]
    defaults: Mapping[str, Facts]

    def facts(self, provider: str, model_id: str) -> Facts | None:
        return self.models.get(provider, {}).get(model_id)

    def reasoning_defaults(self, provider: str) -> Facts:
        """What a reasoning model of `provider` takes when the overlay names it not."""
        return self.defaults.get(provider, Facts())

    def ahead(self, provider: str) -> dict[str, Mapping[str, Any]]:
        return {
            model_id: facts.ahead
            for model_id, facts in self.models.get(provider, {}).items()
            if facts.ahead is not None
        }


def parse(data: Mapping[str, Any]) -> Overlay:
    models: dict[str, dict[str, Facts]] = {}
    defaults: dict[str, Facts] = {}
    for provider in registry.ids():
        section = data.get(provider)
        if not isinstance(section, Mapping):
            continue
        for key, entry in section.items():
            if not isinstance(entry, Mapping):
                continue
            if key == "defaults":
                defaults[provider] = _facts(entry)
            else:
                models.setdefault(provider, {})[key] = _facts(entry)
    return Overlay(models, defaults)


@functools.cache
def load() -> Overlay:
    """The overlay shipped with seal-setup (read once per process)."""
    text = resources.files("assets").joinpath(OVERLAY_FILE).read_text("utf-8")
    return parse(tomllib.loads(text))


def _facts_problems(where: str, facts: Facts) -> list[str]:
    problems: list[str] = []
    if not facts.source.strip():
        problems.append(f"{where}: no source")
    for kind in facts.thinking or ():
        if kind not in _THINKING_TYPES:
            problems.append(f"{where}: thinking {kind!r} is not one of {_THINKING_TYPES}")
    for level in facts.effort or ():
        if level not in EFFORT_LEVELS:
            problems.append(f"{where}: effort {level!r} is not a level")
    if facts.default_effort is not None and facts.default_effort not in (facts.effort or ()):
        problems.append(f"{where}: default effort {facts.default_effort!r} is not among its levels")
    return problems


def problems(copy: Any, overlay: Overlay | None = None) -> list[str]:
    """Every way the overlay disagrees with a models.dev copy (`models_dev.Copy`): an id
    the data lacks, a fact the data contradicts, an entry without a source."""
    overlay = overlay or load()
    found: list[str] = []
    for provider, facts in overlay.defaults.items():
        found += _facts_problems(f"{provider} defaults", facts)
    for provider, entries in overlay.models.items():
        data = copy.providers.get(provider, {})
        for model_id, facts in entries.items():
            where = f"{provider} {model_id}"
            found += _facts_problems(where, facts)
            entry = data.get(model_id)
            if facts.ahead is not None:
                if entry is not None:
                    found.append(
                        f"{where}: models.dev has it now; drop `ahead` and the facts it carries"
                    )
                missing = [
                    k for k in ("context", "max_output", "release_date") if k not in facts.ahead
                ]
                if missing:
                    found.append(f"{where}: an ahead entry needs {', '.join(missing)}")
                continue
            if entry is None:
                found.append(f"{where}: not in the models.dev data")
                continue
            reasoning = entry.get("reasoning") is True
            if (facts.thinking or facts.effort) and not reasoning:
                found.append(
                    f"{where}: thinking/effort given, but models.dev says it does not reason"
                )
            max_effort = "max" in (facts.effort or ())
            if provider == "anthropic" and max_effort and entry.get("family") != "claude-opus":
                found.append(f"{where}: max effort is Opus 4.6+ only (Seal's docs, seed 000)")
            context = (entry.get("limit") or {}).get("context") or 0
            if facts.context_1m is False and context >= 1_000_000:
                found.append(f"{where}: context_1m off, but models.dev gives a {context} context")
    return found
