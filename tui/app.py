"""SealSetupApp: receives the services, walks the step graph, exits with the status code.

Importing this module stays light: httpx, keyring and tomlkit load only when a step first
needs them (backend.services imports them lazily).
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events, work
from textual.app import App
from textual.binding import Binding, BindingType

import assets
from backend.config.location import default_config_path, shown_config_path
from backend.errors import ExitCode
from backend.services import Services
from backend.wizard.answers import Answers
from screens.base import StepContext, StepScreen
from screens.widgets.link_text import rewrap_links
from tui.flow import START_STEP, STEPS, following, phases_for
from tui.typeahead import Typeahead


def prepare_reauth(
    answers: Answers, services: Services, provider: str | None, profile: str | None
) -> None:
    """Fill the answers for `seal-setup reauth`: provider, profile, current method."""
    from backend.wizard.reauth import reauth_target, start_reauth

    loaded = services.load_config(answers.config_path)
    start_reauth(answers, reauth_target(loaded if loaded.exists else None, provider, profile))


def prepare_onboard(
    answers: Answers,
    services: Services,
    provider: str | None = None,
    auth: str | None = None,
    model: str | None = None,
    profile: str | None = None,
    agent: str | None = None,
) -> tuple[str, list[str]]:
    """Fill the answers for `seal-setup onboard --provider … --auth …` (any of the five):
    what seal.toml and the store give, then the choices named, checked as
    `--non-interactive` checks them (InputError: exit 2 before the screen takes over).
    Returns the step the run starts at, and the steps before it (answered) for Back."""
    from backend.errors import SealError
    from backend.wizard.flags import check_given
    from backend.wizard.resume import read_existing
    from tui.flow import start_past

    loaded = services.load_config(answers.config_path)  # ConfigError: exit 3
    try:
        records = services.store.list()
    except SealError:  # no store now: Welcome's survey says so when Back reaches it
        records = []
    existing = read_existing(loaded, records, agent)
    given = check_given(
        provider, auth, model, profile, agent, default_provider=existing.provider or "anthropic"
    )
    base_url = loaded.get("base_url", agent)
    answers.begin("onboard", base_url if isinstance(base_url, str) else None)
    answers.found_agents(loaded.agents() if loaded.exists else [])
    answers.resume(existing)
    if given.provider is not None:
        answers.choose_provider(given.provider)
    elif answers.provider is None and given.method is not None:
        answers.choose_provider("anthropic")  # the provider --auth was checked against
    if given.method is not None:
        answers.choose_method(given.method)
    if given.profile is not None:
        answers.profile = given.profile
    if given.model is not None:
        answers.model = given.model
    return start_past(answers, given.names)


def prepare_roles(answers: Answers, services: Services, agent: str | None) -> None:
    """Check seal.toml exists and parses, and the `--agent` name, for `seal-setup roles`."""
    from backend.config.schema import AGENT_NAME_RE
    from backend.errors import ConfigError, InputError

    loaded = services.load_config(answers.config_path)
    if not loaded.exists:
        raise ConfigError(
            f"{answers.config_path} does not exist",
            "run `seal-setup` first to choose a provider and model",
        )
    if agent is not None and not AGENT_NAME_RE.fullmatch(agent):
        raise InputError(
            f"{agent!r} is not a valid agent name", "use 1-64 letters, digits, '-' or '_'"
        )
    answers.agent = agent


def _no_event_log(app: App[int]) -> None:
    """Turn off Textual's debug event log (TEXTUAL_LOG file, devtools console).

    That log records every event and message with its fields: a paste, each keystroke and
    every Input.Changed of a secret field would land there in clear. The wizard handles
    secrets, and secrets never go into logs (DESIGN §3), so it keeps no such log.
    """
    from textual import constants

    vars(constants)["LOG_FILE"] = None
    app.devtools = None


class SealSetupApp(App[int]):
    """The wizard. Tests build it with fake services and `run_test()`."""

    # Beside the package's own file rather than importlib.resources: that import alone is a
    # few milliseconds of start-up, and the assets ship as plain files in the package.
    CSS_PATH = os.path.join(os.path.dirname(assets.__file__), "wizard.tcss")
    TITLE = "seal-setup"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        # Ctrl+C as in any terminal program: it asks to quit, and a second one quits.
        Binding("ctrl+c", "interrupt", show=False, priority=True),
        # Replaces App's own ctrl+q (quit, priority), which fired before the step's
        # ctrl+q and exited 0 without asking. The step's Cancel asks, then exits 130.
        Binding("ctrl+q", "cancel_step", "Cancel", show=False),
    ]

    def __init__(
        self,
        services: Services,
        answers: Answers | None = None,
        *,
        start: str | None = None,
        history: Sequence[str] = (),
    ) -> None:
        super().__init__()
        _no_event_log(self)
        self.services = services
        self.answers = answers or Answers()
        self.start_step = start or START_STEP[self.answers.mode]
        # The steps before the first one (answered on the command line): Back walks them.
        self.history: list[str] = list(history)
        self.current: str | None = None
        # Keys typed before a step can take them: held, then given to it (never Ctrl+C/Q).
        self.typeahead = Typeahead(self, {b.key for b in self.BINDINGS if isinstance(b, Binding)})

    @classmethod
    def from_cli(
        cls,
        *,
        config: str | None,
        mode: str,
        env: Mapping[str, str] | None = None,
        provider: str | None = None,
        profile: str | None = None,
        agent: str | None = None,
        auth: str | None = None,
        model: str | None = None,
        services: Services | None = None,
    ) -> SealSetupApp:
        """Build the app the way the command line does.

        `reauth` and `roles` read seal.toml first (raising ConfigError when it cannot be
        read or parsed, InputError when there is nothing to re-authenticate or the agent
        name is invalid), so the command line can say so before the screen takes over;
        so does `onboard` given any of its choices (`prepare_onboard`), which then starts
        at the first step they leave to answer.
        """
        env = dict(os.environ if env is None else env)
        services = services or Services(env)
        path = str(shown_config_path(default_config_path(env, config)))
        answers = Answers(mode=mode, config_path=path)  # type: ignore[arg-type]
        if mode == "reauth":
            prepare_reauth(answers, services, provider, profile)
        elif mode == "roles":
            prepare_roles(answers, services, agent)
        elif any(v is not None for v in (provider, auth, model, profile, agent)):
            start, history = prepare_onboard(
                answers, services, provider, auth, model, profile, agent
            )
            return cls(services, answers, start=start, history=history)
        return cls(services, answers)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and self.typeahead.hold(event):
            return
        await super().on_event(event)

    def on_step_screen_taking_keys(self, message: StepScreen.TakingKeys) -> None:
        message.stop()
        self.typeahead.step_takes_keys()

    def action_cancel_step(self) -> None:
        """Ctrl+Q: the active step's Cancel (a modal on top keeps its own keys)."""
        screen = self.screen
        if isinstance(screen, StepScreen):
            screen.action_cancel()

    def action_interrupt(self) -> None:
        """Ctrl+C: on a step, its Cancel (which asks); in "Quit setup?", Quit; in any
        other dialog, that dialog's Escape (the next Ctrl+C then asks)."""
        from screens.modals import QuitModal
        from screens.once import Dialog

        screen = self.screen
        if isinstance(screen, QuitModal):
            screen.action_answer(True)
        elif isinstance(screen, Dialog):
            screen.withdraw()
        elif isinstance(screen, StepScreen):
            screen.action_cancel()

    def get_default_screen(self) -> StepScreen:
        """The first step is the base screen: no empty screen to build and paint first."""
        screen = self._step_screen(self.start_step)
        # Textual gives the default screen no result callback, and switch_screen() pops
        # one from the screen it replaces: an empty one keeps that pop balanced.
        screen._push_result_callback(self, None)
        return screen

    def on_mount(self) -> None:
        self.call_after_refresh(self._first_paint_done)

    def _first_paint_done(self) -> None:
        if not gc.isenabled():
            # `seal-setup` pauses the garbage collector while it starts (tui.cli). What
            # start-up made lives as long as the app: frozen, no collection walks it
            # again (the first one would otherwise scan all of it, just after the paint).
            gc.freeze()
            gc.enable()
        # Load the network stack and catalog in the background now, so the first live
        # check does not pay for them.
        self.warm_up()

    # Not exit_on_error: a failure here only costs speed (no report, no stop); the check
    # itself reports real errors.
    @work(group="warm-up", exclusive=True, exit_on_error=False)
    async def warm_up(self) -> None:
        """Load the network stack and the catalog off the UI loop."""
        await asyncio.to_thread(self.services.warm_up)

    def on_unmount(self) -> None:
        self.services.close()

    def post_display_hook(self) -> None:
        """After each paint: a link on screen is written again as one line the terminal
        wraps itself, so a selection or `capture-pane -J` copies it whole (LinkText)."""
        if self._screen_stack:
            rewrap_links(self, self.screen)

    def _handle_exception(self, error: Exception) -> None:
        """Every error nothing else caught (a worker, a handler, compose, a render).

        Replaces Textual's report, which prints every frame's local variables (pasted
        keys, tokens) and the raw message: a report without secrets is saved instead, and
        a few lines say so once the terminal is restored. Exit code 1.
        """
        self._return_code = ExitCode.UNEXPECTED
        if self._exception is not None:
            # Already stopping on an error: the first one is the one reported.
            return
        # Pilot (run_test) waits on this event and raises the error when it ends.
        self._exception = error
        self._exception_event.set()
        from textual.worker import WorkerFailed

        from tui.crash import report_unexpected

        cause = error.error if isinstance(error, WorkerFailed) else error
        answers = self.answers
        changes = (
            "What Review showed was written before the error."
            if answers.written
            else "Nothing was written."
        )
        try:
            message = report_unexpected(cause, self.services.env, [answers.record], changes)
        except Exception:  # saving never raises; this keeps the exit quiet if it did
            message = f"seal-setup stopped on an unexpected error ({type(cause).__name__})."
        # Text, not markup; a long path is not wrapped, so it can be copied whole.
        self._exit_renderables[:] = [Text(message, no_wrap=True, overflow="ignore")]
        self._close_messages_no_wait()

    def _step_screen(self, name: str) -> StepScreen:
        step = STEPS[name]
        self.current = name
        context = StepContext(
            index=len(self.history),
            phases=phases_for(self.answers),
            phase=step.phase,
            can_back=bool(self.history) and not step.final,
            final=step.final,
        )
        return step.screen_class()(self.answers, self.services, context)

    def show_step(self, name: str) -> None:
        """Replace the current step's screen (and any dialog over it) with the step's."""
        screen = self._step_screen(name)
        while len(self.screen_stack) > 1:
            # A dialog still open over a step that finished on its own (a worker's result)
            # would otherwise stay on top of the old step.
            self.pop_screen()
        self.switch_screen(screen)

    def on_step_screen_finished(self, message: StepScreen.Finished) -> None:
        """A step is done: the flow decides where to go."""
        message.stop()
        name = self.current
        result = message.result
        if name is None or message.step is not self.screen_stack[0]:
            return
        if result.action == "cancel":
            self.exit(ExitCode.CANCELLED, return_code=ExitCode.CANCELLED)
        elif result.action == "back":
            if self.history:
                self.show_step(self.history.pop())
        elif STEPS[name].final:
            self.exit(ExitCode.OK, return_code=ExitCode.OK)
        else:
            if result.automatic:
                self.typeahead.went_on_by_itself()
            after = following(name, self.answers)
            self.history.append(name)
            enter = STEPS[after].on_enter
            if enter is not None:
                enter(self.answers, self.services)
            self.show_step(after)
