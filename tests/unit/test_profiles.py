"""backend.wizard.profiles: the profiles the store holds, and the name a sign-in proposes."""

from __future__ import annotations

import pytest

from backend.credentials.record import CredentialRecord
from backend.credentials.stores import MemoryStore
from backend.wizard.answers import Answers
from backend.wizard.profiles import account_email, proposed_profile, stored_profiles


def _signed_in(account: object, profile: str = "default") -> Answers:
    answers = Answers(profile=profile)
    answers.identity = {"account": account, "organization": {"uuid": "org-1"}}
    return answers


def test_a_sign_in_proposes_its_email() -> None:
    answers = _signed_in({"uuid": "acc-1", "email_address": "person@example.com"})
    assert account_email(answers.identity) == "person@example.com"
    assert proposed_profile(answers) == "person@example.com"
    # Once it is the profile, there is nothing left to propose.
    answers.choose_profile("person@example.com")
    assert proposed_profile(answers) is None


@pytest.mark.parametrize(
    "account",
    [
        None,
        "person@example.com",  # not the shape the token endpoint gives
        {"uuid": "acc-1"},
        {"email_address": ""},
        {"email_address": 42},
        # An answer the profile rule refuses is never proposed (the provider is untrusted).
        {"email_address": "two words@example.com"},
        {"email_address": "x\x1b[31m@example.com"},
        {"email_address": "a" * 60 + "@example.com"},
    ],
    ids=["none", "string", "no-email", "empty", "number", "space", "escape", "too-long"],
)
def test_nothing_is_proposed_without_a_usable_email(account: object) -> None:
    assert proposed_profile(_signed_in(account)) is None


def test_stored_profiles_are_the_providers_own() -> None:
    store = MemoryStore(
        [
            CredentialRecord("anthropic", "work", "api_key", secret="sk-ant-api03-x"),
            CredentialRecord("anthropic", "default", "api_key", secret="sk-ant-api03-y"),
            CredentialRecord("openai", "ci", "api_key", secret="sk-z"),
        ]
    )
    assert stored_profiles(store, "anthropic") == ["default", "work"]
    assert stored_profiles(store, "openrouter") == []
