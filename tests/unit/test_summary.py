"""The lines a finished wizard leaves in the shell (and Done shows)."""

from __future__ import annotations

from backend.wizard.answers import Answers
from backend.wizard.summary import CANCELLED, after_exit


def test_finished_onboarding_says_what_was_written_and_how_seal_gets_it() -> None:
    a = Answers(provider="anthropic", method="oauth", model="claude-sonnet-4-6")
    a.saved_path = "seal.toml"
    a.stored_where = "the system keyring"
    a.check_outcome = "verified"
    assert after_exit(a, 0) == [
        "✓ Seal will use claude-sonnet-4-6 from Anthropic (oauth).",
        "✓ Wrote seal.toml (a new file).",
        "✓ Credential stored in the system keyring.",
        "How Seal gets it: Start Seal with `seal-setup run -- seal …`: it gives Seal the "
        "credential in $CLAUDE_CODE_OAUTH_TOKEN, refreshed first when it is a sign-in. "
        "Seal does not read seal-setup's store on its own.",
    ]


def test_roles_say_no_credential_line() -> None:
    a = Answers(mode="roles")
    assert after_exit(a, 0) == ["✓ Model roles updated.", "✓ seal.toml needed no change."]


def test_cancel_says_nothing_was_written_and_an_error_leaves_its_own_lines() -> None:
    a = Answers(provider="openai", method="api_key")
    assert after_exit(a, 130) == [CANCELLED]
    assert after_exit(a, 1) == []
    assert after_exit(a, None) == []
