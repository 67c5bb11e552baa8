"""Pilot flows for `seal-setup reauth`: after a 401, with a method change, dead OAuth refresh."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.credentials.health import judge
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.writes import mark_stale
from backend.errors import ConfigError, InputError
from backend.providers import live as providers
from backend.providers.base import Auth
from backend.wizard.answers import Answers
from screens.auth_method import AuthMethodScreen
from screens.done import DoneScreen
from screens.review import ReviewScreen
from screens.welcome import WelcomeScreen
from screens.widgets.reauth_status import ReauthStatus
from tests.fakes.provider import SETUP_TOKEN, FakeProvider, new_api_key
from tests.tui.harness import (
    SIZE,
    Harness,
    browser_sign_in,
    build,
    choose,
    enter_secret,
    next_enabled,
    paste,
    press_next,
    sign_in_url,
    text_of,
    wait_check,
    wait_for,
    wait_screen,
    wait_text,
)
from tui.app import SealSetupApp, prepare_reauth

CONFIG = """\
# Seal settings for this project
[model]
provider = "anthropic"   # who serves the model
name = "claude-sonnet-4-6"
auth = "{auth}"

# keep this comment
"""


def _reauth(fake: FakeProvider, tmp_path: Path, auth: str, record: CredentialRecord) -> Harness:
    h = build(
        fake,
        tmp_path,
        config_text=CONFIG.format(auth=auth),
        answers=Answers(mode="reauth"),
        records=[record],
    )
    prepare_reauth(h.app.answers, h.services, None, None)
    return h


def _rejected_key(fake: FakeProvider) -> CredentialRecord:
    """A stored key the provider answers 401 to, marked stale the way the runtime does."""
    old = fake.add_key("anthropic", new_api_key())
    fake.revoke(old)
    record = CredentialRecord("anthropic", "default", "api_key", secret=old, verified_at=utcnow())
    result = providers.check("anthropic", Auth.from_record(record), env=fake.env())
    assert result.outcome == "rejected"
    return record


async def _status(pilot: object, needle: str) -> str:
    return await wait_text(pilot, "#reauth-status", needle)  # type: ignore[arg-type]


async def _setup_token_to_review(pilot: Any) -> None:
    """From the Auth-method step of a re-auth after a 401: a setup-token, checked, to Review."""
    await wait_screen(pilot, AuthMethodScreen)
    await _status(pilot, "rejected")
    await choose(pilot, "setup_token")
    await press_next(pilot)
    await enter_secret(pilot, SETUP_TOKEN)
    await press_next(pilot)
    await wait_check(pilot, "✓")
    await press_next(pilot)
    await wait_screen(pilot, ReviewScreen)


async def test_reauth_after_a_401_stores_the_new_key(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    record = _rejected_key(fake_provider)
    h = _reauth(fake_provider, tmp_path, "api_key", record)
    mark_stale(h.store, record)
    before = h.config_path.read_bytes()
    new_key = fake_provider.add_key("anthropic", new_api_key())
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, AuthMethodScreen)
        status = await _status(pilot, "rejected")
        assert "stored API key anthropic:default" in status
        assert "401" in status
        assert screen.answers.method == "api_key"  # the current method is preselected
        assert "Auth" in text_of(pilot, "#progress")
        await press_next(pilot)
        await enter_secret(pilot, new_key)
        await press_next(pilot)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        await wait_screen(pilot, ReviewScreen)
        await wait_text(pilot, "#summary", "seal.toml unchanged")
        assert "goes to: memory store" in text_of(pilot, "#secret-dest")
        assert text_of(pilot, "#diff") == ""
        await press_next(pilot)  # Write
        await wait_screen(pilot, DoneScreen)
        await press_next(pilot)
    assert h.app.return_code == 0
    stored = h.stored("anthropic")
    assert stored is not None
    assert stored.secret == new_key
    assert stored.stale is False
    assert stored.verified_at is not None
    assert h.config_path.read_bytes() == before
    assert not h.config_path.with_name("seal.toml.bak").exists()


async def test_reauth_with_a_method_change_updates_auth(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    record = _rejected_key(fake_provider)
    h = _reauth(fake_provider, tmp_path, "api_key", record.with_changes(stale=True))
    async with h.app.run_test(size=SIZE) as pilot:
        await _setup_token_to_review(pilot)
        await wait_text(pilot, "#summary", "Changes to")
        diff = text_of(pilot, "#diff")
        assert '-auth = "api_key"' in diff
        assert '+auth = "setup_token"' in diff
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        await press_next(pilot)
    assert h.app.return_code == 0
    text = h.config_text()
    assert text == CONFIG.format(auth="setup_token")
    stored = h.stored("anthropic")
    assert stored is not None
    assert (stored.kind, stored.secret, stored.stale) == ("setup_token", SETUP_TOKEN, False)


async def test_a_subscription_method_on_reauth_removes_what_it_cannot_use(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    record = _rejected_key(fake_provider)
    h = _reauth(fake_provider, tmp_path, "api_key", record.with_changes(stale=True))
    settings = 'cache_retention = "long"\ncontext_1m = true\neffort = "high"\n'
    h.config_path.write_text(
        CONFIG.format(auth="api_key").replace("\n\n# keep", "\n" + settings + "\n# keep")
    )
    async with h.app.run_test(size=SIZE) as pilot:
        await _setup_token_to_review(pilot)
        summary = await wait_text(pilot, "#summary", "Removed with the change of method")
        assert "only with an API key, not with a subscription" in summary
        assert "[model]: prompt cache, 1M context" in summary
        diff = text_of(pilot, "#diff")
        assert '-cache_retention = "long"' in diff and "-context_1m = true" in diff
        assert "-effort" not in diff
        assert "--auth setup_token" in text_of(pilot, "#command")
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        await press_next(pilot)
    assert h.app.return_code == 0
    written = h.config()
    assert written.own("auth") == "setup_token" and written.own("effort") == "high"
    assert written.own("cache_retention") is None and written.own("context_1m") is None
    assert "# keep this comment" in h.config_text()


async def test_reauth_oauth_with_a_dead_refresh_token(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    dead = CredentialRecord(
        "anthropic",
        "default",
        "oauth",
        access_token="sk-ant-oat01-" + "d" * 95,
        refresh_token="sk-ant-ort01-" + "d" * 95,  # the fake never issued it: refresh fails
        expires_at=utcnow(),
        stale=True,
    )
    h = _reauth(fake_provider, tmp_path, "oauth", dead)
    before = h.config_path.read_bytes()
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, AuthMethodScreen)
        status = await _status(pilot, "Sign in again")
        assert "rejected" in status
        assert screen.answers.method == "oauth"
        await press_next(pilot)
        _, url = await sign_in_url(pilot)
        await paste(pilot, "#code", browser_sign_in(url))
        await press_next(pilot)  # Sign in
        await wait_check(pilot, "✓")
        await press_next(pilot)
        await wait_screen(pilot, ReviewScreen)
        await wait_text(pilot, "#summary", "seal.toml unchanged")
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        await press_next(pilot)
    assert h.app.return_code == 0
    stored = h.stored("anthropic")
    assert stored is not None
    assert stored.kind == "oauth"
    assert stored.stale is False
    assert stored.access_token in fake_provider.bearer_tokens
    assert stored.refresh_token in fake_provider.live_refresh_tokens()
    assert h.config_path.read_bytes() == before


def _expired_sign_in() -> CredentialRecord:
    return CredentialRecord(
        "anthropic",
        "default",
        "oauth",
        access_token="sk-ant-oat01-" + "e" * 95,
        refresh_token="sk-ant-ort01-" + "e" * 95,
        expires_at=utcnow() - timedelta(hours=1),
        verified_at=utcnow(),
    )


def _setup_token_3_days() -> CredentialRecord:
    return CredentialRecord(
        "anthropic",
        "default",
        "setup_token",
        secret=SETUP_TOKEN,
        expires_at=utcnow() + timedelta(days=3, minutes=5),
        verified_at=utcnow(),
    )


@pytest.mark.parametrize(
    ("auth", "record", "mark", "css", "needle"),
    [
        # Seal refreshes it on next use: ok, as in `status` (the panel used to say expired).
        ("oauth", _expired_sign_in, "✓", "ok", "Seal refreshes it on next use"),
        # Three days left: expiring, as in `status` (the panel used to say ok).
        ("setup_token", _setup_token_3_days, "⚠", "warning", "(in 3 days)"),
    ],
    ids=["expired-sign-in-with-refresh-token", "setup-token-expiring"],
)
async def test_panel_shows_the_state_status_shows(
    fake_provider: FakeProvider,
    tmp_path: Path,
    auth: str,
    record: Callable[[], CredentialRecord],
    mark: str,
    css: str,
    needle: str,
) -> None:
    h = _reauth(fake_provider, tmp_path, auth, record())
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, AuthMethodScreen)
        text = await _status(pilot, needle)
        assert f"{mark} stored " in text
        panel = pilot.app.screen.query_one(ReauthStatus)
        assert panel.has_class(css)
        assert panel.state == judge(h.services.resolve("anthropic", "default", auth)).state


async def _reauth_from_welcome(pilot: Any) -> None:
    """Welcome offers set-up, "Re-authenticate Anthropic" and roles; take the second."""
    from screens.widgets.choice_list import ChoiceList

    await wait_screen(pilot, WelcomeScreen)
    actions = pilot.app.screen.query_one("#actions", ChoiceList)
    await wait_for(pilot, lambda: actions.option_count == 3, "three entry points")
    ids = [actions.get_option_at_index(i).id for i in range(3)]
    assert ids == ["onboard", "reauth", "roles"]
    assert "Re-authenticate Anthropic" in actions.row_text(1)
    actions.highlighted = 1
    await pilot.pause()
    await press_next(pilot)
    await wait_screen(pilot, AuthMethodScreen)
    await _status(pilot, "no stored credential for anthropic:default")


async def test_welcome_offers_reauth_and_roles_after_set_up(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, config_text=CONFIG.format(auth="api_key"))
    async with h.app.run_test(size=SIZE) as pilot:
        await _reauth_from_welcome(pilot)
        assert h.app.answers.mode == "reauth"
        assert next_enabled(pilot)
        assert "Review" in text_of(pilot, "#progress")
        assert "Model" not in text_of(pilot, "#progress")


async def test_welcome_offers_reauth_for_a_provider_inferred_from_the_model(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    # No `provider` key: `seal-setup reauth` takes anthropic from the model name, and so
    # does Welcome now (it used to offer no "Re-authenticate" here).
    text = '[model]\nname = "claude-sonnet-4-6"\nauth = "setup_token"\n'
    h = build(fake_provider, tmp_path, config_text=text)
    command = SealSetupApp.from_cli(config=str(h.config_path), mode="reauth", env={}).answers
    async with h.app.run_test(size=SIZE) as pilot:
        await _reauth_from_welcome(pilot)
        answers = h.app.answers
    fields = ("mode", "provider", "profile", "method", "reauth_auth", "base_url")
    assert [getattr(answers, f) for f in fields] == [getattr(command, f) for f in fields]
    assert (answers.provider, answers.method) == ("anthropic", "setup_token")


def test_reauth_needs_a_provider(tmp_path: Path) -> None:
    missing = tmp_path / "seal.toml"
    with pytest.raises(InputError, match=r"no seal\.toml here"):
        SealSetupApp.from_cli(config=str(missing), mode="reauth", env={})
    app = SealSetupApp.from_cli(config=str(missing), mode="reauth", env={}, provider="openai")
    assert (app.answers.provider, app.answers.reauth_auth) == ("openai", None)
    missing.write_text("[model\nname = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        SealSetupApp.from_cli(config=str(missing), mode="reauth", env={})
    assert info.value.exit_code == 3
