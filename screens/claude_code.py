"""Claude Code import step: find Claude Code's saved sign-in and use it, nothing pasted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime

from textual import on, work
from textual.widget import Widget
from textual.widgets import Button, Static

from backend.credentials.health import span
from backend.errors import SealError
from backend.vocabulary.methods import SUBSCRIPTION_NOTE
from screens.base import StepScreen
from screens.plain import plain
from screens.widgets.button import WizardButton


class ClaudeCodeScreen(StepScreen):
    """Find Claude Code's sign-in (macOS keychain, then ~/.claude/.credentials.json or
    $CLAUDE_CONFIG_DIR's) and show what it holds."""

    TITLE_TEXT = "Use Claude Code's sign-in"
    HELP_TEXT = (
        "If Claude Code is signed in on this machine, Seal can use the same sign-in. "
        "seal-setup reads it where Seal does (on macOS the login keychain's "
        "'Claude Code-credentials' entry first, then Claude Code's credentials file); Seal "
        "reads it again each time it starts, so a refresh by either tool keeps both "
        "working. Nothing is copied into seal's own store, and nothing is written back.\n\n"
        "Not found? Run [b]claude[/b] and sign in, or set CLAUDE_CONFIG_DIR if Claude Code "
        "keeps its files elsewhere. A locked keychain: unlock it and choose Look again.\n\n"
        + SUBSCRIPTION_NOTE
    )

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Looking for Claude Code's sign-in…", id="found", markup=False)
        yield WizardButton("Look again", id="rescan")
        yield Static(SUBSCRIPTION_NOTE, classes="hint")

    def on_mount(self) -> None:
        self.scan()

    @on(Button.Pressed, "#rescan")
    @work(group="claude-code", exclusive=True)
    async def scan(self) -> None:
        """Read the file off the UI loop and describe it."""
        found = self.query_one("#found", Static)
        try:
            sign_in = await asyncio.to_thread(self.services.import_claude_code)
        except SealError as exc:
            found.update(plain(f"✗ {exc}"))
            found.set_classes("error")
            self.ready = False
            return
        # The keychain's trouble (macOS), each with what to do; the file was read anyway.
        trouble = [f"! {problem}" for problem in sign_in.problems]
        record = sign_in.record
        if record is None:
            found.update(
                plain(
                    f"✗ No Claude Code sign-in {self.services.claude_code_searched()}.",
                    *trouble,
                    "Sign in with `claude` first, or choose another method (Back).",
                )
            )
            found.set_classes("error")
            self.ready = False
            return
        where = "in" if sign_in.place != sign_in.where else "at"
        lines = [f"✓ Found Claude Code's sign-in {where} {sign_in.place}", *trouble]
        account = record.account or {}
        if account.get("subscription_type"):  # backend.credentials.claude_code's name for it
            lines.append(f"  Plan: {account['subscription_type']}")
        if record.expires_at is not None:
            left = record.expires_at - datetime.now(UTC)
            if left.total_seconds() > 0:
                # The one duration wording status uses: 59 minutes is "59 min", not "0 h".
                lines.append(f"  Access token valid for {span(left)} more (refreshed as needed)")
            else:
                lines.append("  Access token expired: Seal refreshes it on first use")
        # The place and the plan come from the environment and Claude Code's sign-in.
        found.update(plain(*lines))
        found.set_classes("ok")
        self.answers.set_credential(record.with_changes(profile=self.answers.profile))
        self.ready = True
        # Found: Enter goes on (it would run Look again with the focus left on it).
        self.query_one("#next", Button).focus()
