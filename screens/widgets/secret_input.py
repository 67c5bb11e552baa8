"""SecretInput: a masked Input that takes a whole paste, cleans it, and never copies out.

Textual's Input keeps only the first line of a paste and lets Ctrl+C copy a password
field's selection to the clipboard; a secret field must do neither.
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input

from backend.paste import sanitize


class SecretInput(Input):
    """Masked by default; a paste replaces the whole value with its sanitized form."""

    class Pasted(Message):
        """Sent after a paste, with what sanitizing removed (never the value itself)."""

        def __init__(self, secret_input: SecretInput, notes: tuple[str, ...]) -> None:
            super().__init__()
            self.secret_input = secret_input
            self.notes = notes

        @property
        def control(self) -> SecretInput:
            return self.secret_input

    def __init__(
        self,
        *,
        placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
        masked: bool = True,
        strip_assignment: bool = True,
    ) -> None:
        self._strip_assignment = strip_assignment
        super().__init__(
            placeholder=placeholder,
            password=masked,
            select_on_focus=False,
            id=id,
            classes=classes,
        )

    @property
    def revealed(self) -> bool:
        """True while the value is shown in clear."""
        return not self.password

    def toggle_reveal(self) -> None:
        """Show or hide the value."""
        self.password = not self.password

    def _on_paste(self, event: events.Paste) -> None:
        event.stop()
        event.prevent_default()
        self._take(event.text)

    def _take(self, text: str) -> None:
        cleaned, notes = sanitize(text, strip_assignment=self._strip_assignment)
        if not cleaned and not text.strip():
            return
        # One secret per field: a second paste replaces rather than appends, the most
        # common way a key gets doubled.
        if self.value:
            notes = (*notes, "replaced the earlier value")
        # Pasted goes first: setting the value posts Changed, and whoever shows the
        # shape check on Changed needs the notes by then.
        self.post_message(self.Pasted(self, notes))
        self.value = cleaned
        self.cursor_position = len(cleaned)

    def action_paste(self) -> None:
        """Ctrl+V pastes the app's own clipboard: clean it the same way."""
        if self.app.clipboard:
            self._take(self.app.clipboard)

    def action_copy(self) -> None:
        """Copying a secret out of the field is disabled."""
        self.notify(
            "Copy is disabled in secret fields.", severity="warning", timeout=3, markup=False
        )

    def action_cut(self) -> None:
        """Cutting a secret out of the field is disabled."""
        self.notify(
            "Cut is disabled in secret fields.", severity="warning", timeout=3, markup=False
        )
