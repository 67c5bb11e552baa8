"""SealSetupApp: receives the services, walks the step graph, exits with the status code.

Importing this module stays light: httpx, keyring and tomlkit load only when a step first
needs them (backend.services imports them lazily).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from importlib.resources import files
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from backend.services import Services
from backend.wizard_state import Answers
from screens.base import StepContext, StepResult
from tui.flow import START_STEP, STEPS, phases_for

EXIT_OK = 0
EXIT_CANCELLED = 130


def resolve_config_path(cli_path: str | None, env: Mapping[str, str]) -> str:
    """--config wins, then $SEAL_CONFIG, then ./seal.toml."""
    if cli_path:
        return cli_path
    return env.get("SEAL_CONFIG") or "seal.toml"


class SealSetupApp(App[int]):
    """The wizard. Tests build it with fake services and `run_test()`."""

    CSS_PATH = str(files("assets").joinpath("wizard.tcss"))
    TITLE = "seal-setup"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "help_quit", show=False, system=True),
    ]

    def __init__(
        self,
        services: Services,
        answers: Answers | None = None,
        *,
        start: str | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.answers = answers or Answers()
        self.start_step = start or START_STEP[self.answers.mode]
        self.history: list[str] = []
        self.current: str | None = None

    @classmethod
    def from_cli(
        cls, *, config: str | None, mode: str, env: Mapping[str, str] | None = None
    ) -> SealSetupApp:
        """Build the app the way the command line does."""
        env = dict(os.environ if env is None else env)
        answers = Answers(mode=mode, config_path=resolve_config_path(config, env))  # type: ignore[arg-type]
        return cls(Services(env), answers)

    def compose(self) -> ComposeResult:
        yield Static("", id="backdrop")

    def on_mount(self) -> None:
        self.show_step(self.start_step)

    def show_step(self, name: str) -> None:
        """Push the screen of a step; its result decides where to go."""
        step = STEPS[name]
        self.current = name
        context = StepContext(
            index=len(self.history),
            phases=phases_for(self.answers.mode),
            phase=step.phase,
            can_back=bool(self.history),
        )
        screen = step.screen(self.answers, self.services, context)
        self.push_screen(screen, self._step_done)

    def _step_done(self, result: StepResult | None) -> None:
        name = self.current
        if result is None or name is None:
            return
        if result.action == "cancel":
            self.exit(EXIT_CANCELLED, return_code=EXIT_CANCELLED)
        elif result.action == "back":
            if self.history:
                self.show_step(self.history.pop())
        elif result.action == "goto" and result.target in STEPS:
            self.history.append(name)
            self.show_step(result.target)
        else:
            following = STEPS[name].next(self.answers)
            if following is None:
                self.exit(EXIT_OK, return_code=EXIT_OK)
                return
            self.history.append(name)
            self.show_step(following)
