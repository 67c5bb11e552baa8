"""The frame every wizard step shares: title, progress, body, and Back/Cancel/Help/Next.

A step reads the Answers it is given, lets the person change them, and finishes with
a StepResult (posted as a StepScreen.Finished message); the App's flow decides what comes
next. Steps never reach into the App.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Static
from textual.worker import Worker, WorkerState

from backend.services import Services
from backend.wizard.answers import Answers
from screens.once import AnswerOnce
from screens.widgets.button import WizardButton

Action = Literal["next", "back", "cancel"]


@dataclass(frozen=True)
class StepResult:
    """How a step ended; the App's flow decides which step that leads to."""

    action: Action
    # The step went on by itself (after "✓ Verified"), not on a key or a click.
    automatic: bool = False


@dataclass(frozen=True)
class StepContext:
    """Where the step stands in the walk, for the progress line; `final`: the step that
    ends the run (everything is written: no Back, and leaving is finishing)."""

    index: int
    phases: tuple[str, ...]
    phase: str
    can_back: bool = True
    final: bool = False


class StepScreen(AnswerOnce, Screen[StepResult]):
    """Base class of the wizard steps."""

    class TakingKeys(Message):
        """The step can take keys now: keys typed before it was ready go to it."""

    class Finished(Message):
        """The step is done; the App shows whatever the flow says comes next."""

        def __init__(self, step: StepScreen, result: StepResult) -> None:
            super().__init__()
            self.step = step
            self.result = result

    TITLE_TEXT: ClassVar[str] = ""
    HELP_TEXT: ClassVar[str] = ""
    NEXT_LABEL: ClassVar[str] = "Next"
    # The step's paste field: a paste that arrives with the focus on a button or a list
    # lands there (people paste right after Copy link, with the focus on that button).
    PASTE_FIELD: ClassVar[str | None] = None
    # The step builds what takes its keys after the first paint (a survey, a catalog): it
    # calls take_keys() once that is focused. Until a step takes keys the App holds them.
    LOADS_BEFORE_KEYS: ClassVar[bool] = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        # Shown: the README and Help name Ctrl+N, and the key line is where people look.
        Binding("ctrl+n", "next", "Next"),
        Binding("f1", "help", "Help"),
        Binding("ctrl+q", "cancel", "Cancel", priority=True),
    ]

    def __init__(self, answers: Answers, services: Services, context: StepContext) -> None:
        super().__init__()
        self.answers = answers
        self.services = services
        self.context = context

    # -- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._progress_text(), id="progress", markup=True)
        yield Static(self.TITLE_TEXT, id="step-title")
        yield from self.compose_above()
        with VerticalScroll(id="body"):
            yield from self.compose_body()
        with Horizontal(id="nav"):
            yield WizardButton("Back", id="back", disabled=not self.context.can_back)
            cancel = WizardButton("Cancel", id="cancel", variant="error")
            cancel.display = not self.context.final
            yield cancel
            yield WizardButton("Help", id="help")
            yield WizardButton(
                self.NEXT_LABEL, id="next", variant="primary", disabled=not self.ready
            )
        yield Static(self._key_hints(), id="keys")

    def compose_body(self) -> Iterable[Widget]:
        """The step's own widgets."""
        return ()

    def compose_above(self) -> Iterable[Widget]:
        """Widgets between the title and the body: the whole width, never scrolled away."""
        return ()

    def _key_hints(self) -> Content:
        """The shown keys of this step, like Textual's Footer draws them.

        A fixed line rather than a Footer: the Footer is a widget per key, restyled
        whenever focus moves, and a step's keys do not change while it is open.
        """
        hints: dict[str, Binding] = {}
        for cls in reversed(type(self).__mro__):
            for binding in vars(cls).get("BINDINGS", ()):
                if isinstance(binding, Binding) and binding.show:
                    hints[binding.action] = binding
        parts = [
            Content.assemble(
                (self.app.get_key_display(binding), "bold $footer-key-foreground"),
                " ",
                binding.description,
            )
            for binding in hints.values()
        ]
        return Content("  ").join(parts)

    def _progress_text(self) -> str:
        phases = list(self.context.phases)
        current = self.context.phase
        # The line's width inside its padding: when the phases do not fit (onboarding with
        # Roles at 80 columns), the ones furthest behind give way to "…", never the next ones.
        width = self.app.size.width - 2

        def length(names: list[str]) -> int:
            extra = 2 if current in names else 0
            return sum(map(len, names)) + extra + 3 * (len(names) - 1)

        shown = phases
        if length(phases) > width and phases[0] != current:
            shown = phases[1:]
            while len(shown) > 1 and shown[0] != current and length(["…", *shown]) > width:
                shown = shown[1:]
        parts = [] if shown is phases else ["…"]
        for phase in shown:
            if phase == current:
                parts.append(f"[b reverse] {phase} [/]")
            else:
                parts.append(phase)
        return " › ".join(parts)

    # -- state -----------------------------------------------------------------------

    # Keys reach the step: until then the App holds them, in order (tui/typeahead.py).
    taking_keys = False

    @on(events.Mount)
    def _keys_after_mount(self) -> None:
        # After the step's own on_mount (Textual calls each class's handler, the
        # subclass's first) and the focus it set, which lands after a refresh.
        if not self.LOADS_BEFORE_KEYS:
            self.take_keys()

    def take_keys(self) -> None:
        """The step is ready for keys: the ones typed ahead come now, then the rest."""
        self.call_after_refresh(self._take_keys)

    def _take_keys(self) -> None:
        if not self.taking_keys:
            self.taking_keys = True
            self.post_message(self.TakingKeys())

    # The step's answer is valid: Next is enabled, and Ctrl+N refused until it is.
    ready: reactive[bool] = reactive(False, init=False, repaint=False)

    def watch_ready(self, ready: bool) -> None:
        self.query_one("#next", Button).disabled = not ready

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Next only with a valid answer (Ctrl+N included, not just the button)."""
        if action == "next":
            return self.ready
        return True

    def commit(self) -> bool:
        """Write the step's answer into `self.answers`; False keeps the step open."""
        return True

    def finish(self, result: StepResult) -> None:
        """Finish once only: a double Enter or double click must not advance twice.

        A message rather than dismiss(): the first step is the App's base screen (one
        screen less to build before the first paint), and a base screen cannot be popped.
        """
        if not self.first_answer():
            return
        self.post_message(self.Finished(self, result))

    # -- unexpected errors -----------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """The one policy for an error no worker of a step expected.

        A worker declared `exit_on_error=False` belongs to a step that shows such an error
        itself: a report without secrets is saved, and `show_unexpected` says what failed
        and where the report is, and the step goes on. Any other worker's error stops the
        wizard through the App's own handling (a report, a few lines, exit 1): never
        Textual's crash screen, which prints every frame's locals (keys, tokens).
        """
        worker, error = event.worker, event.worker.error
        if event.state is not WorkerState.ERROR or worker.exit_on_error or error is None:
            return
        if type(self).show_unexpected is StepScreen.show_unexpected:
            raise error  # no place for it on this step: the App's handling
        self._report_and_show(worker, error)

    @work(group="unexpected")
    async def _report_and_show(self, worker: Worker[object], error: BaseException) -> None:
        """Save the report off the UI loop, then let the step say so."""
        saved = await asyncio.to_thread(
            self.services.report_unexpected, error, [self.answers.record], self.held_secrets()
        )
        self.show_unexpected(worker, error, saved)

    def held_secrets(self) -> Sequence[str]:
        """Secrets the step holds besides the answers' credential: kept out of a report."""
        return ()

    def show_unexpected(self, worker: Worker[object], error: BaseException, saved: str) -> None:
        """Show that `worker` failed unexpectedly; `saved` says where the report is.

        Steps that declare a worker `exit_on_error=False` say it in their own words.
        """

    def on_paste(self, event: events.Paste) -> None:
        """A paste no focused field took (it bubbled up here) goes to the paste field."""
        from screens.widgets.secret_input import SecretInput

        if self.PASTE_FIELD is None:
            return
        fields = self.query(self.PASTE_FIELD)
        if not fields:
            return
        field = fields.first(SecretInput)
        if field.disabled or not field.display:
            return
        event.stop()
        field.take_paste(event.text)

    # -- actions ---------------------------------------------------------------------

    # Each calls the action by name rather than decorating it: @on binds the function of
    # the class that declares it, and steps override these actions.
    @on(Button.Pressed, "#next")
    def _next_pressed(self) -> None:
        self.action_next()

    @on(Button.Pressed, "#back")
    def _back_pressed(self) -> None:
        self.action_back()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#help")
    def _help_pressed(self) -> None:
        self.action_help()

    def action_next(self) -> None:
        """Go on, if the step's answer is valid."""
        if self.ready and self.commit():
            self.finish(StepResult("next"))

    def action_back(self) -> None:
        """Go to the previous step; answers given so far are kept."""
        if self.context.can_back:
            self.finish(StepResult("back"))

    def action_cancel(self) -> None:
        """Ask, then leave without writing anything (on the final step: finish)."""
        if self.context.final:
            self.action_next()
            return
        from screens.modals import QuitModal

        def decided(yes: bool | None) -> None:
            if yes:
                self.finish(StepResult("cancel"))

        self.app.push_screen(QuitModal(), decided)

    def action_help(self) -> None:
        """Show what this step is for and what to do."""
        from screens.modals import HelpModal

        self.app.push_screen(HelpModal(self.TITLE_TEXT, self.HELP_TEXT))
