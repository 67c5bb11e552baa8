"""Done step: what was written where, and what to do next."""

from __future__ import annotations

from collections.abc import Iterable

from textual import on, work
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Static

from backend.credentials.handoff import Instruction
from backend.wizard.summary import instruction, outcome_lines, outranking_line
from screens.base import StepScreen
from screens.copying import copy_text
from screens.plain import plain
from screens.widgets.button import WizardButton


class DoneScreen(StepScreen):
    """The summary; Finish exits with status 0."""

    TITLE_TEXT = "All set"
    NEXT_LABEL = "Finish"
    HELP_TEXT = (
        "Seal is configured. Seal reads credentials from environment variables and "
        "Claude Code's sign-in, not from seal-setup's store: the line under “How Seal "
        "gets it” says what to do for the method you chose. Finish closes seal-setup."
    )

    @property
    def instruction(self) -> Instruction | None:
        """How Seal gets the credential chosen here (None when no method was chosen)."""
        return instruction(self.answers)

    def compose_body(self) -> Iterable[Widget]:
        lines = outcome_lines(self.answers)
        yield Static(plain(*lines), classes="intro")
        found = self.instruction
        if found is not None:
            yield Static(plain("How Seal gets it:", found.sentence), id="handoff")
            warning = outranking_line(self.answers, self.services.env)
            if warning is not None:
                yield Static(plain(warning), id="outranked", classes="warning")
            if found.command is not None:
                with Horizontal(classes="button-row compact-row"):
                    yield WizardButton("Copy command", id="copy-command", compact=True)
                # Shown once there is something to say: an empty line would push Next below.
                status = Static("", id="copy-status", markup=False)
                status.display = False
                yield status
        lines = [
            "Next:",
            # Two columns that fit 80 columns: a wider gap wraps the first line at 80x24.
            "  seal-setup status   check that auth works (add --probe to test it live)",
            "  seal-setup roles    give agents fast / escalate / fallback models",
            "  seal-setup reauth   sign in again after a 401",
        ]
        yield Static(plain(*lines), classes="intro")

    def on_mount(self) -> None:
        self.ready = True
        self.query_one("#next", Button).focus()

    @on(Button.Pressed, "#copy-command")
    @work(group="clipboard", exclusive=True)
    async def copy_command(self) -> None:
        """The Copy command button: the command that starts Seal with the credential."""
        instruction = self.instruction
        if instruction is None or instruction.command is None:
            return
        status = self.query_one("#copy-status", Static)
        status.display = True
        await copy_text(self.services, status, instruction.command, "command")
