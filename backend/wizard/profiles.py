"""Credential profiles in the wizard: the profiles the store holds for a provider, and the
name a sign-in proposes for one (the email of the account it signed in to).

A profile names one credential per provider (`<provider>:<profile>` in the store) and is
seal.toml's `profile`; what a name may be is `backend.config.schema.profile_problem`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from backend.config.schema import profile_problem

if TYPE_CHECKING:
    from backend.credentials.record import CredentialStore
    from backend.wizard.answers import Answers


def account_email(identity: Mapping[str, object]) -> str | None:
    """The account email a sign-in gave (`account.email_address`), or None."""
    account = identity.get("account")
    email = account.get("email_address") if isinstance(account, Mapping) else None
    return email if isinstance(email, str) and email else None


def proposed_profile(answers: Answers) -> str | None:
    """The signed-in account's email as the profile name, when it can name one and is
    not the profile already (the provider's answer is untrusted: the rule decides)."""
    email = account_email(answers.identity)
    if email is None or email == answers.profile or profile_problem(email):
        return None
    return email


def stored_profiles(store: CredentialStore, provider: str) -> list[str]:
    """The profiles the store holds a credential of `provider` under, sorted.
    Blocking (keyring, disk): call from a worker thread."""
    return sorted({record.profile for record in store.list() if record.provider == provider})
