"""Stored-credential step: keep the credential already stored for this provider, or replace it.

A second run offers what is there first, as `gh auth login` says "already logged in as …":
keeping it goes on to the live check without a paste, and nothing new is stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Static
from textual.widgets.option_list import Option

from backend.vocabulary.registry import PROVIDER_LABELS
from backend.wizard.resume import describe_stored, kept_label
from screens.choice import ChoiceStep, option_text
from screens.plain import plain


class StoredCredentialScreen(ChoiceStep):
    """Keep the stored credential (masked), or go on to get a new one."""

    TITLE_TEXT = "A credential is already stored"
    HELP_TEXT = (
        "seal-setup already keeps a credential for this provider and profile.\n\n"
        "[b]Keep[/b]: it is checked live again and nothing new is stored (its "
        "last-verified date is updated when the check succeeds).\n"
        "[b]Replace[/b]: paste or sign in as for a first setup; the new one replaces it "
        "when you Write."
    )

    def compose_intro(self) -> Iterable[Widget]:
        record = self.answers.stored_credential()
        provider = PROVIDER_LABELS.get(self.answers.provider or "", "")
        if record is not None:
            yield Static(
                plain(f"{provider} · profile {record.profile}: a {kept_label(record)} is stored."),
                classes="hint",
            )

    def options(self) -> list[Option]:
        record = self.answers.stored_credential()
        if record is None:  # the flow only comes here with one
            return []
        what = kept_label(record)
        return [
            Option(
                option_text(f"Keep the stored {what}", f"({describe_stored(record)})"),
                "keep",
            ),
            Option(option_text("Replace it", f"Get a new {what} instead."), "replace"),
        ]

    def current(self) -> str | None:
        return "replace" if self.answers.replacing else "keep"

    def choose(self, option_id: str) -> None:
        record = self.answers.stored_credential()
        if option_id == "keep" and record is not None:
            self.answers.keep_stored(record)
        elif option_id == "replace":
            self.answers.replace_stored()
