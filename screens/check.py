"""Check step: verify the credential live, then go on, fix it, retry, or keep it unverified."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Button, LoadingIndicator, Static
from textual.worker import Worker

from backend.errors import SealError
from backend.providers.trust import UntrustedEndpoint
from backend.vocabulary.registry import PROVIDER_LABELS
from screens.base import StepResult, StepScreen
from screens.plain import plain
from screens.widgets.button import WizardButton

if TYPE_CHECKING:
    from backend.providers.trust import Endpoint
    from backend.providers.waiting import CheckProgress, WaitSeen

# How often the waiting lines are redrawn: the elapsed time counts whole seconds.
TICK = 0.5


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

    # Seconds between a fresh "✓ Verified" and going on by itself (None: wait for Next).
    GO_ON_AFTER: ClassVar[float | None] = 1.0

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
        # The check running now, while it runs: the lines saying how long and why it waits.
        self._progress: CheckProgress | None = None
        self._detail_lines: list[str] = []
        self._ticker: Timer = self.set_interval(TICK, self._show_waiting, pause=True)
        if self.answers.check_outcome == "verified":
            self._show_verified()
        else:
            self.run_check()

    @work(group="check", exclusive=True, exit_on_error=False)
    async def run_check(self, fresh: bool = False) -> None:
        """The network call runs in a thread; the screen stays live. `fresh`: send it
        again (Retry) rather than take the check already made for this credential."""
        record = self.answers.record
        if record is None:
            self._show("verified", "Nothing to check now: Seal will check it when it runs.", "")
            return
        self.query_one("#spinner").display = True
        self.query_one("#retry", Button).display = False
        self.query_one("#unverified", Button).display = False
        status = self.query_one("#check-status", Static)
        status.update("Checking…")
        status.set_classes("")
        self.query_one("#check-detail", Static).update("")
        self.ready = False
        base_url = self.answers.check_base_url
        path = self.answers.config_path
        provider = self.answers.provider or "anthropic"
        try:
            # The check the App started as Next was pressed, if it is this one; else a new one.
            started = self.services.check_async(provider, record, base_url, path, fresh=fresh)
            self._watch(self.services.check_progress(started))
            try:
                report = await asyncio.wrap_future(started)
            finally:
                self._watch(None)
        except UntrustedEndpoint as exc:
            # Nothing was sent: ask before the key goes to a server seal.toml names.
            self._ask_trust(exc.endpoints[0])
            return
        except SealError as exc:
            self._show("unverifiable", exc.message, exc.hint)
            return
        result = report.result
        self.answers.record_check(result, report.models)
        self._show(result.outcome, result.message, result.cause, report.models_error)
        if result.outcome == "verified":
            self._go_on_soon()

    def _go_on_soon(self) -> None:
        """After a fresh "✓ Verified" the wizard goes on by itself, after a pause to read it
        (Enter goes at once). Not when coming Back to a check already made: that would
        throw the person forward again."""
        pause = self.GO_ON_AFTER
        if pause is None:
            return
        going = f"Going on in {pause:g} s (Enter: now, Esc: back)."
        self.query_one("#check-detail", Static).update(plain(*self._detail_lines, going))
        self.set_timer(pause, self._go_on)

    def _go_on(self) -> None:
        # Only from the step as it is: a dialog on top (Help, Quit) or anything that made
        # it not ready keeps the person here.
        if self.app.screen is self and self.ready and self.commit():
            self.finish(StepResult("next", automatic=True))

    def _watch(self, progress: CheckProgress | None) -> None:
        """Show `progress` from now on, ticking (None: the check is over, stop)."""
        self._progress = progress
        if progress is None:
            self._ticker.pause()
            return
        self._show_waiting()
        self._ticker.reset()
        self._ticker.resume()

    def _show_waiting(self) -> None:
        """How long the check has taken, what the provider asked to wait for, and Esc."""
        progress = self._progress
        if progress is None:
            return
        label = PROVIDER_LABELS[self.answers.provider or "anthropic"]
        self.query_one("#check-status", Static).update(
            f"Checking with {label}… {progress.elapsed():.0f} s"
        )
        lines = []
        seen = progress.last_wait()
        if seen is not None:
            lines.append(waiting_line(label, seen))
        if self.context.can_back:
            lines.append("Esc cancels the check (back to the previous step).")
        self.query_one("#check-detail", Static).update("\n".join(lines))

    def show_unexpected(self, worker: Worker[object], error: BaseException, saved: str) -> None:
        # A bug in the check shows as a message, never as a frozen screen.
        self._show(
            "unverifiable", f"The check failed unexpectedly ({type(error).__name__}).", saved
        )

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
            if self.answers.own_base and self.answers.base_url:
                lines.append(
                    "Checked with the provider's own server, not seal.toml's base_url "
                    f"({self.answers.base_url})."
                )
            if models_error:
                lines.append(f"Model list unavailable ({models_error}); the bundled list is used.")
            retry.display = keep.display = False
            self.answers.keep_unverified(False)
            self.ready = True
            self.query_one("#next", Button).focus()
        elif outcome == "rejected":
            status.update(plain("✗ " + message))
            status.set_classes("error")
            if cause:
                lines.append(cause)
            lines.append("Nothing was stored. Go Back to paste it again or pick another method.")
            retry.display = True
            keep.display = False
            self.ready = False
            self.query_one("#back", Button).focus()
        else:
            status.update(plain("⚠ " + message))
            status.set_classes("warning")
            if cause:
                lines.append(cause)
            lines.append("Retry, or keep it marked unverified (status will say so).")
            retry.display = keep.display = True
            self.ready = self.answers.store_unverified
            retry.focus()
        # The provider's words, its key label and the account's fields: plain text.
        self._detail_lines = lines
        detail.update(plain(*lines))

    @on(Button.Pressed, "#retry")
    def retry(self) -> None:
        """Send the check again (the last one could not be made)."""
        self.run_check(fresh=True)

    def _ask_trust(self, endpoint: Endpoint) -> None:
        """seal.toml sends this provider's requests elsewhere: trust it, or check with the
        provider's own server."""
        from screens.modals import ConfirmModal

        label = PROVIDER_LABELS.get(endpoint.provider, endpoint.provider)
        own = self.services.endpoint(endpoint.provider).host
        self.query_one("#spinner").display = False
        self.query_one("#check-status", Static).update(
            plain(f"⚠ seal.toml sends {label} requests to {endpoint.host}, not to {own}.")
        )

        def use_own() -> None:
            self.answers.check_with_own_server()
            self.run_check()

        if endpoint.problem:
            self.query_one("#check-detail", Static).update(
                plain(f"{endpoint.problem}. Checking with {own} instead.")
            )
            use_own()
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.trust_and_check(endpoint)
            else:
                use_own()

        self.app.push_screen(
            ConfirmModal(
                f"Send your {label} credential to {endpoint.host}?",
                f"seal.toml ({endpoint.table} base_url) sends {label} requests to\n\n"
                f"  {endpoint.url}\n\n"
                f"That is not {label}'s own server ({own}). A project's seal.toml can come "
                "from anyone (a clone, a pull request): trust it only if you know this "
                "server, such as your company's proxy. Trust is kept for this seal.toml "
                "and this exact URL; if the URL in the file changes, seal-setup asks again."
                f"\n\nNo: check with {own} instead.",
                yes=f"Trust {endpoint.host}",
                no=f"Check with {own}",
            ),
            decided,
        )

    @work(group="check", exclusive=True)
    async def trust_and_check(self, endpoint: Endpoint) -> None:
        """Save the trust (disk I/O off the UI loop), then run the check through it."""
        try:
            await asyncio.to_thread(self.services.trust_endpoint, endpoint)
        except SealError as exc:
            self._show("unverifiable", exc.message, exc.hint)
            return
        self.run_check()

    @on(Button.Pressed, "#unverified")
    def confirm_unverified(self) -> None:
        """Ask, then let the credential go on marked unverified."""
        from screens.modals import ConfirmModal

        def decided(yes: bool | None) -> None:
            if yes:
                self.answers.keep_unverified()
                self.query_one("#check-detail", Static).update(
                    "It will be stored marked unverified; `seal-setup status` will say so "
                    "until a check succeeds."
                )
                self.ready = True
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


def waiting_line(label: str, seen: WaitSeen) -> str:
    """Why the check pauses: "OpenRouter asked to wait 10 s (429); retrying…"."""
    wait = seen.wait
    seconds = f"{wait.seconds:.0f} s" if wait.seconds >= 1 else f"{wait.seconds:.1f} s"
    if wait.status == 0:
        return f"No answer from {label} (the connection failed); trying again after {seconds}…"
    if wait.asked:
        return f"{label} asked to wait {seconds} ({wait.status}); retrying…"
    return f"{label} answered {wait.status} (busy); trying again after {seconds}…"


def _identity_lines(identity: Mapping[str, object]) -> list[str]:
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
