"""ChoiceList: the wizard's lists, numbered: a digit picks its row and goes on, typing filters.

As in Claude Code, Codex and opencode: `2` on the Provider step is OpenRouter and Enter at
once; typing "sign" on the Auth step leaves the sign-in rows. The filter shows on the line
above the list ("Filter: sign — 2 of 6 · Backspace deletes, Esc clears"); Esc with a filter
clears it rather than going Back. Rows are numbered in the order shown, so after filtering
`1` is the first row left.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table
from rich.text import Text
from textual import events
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from backend.system.display import visible

# A person types a few letters; this bounds what one list keeps (a stuck key, a paste).
FILTER_LIMIT = 40


def _numbered(number: int, prompt: Text) -> Table:
    """`prompt` beside its row number: a column of its own, so wrapped lines stay
    indented under the text (rows past 9 have no digit to pick them)."""
    grid = Table.grid()
    grid.add_column(width=2, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(str(number) if number < 10 else "", style="dim"), prompt)
    return grid


class ChoiceList(OptionList):
    """An OptionList whose rows are numbered; digits pick, letters filter."""

    def __init__(self, *options: Option, id: str | None = None, filter_line: Static) -> None:
        self._all = list(options)
        self._visible = list(options)
        self._words = [str(option.prompt).lower() for option in self._all]
        self._filter = ""
        self._line = filter_line
        super().__init__(*self._shown(self._all), id=id)

    @staticmethod
    def _shown(options: Sequence[Option]) -> list[Option]:
        return [
            Option(_numbered(n, _as_text(option.prompt)), option.id, option.disabled)
            for n, option in enumerate(options, start=1)
        ]

    def row_text(self, index: int) -> str:
        """The plain text of the row shown at `index` (its number aside)."""
        return str(self._visible[index].prompt)

    @property
    def filter_text(self) -> str:
        """What has been typed to filter the rows ("" for all of them)."""
        return self._filter

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if character is not None and character.isdigit() and character != "0":
            event.stop()
            event.prevent_default()
            self._pick(int(character) - 1)
        elif event.key == "backspace" and self._filter:
            event.stop()
            event.prevent_default()
            self._set_filter(self._filter[:-1])
        elif event.key == "escape" and self._filter:
            event.stop()
            event.prevent_default()
            self._set_filter("")
        elif (
            event.is_printable
            and character is not None
            and (character != " " or self._filter)
            and len(self._filter) < FILTER_LIMIT
        ):
            event.stop()
            event.prevent_default()
            self._set_filter(self._filter + character)

    def _pick(self, index: int) -> None:
        if index >= self.option_count or self.get_option_at_index(index).disabled:
            return
        self.highlighted = index
        self.action_select()

    def _set_filter(self, text: str) -> None:
        wanted = self.highlighted_option.id if self.highlighted_option is not None else None
        self._filter = text
        terms = text.lower().split()
        matching = [
            option
            for option, words in zip(self._all, self._words, strict=True)
            if all(term in words for term in terms)
        ]
        self._visible = matching
        self.set_options(self._shown(matching))
        if matching:
            ids = [option.id for option in matching]
            self.highlighted = ids.index(wanted) if wanted in ids else 0
        line = self._line
        if not text:
            line.display = False
            return
        line.display = True
        shown = f"{len(matching)} of {len(self._all)}" if matching else "nothing matches"
        # What was typed is shown as text (visible() escapes a control character).
        line.update(f"Filter: {visible(text)} — {shown} · Backspace deletes, Esc clears")


def _as_text(prompt: object) -> Text:
    return prompt if isinstance(prompt, Text) else Text(str(prompt))


def filter_line() -> Static:
    """The line above a ChoiceList where its filter shows (hidden while there is none)."""
    line = Static("", classes="hint choice-filter", markup=False)
    line.display = False
    return line
