"""The Model step's options at 80x24: every one in view without scrolling, for each
provider; effort and thinking follow the highlighted model; a subscription is not offered
prompt cache and 1M context, and a line says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static

from backend.config.schema import OPTION_LABELS
from backend.providers.catalog import effort_choices
from screens.model import ModelScreen
from screens.widgets.model_picker import ModelPicker
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SETUP_TOKEN,
    FakeProvider,
)
from tests.support.steps import start_at
from tests.tui.harness import build, goto, wait_for

SMALL = (80, 24)
SONNET = "claude-sonnet-4-6"
OPUS_46 = "claude-opus-4-6"  # offers effort "max"
HAIKU = "claude-haiku-4-5-20251001"  # no 1M context window

# (provider, method, secret): each provider's options, by widget id.
OPTIONS = {
    ("anthropic", "api_key", ANTHROPIC_KEY): (
        "thinking",
        "thinking_budget",
        "effort",
        "max_tokens",
        "cache_retention",
        "context_1m",
    ),
    ("anthropic", "setup_token", SETUP_TOKEN): (
        "thinking",
        "thinking_budget",
        "effort",
        "max_tokens",
    ),
    ("openai", "api_key", OPENAI_KEY): ("effort", "max_tokens"),
    ("openrouter", "api_key", OPENROUTER_KEY): ("effort", "max_tokens", "hdr-referer", "hdr-title"),
}


async def _model_step(
    pilot: Pilot[Any], provider: str, method: str, secret: str, model: str | None = None
) -> ModelScreen:
    screen = await goto(pilot, "model", provider=provider, method=method, secret=secret)
    assert isinstance(screen, ModelScreen)
    await wait_for(pilot, lambda: screen.query("#picker") and screen._model, "model list")
    if model is not None:
        picker = screen.query_one("#picker", ModelPicker)
        await wait_for(pilot, lambda: picker.select(model), f"{model} highlighted")
        await wait_for(pilot, lambda: screen._model and screen._model.id == model, "told")
    return screen


def _in_view(screen: ModelScreen, widget: Widget) -> bool:
    """Inside the screen and inside the body's visible region, whole (not clipped)."""
    body = screen.query_one("#body")
    region = widget.region
    return (
        region.height > 0
        and screen.region.contains_region(region)
        and body.content_region.contains_region(region)
    )


@pytest.mark.parametrize(
    ("provider", "method", "secret"), list(OPTIONS), ids=[f"{p}-{m}" for p, m, _ in OPTIONS]
)
async def test_every_option_is_in_view_at_80x24(
    fake_provider: FakeProvider, tmp_path: Path, provider: str, method: str, secret: str
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", provider=provider, method=method, secret=secret)
    async with h.app.run_test(size=SMALL) as pilot:
        screen = await _model_step(pilot, provider, method, secret)
        await pilot.pause()
        body = screen.query_one("#body")
        assert body.max_scroll_y == 0, "the page does not scroll"
        for widget_id in OPTIONS[(provider, method, secret)]:
            widget = screen.query_one(f"#{widget_id}")
            assert _in_view(screen, widget), (widget_id, widget.region, body.content_region)
        # The model list, its details line and the verdict are still there.
        for part in ("#model-filter", "#model-list", "#model-details", "#rules"):
            assert _in_view(screen, screen.query_one(part)), part
        assert screen.query_one("#model-list").region.height >= 5
        # Labels never wrap, and say all of themselves.
        for label in screen.query(".opt-label").results(Static):
            text = str(label.render())
            assert label.region.height == 1 and label.region.width >= len(text), text
            assert _in_view(screen, label), text


async def test_effort_follows_the_model(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SMALL) as pilot:
        screen = await _model_step(pilot, "anthropic", "api_key", ANTHROPIC_KEY, OPUS_46)
        effort = screen.query_one("#effort", Select)

        def offered() -> tuple[str, ...]:
            return tuple(v for _, v in effort._options if v is not Select.NULL)

        assert "max" in offered()
        assert offered() == effort_choices(screen._model)
        effort.value = "max"
        await wait_for(pilot, lambda: screen.ready, "max is fine on Opus 4.6")
        note = screen.query_one("#options-note", Static)
        assert not note.display

        picker = screen.query_one("#picker", ModelPicker)
        await wait_for(pilot, lambda: picker.select(SONNET), "Sonnet highlighted")
        await wait_for(pilot, lambda: "max" not in offered(), "Sonnet's levels")
        assert offered() == ("low", "medium", "high")
        # The value Sonnet lacks is cleared, and a line says so; the step stays valid.
        assert effort.value is Select.NULL
        assert note.display
        said = str(note.render())
        assert 'Effort "max"' in said and SONNET in said and "cleared" in said
        await wait_for(pilot, lambda: screen.ready, "valid without effort")
        # A level both offer is kept across the change.
        effort.value = "high"
        await pilot.pause()
        await wait_for(pilot, lambda: picker.select(OPUS_46), "Opus 4.6 again")
        await wait_for(pilot, lambda: "max" in offered(), "Opus's levels")
        assert effort.value == "high"


async def test_1m_context_only_where_the_model_has_it(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SMALL) as pilot:
        screen = await _model_step(pilot, "anthropic", "api_key", ANTHROPIC_KEY, SONNET)
        box = screen.query_one("#context_1m", Checkbox)
        assert not box.disabled
        box.value = True
        await wait_for(pilot, lambda: screen.ready, "1M on Sonnet")
        picker = screen.query_one("#picker", ModelPicker)
        await wait_for(pilot, lambda: picker.select(HAIKU), "Haiku highlighted")
        await wait_for(pilot, lambda: box.disabled, "no 1M on Haiku")
        assert box.value is False and "not on this model" in str(box.label)
        assert "1M context" in str(screen.query_one("#options-note", Static).render())
        await wait_for(pilot, lambda: screen.ready, "valid on Haiku")


@pytest.mark.parametrize(
    ("method", "secret", "named"),
    [("setup_token", SETUP_TOKEN, "Claude setup-token"), ("api_key", ANTHROPIC_KEY, "")],
    ids=["setup_token", "api_key"],
)
async def test_subscription_is_not_offered_cache_or_1m(
    fake_provider: FakeProvider, tmp_path: Path, method: str, secret: str, named: str
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", method=method, secret=secret)
    async with h.app.run_test(size=SMALL) as pilot:
        screen = await _model_step(pilot, "anthropic", method, secret)
        why = screen.query_one("#options-why", Static)
        labels = " ".join(
            str(label.render()) for label in screen.query(".opt-label").results(Static)
        )
        if named:
            assert not screen.query("#cache_retention") and not screen.query("#context_1m")
            assert OPTION_LABELS["context_1m"] not in labels
            assert why.display and _in_view(screen, why)
            assert str(why.render()) == (
                f"Prompt cache and 1M context need an API key; you chose {named}."
            )
        else:
            assert screen.query("#cache_retention") and screen.query("#context_1m")
            assert not why.display


async def test_a_budget_only_where_the_model_takes_one(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SMALL) as pilot:
        screen = await _model_step(pilot, "anthropic", "api_key", ANTHROPIC_KEY, SONNET)
        thinking = screen.query_one("#thinking", Select)
        budget = screen.query_one("#thinking_budget", Input)
        assert "manual" in [v for _, v in thinking._options] and not budget.disabled
        thinking.value = "manual"
        await pilot.pause()
        picker = screen.query_one("#picker", ModelPicker)
        assert screen._catalog is not None
        models = screen._catalog.models("anthropic")
        adaptive_only = next(m.id for m in models if m.thinking == ("adaptive",))
        await wait_for(pilot, lambda: picker.select(adaptive_only), "adaptive-only model")
        await wait_for(pilot, lambda: budget.disabled, "no budget there")
        assert [v for _, v in thinking._options if v is not Select.NULL] == ["adaptive"]
        assert thinking.value is Select.NULL
        assert 'Thinking "manual"' in str(screen.query_one("#options-note", Static).render())
