"""The overlay (assets/models_overlay.toml) against the models.dev data it sits on: every
id exists, no fact contradicts the data, every entry names its source; and every fact the
Model screen shows traces to models.dev or to the overlay."""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any

import pytest

from backend.providers import models_dev, overlay
from backend.providers.catalog import Catalog, seal_defaults


def _overlay_text() -> dict[str, Any]:
    return tomllib.loads(resources.files("assets").joinpath("models_overlay.toml").read_text())


def test_the_shipped_overlay_agrees_with_the_shipped_snapshot() -> None:
    assert overlay.problems(models_dev.snapshot()) == []


def test_every_entry_names_its_source() -> None:
    layer = overlay.load()
    entries = [*layer.defaults.values()] + [
        f for models in layer.models.values() for f in models.values()
    ]
    assert entries and all(len(f.source) > 20 for f in entries)


def _problems_with(provider: str, model_id: str, **facts: Any) -> list[str]:
    data = _overlay_text()
    data.setdefault(provider, {})[model_id] = {"source": "a test says so", **facts}
    return overlay.problems(models_dev.snapshot(), overlay.parse(data))


@pytest.mark.parametrize(
    ("provider", "model_id", "facts", "expected"),
    [
        ("anthropic", "claude-opus-9-9", {"effort": ["high"]}, "not in the models.dev data"),
        ("anthropic", "claude-3-5-haiku-20241022", {"thinking": ["enabled"]}, "does not reason"),
        ("anthropic", "claude-sonnet-4-6", {"effort": ["high", "max"]}, "Opus 4.6+ only"),
        (
            "anthropic",
            "claude-opus-4-7",
            {"effort": ["high"], "default_effort": "xhigh"},
            "not among",
        ),
        ("anthropic", "claude-opus-4-7", {"effort": ["turbo"]}, "not a level"),
        ("anthropic", "claude-opus-4-7", {"thinking": ["fancy"]}, "is not one of"),
        ("anthropic", "claude-opus-4-7", {"context_1m": False}, "context_1m off"),
        ("anthropic", "claude-opus-4-7", {"source": ""}, "no source"),
        # An `ahead` entry for a model the data has now: the copy must go.
        (
            "anthropic",
            "claude-opus-4-7",
            {"ahead": True, "context": 1, "max_output": 1, "release_date": "2026-01-01"},
            "has it now",
        ),
        ("anthropic", "claude-opus-9-9", {"ahead": True, "context": 1}, "needs max_output"),
    ],
)
def test_each_kind_of_disagreement_is_found(
    provider: str, model_id: str, facts: dict[str, Any], expected: str
) -> None:
    problems = _problems_with(provider, model_id, **facts)
    assert any(expected in p and model_id in p for p in problems), problems


def test_every_fact_on_the_model_screen_traces_to_models_dev_or_the_overlay() -> None:
    catalog = Catalog.bundled()
    data = models_dev.snapshot()
    layer = overlay.load()
    for provider, models in data.providers.items():
        for model in catalog.models(provider):
            facts = layer.facts(provider, model.id)
            entry = models.get(model.id)
            if entry is None:  # only the overlay's `ahead` models are not in the data
                assert facts is not None and facts.ahead is not None, model.id
                assert model.context == facts.ahead["context"]
                continue
            limit, cost = entry.get("limit", {}), entry.get("cost", {})
            assert model.context == (limit.get("context") or None), model.id
            assert model.max_output == (limit.get("output") or None), model.id
            assert model.price_in == cost.get("input"), model.id
            assert model.price_out == cost.get("output"), model.id
            assert model.created == entry.get("release_date"), model.id
            reasoning = layer.reasoning_defaults(provider) if entry.get("reasoning") else None
            want_effort = (
                facts.effort
                if facts and facts.effort is not None
                else ((reasoning.effort or ()) if reasoning else ())
            )
            assert model.effort == tuple(want_effort), model.id
            assert model.context_1m == bool(facts and facts.context_1m), model.id


def test_seal_defaults_follow_seal_docs() -> None:
    """Seed 000: thinking defaults to adaptive; Opus 4.7 defaults to xhigh; older models
    to high; a model without adaptive thinking gets no thinking default."""
    catalog = Catalog.bundled()

    def defaults(model_id: str) -> dict[str, str]:
        return seal_defaults(catalog.find("anthropic", model_id))

    assert defaults("claude-opus-4-7") == {"thinking": "adaptive", "effort": "xhigh"}
    assert defaults("claude-opus-4-6") == {"thinking": "adaptive", "effort": "high"}
    assert defaults("claude-haiku-4-5") == {}
    assert "max" not in catalog.find("anthropic", "claude-sonnet-4-6").effort  # type: ignore[union-attr]
