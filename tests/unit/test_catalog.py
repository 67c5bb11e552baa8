"""The bundled catalog, merging live lists, aliases, and the DESIGN §4 setting rules."""

from __future__ import annotations

from dataclasses import replace

import pytest

from backend.config.schema import EFFORT_LEVELS, THINKING_MODES
from backend.providers.base import ModelInfo
from backend.providers.catalog import (
    Catalog,
    check_settings,
    effort_choices,
    merge_model,
    thinking_choices,
)
from backend.vocabulary import registry
from backend.vocabulary.methods import auth_label


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.bundled()


def test_bundled_lineup(catalog: Catalog) -> None:
    ids = [m.id for m in catalog.models("anthropic")]
    for model_id in (
        "claude-haiku-4-5",
        "claude-sonnet-4-6",
        "claude-opus-4-6",
        "claude-opus-4-7",
        "claude-opus-4-8",
        "claude-opus-4-5",
        "claude-sonnet-4-5",
    ):
        assert model_id in ids
    assert ids[0] == "claude-opus-4-8"
    assert {m.id for m in catalog.models("openai")} >= {"gpt-5", "gpt-5-mini", "gpt-4.1", "o3"}
    assert any(m.id.startswith("meta-llama/") for m in catalog.models("openrouter"))
    assert catalog.source("anthropic") == "bundled"
    for provider in registry.ids():
        for model in catalog.models(provider):
            assert model.source == "bundled"
            assert model.context and model.max_output, model.id


def test_bundled_is_cached(catalog: Catalog) -> None:
    assert Catalog.bundled().models("anthropic") == catalog.models("anthropic")


def test_model_details(catalog: Catalog) -> None:
    opus = catalog.find("anthropic", "claude-opus-4-7")
    assert opus is not None
    assert opus.thinking == ("adaptive",)
    assert "max" in opus.effort
    assert opus.context == 1_000_000
    haiku = catalog.find("anthropic", "claude-haiku-4-5")
    assert haiku is not None
    assert haiku.thinking == ("enabled",)
    assert (haiku.price_in, haiku.price_out) == (1.0, 5.0)
    assert haiku.line == "haiku"


def test_find_by_alias_and_dots(catalog: Catalog) -> None:
    haiku = catalog.find("anthropic", "claude-haiku-4-5-20251001")
    assert haiku is not None and haiku.id == "claude-haiku-4-5"
    sonnet = catalog.find("openrouter", "anthropic/claude-sonnet-4-6")
    assert sonnet is not None and sonnet.id == "anthropic/claude-sonnet-4.6"
    assert catalog.find("anthropic", "claude-nonexistent") is None
    assert catalog.find("nope", "x") is None


def test_resolve_alias(catalog: Catalog) -> None:
    assert catalog.resolve_alias("opus") == "claude-opus-4-8"
    assert catalog.resolve_alias("Sonnet") == "claude-sonnet-4-6"
    assert catalog.resolve_alias("haiku") == "claude-haiku-4-5"
    assert catalog.resolve_alias("gpt") is None


def test_merge_live_wins_and_bundled_fills(catalog: Catalog) -> None:
    live = [
        ModelInfo(
            "anthropic",
            "claude-opus-4-9",
            "Claude Opus 4.9",
            created="2026-09-01T00:00:00Z",
            context=1_000_000,
            max_output=128_000,
            thinking=("adaptive",),
            source="live",
            line="opus",
        ),
        ModelInfo(
            "anthropic",
            "claude-haiku-4-5-20251001",
            created="2025-10-15T00:00:00Z",
            max_output=32_000,
            source="live",
            line="haiku",
        ),
    ]
    merged = catalog.merged("anthropic", live)
    assert merged is not catalog
    assert merged.source("anthropic") == "live"
    assert merged.source("openai") == "bundled"
    assert catalog.source("anthropic") == "bundled"  # the original is unchanged
    assert [m.id for m in merged.models("anthropic")] == [
        "claude-opus-4-9",
        "claude-haiku-4-5-20251001",
    ]
    haiku = merged.find("anthropic", "claude-haiku-4-5")  # found through the alias
    assert haiku is not None
    assert haiku.id == "claude-haiku-4-5-20251001"
    assert haiku.max_output == 32_000  # live wins
    assert haiku.context == 200_000  # bundled fills
    assert haiku.price_in == 1.0
    assert haiku.display_name == "Claude Haiku 4.5"
    assert haiku.source == "live"
    assert merged.resolve_alias("opus") == "claude-opus-4-9"
    assert merged.models("openai") == catalog.models("openai")


def test_merge_sorts_by_created_and_keeps_undated_order(catalog: Catalog) -> None:
    live = [
        ModelInfo("openai", "o3", created="2025-04-16T00:00:00Z", source="live"),
        ModelInfo("openai", "gpt-5", created="2025-08-07T00:00:00Z", source="live"),
        ModelInfo("openai", "custom", source="live"),
    ]
    merged = catalog.merged("openai", live)
    assert [m.id for m in merged.models("openai")] == ["gpt-5", "o3", "custom"]
    gpt5 = merged.find("openai", "gpt-5")
    assert gpt5 is not None and gpt5.context == 400_000
    assert catalog.merged("openai", []) is catalog


def test_merge_model_context_1m_from_bundled() -> None:
    live = ModelInfo("anthropic", "claude-sonnet-4-5", context=200_000, source="live")
    bundled = ModelInfo("anthropic", "claude-sonnet-4-5", context_1m=True, aliases=("x",))
    merged = merge_model(live, bundled)
    assert merged.context_1m is True
    assert merged.aliases == ("x",)
    assert merge_model(live, None) is live


# --- rules -------------------------------------------------------------------------------


def model(catalog: Catalog, model_id: str) -> ModelInfo:
    found = catalog.find("anthropic", model_id)
    assert found is not None
    return found


def test_valid_settings_pass(catalog: Catalog) -> None:
    opus = model(catalog, "claude-opus-4-7")
    settings = {
        "thinking": "adaptive",
        "effort": "max",
        "max_tokens": 64_000,
        "cache_retention": "long",
        "context_1m": True,
    }
    assert check_settings(opus, settings, "api_key") == []
    haiku = model(catalog, "claude-haiku-4-5")
    settings = {"thinking": "manual", "thinking_budget": 8000, "max_tokens": 32_000}
    assert check_settings(haiku, settings, "oauth") == []
    assert check_settings(None, {"effort": "max", "max_tokens": 10**9}, "api_key") == []
    assert check_settings(opus, {}, "claude_code") == []


def test_effort_rules(catalog: Catalog) -> None:
    sonnet = model(catalog, "claude-sonnet-4-6")
    [problem] = check_settings(sonnet, {"effort": "max"}, "api_key")
    assert 'Effort "max" is not offered by claude-sonnet-4-6' in problem
    assert "low, medium, high" in problem
    [problem] = check_settings(sonnet, {"effort": "extreme"}, "api_key")
    assert "not a level" in problem


def test_thinking_rules(catalog: Catalog) -> None:
    opus47 = model(catalog, "claude-opus-4-7")
    problems = check_settings(opus47, {"thinking": "manual", "thinking_budget": 4000}, "api_key")
    assert any("only takes adaptive thinking" in p for p in problems)
    [problem] = check_settings(opus47, {"thinking": "disabled"}, "api_key")
    assert "only takes adaptive" in problem
    haiku = model(catalog, "claude-haiku-4-5")
    [problem] = check_settings(haiku, {"thinking": "adaptive"}, "api_key")
    assert "no adaptive thinking" in problem
    [problem] = check_settings(haiku, {"thinking": "manual"}, "api_key")
    assert "Manual thinking needs a thinking budget" in problem
    [problem] = check_settings(haiku, {"thinking": "sometimes"}, "api_key")
    assert "not a mode" in problem


def test_budget_rules(catalog: Catalog) -> None:
    haiku = model(catalog, "claude-haiku-4-5")
    [problem] = check_settings(haiku, {"thinking": "manual", "thinking_budget": 512}, "api_key")
    assert "below the minimum of 1,024" in problem
    settings = {"thinking": "manual", "thinking_budget": 16_000, "max_tokens": 16_000}
    [problem] = check_settings(haiku, settings, "api_key")
    assert "must be below max tokens (16,000)" in problem
    settings = {"thinking": "manual", "thinking_budget": 64_000}
    [problem] = check_settings(haiku, settings, "api_key")
    assert "max output (64,000)" in problem
    problems = check_settings(haiku, {"thinking": "adaptive", "thinking_budget": 2000}, "x")
    assert len(problems) == 2  # haiku has no adaptive thinking, and a budget needs manual
    assert "A thinking budget only applies with manual thinking" in problems[1]
    [problem] = check_settings(haiku, {"thinking": "manual", "thinking_budget": "lots"}, "x")
    assert "whole number" in problem


def test_max_tokens_ceiling(catalog: Catalog) -> None:
    haiku = model(catalog, "claude-haiku-4-5")
    [problem] = check_settings(haiku, {"max_tokens": 100_000}, "api_key")
    assert "above claude-haiku-4-5's ceiling of 64,000" in problem
    [problem] = check_settings(haiku, {"max_tokens": 0}, "api_key")
    assert "above 0" in problem
    [problem] = check_settings(haiku, {"max_tokens": True}, "api_key")
    assert "whole number" in problem


@pytest.mark.parametrize("auth", ["oauth", "setup_token", "claude_code"])
def test_subscription_auth_rules(catalog: Catalog, auth: str) -> None:
    opus = model(catalog, "claude-opus-4-6")
    problems = check_settings(opus, {"cache_retention": "short", "context_1m": True}, auth)
    assert len(problems) == 2
    label = auth_label(auth)
    assert f"Prompt cache works only with an API key, not with {label}" in problems[0]
    assert f"1M context is not available with {label}" in problems[1]
    assert not any(auth in p or "context_1m" in p or "cache_retention" in p for p in problems)
    assert check_settings(opus, {"cache_retention": "none", "context_1m": False}, auth) == []


def test_context_1m_support(catalog: Catalog) -> None:
    haiku = model(catalog, "claude-haiku-4-5")
    [problem] = check_settings(haiku, {"context_1m": True}, "api_key")
    assert "has no 1M context window" in problem
    sonnet45 = model(catalog, "claude-sonnet-4-5")
    assert check_settings(sonnet45, {"context_1m": True}, "api_key") == []
    [problem] = check_settings(haiku, {"context_1m": "yes"}, "api_key")
    assert "on or off" in problem
    [problem] = check_settings(haiku, {"cache_retention": "forever"}, "api_key")
    assert "none, short, long" in problem


def test_effort_choices_follow_the_model(catalog: Catalog) -> None:
    assert effort_choices(model(catalog, "claude-sonnet-4-6")) == ("low", "medium", "high")
    assert "max" in effort_choices(model(catalog, "claude-opus-4-7"))
    # Nothing known about a model's effort is not "no effort": every level stays.
    assert effort_choices(None) == EFFORT_LEVELS
    unknown = model(catalog, "claude-sonnet-4-6")
    assert effort_choices(replace(unknown, effort=())) == EFFORT_LEVELS
    # The rule check_settings applies is the same one.
    for level in EFFORT_LEVELS:
        offered = level in effort_choices(unknown)
        assert (check_settings(unknown, {"effort": level}, "api_key") == []) == offered


def test_thinking_choices_follow_the_model(catalog: Catalog) -> None:
    assert thinking_choices(model(catalog, "claude-opus-4-7")) == ("adaptive",)
    assert thinking_choices(model(catalog, "claude-haiku-4-5")) == ("manual", "disabled")
    assert thinking_choices(None) == THINKING_MODES
    for name in ("claude-opus-4-7", "claude-haiku-4-5", "claude-sonnet-4-6"):
        found = model(catalog, name)
        for mode in THINKING_MODES:
            settings = {"thinking": mode, "thinking_budget": 2048 if mode == "manual" else None}
            fine = check_settings(found, settings, "api_key") == []
            assert fine == (mode in thinking_choices(found)), (name, mode)


def test_withheld_options_and_auth_label_follow_the_method_table() -> None:
    from backend.vocabulary.methods import API_KEY_ONLY_OPTIONS, METHODS, allows, withheld_options

    for method in METHODS.values():
        withheld = withheld_options(method.auth_value)
        assert withheld == tuple(
            o for o in API_KEY_ONLY_OPTIONS if not allows(method.auth_value, o)
        )
        assert bool(withheld) == method.subscription
    assert auth_label("api_key") == "API key"
    assert auth_label("oauth") == "Claude Pro/Max sign-in"
    assert auth_label("claude_code") == "Claude Code's sign-in"
    assert auth_label("setup_token") == "Claude setup-token"
