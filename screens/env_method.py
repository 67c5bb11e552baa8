"""Env step: Seal reads the provider's variable at run time; nothing is stored."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Static

from backend.credentials import CredentialRecord, RecordKind
from backend.paste import fingerprint
from backend.resolution import ENV_VARS
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
        self._found: tuple[str, str] | None = None
        for var in ENV_VARS[provider]:
            value = self.services.env.get(var, "").strip()
            if value:
                lines.append(f"  ${var}  — set here: {fingerprint(value)}")
                if self._found is None:
                    self._found = (var, value)
            else:
                lines.append(f"  ${var}  — not set in this shell")
        if self._found is None:
            var = ENV_VARS[provider][-1]
            lines += [
                "",
                f"Nothing to check now. Before running Seal: export {var}=… "
                "(Next continues without a live check).",
            ]
        else:
            lines += ["", f"Next checks ${self._found[0]} live. Its value is not stored."]
        yield Static(plain(*lines), classes="intro")

    def on_mount(self) -> None:
        self.set_ready(True)

    def commit(self) -> bool:
        provider = self.answers.provider or "anthropic"
        if self._found is None:
            self.answers.record = None
            return True
        value = self._found[1]
        kind: RecordKind = "setup_token" if value.startswith("sk-ant-oat") else "api_key"
        self.answers.record = CredentialRecord(
            provider=provider, profile=self.answers.profile, kind=kind, secret=value
        )
        return True
