"""A dialog that asks for one name, checked as it is typed (an agent, a credential profile).

It dismisses once: with the name when it passes its check, None when cancelled. The name
it starts with may come from seal.toml or a provider's answer: it is shown escaped, and
the lines above the field are plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Static

from backend.system.display import visible
from screens.once import Dialog
from screens.plain import plain
from screens.widgets.button import WizardButton


class NameDialog(Dialog[str | None]):
    """Ask for a name; `problem` says why a name cannot be used ("" when it can)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    CSS = """
    .name-dialog { width: 76; padding: 0 1; }
    .name-dialog .dialog-title { margin: 0; }
    .name-dialog .dialog-buttons { margin-top: 0; }
    """

    def __init__(
        self,
        title: str,
        problem: Callable[[str], str],
        *,
        value: str = "",
        placeholder: str = "name",
        field_id: str = "name",
        lines: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self._title = title
        self._problem = problem
        self._value = value
        self._placeholder = placeholder
        self._field_id = field_id
        self._lines = list(lines)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog name-dialog"):
            yield Static(plain(self._title), classes="dialog-title")
            if self._lines:
                yield Static(plain(*self._lines), id="name-lines", classes="hint")
            # An Input draws its value raw: a name from a file or a provider starts out
            # escaped (a name with such characters is not a valid one anyway).
            yield Input(visible(self._value), placeholder=self._placeholder, id=self._field_id)
            yield Static("", id="name-problem", markup=False, classes="error")
            with Horizontal(classes="dialog-buttons"):
                yield WizardButton("Cancel", id="cancel")
                yield WizardButton("OK", id="ok", variant="primary", disabled=True)

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.focus()
        self._judge(field.value, show=False)

    def _judge(self, value: str, *, show: bool = True) -> str:
        problem = self._problem(value)
        self.query_one("#name-problem", Static).update(plain(problem) if show and value else "")
        self.query_one("#ok", Button).disabled = bool(problem)
        return problem

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._judge(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed, "#ok")
    def _submit(self) -> None:
        value = self.query_one(Input).value
        problem = self._problem(value)
        if problem:
            self.query_one("#name-problem", Static).update(plain(problem))
            return
        self.close(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Change nothing."""
        self.close(None)
