"""Review step: the seal.toml diff, where the secret goes, the equivalent command; Write."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Static
from textual.worker import Worker

from backend.config.backups import kept_as
from backend.errors import ConfigConflictError, SealError
from backend.system.display import visible
from backend.wizard.onboarding import commit, equivalent_command, record_to_store
from backend.wizard.reauth import NotAllowed, no_longer_allowed, not_allowed_lines
from backend.wizard.summary import alias_line, kept_line, outranking_line
from screens.base import StepContext, StepResult, StepScreen
from screens.plain import plain
from screens.widgets.button import WizardButton

if TYPE_CHECKING:
    from backend.config.document import SealConfig
    from backend.config.io import ConfigLink
    from backend.credentials.stores import StoreChoice
    from backend.providers.trust import Endpoint
    from backend.services import Services
    from backend.wizard.answers import Answers


def diff_text(diff: str) -> Text:
    """Colour a unified diff: additions green, removals red, hunks dim.

    The lines are the file's own content (anything a repository holds): tabs become
    spaces, and every other control is shown escaped.
    """
    text = Text()
    for raw in diff.splitlines():
        line = visible(raw.expandtabs(4))
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
        "seal-setup does not manage. The version it replaces is kept as seal.toml.bak, and "
        "the two before as seal.toml.bak.1 and seal.toml.bak.2: copy one over seal.toml to "
        "go back to it.\n\n"
        "Secrets never go into seal.toml: the credential goes to the store shown here.\n\n"
        "The command at the bottom does the same without the wizard (for scripts and CI); "
        "it reads the secret from stdin."
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        *StepScreen.BINDINGS,
        # Shown on the button and its line, only where a profile can be chosen.
        Binding("p", "profile", "Profile", show=False),
    ]

    def __init__(self, answers: Answers, services: Services, context: StepContext) -> None:
        super().__init__(answers, services, context)
        self._config: SealConfig | None = None
        # The profiles the store holds for this provider (onboarding with a credential).
        self._profiles: list[str] = []
        # The target of a symlinked seal.toml, once shown: Write goes there and nowhere else.
        self._link_target: Path | None = None
        self._not_allowed: list[NotAllowed] = []
        self._alias: str | None = None  # what an alias model name stands for now

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Preparing…", id="summary", markup=False)
        yield Static("", id="endpoints", markup=False, classes="warning")
        yield Static("", id="diff")
        yield Static("", id="kept", markup=False)
        yield Static("", id="secret-dest", markup=False)
        with Horizontal(id="profile-row", classes="button-row compact-row"):
            yield WizardButton("Change profile (p)", id="profile", compact=True)
            yield Static("", id="profile-line", markup=False)
        yield Static("", id="command", markup=False)
        yield WizardButton("Reload seal.toml", id="reload")
        yield Static("", id="write-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#reload", Button).display = False
        self.query_one("#profile-row").display = False
        self.prepare()

    @work(group="review", exclusive=True)
    async def prepare(self) -> None:
        """Read seal.toml and the store choice off the UI loop, then show the changes."""
        summary = self.query_one("#summary", Static)
        self.ready = False
        try:
            config, choice, link, endpoints = await asyncio.to_thread(self._load)
        except SealError as exc:
            summary.update(plain(f"✗ {exc}", "Nothing will be written."))
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
        elif self.answers.kept:
            text = f"Nothing to change: {path} and the stored credential stay as they are."
        else:
            text = f"{path} needs no change."
        lines = [text] if link is None else [f"{link.describe()}: Write changes that file.", text]
        lines += not_allowed_lines(self._not_allowed)
        if self._alias is not None:
            lines.append(self._alias)
        summary.update(plain(*lines))
        summary.set_classes("")
        where = self.query_one("#endpoints", Static)
        where.update(self._endpoint_lines(endpoints))
        where.display = bool(endpoints)
        shown = self.query_one("#diff", Static)
        shown.update(diff_text(diff) if diff else "")
        shown.display = bool(diff)  # no empty box when nothing changes
        kept = self.query_one("#kept", Static)
        kept.display = config.exists and bool(diff)
        if kept.display:
            target = link.target if link is not None else config.path
            kept.update(plain(f"The current version will be kept as {kept_as(target)}."))
        warning = outranking_line(self.answers, self.services.env)
        secret_lines = [self._secret_line(choice), *([warning] if warning else [])]
        self.query_one("#secret-dest", Static).update(plain(*secret_lines))
        self._show_profile()
        if mode == "roles":
            # Roles have no non-interactive form here, and no credential is stored.
            self.query_one("#command", Static).update(
                "No credential is stored: only role and agent keys of seal.toml change."
            )
        else:
            command = equivalent_command(self.answers, self.answers.config_path)
            # The Roles step's changes (agents added, renamed, removed) have no flags.
            roles = ["The role changes are not in it: `seal-setup roles` makes them."]
            self.query_one("#command", Static).update(
                plain(
                    "Same without the wizard:",
                    "  " + command,
                    *(roles if self.answers.role_edits else []),
                )
            )
        self.ready = True
        write = self.query_one("#next", Button)
        # Nothing to write: Next finishes, without a button that says it writes.
        write.label = self.NEXT_LABEL if diff or self._stores_secret else "Next"
        write.focus()

    def _load(self) -> tuple[SealConfig, StoreChoice | None, ConfigLink | None, list[Endpoint]]:
        from backend.wizard.onboarding import apply_answers

        config = self.services.load_config(self.answers.config_path)
        # Read before the edit removes them: what a change of method takes away, and why.
        self._not_allowed = no_longer_allowed(config, self.answers)
        apply_answers(config, self.answers)
        catalog = self.services.catalog(self.answers.provider, list(self.answers.live_models))
        self._alias = alias_line(self.answers, catalog)
        choice = self.services.store_choice() if self._stores_secret else None
        if choice is not None and self._offers_profile:
            from backend.wizard.profiles import stored_profiles

            try:
                self._profiles = stored_profiles(choice.store, self.answers.provider or "")
            except SealError:  # the store could not list them: a name can still be typed
                self._profiles = []
        return config, choice, config.link(), self.services.project_endpoints(config)

    @property
    def _offers_profile(self) -> bool:
        """A profile is chosen when onboarding stores a credential (re-auth replaces the
        one it was asked to; the env and Claude Code methods store nothing)."""
        return self.answers.mode == "onboard" and self._stores_secret

    def _show_profile(self) -> None:
        row = self.query_one("#profile-row")
        row.display = self._offers_profile
        if not row.display:
            return
        from backend.wizard.profiles import proposed_profile

        answers = self.answers
        lines = [f"Credential profile: {answers.profile}"]
        others = [name for name in self._profiles if name != answers.profile]
        if others:
            lines.append("Also stored: " + ", ".join(others))
        proposal = proposed_profile(answers)
        if proposal is not None:
            lines.append(f"Signed in as {proposal}: p proposes it as the profile name.")
        self.query_one("#profile-line", Static).update(plain(*lines))

    @on(Button.Pressed, "#profile")
    def action_profile(self) -> None:
        """Choose the profile the credential is stored under, or name a new one."""
        if not self.ready or not self._offers_profile:
            return
        from backend.config.schema import PROFILE_RULE, profile_problem
        from backend.wizard.profiles import proposed_profile
        from screens.widgets.name_dialog import NameDialog

        answers = self.answers
        proposal = proposed_profile(answers)
        lines = [
            f"The credential is stored as {answers.provider}:<profile>, and seal.toml says "
            "which profile Seal uses. A new name creates a profile.",
            f"Stored for {answers.provider}: " + (", ".join(self._profiles) or "none yet"),
        ]
        if proposal is not None:
            lines.append(f"Proposed: {proposal}, the account you signed in with.")

        def problem(name: str) -> str:
            return profile_problem(name) and f"Use {PROFILE_RULE}."

        def chosen(name: str | None) -> None:
            if name and name != answers.profile:
                answers.choose_profile(name)
                self.prepare()

        self.app.push_screen(
            NameDialog(
                "Credential profile",
                problem,
                value=proposal or answers.profile,
                placeholder="profile name",
                field_id="profile-name",
                lines=lines,
            ),
            chosen,
        )

    def _endpoint_lines(self, endpoints: list[Endpoint]) -> Content:
        """Servers other than the providers' own that Seal will send keys to, up front."""
        lines = []
        for e in endpoints:
            if e.trusted and not e.problem:
                state = "trusted on this machine"
            elif e.provider == self.answers.provider and self.answers.own_base:
                state = "not trusted here: the check went to the provider's own server"
            else:
                state = "not trusted here: `seal-setup trust` before seal-setup sends keys there"
            lines.append(
                f"⚠ Seal will send {e.provider} requests, with the key, to {e.url} "
                f"({e.table} base_url) — {state}"
            )
        return plain(*lines)

    @property
    def _stores_secret(self) -> bool:
        return record_to_store(self.answers) is not None

    def _secret_line(self, choice: StoreChoice | None) -> str:
        method = self.answers.method
        if method == "env":
            return "No secret is stored: Seal reads the environment variable when it runs."
        if method == "claude_code":
            return "No secret is stored: Seal reads Claude Code's sign-in when it runs."
        record = self.answers.record
        if self.answers.kept and record is not None:
            return kept_line(self.answers, record)
        if choice is None:
            return ""
        mark = "" if self.answers.check_outcome == "verified" else " (marked unverified)"
        where = choice.goes_to(self.answers.provider or "", self.answers.profile)
        return f"The credential{mark} goes to: {where}"

    @on(Button.Pressed, "#reload")
    def reload(self, event: Button.Pressed) -> None:
        """seal.toml changed on disk: read it again and show the changes anew."""
        event.button.display = False
        self.prepare()

    def action_next(self) -> None:
        if self.ready and self._config is not None:
            self.write()

    @work(group="review", exclusive=True, exit_on_error=False)
    async def write(self) -> None:
        """Store the credential and save seal.toml; on failure nothing is left half-done."""
        status = self.query_one("#write-status", Static)
        status.update("Writing…")
        self.ready = False
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
            status.update(plain(f"✗ {exc}"))
            status.set_classes("error")
            self.query_one("#reload", Button).display = True
            return
        except SealError as exc:
            status.update(plain(f"✗ {exc}"))
            status.set_classes("error")
            self.ready = True
            return
        self.answers.wrote(result, str(config.path))
        self.finish(StepResult("next"))

    def show_unexpected(self, worker: Worker[object], error: BaseException, saved: str) -> None:
        # Only Write leaves its errors here: a store backend's own error is a message.
        status = self.query_one("#write-status", Static)
        status.update(
            plain(
                f"✗ Writing failed unexpectedly ({type(error).__name__}). Nothing was "
                "changed: the credential store was rolled back. Try again, or set "
                "SEAL_CREDENTIAL_STORE=file.",
                saved,
            )
        )
        status.set_classes("error")
        self.ready = True
