"""Real-shaped live lists, served by the fake: what is offered, what a limit of 0, -1 or
null means (unknown: the bundled figure stands), and token counts as people read them."""

from __future__ import annotations

import pytest

from backend.providers import live
from backend.providers.base import Auth, as_limit, token_count
from backend.providers.catalog import Catalog
from tests.fakes.provider import ANTHROPIC_KEY, OPENAI_KEY, OPENROUTER_KEY
from tests.fakes.real_lists import (
    OPENAI_NOT_CHAT,
    OPENROUTER_ROUTERS,
    anthropic_list,
    openai_chat_ids,
    openai_list,
    openrouter_list,
)


@pytest.mark.parametrize(
    ("tokens", "shown"),
    [
        (None, "?"),
        (512, "512"),
        (1024, "1K"),
        (4096, "4K"),
        (8192, "8K"),
        (32_000, "32K"),
        (32_768, "32K"),
        (64_000, "64K"),
        (65_536, "64K"),
        (128_000, "128K"),
        (131_072, "128K"),
        (163_840, "160K"),
        (200_000, "200K"),
        (272_000, "272K"),
        (400_000, "400K"),
        (1_000_000, "1M"),
        (1_047_576, "1M"),
        (1_048_576, "1M"),
        (1_500_000, "1.5M"),
        (2_000_000, "2M"),
        (2_500, "2.5K"),
    ],
)
def test_token_counts_read_naturally(tokens, shown):
    assert token_count(tokens) == shown


@pytest.mark.parametrize(
    ("value", "limit"),
    [
        (0, None),
        (-1, None),
        (None, None),
        ("8192", None),
        (True, None),
        (8192.0, 8192),
        (64_000, 64_000),
    ],
)
def test_a_live_limit_of_zero_minus_one_or_null_is_unknown(value, limit):
    assert as_limit(value) == limit


def test_openai_offers_only_the_chat_models_of_a_real_list(fake_provider):
    fake_provider.model_lists["openai"] = openai_list(150)
    models = live.list_models("openai", Auth("api_key", OPENAI_KEY), env=fake_provider.env())
    offered = {m.id for m in models}
    assert len(openai_list(150)) == 150
    assert offered == openai_chat_ids(150)
    assert not offered & set(OPENAI_NOT_CHAT)
    assert {"gpt-5", "o3", "gpt-4.1", "chatgpt-4o-latest", "gpt-5.1-codex"} <= offered
    assert "ft:gpt-4o-mini-2024-07-18:acme::A1b2C3d4" in offered


def test_openrouter_real_list_limits_prices_and_variants(fake_provider):
    fake_provider.model_lists["openrouter"] = openrouter_list(320)
    models = live.list_models(
        "openrouter", Auth("api_key", OPENROUTER_KEY), env=fake_provider.env()
    )
    by_id = {m.id: m for m in models}
    assert len(models) == 320 - len(OPENROUTER_ROUTERS)
    assert not set(OPENROUTER_ROUTERS) & set(by_id)
    assert by_id["deepseek/deepseek-r1:free"].max_output is None  # null
    assert by_id["deepseek/deepseek-r1:free"].price_in == 0.0
    assert by_id["mistralai/mistral-large-2411"].max_output is None  # -1
    hermes = by_id["nousresearch/hermes-4-70b"]
    assert (hermes.context, hermes.max_output) == (None, None)  # 0 and 0
    assert by_id["anthropic/claude-3.7-sonnet:thinking"].line == "sonnet"
    assert by_id["openrouter/auto"].price_in is None  # "-1": a variable price
    sonnet = by_id["anthropic/claude-sonnet-4.6"]
    assert (sonnet.max_output, sonnet.price_in, sonnet.price_out) == (128_000, 3.0, 15.0)


def test_anthropic_zeros_and_missing_capabilities_fall_back_to_the_bundled_list(fake_provider):
    fake_provider.model_lists["anthropic"] = anthropic_list()
    models = live.list_models("anthropic", Auth("api_key", ANTHROPIC_KEY), env=fake_provider.env())
    by_id = {m.id: m for m in models}
    haiku = by_id["claude-haiku-4-5-20251001"]
    assert (haiku.context, haiku.max_output) == (None, None)
    catalog = Catalog.bundled()
    merged = catalog.merged("anthropic", models)
    bundled = catalog.find("anthropic", "claude-haiku-4-5")
    assert bundled is not None
    merged_haiku = merged.find("anthropic", "claude-haiku-4-5")
    assert merged_haiku is not None
    assert (merged_haiku.context, merged_haiku.max_output) == (bundled.context, bundled.max_output)
    assert merged_haiku.max_output and merged_haiku.max_output > 0
    opus = merged.find("anthropic", "claude-opus-4-7")  # no capabilities: the bundled ones
    bundled_opus = catalog.find("anthropic", "claude-opus-4-7")
    assert opus is not None and bundled_opus is not None
    assert opus.effort == bundled_opus.effort and opus.max_output == bundled_opus.max_output
    assert merged.find("anthropic", "claude-sonnet-4-6").max_output == 128_000  # type: ignore[union-attr]
