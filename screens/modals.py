"""Modal dialogs: confirmation, help, a simple message, and a link shown alone."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Static

from screens.once import Dialog
from screens.plain import plain, plain_block
from screens.widgets.button import WizardButton
from screens.widgets.link_text import LinkText


class ConfirmModal(Dialog[bool]):
    """Yes/No question; Escape means No. Title and body are plain text (they name agents)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "answer(False)", "No"),
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n", "answer(False)", "No", show=False),
    ]

    def __init__(self, title: str, body: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__()
        self._title, self._body, self._yes, self._no = title, body, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self._title), classes="dialog-title")
            yield Static(plain_block(self._body), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield WizardButton(self._no, id="no")
                yield WizardButton(self._yes, id="yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes, #no")
    def answered(self, event: Button.Pressed) -> None:
        self.action_answer(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        """Dismiss once with the answer."""
        self.close(yes)


class QuitModal(ConfirmModal):
    """ "Quit setup?": also `q` and a second Ctrl+C quit (the App sends Ctrl+C here)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "answer(True)", "Quit", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(
            "Quit setup?",
            "Nothing has been written: seal.toml and your stored credentials are as they were.",
            yes="Quit",
            no="Stay",
        )


class HelpModal(Dialog[None]):
    """Scrollable help text for the current step."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "close", "Close"),
    ]

    def __init__(self, title: str, body: str) -> None:
        super().__init__()
        self._title, self._body = title, body

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Static(f"Help: {self._title}", classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(self._body + _KEYS_HELP, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield WizardButton("Close", id="close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        """Dismiss once."""
        self.close(None)


class LinkModal(Dialog[None]):
    """A URL alone on a plain screen, to select and copy it: nothing else is drawn, so a
    selection (or the terminal's own wrap of it) holds the link and only the link."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q,f3", "close", "Back", show=False),
    ]

    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url

    def compose(self) -> ComposeResult:
        link = LinkText(id="link-alone")
        link.url = self._url
        yield link

    def action_close(self) -> None:
        """Dismiss once."""
        self.close(None)


_KEYS_HELP = (
    "\n\n[b]Keys[/b]\n"
    "Tab / Shift+Tab move between fields · Enter activates · Esc goes back · "
    "Ctrl+N is Next · Ctrl+Q cancels (nothing is written) · F1 shows this help.\n"
    "Paste with your terminal's paste: Ctrl+Shift+V, Cmd+V, or right-click."
)
