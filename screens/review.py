"""Review step: the seal.toml diff, where the secret goes, the equivalent command; Write."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.widget import Widget
from textual.widgets import Button, Static

from backend.errors import ConfigConflictError, SealError
from backend.onboarding import STORED_METHODS, commit, equivalent_command
from screens.base import StepResult, StepScreen
from screens.widgets.button import WizardButton


def diff_text(diff: str) -> Text:
    """Colour a unified diff: additions green, removals red, hunks dim."""
    text = Text()
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        elif line.startswith("@@"):
            style = "dim"
        else:
            style = ""
        text.append(line + "\n", style=style)
    return text


class ReviewScreen(StepScreen):
    """Shows exactly what Write will do, then does it atomically."""

    TITLE_TEXT = "Review and write"
    NEXT_LABEL = "Write"
    HELP_TEXT = (
        "This is everything Write will change. seal.toml keeps every comment and every key "
        "seal-setup does not manage; the previous version is kept as seal.toml.bak.\n\n"
        "Secrets never go into seal.toml: the credential goes to the store shown here.\n\n"
        "The command at the bottom does the same without the wizard (for scripts and CI); "
        "it reads the secret from stdin."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._config: Any | None = None
        # The target of a symlinked seal.toml, once shown: Write goes there and nowhere else.
        self._link_target: Path | None = None

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Preparing…", id="summary", markup=False)
        yield Static("", id="diff")
        yield Static("", id="secret-dest", markup=False)
        yield Static("", id="command", markup=False)
        yield WizardButton("Reload seal.toml", id="reload")
        yield Static("", id="write-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#reload", Button).display = False
        self.prepare()

    @work(group="review", exclusive=True)
    async def prepare(self) -> None:
        """Read seal.toml and the store choice off the UI loop, then show the changes."""
        summary = self.query_one("#summary", Static)
        self.set_ready(False)
        try:
            config, choice, link = await asyncio.to_thread(self._load)
        except SealError as exc:
            summary.update(f"✗ {exc}\nNothing will be written.")
            summary.set_classes("error")
            return
        self._config = config
        self._link_target = link.target if link is not None else None
        diff = config.diff()
        path = str(config.path)
        mode = self.answers.mode
        if mode == "reauth" and not config.changed():
            # Only the credential changes: the method is the same, or seal.toml does not
            # configure this provider (or does not exist) and is never touched.
            if not config.exists:
                why = "there is none here, and re-auth does not create one"
            elif self.answers.reauth_auth is None:
                why = f"it does not configure {self.answers.provider}"
            else:
                why = "the method is the same"
            text = f"seal.toml unchanged ({path}): {why}."
        elif not config.exists:
            text = f"{path} does not exist yet: it will be created."
        elif diff:
            text = f"Changes to {path}:"
        else:
            text = f"{path} needs no change."
        if link is not None:
            text = f"{link.describe()}: Write changes that file.\n{text}"
        summary.update(text)
        summary.set_classes("")
        self.query_one("#diff", Static).update(diff_text(diff) if diff else "")
        self.query_one("#secret-dest", Static).update(self._secret_line(choice))
        if mode == "roles":
            # Roles have no non-interactive form here, and no credential is stored.
            self.query_one("#command", Static).update(
                "No credential is stored: only role and agent keys of seal.toml change."
            )
        else:
            command = equivalent_command(self.answers, self.answers.config_path)
            self.query_one("#command", Static).update("Same without the wizard:\n  " + command)
        self.set_ready(True)
        self.query_one("#next", Button).focus()

    def _load(self) -> tuple[Any, Any, Any]:
        from backend.onboarding import apply_answers

        config = self.services.load_config(self.answers.config_path)
        apply_answers(config, self.answers)
        choice = self.services.store_choice() if self._stores_secret else None
        return config, choice, config.link()

    @property
    def _stores_secret(self) -> bool:
        return self.answers.method in STORED_METHODS and self.answers.record is not None

    def _secret_line(self, choice: Any) -> str:
        method = self.answers.method
        if method == "env":
            return "No secret is stored: Seal reads the environment variable when it runs."
        if method == "claude_code":
            return "No secret is stored: Seal reads Claude Code's sign-in when it runs."
        if choice is None:
            return ""
        mark = "" if self.answers.check_outcome == "verified" else " (marked unverified)"
        return f"The credential{mark} goes to: {choice.reason}"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "reload":
            event.stop()
            event.button.display = False
            self.prepare()
            return
        super().on_button_pressed(event)

    def action_next(self) -> None:
        if self.ready and self._config is not None:
            self.write()

    @work(group="review", exclusive=True)
    async def write(self) -> None:
        """Store the credential and save seal.toml; on failure nothing is left half-done."""
        status = self.query_one("#write-status", Static)
        status.update("Writing…")
        self.set_ready(False)
        config = self._config
        if config is None:
            return
        try:
            store = await asyncio.to_thread(lambda: self.services.store)
            result = await asyncio.to_thread(
                lambda: commit(
                    self.answers,
                    config,
                    store,
                    env=self.services.env,
                    link_target=self._link_target,
                )
            )
        except ConfigConflictError as exc:
            status.update(f"✗ {exc}")
            status.set_classes("error")
            self.query_one("#reload", Button).display = True
            return
        except SealError as exc:
            status.update(f"✗ {exc}")
            status.set_classes("error")
            self.set_ready(True)
            return
        except Exception as exc:  # a store backend's own error: a message, never a crash
            status.update(
                f"✗ Writing failed unexpectedly ({type(exc).__name__}). Nothing was changed: "
                "the credential store was rolled back. Try again, or set "
                "SEAL_CREDENTIAL_STORE=file."
            )
            status.set_classes("error")
            self.set_ready(True)
            return
        self.answers.written = True
        self.answers.saved_path = str(config.path) if result.config_written else None
        self.answers.stored_where = result.stored_where
        self.finish(StepResult("next"))
