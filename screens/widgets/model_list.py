"""ModelList: a virtual list that renders only the rows on screen.

Textual's OptionList measures every option whenever options change, which costs tens of
milliseconds per keystroke with hundreds of models; filtering here only swaps the list
of rows and repaints the visible lines.
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

# The picker passes the same Text per model every time; the cap only bounds callers
# that build fresh rows on each call.
_STRIP_CACHE_LIMIT = 4096


class ModelList(ScrollView, can_focus=True):
    """Rows of Rich Text with one highlighted row; Enter or a click selects it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"model-list--highlight"}
    DEFAULT_CSS = """
    ModelList {
        height: 8;
        overflow-x: hidden;
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
        # Keyed by id(row) and checked by identity: a row keeps its strip across
        # filters, so a keystroke renders no Text at all for rows seen before.
        self._strips: dict[int, tuple[Text, Strip]] = {}
        self._line_styles: tuple[Style, Style, int] | None = None

    @property
    def row_count(self) -> int:
        """How many rows are shown."""
        return len(self._rows)

    def set_rows(self, rows: Sequence[Text], highlighted: int | None = 0) -> None:
        """Replace the rows; only the visible ones are rendered."""
        self._rows = list(rows)
        if len(self._strips) > _STRIP_CACHE_LIMIT:
            self._strips.clear()
        # Set without the reactive's layout pass: the list's own size is fixed, so only
        # the scrollbar needs updating (it re-lays out itself if it appears or goes).
        size = Size(self.size.width, len(self._rows))
        if size != self.virtual_size:
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

    def _paint_styles(self) -> tuple[Style, Style, int]:
        return (
            self.rich_style,
            self.get_component_rich_style("model-list--highlight"),
            self.scrollable_content_region.width,
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles are resolved once per paint rather than once per row.
        self._line_styles = self._paint_styles()
        try:
            return super().render_lines(crop)
        finally:
            self._line_styles = None

    def render_line(self, y: int) -> Strip:
        base, highlight, width = self._line_styles or self._paint_styles()
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        if index >= len(self._rows):
            return Strip.blank(width, base)
        text = self._rows[index]
        cached = self._strips.get(id(text))
        if cached is not None and cached[0] is text:
            strip = cached[1]
        else:
            strip = Strip(text.render(self.app.console), text.cell_len)
            self._strips[id(text)] = (text, strip)
        style: Style = base
        if index == self.highlighted:
            style = base + highlight
            strip = strip.apply_style(style)
        return strip.crop_extend(scroll_x, scroll_x + width, style)
