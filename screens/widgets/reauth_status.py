"""ReauthStatus: the "what failed" panel at the top of the auth-method step in reauth mode.

It resolves the configured credential off the UI loop (keyring calls block) and shows
its source and state: missing, rejected (stale after a 401), expired, unverified or ok.
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.widgets import Static

from backend.errors import SealError
from backend.reauth import credential_status
from backend.registry import PROVIDER_LABELS
from backend.services import Services
from screens.plain import plain

_MARKS = {"missing": "✗", "rejected": "✗", "expired": "✗", "unverified": "⚠", "ok": "✓"}
_CLASSES = {"missing": "error", "rejected": "error", "expired": "error", "unverified": "warning"}


class ReauthStatus(Static):
    """Which credential is being replaced and what is wrong with it."""

    DEFAULT_CSS = """
    ReauthStatus { height: auto; padding: 0 1; margin: 1 0 0 0; background: $boost; }
    """

    def __init__(
        self, services: Services, provider: str, profile: str, auth: str | None, **kwargs: object
    ) -> None:
        label = PROVIDER_LABELS.get(provider, provider)
        super().__init__(plain(f"Re-authenticating {label} ({profile})…"), **kwargs)  # type: ignore[arg-type]
        self.services = services
        self.provider = provider
        self.profile = profile
        self.auth = auth
        self.state: str | None = None

    def on_mount(self) -> None:
        self.load()

    @work(group="reauth-status", exclusive=True)
    async def load(self) -> None:
        """Resolve the credential in a thread; a store error becomes a sentence."""
        label = PROVIDER_LABELS.get(self.provider, self.provider)
        head = f"Re-authenticating {label}, profile {self.profile}"
        if self.auth:
            head += f" (seal.toml: auth = {self.auth})"
        try:
            resolution = await asyncio.to_thread(
                self.services.resolve, self.provider, self.profile, self.auth
            )
        except SealError as exc:
            self.state = "missing"
            self.update(plain(head, f"✗ The credential store cannot be read: {exc}"))
            self.set_classes("error")
            return
        status = credential_status(resolution, self.auth)
        self.state = status.state
        lines = [head, f"{_MARKS[status.state]} {status.headline}", *status.lines]
        self.update(plain(*lines))
        self.set_classes(_CLASSES.get(status.state, "ok"))
