"""A step whose answer is one choice from a list: highlight picks, Enter goes on."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.widget import Widget
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from backend.system.display import visible
from screens.base import StepScreen
from screens.widgets.choice_list import ChoiceList, filter_line


def option_text(title: str, detail: str = "", badge: str = "", note: str = "") -> Text:
    """Two or three lines: bold title (+ badge), dim detail, and an optional note.

    Each part is one line of plain text (it may name a profile from seal.toml).
    """
    text = Text()
    text.append(visible(title), style="bold")
    if badge:
        text.append(f"  {visible(badge)}", style="bold green")
    if detail:
        text.append("\n" + visible(detail), style="dim")
    if note:
        text.append("\n" + visible(note), style="italic yellow")
    return text


class ChoiceStep(StepScreen):
    """Subclasses provide `options()` and `choose(option_id)`; `current()` preselects."""

    def compose_body(self) -> Iterable[Widget]:
        yield from self.compose_intro()
        line = filter_line()
        yield line
        yield ChoiceList(*self.options(), id="choices", filter_line=line)

    def compose_intro(self) -> Iterable[Widget]:
        """Widgets above the list."""
        return ()

    def options(self) -> list[Option]:
        """The choices, as OptionList options with ids."""
        raise NotImplementedError

    def current(self) -> str | None:
        """The id to preselect (an earlier answer), if any."""
        return None

    def choose(self, option_id: str) -> None:
        """Record the highlighted choice in the answers."""
        raise NotImplementedError

    def on_mount(self) -> None:
        choices = self.query_one("#choices", OptionList)
        wanted = self.current()
        index = 0
        if wanted is not None:
            for i, option in enumerate(choices.options):
                if option.id == wanted:
                    index = i
                    break
        if choices.option_count:
            choices.highlighted = index
        choices.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # OptionList highlights its first option when built, and that message arrives after
        # on_mount has moved to the earlier answer: a stale one must not overwrite (and so
        # clear, via choose) that answer when the person comes Back to this step.
        if event.option_index != event.option_list.highlighted:
            return
        if event.option.id is not None and not event.option.disabled:
            self.choose(event.option.id)
            self.ready = True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None and not event.option.disabled:
            self.choose(event.option.id)
            self.ready = True
            self.action_next()
