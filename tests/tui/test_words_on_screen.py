"""People read words, not internal ids: for each provider and method, Welcome with a
configured seal.toml, Auth, Model, Review, Done and the re-auth panel show "API key",
"1M context", "needs sign-in again", never `api_key`, `context_1m` or "(marked stale)".

Two blocks are code and keep their keys: the seal.toml diff (it is the file) and the
equivalent command line (it is what one types).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, OptionList, Static

from backend.credentials.record import CredentialRecord, utcnow
from backend.vocabulary import registry
from backend.vocabulary.methods import METHODS, methods_for
from backend.wizard.answers import Answers
from screens.auth_method import AuthMethodScreen
from screens.done import DoneScreen
from screens.model import ModelScreen
from screens.review import ReviewScreen
from screens.welcome import WelcomeScreen
from screens.widgets.model_picker import ModelPicker
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SETUP_TOKEN,
    FakeProvider,
)
from tests.support.steps import start_at
from tests.tui.harness import SIZE, build, press_next, wait_for, wait_screen
from tui.app import prepare_reauth, prepare_roles
from tui.flow import following

# The ids that must never be read as words on a screen.
IDS = re.compile(
    r"api_key|setup_token|console_oauth|\boauth\b|claude_code|context_1m|cache_retention"
    r"|thinking_budget|max_tokens|marked stale"
)
# Code, shown as code: the file's diff and the command line.
CODE_BLOCKS = ("diff", "command")
KEYS = {"anthropic": ANTHROPIC_KEY, "openai": OPENAI_KEY, "openrouter": OPENROUTER_KEY}
MODELS = {
    "anthropic": "claude-sonnet-4-6",
    "openai": "gpt-5",
    "openrouter": "anthropic/claude-sonnet-4.6",
}
CASES = [(p, m.id) for p in registry.ids() for m in methods_for(p)]
IDS_OF = [f"{p}-{m}" for p, m in CASES]


def configured(provider: str, auth: str) -> str:
    """A seal.toml that sets every option a person could read about."""
    text = (
        f'[model]\nprovider = "{provider}"\nname = "{MODELS[provider]}"\nauth = "{auth}"\n'
        'effort = "high"\nmax_tokens = 32000\n'
    )
    if provider == "anthropic":
        text += 'thinking = "manual"\nthinking_budget = 4096\ncache_retention = "long"\n'
        text += "context_1m = true\n"
    return text


def record_for(provider: str, method: str, **changes: Any) -> CredentialRecord:
    kind = METHODS[method].record_kind or "api_key"
    now = utcnow()
    if kind == "oauth":
        return CredentialRecord(
            provider,
            "default",
            "oauth",
            access_token="sk-ant-oat01-access",
            refresh_token="sk-ant-ort01-refresh",
            expires_at=now + timedelta(hours=5),
            verified_at=now,
            **changes,
        )
    secret = SETUP_TOKEN if kind == "setup_token" else KEYS[provider]
    return CredentialRecord(provider, "default", kind, secret=secret, verified_at=now, **changes)


def _text(widget: Widget) -> list[str]:
    if isinstance(widget, Static):
        visual = widget.visual
        return [str(getattr(visual, "plain", visual))]
    if isinstance(widget, OptionList):
        return [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]
    if isinstance(widget, Button | Checkbox):
        return [str(widget.label)]
    if isinstance(widget, Input):
        return [widget.value, widget.placeholder]
    if isinstance(widget, DataTable):
        cells = [
            str(getattr(c, "plain", c))
            for row in range(widget.row_count)
            for c in widget.get_row_at(row)
        ]
        return [str(getattr(c.label, "plain", c.label)) for c in widget.columns.values()] + cells
    return []


def screen_words(screen: Screen[Any]) -> str:
    """Every text a screen's widgets show, but the code blocks."""
    skipped = [w for block in CODE_BLOCKS for w in screen.query(f"#{block}")]
    parts: list[str] = []
    for widget in screen.walk_children(with_self=False):
        if any(widget is s or s in widget.ancestors for s in skipped):
            continue
        parts.extend(_text(widget))
    return "\n".join(parts)


def assert_words(screen: Screen[Any]) -> None:
    text = screen_words(screen)
    assert text.strip(), "the screen shows something"
    found = sorted({m.group(0) for m in IDS.finditer(text)})
    assert not found, f"{type(screen).__name__} shows {found}:\n{text}"


@pytest.mark.parametrize(("provider", "method"), CASES, ids=IDS_OF)
async def test_welcome_of_a_configured_project(
    fake_provider: FakeProvider, tmp_path: Path, provider: str, method: str
) -> None:
    auth = METHODS[method].auth_value
    h = build(
        fake_provider,
        tmp_path,
        config_text=configured(provider, auth),
        records=[record_for(provider, method)],
    )
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, WelcomeScreen)
        await wait_for(pilot, lambda: screen.facts is not None and screen.ready, "survey")
        await pilot.pause()
        assert_words(screen)


@pytest.mark.parametrize(("provider", "method"), CASES, ids=IDS_OF)
async def test_auth_and_model(
    fake_provider: FakeProvider, tmp_path: Path, provider: str, method: str
) -> None:
    auth = METHODS[method].auth_value
    h = build(fake_provider, tmp_path, config_text=configured(provider, auth))
    start_at(h.app, "auth_method", provider=provider, method=method)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, AuthMethodScreen)
        await pilot.pause()
        assert_words(screen)

    h = build(
        fake_provider,
        tmp_path / "model",
        config_text=configured(provider, auth),
        answers=Answers(provider=provider, method=method, model=MODELS[provider]),
        start="model",
    )
    async with h.app.run_test(size=SIZE) as pilot:
        model = await wait_screen(pilot, ModelScreen)
        await wait_for(pilot, lambda: model.query("#picker") and model._model, "model list")
        # A model without the 1M window: the reasons a person reads are shown too.
        picker = model.query_one("#picker", ModelPicker)
        assert picker.highlighted_model is not None
        await pilot.pause()
        assert_words(model)


async def _review_and_done(pilot: Pilot[Any]) -> list[Screen[Any]]:
    model = await wait_screen(pilot, ModelScreen)
    await wait_for(pilot, lambda: model.query("#picker") and model.ready, "model valid")
    await press_next(pilot)
    if following("model", pilot.app.answers) == "roles":
        from screens.roles import RolesScreen

        roles = await wait_screen(pilot, RolesScreen)
        await wait_for(pilot, lambda: roles.ready, "roles loaded")
        await press_next(pilot)
    review = await wait_screen(pilot, ReviewScreen)
    await wait_for(pilot, lambda: review.ready, "review prepared")
    assert_words(review)
    await press_next(pilot)  # Write
    done = await wait_screen(pilot, DoneScreen)
    await pilot.pause()
    assert_words(done)
    return [review, done]


@pytest.mark.parametrize(
    ("provider", "method"),
    [(p, "api_key") for p in registry.ids()] + [("anthropic", "setup_token")],
)
async def test_review_and_done(
    fake_provider: FakeProvider, tmp_path: Path, provider: str, method: str
) -> None:
    auth = METHODS[method].auth_value
    h = build(fake_provider, tmp_path, config_text=configured(provider, "api_key"))
    secret = SETUP_TOKEN if method == "setup_token" else KEYS[provider]
    start_at(h.app, "model", provider=provider, method=method, secret=secret)
    async with h.app.run_test(size=SIZE) as pilot:
        await _review_and_done(pilot)
        await press_next(pilot)  # Finish
    assert h.config().own("auth") == auth


@pytest.mark.parametrize(("provider", "method"), CASES, ids=IDS_OF)
async def test_reauth_panel(
    fake_provider: FakeProvider, tmp_path: Path, provider: str, method: str
) -> None:
    """The panel says what is wrong with the stored credential: rejected, in words."""
    auth = METHODS[method].auth_value
    h = build(
        fake_provider,
        tmp_path,
        config_text=configured(provider, auth),
        answers=Answers(mode="reauth"),
        records=[record_for(provider, method, stale=True)],
    )
    prepare_reauth(h.app.answers, h.services, provider, None)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: pilot.app.screen.query("#reauth-status"), "the panel")
        panel = pilot.app.screen.query_one("#reauth-status")
        await wait_for(pilot, lambda: getattr(panel, "state", None) is not None, "judged")
        await pilot.pause()
        assert_words(pilot.app.screen)


@pytest.mark.parametrize("method", ["api_key", "setup_token", "oauth", "claude_code"])
async def test_roles(fake_provider: FakeProvider, tmp_path: Path, method: str) -> None:
    """The Roles step with an agent whose options its method cannot use, and a rejected
    credential: what it says about them is in words."""
    from screens.roles import RolesScreen

    auth = METHODS[method].auth_value
    text = configured("anthropic", auth) + (
        '\n[agents.research.model]\nname = "claude-haiku-4-5"\nthinking = "adaptive"\n'
        "max_tokens = 999999\ncontext_1m = true\n"
    )
    h = build(
        fake_provider,
        tmp_path,
        config_text=text,
        answers=Answers(mode="roles"),
        records=[record_for("anthropic", method, stale=True)],
    )
    prepare_roles(h.app.answers, h.services, None)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, RolesScreen)
        await wait_for(pilot, lambda: screen.config is not None and screen.ready, "roles loaded")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert_words(screen)
