"""AnswerOnce: the first of two quick answers counts, the second is ignored.

A double Enter or a double click reaches a screen as two answers. A dialog dismissed
twice raises (Textual's result callback sets its future a second time), and a step that
finished twice would advance twice. Steps and dialogs share this one guard.
"""

from __future__ import annotations

from typing import TypeVar

from textual.screen import ModalScreen

R = TypeVar("R")


class AnswerOnce:
    """Mixin for a screen that answers once."""

    _answered = False

    def first_answer(self) -> bool:
        """True the first time it is asked, False ever after."""
        if self._answered:
            return False
        self._answered = True
        return True


class Dialog(AnswerOnce, ModalScreen[R]):
    """A modal dialog that is dismissed once, with the first answer given."""

    def close(self, result: R) -> None:
        """Dismiss with `result`, unless an answer was given already."""
        if self.first_answer():
            self.dismiss(result)

    def withdraw(self) -> None:
        """Dismiss with no answer, as its Escape does (Ctrl+C on a dialog)."""
        if self.first_answer():
            self.dismiss(None)
