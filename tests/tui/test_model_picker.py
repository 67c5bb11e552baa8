"""ModelPicker on its own: typing filters, the list keeps its rows, Enter chooses."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Input, Static

from screens.widgets.model_list import ModelList
from screens.widgets.model_picker import ModelPicker
from tests.bench.bench_picker import make_models


class PickerApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.highlighted: list[Any] = []
        self.chosen: list[Any] = []

    def compose(self) -> ComposeResult:
        yield ModelPicker(make_models(60), id="picker")

    def on_model_picker_highlighted(self, event: ModelPicker.Highlighted) -> None:
        self.highlighted.append(event.model)

    def on_model_picker_chosen(self, event: ModelPicker.Chosen) -> None:
        self.chosen.append(event.model)


async def test_typing_filters_and_the_list_keeps_its_rows() -> None:
    app = PickerApp()
    async with app.run_test(size=(100, 30)) as pilot:
        models = app.query_one(ModelList)
        app.query_one("#model-filter", Input).focus()
        rows_before = models.scrollable_content_region.height
        await pilot.press(*"openai")
        await pilot.pause()
        picker = app.query_one(ModelPicker)
        assert picker.highlighted_model is not None
        assert picker.highlighted_model.id.startswith("openai/")
        # No horizontal scrollbar stealing a row once the rows change.
        assert not models.show_horizontal_scrollbar
        assert models.scrollable_content_region.height == rows_before
        # Facts of the model on top, announced once per change of model.
        details = str(app.query_one("#model-details", Static).render())
        assert "context" in details
        assert app.highlighted[-1] is picker.highlighted_model
        assert all(a is not b for a, b in zip(app.highlighted, app.highlighted[1:], strict=False))

        await pilot.press(*" nothing-like-this")
        await pilot.pause()
        assert picker.highlighted_model is None
        assert "No model matches" in str(app.query_one("#model-details", Static).render())
        assert app.highlighted[-1] is None

        for _ in " nothing-like-this":
            await pilot.press("backspace")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.chosen and app.chosen[-1].id.startswith("openai/")
