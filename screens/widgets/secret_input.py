"""SecretInput: a masked Input that takes a whole paste, cleans it, and never copies out.

Textual's Input keeps only the first line of a paste and lets Ctrl+C copy a password
field's selection to the clipboard; a secret field must do neither. A paste longer than
the field's limit is refused before any work, and cleaning runs in a thread: a huge or
hostile paste never stalls the screen.
"""

from __future__ import annotations

import asyncio

from textual import events, work
from textual.message import Message
from textual.widgets import Input

from backend.auth.paste import KEY_PASTE, PasteLimit, sanitize


class SecretInput(Input):
    """Masked by default; a paste replaces the whole value with its sanitized form."""

    class Pasted(Message):
        """Sent after a paste, with what sanitizing removed (never the value itself), or
        with `refusal` set when the paste was refused (the field is then empty)."""

        def __init__(
            self, secret_input: SecretInput, notes: tuple[str, ...], refusal: str = ""
        ) -> None:
            super().__init__()
            self.secret_input = secret_input
            self.notes = notes
            self.refusal = refusal

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
        limit: PasteLimit = KEY_PASTE,
    ) -> None:
        self._strip_assignment = strip_assignment
        self._limit = limit
        super().__init__(
            placeholder=placeholder,
            password=masked,
            select_on_focus=False,
            id=id,
            classes=classes,
            # Typing is held to the same limit as a paste.
            max_length=limit.chars,
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

    def take_paste(self, text: str) -> None:
        """A paste that reached the step with the focus elsewhere: taken as if here."""
        self.focus()
        self._take(text)

    def _take(self, text: str) -> None:
        if len(text) > self._limit.chars:
            # Measured before any work; an earlier paste still being cleaned loses too.
            # Emptying the field posts Changed before the refusal, so a screen that resets
            # its message on Changed shows the refusal after that.
            self.workers.cancel_group(self, "secret-paste")
            self.value = ""
            self.post_message(self.Pasted(self, (), self._limit.refusal()))
            return
        self._clean(text)

    @work(group="secret-paste", exclusive=True, name="clean a paste")
    async def _clean(self, text: str) -> None:
        """Sanitize in a thread; a newer paste cancels this one, so the latest one wins."""
        cleaned, notes = await asyncio.to_thread(
            sanitize, text, strip_assignment=self._strip_assignment
        )
        self._apply(text, cleaned, notes)

    def _apply(self, text: str, cleaned: str, notes: tuple[str, ...]) -> None:
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
