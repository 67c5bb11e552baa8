"""The wizard honours `--provider`, `--auth`, `--model`, `--profile` and `--agent`: each
preselects its answer, the run starts at the first step they leave to answer, and Back
still reaches the steps passed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import OptionList

from backend.credentials.record import CredentialRecord
from backend.errors import ExitCode, InputError
from screens.auth_method import AuthMethodScreen
from screens.base import StepScreen
from screens.provider import ProviderScreen
from screens.review import ReviewScreen
from screens.secret_entry import ApiKeyScreen
from screens.stored_credential import StoredCredentialScreen
from screens.welcome import WelcomeScreen
from screens.widgets.model_picker import ModelPicker
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, FakeProvider
from tests.tui.harness import (
    SIZE,
    Harness,
    build,
    enter_secret,
    press_next,
    text_of,
    wait_check,
    wait_for,
    wait_screen,
)
from tui.app import SealSetupApp

CONFIG = """\
[model]
provider = "anthropic"
name = "claude-sonnet-4-6"
auth = "api_key"
"""


def _from_cli(h: Harness, **choices: Any) -> Harness:
    """The harness's wizard built the way `seal-setup onboard --… ` builds it."""
    h.app = SealSetupApp.from_cli(
        config=str(h.config_path),
        mode="onboard",
        env=h.services.env,
        services=h.services,
        **choices,
    )
    return h


async def _pasted_to_model(pilot: Any) -> StepScreen:
    """The fake's key pasted, checked, on to the Model step with its list loaded."""
    await enter_secret(pilot, ANTHROPIC_KEY)
    await press_next(pilot)
    await wait_check(pilot, "✓")
    await press_next(pilot)
    screen = pilot.app.screen
    await wait_for(pilot, lambda: screen.query("#picker") and screen.ready, "model list")
    assert isinstance(screen, StepScreen)
    return screen


def _highlighted(screen: StepScreen) -> str | None:
    option = screen.query_one("#choices", OptionList).highlighted_option
    return option.id if option is not None else None


async def test_provider_preselects_and_skips(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = _from_cli(build(fake_provider, tmp_path, config_text=CONFIG), provider="openrouter")
    assert h.app.start_step == "auth_method"
    assert h.app.history == ["welcome", "provider"]
    async with h.app.run_test(size=SIZE) as pilot:
        method = await wait_screen(pilot, AuthMethodScreen)
        assert "OpenRouter" in text_of(pilot, ".hint")
        assert method.context.can_back
        await pilot.press("escape")
        provider = await wait_screen(pilot, ProviderScreen)
        assert _highlighted(provider) == "openrouter"
        await pilot.press("escape")
        await wait_screen(pilot, WelcomeScreen)


async def test_provider_and_auth_start_at_the_paste(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = _from_cli(build(fake_provider, tmp_path), provider="anthropic", auth="api_key")
    assert h.app.history == ["welcome", "provider", "auth_method"]
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, ApiKeyScreen)
        await pilot.press("escape")
        method = await wait_screen(pilot, AuthMethodScreen)
        assert _highlighted(method) == "api_key"


async def test_auth_with_a_stored_key_starts_at_keep_or_replace(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    key = CredentialRecord("openrouter", "default", "api_key", secret=OPENROUTER_KEY)
    h = build(fake_provider, tmp_path, records=[key])
    _from_cli(h, provider="openrouter", auth="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        stored = await wait_screen(pilot, StoredCredentialScreen)
        assert _highlighted(stored) == "keep"
        await press_next(pilot)
        await wait_check(pilot, "✓")


async def test_model_is_preselected(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = _from_cli(
        build(fake_provider, tmp_path),
        provider="anthropic",
        auth="api_key",
        model="anthropic:claude-opus-4-7",
    )
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await _pasted_to_model(pilot)
        picker = screen.query_one("#picker", ModelPicker)
        assert getattr(picker.highlighted_model, "id", None) == "claude-opus-4-7"
        await press_next(pilot)
        review = await wait_screen(pilot, ReviewScreen)
        await wait_for(pilot, lambda: review.ready, "review prepared")
        assert '+name = "claude-opus-4-7"' in text_of(pilot, "#diff")


@pytest.mark.parametrize(
    ("choices", "line"),
    [
        ({"profile": "work"}, '+profile = "work"'),
        ({"agent": "research"}, "+[agents.research.model]"),
    ],
    ids=["profile", "agent"],
)
async def test_profile_and_agent_are_preselected(
    fake_provider: FakeProvider, tmp_path: Path, choices: dict[str, str], line: str
) -> None:
    h = _from_cli(build(fake_provider, tmp_path, config_text=CONFIG), **choices)
    # Welcome is answered (this is onboarding); the provider is still to choose.
    assert (h.app.start_step, h.app.history) == ("provider", ["welcome"])
    async with h.app.run_test(size=SIZE) as pilot:
        provider = await wait_screen(pilot, ProviderScreen)
        assert _highlighted(provider) == "anthropic"  # seal.toml's
        await press_next(pilot)
        await wait_screen(pilot, AuthMethodScreen)
        await press_next(pilot)
        await _pasted_to_model(pilot)
        await press_next(pilot)
        review = await wait_screen(pilot, ReviewScreen)
        await wait_for(pilot, lambda: review.ready, "review prepared")
        diff = text_of(pilot, "#diff")
        assert line in diff, diff
        assert not [x for x in diff.splitlines() if x.startswith("-") and not x.startswith("---")]


@pytest.mark.parametrize(
    ("choices", "said"),
    [
        ({"provider": "openrouter", "auth": "oauth"}, "use one of: api_key"),
        ({"model": "foo:bar"}, "the provider must be one of"),
        ({"profile": "no spaces"}, "--profile work"),
        ({"agent": "bad name!"}, "letters, digits"),
    ],
    ids=["auth", "model", "profile", "agent"],
)
def test_a_wrong_choice_is_refused_before_the_screen(
    fake_provider: FakeProvider, tmp_path: Path, choices: dict[str, str], said: str
) -> None:
    h = build(fake_provider, tmp_path, config_text=CONFIG)
    with pytest.raises(InputError) as caught:
        _from_cli(h, **choices)
    assert caught.value.exit_code == ExitCode.USAGE
    assert said in str(caught.value)
    assert h.config_text() == CONFIG
