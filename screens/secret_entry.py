"""API key and setup-token steps: paste, see it checked for shape, go on to the live check."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import on, work
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from backend.auth.paste import PasteCheck, check_secret
from backend.credentials.record import CredentialRecord
from backend.vocabulary import registry
from backend.vocabulary.methods import SUBSCRIPTION_NOTE
from screens.base import StepContext, StepScreen
from screens.plain import plain
from screens.widgets.button import WizardButton
from screens.widgets.secret_input import SecretInput

if TYPE_CHECKING:
    from backend.services import Services
    from backend.wizard.answers import Answers

PASTE_TIP = "Paste with your terminal: Ctrl+Shift+V, Cmd+V, or right-click › Paste."


class SecretEntryScreen(StepScreen):
    """Shared by the API-key and setup-token steps; `kind` picks the rules and words."""

    PASTE_FIELD = "#secret"

    KIND = "api_key"

    def __init__(self, answers: Answers, services: Services, context: StepContext) -> None:
        super().__init__(answers, services, context)
        self._check: PasteCheck | None = None
        self._notes: tuple[str, ...] = ()

    @property
    def provider(self) -> str:
        return self.answers.provider or "anthropic"

    def intro(self) -> str:
        """What to paste and where to get it."""
        provider = registry.get(self.provider)
        return (
            f"Paste your {provider.label} API key. Create one at [b]{provider.key_page}[/b].\n"
            "It is checked live before anything is saved, and stored in your credential "
            "store, never in seal.toml."
        )

    def compose_body(self) -> Iterable[Widget]:
        yield Static(self.intro(), classes="intro")
        with Horizontal(classes="secret-row"):
            yield SecretInput(placeholder="paste here", id="secret")
            yield WizardButton("Show", id="reveal", classes="small")
        yield Static("", id="fingerprint", markup=False)
        yield Static("", id="feedback", markup=False)
        yield Static(PASTE_TIP, classes="hint")

    def on_mount(self) -> None:
        field = self.query_one("#secret", SecretInput)
        record = self.answers.record
        if record is not None and record.kind == self.KIND and record.secret:
            # Back from a later step: keep what was pasted.
            field.value = record.secret
        field.focus()

    def on_secret_input_pasted(self, event: SecretInput.Pasted) -> None:
        self._notes = event.notes
        if event.refusal:
            # The field was emptied (its Changed came first): say why.
            self._say("", "✗ " + event.refusal, "error")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "secret":
            return
        # Nothing goes on until the check of this very value has come back.
        self._check = None
        self.ready = False
        if not event.value:
            self.workers.cancel_group(self, "shape-check")
            self._say("", "", "")
            return
        self.check_shape(event.value)

    @work(group="shape-check", exclusive=True, name="check the key's shape")
    async def check_shape(self, value: str) -> None:
        """The shape check in a thread; a newer value cancels it, so the latest one shows."""
        check = await asyncio.to_thread(check_secret, value, self.provider, self.KIND)
        self._check = check
        if check.ok:
            notes = tuple(dict.fromkeys((*self._notes, *check.notes)))
            said = "✓ Looks right" + (f" ({'; '.join(notes)})" if notes else "")
            self._say(check.fingerprint, said, "ok")
        else:
            self._say(check.fingerprint, "✗ " + check.message, "error")
        self.ready = check.ok

    def _say(self, fingerprint: str, feedback: str, classes: str) -> None:
        self.query_one("#fingerprint", Static).update(plain(fingerprint))
        line = self.query_one("#feedback", Static)
        line.update(plain(feedback))
        line.set_classes(classes)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    @on(Button.Pressed, "#reveal")
    def reveal(self, event: Button.Pressed) -> None:
        """Show or hide the secret; the field keeps the focus."""
        field = self.query_one("#secret", SecretInput)
        field.toggle_reveal()
        event.button.label = "Hide" if field.revealed else "Show"
        field.focus()

    def commit(self) -> bool:
        check = self._check
        if check is None or not check.ok:
            return False
        self.answers.set_credential(
            CredentialRecord(
                provider=self.provider,
                profile=self.answers.profile,
                kind="setup_token" if self.KIND == "setup_token" else "api_key",
                secret=check.value,
            )
        )
        return True


class ApiKeyScreen(SecretEntryScreen):
    """Paste an API key."""

    KIND = "api_key"
    TITLE_TEXT = "Paste your API key"
    HELP_TEXT = (
        "Copy the key from your provider's key page and paste it here. seal-setup cleans "
        "what terminals add to a paste (spaces, line breaks, quotes, invisible characters) "
        "and checks the key's shape before checking it live.\n\n"
        "The key is masked; [b]Show[/b] reveals it. Copy and cut are disabled here. The "
        "line under the field shows a fingerprint: the start, the end and the length, so "
        "you can compare it with what you copied."
    )


class SetupTokenScreen(SecretEntryScreen):
    """Paste the output of `claude setup-token`."""

    KIND = "setup_token"
    TITLE_TEXT = "Paste your Claude setup-token"
    HELP_TEXT = (
        "On any machine with Claude Code, run [b]claude setup-token[/b], sign in, and copy "
        "the token it prints (sk-ant-oat01-…, at least 80 characters, valid about a year). "
        "If your terminal wrapped it over two lines, copy both lines: seal-setup joins them."
        "\n\n" + SUBSCRIPTION_NOTE
    )

    def intro(self) -> str:
        return (
            "Run [b]claude setup-token[/b] on any machine with Claude Code and paste the token "
            "it prints (sk-ant-oat01-…).\n[i]" + SUBSCRIPTION_NOTE + "[/i]"
        )
