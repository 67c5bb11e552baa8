"""backend.reauth: what `seal-setup reauth` targets, and how the failed credential is explained."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from backend.config.document import SealConfig, load_config
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.resolution import resolve
from backend.credentials.stores import MemoryStore
from backend.errors import InputError
from backend.wizard.reauth import credential_status, reauth_target

KEY = "sk-ant-api03-" + "k" * 95


def _config(tmp_path: Path, text: str | None) -> SealConfig:
    path = tmp_path / "seal.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_target_from_seal_toml(tmp_path: Path) -> None:
    config = _config(
        tmp_path, '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "oauth"\n'
    )
    target = reauth_target(config)
    assert (target.provider, target.profile, target.method, target.config_auth) == (
        "anthropic",
        "default",
        "oauth",
        "oauth",
    )


def test_target_profile_and_implicit_auth(tmp_path: Path) -> None:
    config = _config(tmp_path, '[model]\nname = "gpt-5"\nprofile = "work"\n')
    target = reauth_target(config)
    assert (target.provider, target.profile, target.config_auth) == ("openai", "work", "api_key")
    assert reauth_target(config, profile="other").profile == "other"


def test_another_provider_never_touches_seal_toml(tmp_path: Path) -> None:
    config = _config(tmp_path, '[model]\nprovider = "anthropic"\nauth = "oauth"\nprofile = "w"\n')
    target = reauth_target(config, provider="openrouter")
    assert (target.provider, target.profile, target.method) == ("openrouter", "default", "api_key")
    assert target.config_auth is None


def test_nothing_to_reauth(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no seal\.toml here"):
        reauth_target(None)
    with pytest.raises(InputError, match="names no provider"):
        reauth_target(_config(tmp_path, "# empty\n"))
    missing = reauth_target(None, provider="openai")
    assert (missing.provider, missing.config_auth) == ("openai", None)


def _store(**changes: object) -> MemoryStore:
    record = CredentialRecord("anthropic", "default", "api_key", secret=KEY).with_changes(**changes)
    return MemoryStore([record])


def test_status_rejected_after_a_401() -> None:
    status = credential_status(
        resolve("anthropic", "default", {}, _store(stale=True, verified_at=utcnow())), "api_key"
    )
    assert status.state == "rejected"
    assert "stored API key anthropic:default (memory)" in status.headline
    assert "401" in status.headline
    assert any("Last verified" in line for line in status.lines)


def test_status_dead_oauth_says_sign_in_again() -> None:
    record = CredentialRecord(
        "anthropic", "default", "oauth", access_token="a", refresh_token="r", stale=True
    )
    status = credential_status(resolve("anthropic", "default", {}, MemoryStore([record])), "oauth")
    # A 401 on a sign-in that keeps its refresh token: stale, a refresh may fix it.
    assert status.state == "stale"
    assert "sign-in" in status.headline and "rejected" in status.headline
    assert "Sign in again if a refresh does not fix it" in status.lines[0]
    assert "seal-setup status --probe" in status.lines[0]

    no_refresh = record.with_changes(refresh_token=None)
    status = credential_status(
        resolve("anthropic", "default", {}, MemoryStore([no_refresh])), "oauth"
    )
    assert status.state == "rejected"
    assert "Sign in again" in status.lines[0]


def test_status_expired_missing_unverified_ok() -> None:
    past = utcnow() - timedelta(hours=1)
    expired = credential_status(
        resolve("anthropic", "default", {}, _store(kind="setup_token", expires_at=past)),
        "setup_token",
    )
    assert expired.state == "expired"

    missing = credential_status(resolve("anthropic", "default", {}, MemoryStore()), "api_key")
    assert (missing.state, missing.headline) == (
        "missing",
        "no stored credential for anthropic:default",
    )

    env_missing = credential_status(resolve("openai", "default", {}, MemoryStore()), "env")
    assert env_missing.headline == "$OPENAI_API_KEY is not set in this shell"

    unverified = credential_status(resolve("anthropic", "default", {}, _store()), "api_key")
    assert unverified.state == "unverified"

    ok = credential_status(
        resolve("anthropic", "default", {}, _store(verified_at=utcnow())), "api_key"
    )
    assert ok.state == "ok"


def test_status_says_when_env_shadows_the_store() -> None:
    env = {"ANTHROPIC_API_KEY": KEY}
    status = credential_status(resolve("anthropic", "default", env, _store(stale=True)), "api_key")
    # The panel judges what Seal uses, as status and roles do: the variable, which is fine.
    assert status.state == "ok"
    assert status.headline.startswith("$ANTHROPIC_API_KEY")
    assert any("$ANTHROPIC_API_KEY takes precedence" in line for line in status.lines)
    # The stored key it shadows is still named, with what is wrong with it.
    assert any("Stored API key anthropic:default (memory) was rejected" in x for x in status.lines)
