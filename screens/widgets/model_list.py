"""ModelList: a virtual list that renders only the rows on screen.

Textual's OptionList measures every option whenever options change, which costs tens of
milliseconds per keystroke with hundreds of models; filtering here only swaps a list of
row indices and repaints the visible lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class ModelList(ScrollView, can_focus=True):
    """Rows of Rich Text with one highlighted row; Enter or a click selects it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"model-list--highlight"}
    DEFAULT_CSS = """
    ModelList {
        height: 8;
        border: tall $border-blurred;
        background: $surface;
    }
    ModelList:focus {
        border: tall $border;
    }
    ModelList > .model-list--highlight {
        background: $block-cursor-blurred-background;
        text-style: bold;
    }
    ModelList:focus > .model-list--highlight {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", show=False),
        Binding("up", "cursor_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("home", "first", show=False),
        Binding("end", "last", show=False),
        Binding("enter", "select", show=False),
    ]

    highlighted: reactive[int | None] = reactive(None, always_update=True)

    class Highlighted(Message):
        """The highlighted row changed (None: no rows)."""

        def __init__(self, index: int | None) -> None:
            super().__init__()
            self.index = index

    class Selected(Message):
        """Enter or a click on a row."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Text] = []
        self._strips: dict[int, Strip] = {}

    @property
    def row_count(self) -> int:
        """How many rows are shown."""
        return len(self._rows)

    def set_rows(self, rows: Sequence[Text], highlighted: int | None = 0) -> None:
        """Replace the rows; only the visible ones are rendered."""
        self._rows = list(rows)
        self._strips.clear()
        # Set without the reactive's layout pass: the list's own size is fixed, so only
        # the scrollbars need updating (they re-layout themselves if they appear).
        size = Size(self.size.width, len(self._rows))
        self.set_reactive(ModelList.virtual_size, size)
        self._scroll_update(size)
        self.scroll_to(y=0, animate=False)
        self.highlighted = highlighted if self._rows else None
        self.refresh()

    def watch_highlighted(self, index: int | None) -> None:
        if index is not None:
            self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(index))

    def validate_highlighted(self, index: int | None) -> int | None:
        if index is None or not self._rows:
            return None
        return max(0, min(index, len(self._rows) - 1))

    def _move(self, delta: int) -> None:
        if self._rows:
            self.highlighted = (self.highlighted or 0) + delta

    def action_cursor_down(self) -> None:
        """Next row."""
        self._move(1)

    def action_cursor_up(self) -> None:
        """Previous row."""
        self._move(-1)

    def action_page_down(self) -> None:
        """One screenful down."""
        self._move(max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        """One screenful up."""
        self._move(-max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        """First row."""
        if self._rows:
            self.highlighted = 0

    def action_last(self) -> None:
        """Last row."""
        if self._rows:
            self.highlighted = len(self._rows) - 1

    def action_select(self) -> None:
        """Select the highlighted row."""
        if self.highlighted is not None:
            self.post_message(self.Selected(self.highlighted))

    def on_click(self, event: events.Click) -> None:
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self._rows):
            self.highlighted = index
            self.post_message(self.Selected(index))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._rows):
            return Strip.blank(width, base)
        strip = self._strips.get(index)
        if strip is None:
            text = self._rows[index]
            strip = Strip(text.render(self.app.console), text.cell_len)
            self._strips[index] = strip
        style: Style = base
        if index == self.highlighted:
            style = base + self.get_component_rich_style("model-list--highlight")
            strip = strip.apply_style(style)
        return strip.crop_extend(scroll_x, scroll_x + width, style)
