"""Check step: verify the credential live, then go on, fix it, retry, or keep it unverified."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from textual import work
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Button, LoadingIndicator, Static

from backend.methods import PROVIDER_LABELS
from screens.base import StepScreen
from screens.plain import plain
from screens.widgets.button import WizardButton


class CheckScreen(StepScreen):
    """Runs the provider's cheap authenticated call and classifies the answer."""

    TITLE_TEXT = "Checking your credential"
    HELP_TEXT = (
        "seal-setup makes one cheap authenticated request (listing models) to prove the "
        "credential works before anything is saved.\n\n"
        "[b]Verified[/b]: go on. [b]Rejected[/b]: the provider refused it; go Back and paste "
        "it again (a wrong key type, a revoked key or a key cut short are the usual causes). "
        "[b]Could not check[/b]: network trouble or the provider is busy; Retry, or keep it "
        "marked unverified and `seal-setup status` will keep saying so."
    )

    def compose_body(self) -> Iterable[Widget]:
        provider = PROVIDER_LABELS[self.answers.provider or "anthropic"]
        yield Static(f"Asking {provider}…", id="check-status", markup=False)
        yield LoadingIndicator(id="spinner")
        yield Static("", id="check-detail", markup=False)
        with Horizontal(classes="button-row"):
            yield WizardButton("Retry", id="retry")
            yield WizardButton("Keep it unverified", id="unverified")

    def on_mount(self) -> None:
        self.query_one("#retry", Button).display = False
        self.query_one("#unverified", Button).display = False
        if self.answers.check_outcome == "verified":
            self._show_verified()
        else:
            self.run_check()

    @work(group="check", exclusive=True)
    async def run_check(self) -> None:
        """The network call runs in a thread; the screen stays live."""
        record = self.answers.record
        if record is None:
            self._show("verified", "Nothing to check now: Seal will check it when it runs.", "")
            return
        self.query_one("#spinner").display = True
        self.query_one("#retry", Button).display = False
        self.query_one("#unverified", Button).display = False
        self.query_one("#check-status", Static).update("Checking…")
        self.set_ready(False)
        base_url = self.answers.settings.get("base_url")
        provider = self.answers.provider or "anthropic"
        try:
            started = self.services.prefetched_check(provider, record, base_url)
            if started is not None:
                report = await asyncio.wrap_future(started)
            else:
                report = await asyncio.to_thread(self.services.check, provider, record, base_url)
        except Exception as exc:  # a bug must show as a message, never a frozen screen
            self._show("unverifiable", f"The check failed unexpectedly ({type(exc).__name__}).", "")
            return
        result = report.result
        self.answers.check_outcome = result.outcome
        self.answers.check_message = result.message
        self.answers.identity = {**(record.account or {}), **dict(result.identity)}
        self.answers.live_models = list(report.models)
        self._show(result.outcome, result.message, result.cause, report.models_error)

    def _show_verified(self) -> None:
        self._show("verified", self.answers.check_message or "Verified.", "")

    def _show(self, outcome: str, message: str, cause: str, models_error: str = "") -> None:
        self.query_one("#spinner").display = False
        status = self.query_one("#check-status", Static)
        detail = self.query_one("#check-detail", Static)
        retry = self.query_one("#retry", Button)
        keep = self.query_one("#unverified", Button)
        lines: list[str] = []
        if outcome == "verified":
            status.update(plain("✓ " + message))
            status.set_classes("ok")
            lines.extend(_identity_lines(self.answers.identity))
            if models_error:
                lines.append(f"Model list unavailable ({models_error}); the bundled list is used.")
            retry.display = keep.display = False
            self.answers.store_unverified = False
            self.set_ready(True)
            self.query_one("#next", Button).focus()
        elif outcome == "rejected":
            status.update(plain("✗ " + message))
            status.set_classes("error")
            if cause:
                lines.append(cause)
            lines.append("Nothing was stored. Go Back to paste it again or pick another method.")
            retry.display = True
            keep.display = False
            self.set_ready(False)
            self.query_one("#back", Button).focus()
        else:
            status.update(plain("⚠ " + message))
            status.set_classes("warning")
            if cause:
                lines.append(cause)
            lines.append("Retry, or keep it marked unverified (status will say so).")
            retry.display = keep.display = True
            self.set_ready(self.answers.store_unverified)
            retry.focus()
        # The provider's words, its key label and the account's fields: plain text.
        detail.update(plain(*lines))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "retry":
            event.stop()
            self.run_check()
        elif event.button.id == "unverified":
            event.stop()
            self._confirm_unverified()
        else:
            super().on_button_pressed(event)

    def _confirm_unverified(self) -> None:
        from screens.modals import ConfirmModal

        def decided(yes: bool | None) -> None:
            if yes:
                self.answers.store_unverified = True
                self.query_one("#check-detail", Static).update(
                    "It will be stored marked unverified; `seal-setup status` will say so "
                    "until a check succeeds."
                )
                self.set_ready(True)
                self.query_one("#next", Button).focus()

        self.app.push_screen(
            ConfirmModal(
                "Keep it unverified?",
                "The credential could not be checked. It will be saved marked unverified, "
                "and Seal may fail later if it is wrong.",
                yes="Keep it",
                no="Cancel",
            ),
            decided,
        )


def _identity_lines(identity: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in identity.items():
        if key == "auth" or value in (None, "", {}, []):
            continue
        if isinstance(value, dict):
            value = value.get("email_address") or value.get("name") or value.get("uuid") or ""
            if not value:
                continue
        lines.append(f"{key.replace('_', ' ')}: {value}")
    return lines
