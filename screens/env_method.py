"""Env step: Seal reads the provider's variable at run time; nothing is stored."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Button, Static

from backend.auth.paste import fingerprint
from backend.credentials.record import CredentialRecord
from backend.credentials.resolution import env_record
from backend.errors import InputError
from backend.vocabulary.registry import ENV_VARS
from screens.base import StepScreen
from screens.plain import plain


class EnvScreen(StepScreen):
    """Explain the variable(s), show whether they are set here, and check the value if so."""

    TITLE_TEXT = "Use an environment variable"
    HELP_TEXT = (
        "With this method seal-setup stores no secret: Seal reads the variable each time it "
        "starts. Set it in your shell profile, your CI secrets, or your process manager.\n\n"
        "If the variable is set in this shell, seal-setup checks its value live now."
    )

    def compose_body(self) -> Iterable[Widget]:
        provider = self.answers.provider or "anthropic"
        lines = ["Seal will read, in this order:"]
        self._found: str | None = None
        self._record: CredentialRecord | None = None
        self._problem: InputError | None = None
        for var in ENV_VARS[provider]:
            value = self.services.env.get(var, "").strip()
            if value:
                lines.append(f"  ${var}  — set here: {fingerprint(value)}")
                if self._found is None:
                    self._found = var
                    try:
                        # The same record (and Bearer rule) status and Seal's lookup use.
                        self._record = env_record(provider, self.answers.profile, var, value)
                    except InputError as exc:
                        self._problem = exc
            else:
                lines.append(f"  ${var}  — not set in this shell")
        if self._problem is not None:
            lines += ["", f"✗ {self._problem.message}", f"  {self._problem.hint}"]
        elif self._found is None:
            var = ENV_VARS[provider][-1]
            lines += [
                "",
                f"Nothing to check now. Before running Seal: export {var}=… "
                "(Next continues without a live check).",
            ]
        else:
            lines += ["", f"Next checks ${self._found} live. Its value is not stored."]
        yield Static(plain(*lines), classes="intro")

    def on_mount(self) -> None:
        # A value that cannot be sent cannot be checked, nor used by Seal: fix it first.
        self.ready = self._problem is None
        if self.ready:
            # Nothing to type here: Enter goes on, as on every step with a valid answer.
            self.query_one("#next", Button).focus()

    def commit(self) -> bool:
        if self._problem is not None:
            return False
        self.answers.set_credential(self._record)
        return True
