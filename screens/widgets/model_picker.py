"""ModelPicker: a filterable model list with a details line, shared by Model and Roles.

Filtering matches a precomputed search key per model and hands the list the matching
rows; a keystroke repaints the filter and the list in one frame with no layout pass, so
it stays cheap with hundreds of models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Input, Static

from backend.providers.base import token_count
from backend.providers.catalog import seal_defaults
from backend.system.display import visible
from screens.plain import plain
from screens.widgets.model_list import ModelList

if TYPE_CHECKING:
    from backend.providers.base import ModelInfo

# Nothing announced yet: None is a real announcement (the filter matches nothing).
_NOTHING = object()


def _marked(choices: tuple[str, ...], default: str | None) -> str:
    return ", ".join(f"{c} (default)" if c == default else c for c in choices)


def describe_model(model: ModelInfo) -> str:
    """One or two lines of facts: context, max output, thinking and effort with the
    defaults Seal applies, vision, prices."""
    context = f"context {token_count(model.context)}"
    if model.max_input is not None:
        context += f" ({token_count(model.max_input)} in)"
    parts = [context, f"max output {token_count(model.max_output)}"]
    defaults = seal_defaults(model)
    if model.thinking:
        # seal.toml's words: "enabled" (a budget) is thinking = "manual".
        modes = tuple(k if k != "enabled" else "manual" for k in model.thinking)
        parts.append("thinking: " + _marked(modes, defaults.get("thinking")))
    if model.effort:
        parts.append("effort: " + _marked(model.effort, defaults.get("effort")))
    if model.vision:
        parts.append("vision")
    if model.price_in is not None and model.price_out is not None:
        # Cache prices are in `seal-setup models`: two lines at 80 columns hold no more.
        parts.append(f"${model.price_in:g} in / ${model.price_out:g} out per 1M tokens")
    return " · ".join(parts)


def _label(model: ModelInfo) -> Text:
    # Ids and names come from the provider: shown with their controls escaped.
    text = Text(visible(model.id), style="bold")
    if model.display_name and model.display_name != model.id:
        text.append(f"  {visible(model.display_name)}", style="dim")
    return text


class _FilterInput(Input):
    """An Input whose typing repaints it without re-laying out the screen."""

    # Input resets virtual_size on every change, and Widget's reactive asks for a layout
    # of the whole screen each time; with a fixed width nothing outside the input moves,
    # so a repaint is enough (horizontal scrolling reads virtual_size directly).
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class ModelPicker(Widget):
    """Filter box over a ModelList of models; posts Highlighted/Chosen with the model."""

    DEFAULT_CSS = """
    ModelPicker { height: auto; }
    ModelPicker ModelList { height: 8; }
    ModelPicker #model-details { height: 2; color: $text-muted; }
    """

    class Highlighted(Message):
        """The highlighted model changed (None: the filter matches nothing)."""

        def __init__(self, model: ModelInfo | None) -> None:
            super().__init__()
            self.model = model

    class Chosen(Message):
        """Enter (or a click) on a model."""

        def __init__(self, model: ModelInfo) -> None:
            super().__init__()
            self.model = model

    def __init__(
        self,
        models: Sequence[ModelInfo],
        selected: str | None = None,
        *,
        id: str | None = None,
        compact: bool = False,
    ) -> None:
        super().__init__(id=id)
        self._compact = compact  # a filter box of one row, without its border
        self._models = list(models)
        self._search = [f"{m.id} {m.display_name}".lower() for m in self._models]
        self._labels = [_label(m) for m in self._models]
        self._selected = selected
        self._visible: list[int] = []
        self._query = ""
        self._details = ""
        self._announced: ModelInfo | object | None = _NOTHING

    def compose(self) -> ComposeResult:
        yield _FilterInput(
            placeholder="type to filter models", id="model-filter", compact=self._compact
        )
        yield ModelList(id="model-list")
        yield Static("", id="model-details", markup=False)

    def on_mount(self) -> None:
        # A watcher runs inside the value change, unlike Input.Changed: the list then asks
        # for its repaint before the input does, and both land in one frame instead of two.
        self.watch(self.query_one("#model-filter", Input), "value", self._apply_filter, init=False)
        self._apply_filter("")
        if self._selected is not None:
            self.select(self._selected)

    @property
    def highlighted_model(self) -> ModelInfo | None:
        """The model under the cursor, or None when the filter matches nothing."""
        index = self.query_one("#model-list", ModelList).highlighted
        if index is None or index >= len(self._visible):
            return None
        return self._models[self._visible[index]]

    def select(self, model_id: str) -> bool:
        """Move the cursor to a model id; False if the current filter hides it."""
        for position, index in enumerate(self._visible):
            if self._models[index].id == model_id:
                self.query_one("#model-list", ModelList).highlighted = position
                return True
        return False

    def _apply_filter(self, query: str) -> None:
        search = self._search
        visible: Sequence[int] = range(len(search))
        # One pass per term over the survivors: much cheaper than all() per model.
        for term in query.lower().split():
            visible = [i for i in visible if term in search[i]]
        # A whole id typed (gpt-5-mini) comes first, ahead of newer ids that contain it.
        wanted = query.strip().lower()
        exact = [i for i in visible if self._models[i].id.lower() == wanted]
        if exact:
            visible = [*exact, *(i for i in visible if i != exact[0])]
        self._visible = list(visible)
        self._query = query
        self.query_one("#model-list", ModelList).set_rows([self._labels[i] for i in self._visible])

    def on_key(self, event: events.Key) -> None:
        # The filter box keeps focus while typing; arrows and page keys still move the list.
        if not isinstance(self.screen.focused, Input) or self.screen.focused.id != "model-filter":
            return
        model_list = self.query_one("#model-list", ModelList)
        actions: dict[str, Callable[[], object]] = {
            "down": model_list.action_cursor_down,
            "up": model_list.action_cursor_up,
            "pagedown": model_list.action_page_down,
            "pageup": model_list.action_page_up,
        }
        action = actions.get(event.key)
        if action is not None:
            event.stop()
            event.prevent_default()
            action()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "model-filter":
            event.stop()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "model-filter":
            event.stop()
            model = self.highlighted_model
            if model is not None:
                self.post_message(self.Chosen(model))

    def on_model_list_highlighted(self, event: ModelList.Highlighted) -> None:
        # Details and Highlighted change together, a message after the list, as before:
        # tests and screens take new details as a sign that the screen has been told.
        event.stop()
        model = self.highlighted_model
        if model is not None:
            details = describe_model(model)
        elif not self._visible:
            details = f"No model matches “{self._query}”. Clear the filter to see all."
        else:
            details = self._details
        # Most keystrokes keep the same model on top: skip the repaint and the message.
        if details != self._details:
            self._details = details
            self.query_one("#model-details", Static).update(plain(details), layout=False)
        if model is not self._announced:
            self._announced = model
            self.post_message(self.Highlighted(model))

    def on_model_list_selected(self, event: ModelList.Selected) -> None:
        event.stop()
        model = self.highlighted_model
        if model is not None:
            self.post_message(self.Chosen(model))
