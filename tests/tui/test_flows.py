"""Pilot flows: one per auth method, each ending with seal.toml and the stored record.

Each walk carries canary secrets (tests/support/leaks.py) and is watched at every step: at
the end the canary is in the store and nowhere else (screens, logs, files, reprs).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import Input

from backend.credentials.record import CredentialRecord
from screens.check import CheckScreen
from screens.claude_code import ClaudeCodeScreen
from screens.env_method import EnvScreen
from screens.model import ModelScreen
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, FakeProvider
from tests.support.leaks import EXISTING_TOML, Canaries, write_claude_code
from tests.tui.harness import (
    SIZE,
    build,
    enter_secret,
    finish_from_model,
    next_enabled,
    paste,
    press,
    press_next,
    sign_in,
    sign_in_url,
    text_of,
    to_method,
    wait_check,
    wait_for,
    wait_screen,
    wait_text,
    walk_api_key,
)

MODELS = "/v1/models"


def _close_to(when: datetime | None, expected: datetime, slack: float = 120.0) -> bool:
    return when is not None and abs((when - expected).total_seconds()) < slack


def _verified_api_key(record: CredentialRecord | None, provider: str, secret: str) -> None:
    assert record is not None
    assert (record.provider, record.profile, record.kind) == (provider, "default", "api_key")
    assert record.secret == secret
    assert _close_to(record.verified_at, datetime.now(UTC))


async def test_anthropic_api_key(
    fake_provider: FakeProvider, tmp_path: Path, canaries: Canaries
) -> None:
    case = canaries.case("api_key-anthropic")
    key = case.canaries[0]
    h = build(fake_provider, tmp_path, config_text=EXISTING_TOML)
    walk = canaries.watch(case, h)
    async with h.app.run_test(size=SIZE, message_hook=walk.hook) as pilot:
        # Pasted as people copy it: quoted, padded, with a line break (cleaned to the key).
        await walk_api_key(pilot, "anthropic", f'  "{key}"\n', "claude-sonnet-4-6")
    assert h.app.return_code == 0
    assert h.config().model() == {
        "provider": "anthropic",
        "name": "claude-sonnet-4-6",
        "auth": "api_key",
    }
    assert h.config_text().startswith("# my project\n")
    _verified_api_key(h.stored("anthropic"), "anthropic", key)
    assert [r.key for r in h.store.list()] == ["anthropic:default"]
    assert fake_provider.count(MODELS) == 1
    walk.verify()


async def test_openrouter_key_with_attribution_headers(
    fake_provider: FakeProvider, tmp_path: Path, canaries: Canaries
) -> None:
    case = canaries.case("api_key-openrouter")
    key = case.canaries[0]
    h = build(fake_provider, tmp_path, config_text=EXISTING_TOML)
    walk = canaries.watch(case, h)
    async with h.app.run_test(size=SIZE, message_hook=walk.hook) as pilot:
        await to_method(pilot, "openrouter", "api_key")
        await enter_secret(pilot, key)
        await press_next(pilot)
        await wait_check(pilot, "✓")
        # OpenRouter's /key identity is shown.
        assert "label:" in text_of(pilot, "#check-detail")
        await press_next(pilot)

        def set_headers() -> None:
            screen = pilot.app.screen
            assert isinstance(screen, ModelScreen)
            screen.query_one("#hdr-referer", Input).value = "https://my-app.example.com"
            screen.query_one("#hdr-title", Input).value = "my-app"

        await finish_from_model(pilot, "anthropic/claude-opus-4.7", set_headers)
    assert h.app.return_code == 0
    config = h.config()
    assert config.model() == {
        "provider": "openrouter",
        "name": "anthropic/claude-opus-4.7",
        "auth": "api_key",
    }
    assert config.headers() == {
        "HTTP-Referer": "https://my-app.example.com",
        "X-OpenRouter-Title": "my-app",
    }
    assert "[model.headers]" in h.config_text()
    _verified_api_key(h.stored("openrouter"), "openrouter", key)
    assert fake_provider.count("/openrouter/api/v1/key") == 1
    walk.verify()


async def test_openrouter_bad_referer_blocks_next(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await to_method(pilot, "openrouter", "api_key")
        await enter_secret(pilot, OPENROUTER_KEY)
        await press_next(pilot)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        screen = await wait_screen(pilot, ModelScreen)
        await wait_for(pilot, lambda: screen.query_one("#picker"), "model list")
        await wait_for(pilot, lambda: screen.ready, "a model chosen")
        screen.query_one("#hdr-referer", Input).value = "my-app.example.com"
        await wait_text(pilot, "#rules", "HTTP-Referer must be a URL")
        assert not screen.ready


async def test_openai_key(fake_provider: FakeProvider, tmp_path: Path, canaries: Canaries) -> None:
    case = canaries.case("api_key-openai")
    key = case.canaries[0]
    h = build(fake_provider, tmp_path, config_text=EXISTING_TOML)
    walk = canaries.watch(case, h)
    async with h.app.run_test(size=SIZE, message_hook=walk.hook) as pilot:
        await walk_api_key(pilot, "openai", key, "gpt-5-mini")
    assert h.app.return_code == 0
    assert h.config().model() == {"provider": "openai", "name": "gpt-5-mini", "auth": "api_key"}
    _verified_api_key(h.stored("openai"), "openai", key)
    assert fake_provider.count("/openai/v1/models") == 1
    walk.verify()


async def test_setup_token(fake_provider: FakeProvider, tmp_path: Path, canaries: Canaries) -> None:
    case = canaries.case("setup_token")
    token = case.canaries[0]
    h = build(fake_provider, tmp_path, config_text=EXISTING_TOML)
    walk = canaries.watch(case, h)
    async with h.app.run_test(size=SIZE, message_hook=walk.hook) as pilot:
        await to_method(pilot, "anthropic", "setup_token")
        await enter_secret(pilot, f"{token}\n")
        await press_next(pilot)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        await finish_from_model(pilot, "claude-opus-4-7")
    assert h.app.return_code == 0
    assert h.config().model() == {
        "provider": "anthropic",
        "name": "claude-opus-4-7",
        "auth": "setup_token",
    }
    record = h.stored("anthropic")
    assert record is not None
    assert record.kind == "setup_token"
    assert record.secret == token
    assert record.verified_at is not None
    # Sent as a subscription credential: Bearer + the OAuth beta.
    sent = fake_provider.requests(MODELS)[-1].headers
    assert sent["authorization"] == f"Bearer {token}"
    assert "oauth-2025-04-20" in sent["anthropic-beta"]
    walk.verify()


async def test_claude_max_sign_in(
    fake_provider: FakeProvider, tmp_path: Path, canaries: Canaries
) -> None:
    case = canaries.case("oauth")
    h = build(fake_provider, tmp_path, config_text=EXISTING_TOML)
    walk = canaries.watch(case, h)
    async with h.app.run_test(size=SIZE, message_hook=walk.hook) as pilot:
        await to_method(pilot, "anthropic", "oauth")
        await sign_in(pilot, fake_provider)
        await wait_check(pilot, "✓")
        # The account from the token response is shown.
        assert "person@example.com" in text_of(pilot, "#check-detail")
        await press_next(pilot)
        await finish_from_model(pilot, "claude-sonnet-4-6")
    assert h.app.return_code == 0
    assert h.config().model() == {
        "provider": "anthropic",
        "name": "claude-sonnet-4-6",
        "auth": "oauth",
    }
    record = h.stored("anthropic")
    assert record is not None
    assert record.kind == "oauth"
    assert record.secret is None
    assert (record.access_token, record.refresh_token) == case.canaries
    assert record.access_token in fake_provider.bearer_tokens
    assert record.refresh_token in fake_provider.live_refresh_tokens()
    lifetime = timedelta(seconds=fake_provider.token_lifetime)
    assert _close_to(record.expires_at, datetime.now(UTC) + lifetime)
    assert record.verified_at is not None
    token_calls = fake_provider.requests("/v1/oauth/token", "POST")
    assert [c.json()["grant_type"] for c in token_calls] == ["authorization_code"]
    assert fake_provider.count("/api/oauth/claude_cli/create_api_key") == 0
    walk.verify()


async def test_console_sign_in_mints_api_key(
    fake_provider: FakeProvider, tmp_path: Path, canaries: Canaries
) -> None:
    case = canaries.case("console_oauth")
    h = build(fake_provider, tmp_path, config_text=EXISTING_TOML)
    walk = canaries.watch(case, h)
    async with h.app.run_test(size=SIZE, message_hook=walk.hook) as pilot:
        await to_method(pilot, "anthropic", "console_oauth")
        await sign_in(pilot, fake_provider)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        await finish_from_model(pilot, "claude-opus-4-8")
    assert h.app.return_code == 0
    assert h.config().model() == {
        "provider": "anthropic",
        "name": "claude-opus-4-8",
        "auth": "api_key",
    }
    record = h.stored("anthropic")
    assert record is not None
    assert record.kind == "api_key"
    assert record.secret == case.canaries[0]  # the key the Console minted
    assert record.secret in fake_provider.anthropic_keys
    assert record.access_token is None and record.refresh_token is None
    assert record.verified_at is not None
    assert fake_provider.count("/api/oauth/claude_cli/create_api_key", "POST") == 1
    # The check used the minted key as an API key.
    assert fake_provider.requests(MODELS)[-1].headers["x-api-key"] == record.secret
    walk.verify()


async def test_env_method_checks_the_variable_and_stores_nothing(
    fake_provider: FakeProvider, tmp_path: Path, canaries: Canaries
) -> None:
    case = canaries.case("env")
    key = case.canaries[0]
    h = build(fake_provider, tmp_path, env={"ANTHROPIC_API_KEY": key}, config_text=EXISTING_TOML)
    walk = canaries.watch(case, h)
    async with h.app.run_test(size=SIZE, message_hook=walk.hook) as pilot:
        await to_method(pilot, "anthropic", "env")
        await wait_screen(pilot, EnvScreen)
        await wait_text(pilot, ".intro", "Next checks $ANTHROPIC_API_KEY live")
        await press_next(pilot)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        await finish_from_model(pilot, "claude-haiku-4-5-20251001")
    assert h.app.return_code == 0
    assert h.config().model() == {
        "provider": "anthropic",
        "name": "claude-haiku-4-5-20251001",
        "auth": "env",
    }
    assert h.store.list() == []
    assert fake_provider.requests(MODELS)[-1].headers["x-api-key"] == key
    walk.verify()


async def test_env_method_with_a_value_that_cannot_be_sent_says_which_variable(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    """A zero-width space pasted into the variable: named here, not an encoding failure."""
    bad = ANTHROPIC_KEY[:20] + "\u200b" + ANTHROPIC_KEY[20:]
    h = build(fake_provider, tmp_path, env={"ANTHROPIC_API_KEY": bad})
    async with h.app.run_test(size=SIZE) as pilot:
        await to_method(pilot, "anthropic", "env")
        await wait_screen(pilot, EnvScreen)
        await wait_text(pilot, ".intro", "✗ ANTHROPIC_API_KEY contains a non-ASCII character")
        assert "position 21" in text_of(pilot, ".intro")
        assert not next_enabled(pilot)
    assert fake_provider.requests() == []
    assert h.store.list() == []


async def test_env_method_unset_skips_the_check(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await to_method(pilot, "openai", "env")
        await wait_screen(pilot, EnvScreen)
        await wait_text(pilot, ".intro", "OPENAI_API_KEY  — not set in this shell")
        await press_next(pilot)
        # Straight to the Model step: nothing to check.
        screen = await wait_screen(pilot, ModelScreen)
        assert not isinstance(screen, CheckScreen)
        await wait_text(pilot, "#catalog-source", "models.dev snapshot of")
        await finish_from_model(pilot, "gpt-5")
    assert h.app.return_code == 0
    assert h.config().model() == {"provider": "openai", "name": "gpt-5", "auth": "env"}
    assert h.store.list() == []
    assert fake_provider.requests() == []


@pytest.mark.parametrize("where", ["home", "claude_config_dir"])
async def test_claude_code_import(
    fake_provider: FakeProvider, tmp_path: Path, isolated_env: Path, where: str, canaries: Canaries
) -> None:
    case = canaries.case("claude_code")
    access, refresh = case.canaries
    expires = datetime.now(UTC) + timedelta(hours=5, minutes=30)
    env: dict[str, str] = {}
    if where == "home":
        path = isolated_env / ".claude" / ".credentials.json"
    else:
        config_dir = tmp_path / "cc-config"
        env["CLAUDE_CONFIG_DIR"] = str(config_dir)
        path = config_dir / ".credentials.json"
    write_claude_code(path, access, refresh, expires)
    before = path.read_bytes()
    h = build(fake_provider, tmp_path, env=env, config_text=EXISTING_TOML)
    walk = canaries.watch(case, h, claude_code_file=path)
    async with h.app.run_test(size=SIZE, message_hook=walk.hook) as pilot:
        await to_method(pilot, "anthropic", "claude_code")
        await wait_screen(pilot, ClaudeCodeScreen)
        found = await wait_text(pilot, "#found", "✓ Found Claude Code's sign-in")
        assert "Access token valid for 5 h more" in found
        assert "Plan: max" in found
        await press_next(pilot)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        await finish_from_model(pilot, "claude-sonnet-4-6")
    assert h.app.return_code == 0
    assert h.config().model() == {
        "provider": "anthropic",
        "name": "claude-sonnet-4-6",
        "auth": "claude_code",
    }
    assert h.store.list() == []
    assert path.read_bytes() == before  # read-only: Claude Code's file is never written
    sent = fake_provider.requests(MODELS)[-1].headers
    assert sent["authorization"] == f"Bearer {access}"
    walk.verify()


async def test_claude_code_missing_keeps_next_disabled(
    fake_provider: FakeProvider, tmp_path: Path, isolated_env: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await to_method(pilot, "anthropic", "claude_code")
        screen = await wait_screen(pilot, ClaudeCodeScreen)
        await wait_text(pilot, "#found", "✗ No Claude Code sign-in at")
        assert not screen.ready
        await pilot.press("ctrl+n")
        assert pilot.app.screen is screen
        # Signed in with `claude` meanwhile: Look again finds it.
        tokens = fake_provider.issue_tokens()
        expires = datetime.now(UTC) + timedelta(hours=2)
        path = isolated_env / ".claude" / ".credentials.json"
        write_claude_code(path, tokens["access_token"], tokens["refresh_token"], expires)
        await press(pilot, "rescan")
        await wait_text(pilot, "#found", "✓ Found Claude Code's sign-in")
        assert screen.ready


@pytest.mark.parametrize(
    ("pasted", "message"),
    [
        ("abc123def456", "paste the whole text including the part after #"),
        ("abc123def456#" + "x" * 43, "belongs to another sign-in"),
        (
            "https://platform.claude.com/oauth/code/callback?error=access_denied"
            "&error_description=The+user+said+no",
            "Sign-in failed: access_denied: The user said no",
        ),
    ],
    ids=["bare-code", "foreign-state", "error-url"],
)
async def test_sign_in_refuses_bad_pastes(
    fake_provider: FakeProvider, tmp_path: Path, pasted: str, message: str
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await to_method(pilot, "anthropic", "oauth")
        screen, _url = await sign_in_url(pilot)
        await paste(pilot, "#code", pasted)
        await press_next(pilot)
        feedback = await wait_text(pilot, "#feedback", "✗")
        assert message in feedback, feedback
        # Still on the step, free to paste again; nothing exchanged or stored.
        assert pilot.app.screen is screen
        await wait_for(pilot, lambda: screen.ready, "Sign in enabled again")
    assert fake_provider.count("/v1/oauth/token") == 0
    assert h.store.list() == []
