"""Done step: what was written where, and what to do next."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Button, Static

from backend.config.backups import describe
from backend.vocabulary.registry import PROVIDER_LABELS
from screens.base import StepScreen
from screens.plain import plain


class DoneScreen(StepScreen):
    """The summary; Finish exits with status 0."""

    TITLE_TEXT = "All set"
    NEXT_LABEL = "Finish"
    HELP_TEXT = "Seal is configured. Finish closes seal-setup."

    def compose_body(self) -> Iterable[Widget]:
        a = self.answers
        lines = []
        provider = PROVIDER_LABELS.get(a.provider or "", a.provider or "")
        if a.mode == "roles":
            lines.append("✓ Model roles updated.")
        elif a.model:
            lines.append(f"✓ Seal will use {a.model} from {provider} ({a.auth_value}).")
        else:
            lines.append(f"✓ {provider} authentication updated ({a.auth_value}).")
        if a.saved_path and a.backup:
            kept = describe(a.backup, a.older_backups)
            lines.append(f"✓ Wrote {a.saved_path} (previous version: {kept}).")
        elif a.saved_path:
            lines.append(f"✓ Wrote {a.saved_path} (a new file).")
        else:
            lines.append("✓ seal.toml needed no change.")
        if a.stored_where:
            verified = a.check_outcome == "verified"
            mark = "" if verified else " marked unverified"
            lines.append(f"✓ Credential stored{mark} in {a.stored_where}.")
        lines += [
            "",
            "Next:",
            # Two columns that fit 80 columns: a wider gap wraps the first line at 80x24.
            "  seal-setup status   check that auth works (add --probe to test it live)",
            "  seal-setup roles    give agents fast / escalate / fallback models",
            "  seal-setup reauth   sign in again after a 401",
        ]
        yield Static(plain(*lines), classes="intro")

    def on_mount(self) -> None:
        self.ready = True
        self.query_one("#next", Button).focus()
