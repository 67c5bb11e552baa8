"""The Model step on real-shaped live lists: the picker offers what the command line
takes (no OpenRouter `~` router ids, only OpenAI's chat models), and the details line
reads limits naturally, with a live 0 falling back to the bundled figure."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from screens.model import ModelScreen
from screens.widgets.model_picker import ModelPicker
from tests.fakes.provider import OPENAI_KEY, OPENROUTER_KEY, FakeProvider
from tests.fakes.real_lists import (
    OPENROUTER_ROUTERS,
    openai_chat_ids,
    openai_list,
    openrouter_list,
)
from tests.support.steps import start_at
from tests.tui.harness import build, goto, wait_for

SIZE = (120, 40)


async def _model_screen(pilot, provider: str, secret: str) -> ModelScreen:  # type: ignore[no-untyped-def]
    screen = await goto(pilot, "model", provider=provider, method="api_key", secret=secret)
    assert isinstance(screen, ModelScreen)
    await wait_for(pilot, lambda: screen.query("#picker") and screen._model, "model list")
    return screen


def _details(screen: ModelScreen) -> str:
    return str(screen.query_one("#model-details", Static).render())


async def test_openrouter_picker_lists_no_router_ids_and_reads_limits_naturally(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    fake_provider.model_lists["openrouter"] = openrouter_list(320)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", provider="openrouter", secret=OPENROUTER_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await _model_screen(pilot, "openrouter", OPENROUTER_KEY)
        picker = screen.query_one("#picker", ModelPicker)
        ids = [m.id for m in picker._models]
        assert len(ids) == 320 - len(OPENROUTER_ROUTERS)
        assert not set(OPENROUTER_ROUTERS) & set(ids)
        await wait_for(pilot, lambda: picker.select("google/gemini-2.5-pro"), "gemini")
        gemini = "context 1M · max output 64K"  # 1,048,576 and 65,536
        await wait_for(pilot, lambda: _details(screen).startswith(gemini), "gemini's details")
        assert "$1.25 in / $10 out per 1M tokens" in _details(screen)
        await wait_for(pilot, lambda: picker.select("nousresearch/hermes-4-70b"), "hermes")
        # Live 0 and 0 are unknown, not a ceiling of 0: models.dev's 131,072 shows.
        await wait_for(
            pilot, lambda: "context 128K · max output 128K" in _details(screen), "models.dev's"
        )


async def test_openai_picker_offers_only_chat_models(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    fake_provider.model_lists["openai"] = openai_list(150)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", provider="openai", secret=OPENAI_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await _model_screen(pilot, "openai", OPENAI_KEY)
        picker = screen.query_one("#picker", ModelPicker)
        assert {m.id for m in picker._models} == openai_chat_ids(150)


async def test_the_model_step_says_where_facts_come_from_and_which_defaults_seal_applies(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    """At 80×24: one line says the live list and the models.dev copy (with its date) the
    facts come from; the details mark adaptive thinking and the model's default effort."""
    from backend.providers import models_dev
    from tests.fakes.provider import ANTHROPIC_KEY

    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", provider="anthropic", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=(80, 24)) as pilot:
        screen = await _model_screen(pilot, "anthropic", ANTHROPIC_KEY)
        source = screen.query_one("#catalog-source", Static)
        text = str(source.render())
        assert text.startswith("Live list from Anthropic: ")
        assert text.endswith(f" models · {models_dev.snapshot().describe()}")
        assert source.region.height == 1  # one line at 80 columns
        picker = screen.query_one("#picker", ModelPicker)
        await wait_for(pilot, lambda: picker.select("claude-opus-4-7"), "opus 4.7")
        await wait_for(pilot, lambda: "xhigh (default)" in _details(screen), "opus's default")
        assert "thinking: adaptive (default) · " in _details(screen)
        assert "effort: low, medium, high, xhigh (default), max" in _details(screen)
        await wait_for(pilot, lambda: picker.select("claude-haiku-4-5-20251001"), "haiku")
        # Budget thinking only and no effort levels: no default to mark.
        await wait_for(pilot, lambda: "thinking: manual · " in _details(screen), "haiku")
        assert "(default)" not in _details(screen)
