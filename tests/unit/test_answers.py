"""The answers' transitions: what each answer changes, and what it makes stale."""

from __future__ import annotations

from typing import get_args

import pytest

from backend.credentials.record import CredentialRecord
from backend.providers.base import CheckResult, ModelInfo
from backend.wizard.answers import ENTRY_MODES, Answers, CommitResult, EntryMode, entry_mode
from backend.wizard.roles import RoleEdit

KEY = CredentialRecord("anthropic", "default", "api_key", secret="sk-ant-api03-test")
SIGNED_IN = CredentialRecord(
    "anthropic", "default", "oauth", access_token="at", account={"email": "a@example.test"}
)
VERIFIED = CheckResult("verified", "Verified", identity={"organization": "Org"})
MODEL = ModelInfo("anthropic", "claude-sonnet-4-6")


def _checked(record: CredentialRecord = KEY) -> Answers:
    answers = Answers(provider="anthropic", method=record.kind)
    answers.set_credential(record)
    answers.record_check(VERIFIED, [MODEL])
    return answers


def test_entry_modes_are_the_literals() -> None:
    assert get_args(EntryMode) == ENTRY_MODES
    assert [entry_mode(m) for m in ENTRY_MODES] == list(ENTRY_MODES)
    with pytest.raises(ValueError, match="setup"):
        entry_mode("setup")


def test_another_provider_drops_what_was_chosen_for_the_old_one() -> None:
    answers = _checked()
    answers.choose_model("claude-sonnet-4-6", {"effort": "high"}, {})
    answers.choose_provider("anthropic")  # the same one: nothing changes
    assert answers.record is KEY and answers.check_outcome == "verified"
    assert answers.model == "claude-sonnet-4-6"
    answers.choose_provider("openai")
    assert answers.provider == "openai"
    assert (answers.method, answers.record, answers.check_outcome, answers.model) == (
        None,
        None,
        None,
        None,
    )
    assert answers.settings == {}


def test_another_method_drops_the_credential_and_its_check() -> None:
    answers = _checked()
    answers.choose_method("api_key")  # the same one: kept (Back, then Next again)
    assert answers.record is KEY and answers.check_outcome == "verified"
    answers.choose_method("oauth")
    assert answers.method == "oauth"
    assert answers.record is None and answers.check_outcome is None


def test_a_new_credential_is_not_checked_yet() -> None:
    # Every credential step, the env step included (it used to keep the earlier check).
    answers = _checked()
    assert answers.identity == {"organization": "Org"}
    answers.set_credential(SIGNED_IN)
    assert answers.record is SIGNED_IN
    assert (answers.check_outcome, answers.check_message) == (None, "")
    # What the sign-in said about the account, not the old key's organization.
    assert answers.identity == {"email": "a@example.test"}
    answers.set_credential(None)
    assert answers.record is None and answers.identity == {}


def test_a_check_adds_the_providers_identity_to_the_accounts() -> None:
    answers = _checked(SIGNED_IN)
    assert answers.check_outcome == "verified" and answers.check_message == "Verified"
    assert answers.identity == {"email": "a@example.test", "organization": "Org"}
    assert answers.live_models == [MODEL]


def test_reauthenticating_preselects_the_configured_method() -> None:
    answers = _checked()
    answers.reauthenticate("openrouter", "work", "api_key")
    answers.begin("reauth", "https://proxy.test")
    assert (answers.mode, answers.provider, answers.profile) == ("reauth", "openrouter", "work")
    assert answers.method == answers.reauth_auth == "api_key"
    assert answers.record is None and answers.check_outcome is None
    assert answers.base_url == "https://proxy.test"


def test_the_model_options_and_the_write() -> None:
    answers = Answers(settings={"effort": "low", "max_tokens": 100})
    answers.choose_model("claude-opus-4-7", {"effort": "high", "thinking": None}, {"X": "y"})
    assert answers.model == "claude-opus-4-7"
    assert answers.settings == {"effort": "high", "max_tokens": 100, "thinking": None}
    assert answers.headers == {"X": "y"}
    answers.keep_unverified()
    assert answers.store_unverified
    answers.keep_unverified(False)
    assert not answers.store_unverified
    answers.check_with_own_server()
    answers.base_url = "https://proxy.test"
    assert answers.check_base_url is None
    answers.wrote(CommitResult("keyring", True, "seal.toml.bak", ("seal.toml.bak.1",)), "p")
    assert answers.written and answers.saved_path == "p"
    assert (answers.backup, answers.older_backups) == ("seal.toml.bak", ("seal.toml.bak.1",))
    assert answers.stored_where == "keyring"
    answers.wrote(CommitResult(None, False, None), "p")
    assert answers.saved_path is None


def test_role_edits_are_kept_in_order_until_they_no_longer_apply() -> None:
    answers = Answers(mode="roles", agent="research")
    first, second = RoleEdit("add_agent", "a"), RoleEdit("remove_agent", "a")
    answers.edit_roles(first)
    answers.edit_roles(second)
    assert answers.role_edits == [first, second]
    answers.restart_roles()
    assert answers.role_edits == []
    answers.forget_agent()
    assert answers.agent is None
