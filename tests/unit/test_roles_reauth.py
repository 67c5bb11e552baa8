"""backend.reauth: what `seal-setup reauth` targets, and how the failed credential is explained."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from backend.config.document import SealConfig, load_config
from backend.config.schema import MODEL_OPTIONS
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.resolution import resolve
from backend.credentials.stores import MemoryStore
from backend.errors import InputError
from backend.providers.catalog import check_settings
from backend.vocabulary.methods import API_KEY_ONLY_OPTIONS, METHODS, allows, refused_options
from backend.wizard.answers import Answers
from backend.wizard.onboarding import apply_answers
from backend.wizard.reauth import (
    credential_status,
    no_longer_allowed,
    not_allowed_lines,
    reauth_target,
    start_reauth,
)

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


# --- a change of method removes what the new method cannot use ---------------------------

SUBSCRIBED = """\
[model]
provider = "anthropic"
name = "claude-opus-4-6"
auth = "api_key"
cache_retention = "long"
context_1m = true
effort = "high"

[agents.quick.model]
name = "claude-haiku-4-5"
cache_retention = "short"

[agents.own.model]
auth = "api_key"
context_1m = true

[agents.plain.model]
cache_retention = "none"
"""


def _reauth_answers(config: SealConfig, method: str) -> Answers:
    answers = Answers(mode="reauth")
    start_reauth(answers, reauth_target(config))
    answers.choose_method(method)
    return answers


@pytest.mark.parametrize("method", ["oauth", "setup_token", "claude_code"])
def test_a_subscription_method_removes_cache_and_1m_context(tmp_path: Path, method: str) -> None:
    config = _config(tmp_path, SUBSCRIBED)
    answers = _reauth_answers(config, method)
    found = no_longer_allowed(config, answers)
    # [model] and the agent inheriting its auth lose them; the agent with its own auth
    # keeps them, and an option that is off ("none") stays.
    assert [(f.table, f.options) for f in found] == [
        ("[model]", ("cache_retention", "context_1m")),
        ("[agents.quick.model]", ("cache_retention",)),
    ]
    lines = not_allowed_lines(found)
    assert "subscription" in lines[0] and "API key" in lines[0]
    assert lines[1:] == [
        "  [model]: prompt cache, 1M context",
        "  [agents.quick.model]: prompt cache",
    ]
    apply_answers(config, answers)
    assert config.own("auth") == method
    assert config.own("cache_retention") is None and config.own("context_1m") is None
    assert config.own("effort") == "high"
    assert config.own("cache_retention", "quick") is None
    assert config.own("context_1m", "own") is True
    assert config.own("cache_retention", "plain") == "none"
    # What is left is what the equivalent command accepts for the new method.
    for agent in (None, "quick"):
        settings = {k: config.own(k, agent) for k in MODEL_OPTIONS}
        assert check_settings(None, settings, method) == []


@pytest.mark.parametrize("method", ["api_key", "console_oauth", "env"])
def test_a_method_that_allows_them_removes_nothing(tmp_path: Path, method: str) -> None:
    config = _config(tmp_path, SUBSCRIBED.replace('auth = "api_key"', 'auth = "oauth"', 1))
    answers = _reauth_answers(config, method)
    assert no_longer_allowed(config, answers) == []
    apply_answers(config, answers)
    assert config.own("context_1m") is True


def test_the_same_method_or_another_provider_removes_nothing(tmp_path: Path) -> None:
    config = _config(tmp_path, SUBSCRIBED.replace('auth = "api_key"', 'auth = "oauth"', 1))
    assert no_longer_allowed(config, _reauth_answers(config, "oauth")) == []
    answers = Answers(mode="reauth")
    start_reauth(answers, reauth_target(config, provider="openai"))
    answers.choose_method("api_key")
    assert no_longer_allowed(config, answers) == []


def test_what_a_method_allows_is_one_rule() -> None:
    for method in METHODS.values():
        for option in MODEL_OPTIONS:
            allowed = allows(method.auth_value, option)
            assert allowed == (not method.subscription or option not in API_KEY_ONLY_OPTIONS)
        on = {"cache_retention": "short", "context_1m": True}
        refused = refused_options(method.auth_value, on)
        assert refused == ([] if not method.subscription else list(API_KEY_ONLY_OPTIONS))
        # The catalog check refuses exactly those.
        assert len(check_settings(None, on, method.auth_value)) == len(refused)
    assert refused_options("oauth", {"cache_retention": "none", "context_1m": False}) == []
