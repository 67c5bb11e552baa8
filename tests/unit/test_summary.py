"""The lines a finished wizard leaves in the shell (and Done shows)."""

from __future__ import annotations

import pytest

from backend.wizard.answers import Answers
from backend.wizard.summary import CANCELLED, after_exit, outranking_line


def test_finished_onboarding_says_what_was_written_and_how_seal_gets_it() -> None:
    a = Answers(provider="anthropic", method="oauth", model="claude-sonnet-4-6")
    a.saved_path = "seal.toml"
    a.stored_where = "the system keyring"
    a.check_outcome = "verified"
    assert after_exit(a, 0, {}) == [
        "✓ Seal will use claude-sonnet-4-6 from Anthropic (Claude Pro/Max sign-in).",
        "✓ Wrote seal.toml (a new file).",
        "✓ Credential stored in the system keyring.",
        "How Seal gets it: Start Seal with `seal-setup run -- seal …`: it gives Seal the "
        "credential in $CLAUDE_CODE_OAUTH_TOKEN, refreshed first when it is a sign-in. "
        "Seal does not read seal-setup's store on its own.",
    ]


def test_roles_say_no_credential_line() -> None:
    a = Answers(mode="roles")
    assert after_exit(a, 0, {}) == ["✓ Model roles updated.", "✓ seal.toml needed no change."]


def test_cancel_says_nothing_was_written_and_an_error_leaves_its_own_lines() -> None:
    a = Answers(provider="openai", method="api_key")
    assert after_exit(a, 130, {}) == [CANCELLED]
    assert after_exit(a, 1, {}) == []
    assert after_exit(a, None, {}) == []


@pytest.mark.parametrize(
    ("method", "env", "says"),
    [
        # A sign-in goes in CLAUDE_CODE_OAUTH_TOKEN: nothing Seal reads comes before it.
        ("oauth", {"ANTHROPIC_API_KEY": "sk-ant-api03-x"}, None),
        ("oauth", {}, None),
        # An API key goes in ANTHROPIC_API_KEY: a token variable set here comes first.
        (
            "api_key",
            {"CLAUDE_CODE_OAUTH_TOKEN": "sk-ant-oat01-x"},
            "⚠ $CLAUDE_CODE_OAUTH_TOKEN is set in this shell, and Seal reads it before "
            "$ANTHROPIC_API_KEY: started without `seal-setup run -- seal …` (which sets it "
            "aside), Seal would use it.",
        ),
        ("api_key", {"CLAUDE_CODE_OAUTH_TOKEN": "  "}, None),  # only spaces: not set
        # Claude Code's sign-in comes after every variable.
        (
            "claude_code",
            {"ANTHROPIC_API_KEY": "sk-ant-api03-x", "CLAUDE_CODE_OAUTH_TOKEN": "sk-ant-oat01-x"},
            "⚠ $CLAUDE_CODE_OAUTH_TOKEN, $ANTHROPIC_API_KEY are set in this shell, and Seal "
            "reads them before Claude Code's sign-in: unset them, or start Seal with "
            "`seal-setup run -- seal …`, which sets them aside.",
        ),
        # The env method: the person's variable is the credential.
        ("env", {"CLAUDE_CODE_OAUTH_TOKEN": "sk-ant-oat01-x"}, None),
    ],
)
def test_a_variable_that_outranks_the_credential_is_said(
    method: str, env: dict[str, str], says: str | None
) -> None:
    a = Answers(provider="anthropic", method=method, model="claude-sonnet-4-6")
    assert outranking_line(a, env) == says
    lines = after_exit(a, 0, env)
    assert (lines[-1] == says) if says else all(not line.startswith("⚠") for line in lines)
