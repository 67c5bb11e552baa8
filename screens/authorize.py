"""Sign-in step (Claude Pro/Max or Console): open or copy the link, paste `code#state`.

The sign-in is saved on disk for ten minutes, so a code pasted after seal-setup was
interrupted and started again still works; an expired one is said to be expired and a
new link is made. Leaving the step by Back or Cancel ends the sign-in (its file goes).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, Input, Static
from textual.worker import Worker

from backend.auth.paste import SIGN_IN_PASTE
from backend.errors import SealError
from backend.vocabulary.methods import SUBSCRIPTION_NOTE
from screens.base import StepContext, StepResult, StepScreen
from screens.copying import copy_text
from screens.plain import plain
from screens.widgets.button import WizardButton
from screens.widgets.link_text import LinkText
from screens.widgets.secret_input import SecretInput

if TYPE_CHECKING:
    from backend.auth.loopback import LoopbackListener
    from backend.auth.oauth import Mode, PendingSignIn
    from backend.services import Services
    from backend.wizard.answers import Answers


class AuthorizeScreen(StepScreen):
    """Browser sign-in with a pasted code."""

    TITLE_TEXT = "Sign in with your browser"
    PASTE_FIELD = "#code"
    NEXT_LABEL = "Sign in"
    HELP_TEXT = (
        "1. Open the link (the [b]Open browser[/b] button, or copy it to a browser on any "
        "machine).\n2. Sign in and approve.\n3. The page shows a code like "
        "[b]abc123…#xyz789…[/b]: copy all of it, including the part after #, and paste it "
        "here. A full callback URL works too.\n\nThe link stays valid for 10 minutes: if "
        "seal-setup is interrupted (the terminal closed, the connection dropped), start it "
        "again within that time and the same sign-in continues. Back or Cancel ends it.\n\n"
        "The link is copied only when you ask: [b]Copy link[/b] or F2. To select it with "
        "the mouse, hold Shift (Option on macOS) while dragging, or press F3 to show the "
        "link alone on the screen (Esc comes back)."
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "copy_link", "Copy link"),
        Binding("f3", "show_link", "Link alone"),
    ]

    def __init__(self, answers: Answers, services: Services, context: StepContext) -> None:
        super().__init__(answers, services, context)
        self.pending: PendingSignIn | None = None
        # What the last sign-in sent: kept out of a report if it fails unexpectedly.
        self._exchanged: tuple[str, ...] = ()
        # Where a browser opens here, the sign-in comes back to this listener by itself;
        # the paste box stays live beside it and whichever arrives first wins.
        self._listener: LoopbackListener | None = None

    @property
    def mode(self) -> Mode:
        return "console" if self.answers.method == "console_oauth" else "max"

    def compose_body(self) -> Iterable[Widget]:
        if self.mode == "console":
            intro = (
                "Sign in to the Anthropic Console. seal-setup then creates an API key "
                "for Seal and stores it; you pay per token as with any API key."
            )
        else:
            intro = "Sign in with your Claude Pro or Max account."
        yield Static(intro, classes="intro")
        # Compact (one-row) buttons: at 80x24 the link above takes six lines, and
        # bordered buttons pushed the paste field below the fold.
        with Horizontal(classes="button-row compact-row"):
            yield WizardButton(
                "Open browser", id="open", variant="primary", disabled=True, compact=True
            )
            yield WizardButton("Copy link", id="copy", disabled=True, compact=True)
            yield WizardButton("New link", id="restart", disabled=True, compact=True)
        yield Static("", id="link-status", markup=False)
        yield Static("Then paste the code shown after signing in (code#state):", classes="label")
        # `code=…&state=…` is a valid paste: its `code=` is not a shell assignment.
        yield SecretInput(
            placeholder="paste code#state here",
            id="code",
            strip_assignment=False,
            limit=SIGN_IN_PASTE,
        )
        yield Static("", id="feedback", markup=False)
        if self.mode != "console":
            yield Static(SUBSCRIPTION_NOTE, classes="hint")

    def compose_above(self) -> Iterable[Widget]:
        # The link spans the whole width, above the scrolling body: always in view, and
        # the terminal wraps it as one line (LinkText).
        yield LinkText("Preparing a sign-in link…", id="url")

    def on_mount(self) -> None:
        self.prepare(fresh=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Copy and show the link only once there is one."""
        if action in ("copy_link", "show_link"):
            return self.pending is not None
        return super().check_action(action, parameters)

    def action_copy_link(self) -> None:
        self.copy_link()

    def action_show_link(self) -> None:
        """The link alone on a plain screen, to select it; any of Esc, Enter, q, F3 returns."""
        from screens.modals import LinkModal

        if self.pending is not None:
            self.app.push_screen(LinkModal(self.pending.url))

    @work(group="sign-in", exclusive=True)
    async def prepare(self, fresh: bool) -> None:
        """Resume a recent sign-in, or start a new one (disk I/O off the UI loop)."""
        status = self.query_one("#link-status", Static)
        mode = self.mode
        pending = None
        note = ""
        try:
            if not fresh:
                pending = await asyncio.to_thread(self.services.pending_sign_in, mode)
                if pending is not None and pending.expired():
                    note = "The sign-in started earlier has expired; here is a new link. "
                    pending = None
                elif pending is not None:
                    age = (datetime.now(UTC) - pending.created_at).total_seconds() // 60
                    note = f"Continuing the sign-in you started {int(age)} min ago. "
            if pending is None:
                note += await self._listen()
                redirect = self._listener.redirect_uri if self._listener else ""
                pending = await asyncio.to_thread(self.services.start_sign_in, mode, redirect)
                if self._listener is not None:
                    self._listener.state = pending.state
                    self._listener.deadline = pending.expires_at
        except SealError as exc:
            status.update(plain(f"Could not prepare the sign-in: {exc}"))
            status.set_classes("error")
            return
        if pending is None:
            return
        self.pending = pending
        self.query_one("#url", LinkText).url = pending.url
        for button_id in ("#open", "#copy", "#restart"):
            self.query_one(button_id, Button).disabled = False
        env = self.services.environment()
        if not env.can_open_browser:
            self.query_one("#open", Button).disabled = True
            # Nothing is copied unasked: the clipboard is the person's.
            note += (
                f"Open the link yourself ({env.browser_reason}): F2 copies it, F3 shows it alone. "
            )
        status.update(plain(note.strip()))
        status.set_classes("")
        self.refresh_bindings()
        code = self.query_one("#code", SecretInput)
        code.focus(scroll_visible=False)
        # At 80x24 the link and its status push the field to the bottom edge: scroll it
        # into view once the new lines are laid out (focus would centre it instead, from
        # wherever the layout was when its callback ran).
        self.call_after_refresh(code.scroll_visible, animate=False)

    async def _listen(self) -> str:
        """Open the callback listener where a browser opens here; a note when it cannot."""
        from backend.auth.loopback import LoopbackUnavailable
        from backend.credentials.record import utcnow

        self._close_listener()
        if not self.services.environment().can_open_browser:
            return ""
        try:
            # The state and deadline become the sign-in's once it is made (it needs the
            # listener's port first); until then no callback can match the random state.
            listener = await asyncio.to_thread(
                self.services.open_loopback,
                secrets.token_urlsafe(32),
                utcnow() + timedelta(minutes=10),
            )
        except LoopbackUnavailable as exc:
            return f"The browser cannot hand the sign-in back here ({exc}): paste the code. "
        self._listener = listener
        self.set_interval(0.1, self._poll_callback, name="sign-in-callback")
        return "Open the browser and sign in: seal-setup goes on by itself (or paste the code). "

    def _poll_callback(self) -> None:
        listener = self._listener
        if listener is None or self.pending is None or listener.result is None:
            return
        result = listener.result
        self._close_listener()
        self.sign_in(result.as_paste(self.pending.state))

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()

    def on_unmount(self) -> None:
        self._close_listener()

    @on(Button.Pressed, "#restart")
    def new_link(self) -> None:
        """Start a new sign-in; a code pasted for the old one is cleared."""
        self.query_one("#code", SecretInput).value = ""
        self.prepare(fresh=True)

    @on(Button.Pressed, "#open")
    @work(group="browser", exclusive=True)
    async def open_link(self) -> None:
        """webbrowser may block (a text browser takes the terminal): run it in a thread."""
        if self.pending is None:
            return
        result = await asyncio.to_thread(self.services.open_browser, self.pending.url)
        status = self.query_one("#link-status", Static)
        message = result.message
        if result.opened and self._listener is not None:
            message += " Sign in there and seal-setup goes on by itself."
        status.update(plain(message))
        status.set_classes("ok" if result.opened else "warning")

    @on(Button.Pressed, "#copy")
    @work(group="clipboard", exclusive=True)
    async def copy_link(self) -> None:
        """The Copy link button (and F2): the system's clipboard tool, else OSC 52."""
        if self.pending is None:
            return
        status = self.query_one("#link-status", Static)
        await copy_text(self.services, status, self.pending.url, "link")

    def on_secret_input_pasted(self, event: SecretInput.Pasted) -> None:
        if event.refusal:
            # The field was emptied (its Changed came first): say why.
            feedback = self.query_one("#feedback", Static)
            feedback.update("✗ " + event.refusal)
            feedback.set_classes("error")
            self.call_after_refresh(feedback.scroll_visible)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "code":
            self.query_one("#feedback", Static).update("")
            self.ready = bool(event.value.strip()) and self.pending is not None
            # At 80x24 the link and its status push the field below the fold: once a
            # code is pasted, bring the field (and the feedback under it) into view.
            if event.value:
                self.call_after_refresh(self.query_one("#feedback", Static).scroll_visible)

    def finish(self, result: StepResult) -> None:
        """Back or Cancel abandons the sign-in: its saved file goes before the step does."""
        self._close_listener()
        pending = self.pending
        if result.action in ("back", "cancel") and pending is not None:
            self.pending = None
            self.abandon(pending, result)
            return
        super().finish(result)

    @work(group="abandon", exclusive=True)
    async def abandon(self, pending: PendingSignIn, result: StepResult) -> None:
        # Not removed (a read-only folder): it expires in ten minutes anyway.
        with contextlib.suppress(Exception):
            await asyncio.to_thread(self.services.abandon_sign_in, pending)
        super().finish(result)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_next()

    def action_next(self) -> None:
        if self.ready:
            self.sign_in()

    @work(group="sign-in", exclusive=True, exit_on_error=False)
    async def sign_in(self, callback: str = "") -> None:
        """Exchange the pasted code, or the one the browser brought back (`callback`), and,
        for the Console, create the API key. The first to arrive wins: a paste closes the
        listener, and a callback taken is the listener's last."""
        pending = self.pending
        if pending is None:
            return
        if not callback:
            self._close_listener()
        pasted = callback or self.query_one("#code", SecretInput).value
        self._exchanged = (pasted, pending.verifier, pending.state)
        feedback = self.query_one("#feedback", Static)
        feedback.update("Signing in…")
        feedback.set_classes("")
        self.ready = False
        try:
            record = await asyncio.to_thread(
                self.services.complete_sign_in, pending, pasted, self.answers.profile
            )
        except SealError as exc:
            # A pasted URL's error_description is the server's text: plain, never markup.
            feedback.update(plain("✗ " + str(exc)))
            feedback.set_classes("error")
            self.call_after_refresh(feedback.scroll_visible)
            self.ready = True
            return
        self.answers.set_credential(record)
        self.finish(StepResult("next"))

    def held_secrets(self) -> Sequence[str]:
        # The code sent, the sign-in's verifier and state, and the field (it may have
        # changed since) are secrets too.
        return (*self._exchanged, self.query_one("#code", SecretInput).value)

    def show_unexpected(self, worker: Worker[object], error: BaseException, saved: str) -> None:
        # Only the sign-in leaves its errors here: the frames of the exchange hold the
        # tokens the server sent, so a message, never Textual's crash report.
        feedback = self.query_one("#feedback", Static)
        feedback.update(
            plain(f"✗ The sign-in failed unexpectedly ({type(error).__name__}).", saved)
        )
        feedback.set_classes("error")
        self.call_after_refresh(feedback.scroll_visible)
        self.ready = True
