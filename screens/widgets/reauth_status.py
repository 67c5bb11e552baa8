"""ReauthStatus: the "what failed" panel at the top of the auth-method step in reauth mode.

It resolves the configured credential off the UI loop (keyring calls block) and shows
its source and state, as `backend.credentials.health` judges it for `status` and the Roles
checks too.
"""

from __future__ import annotations

import asyncio

from textual import work
from textual.widgets import Static

from backend.credentials.health import FAILING, WARNING, unreadable
from backend.errors import SealError
from backend.services import Services
from backend.vocabulary.methods import auth_label
from backend.vocabulary.registry import PROVIDER_LABELS
from backend.wizard.reauth import credential_status
from screens.plain import plain


def _look(state: str) -> tuple[str, str]:
    """The mark and the CSS class of a state."""
    if state in FAILING:
        return "✗", "error"
    if state in WARNING:
        return "⚠", "warning"
    return "✓", "ok"


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
            head += f" (seal.toml asks for {auth_label(self.auth)})"
        try:
            resolution = await asyncio.to_thread(
                self.services.resolve, self.provider, self.profile, self.auth
            )
        except SealError as exc:
            health = unreadable(self.provider, self.profile, self.auth, exc)
            self.state = health.state
            self.update(plain(head, f"✗ {health.reason}"))
            self.set_classes("error")
            return
        status = credential_status(resolution, self.auth, env=self.services.env)
        self.state = status.state
        mark, css = _look(status.state)
        self.update(plain(head, f"{mark} {status.headline}", *status.lines))
        self.set_classes(css)
