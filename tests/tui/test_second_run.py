"""A second run in a configured project starts from what is there: seal.toml's provider,
method, model, options and headers preselected, the stored key offered to keep; Review
shows only what the person changed (and nothing is written when nothing changed)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import Checkbox, Input, OptionList, Select

from backend.credentials.record import CredentialRecord, utcnow
from screens.auth_method import AuthMethodScreen
from screens.check import CheckScreen
from screens.done import DoneScreen
from screens.model import ModelScreen
from screens.provider import ProviderScreen
from screens.review import ReviewScreen
from screens.secret_entry import ApiKeyScreen
from screens.stored_credential import StoredCredentialScreen
from screens.welcome import WelcomeScreen
from screens.widgets.choice_list import ChoiceList
from screens.widgets.model_picker import ModelPicker
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, FakeProvider, new_api_key
from tests.support.configured import CONFIGURED
from tests.tui.harness import (
    SIZE,
    Harness,
    build,
    choose,
    enter_secret,
    press_next,
    text_of,
    wait_check,
    wait_for,
    wait_screen,
    wait_text,
)

OPENROUTER = """\
[model]
provider = "openrouter"
name = "openai/gpt-5"
auth = "api_key"
max_tokens = 20000

[model.headers]
"HTTP-Referer" = "https://my-app.example"
"X-OpenRouter-Title" = "my-app"
"""

WHEN = utcnow() - timedelta(days=3)


def _key(
    provider: str = "anthropic", profile: str = "work", secret: str = ANTHROPIC_KEY
) -> CredentialRecord:
    return CredentialRecord(provider, profile, "api_key", secret=secret, verified_at=WHEN)


def _fingerprint(secret: str) -> str:
    return f"{secret[:16]}…{secret[-4:]} · {len(secret)} chars"


async def _to_stored(pilot, h: Harness) -> StoredCredentialScreen:  # type: ignore[no-untyped-def]
    """Welcome → Provider → Auth method with Next only: each answer is the file's."""
    await wait_screen(pilot, WelcomeScreen)
    await wait_for(pilot, lambda: pilot.app.screen.ready, "survey")
    await press_next(pilot)
    provider = await wait_screen(pilot, ProviderScreen)
    assert (
        provider.query_one("#choices", OptionList).highlighted_option.id == h.app.answers.provider
    )
    await press_next(pilot)
    method = await wait_screen(pilot, AuthMethodScreen)
    assert method.query_one("#choices", OptionList).highlighted_option.id == "api_key"
    await press_next(pilot)
    return await wait_screen(pilot, StoredCredentialScreen)


async def _model_ready(pilot) -> ModelScreen:  # type: ignore[no-untyped-def]
    screen = await wait_screen(pilot, ModelScreen)
    await wait_for(pilot, lambda: screen.query("#picker") and screen.ready, "model chosen")
    return screen


async def _kept_to_model(pilot, h: Harness) -> ModelScreen:  # type: ignore[no-untyped-def]
    """Next on every step to the stored key, Keep, its live check, on to the Model step."""
    await _to_stored(pilot, h)
    await press_next(pilot)
    await wait_check(pilot, "✓")
    await press_next(pilot)
    return await _model_ready(pilot)


def _changed_lines(diff: str) -> list[str]:
    return [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


async def test_keeping_everything_writes_nothing(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, config_text=CONFIGURED, records=[_key()])
    async with h.app.run_test(size=SIZE) as pilot:
        stored = await _to_stored(pilot, h)
        choices = stored.query_one("#choices", ChoiceList)
        keep = choices.highlighted_option
        assert keep is not None and keep.id == "keep"
        shown = choices.row_text(choices.highlighted or 0)
        assert "Keep the stored key" in shown
        assert _fingerprint(ANTHROPIC_KEY) in shown and "last verified 3 days ago" in shown
        assert ANTHROPIC_KEY not in shown
        await press_next(pilot)
        await wait_check(pilot, "✓")  # checked live again, without a paste
        await press_next(pilot)
        model = await _model_ready(pilot)
        picker = model.query_one("#picker", ModelPicker)
        assert getattr(picker.highlighted_model, "id", None) == "claude-sonnet-4-6"
        # Every kind of [model] option is the file's.
        assert model.query_one("#thinking", Select).value == "manual"
        assert model.query_one("#thinking_budget", Input).value == "4096"
        assert model.query_one("#effort", Select).value == "high"
        assert model.query_one("#max_tokens", Input).value == "32000"
        assert model.query_one("#cache_retention", Select).value == "long"
        assert model.query_one("#context_1m", Checkbox).value is True
        await press_next(pilot)
        review = await wait_screen(pilot, ReviewScreen)
        await wait_for(pilot, lambda: review.ready, "review prepared")
        summary = text_of(pilot, "#summary")
        assert "Nothing to change" in summary, summary
        # seal.toml keeps the alias; Review says what it is today, from the live list.
        assert "sonnet is claude-sonnet-4-6 now: the newest Sonnet on Anthropic's live list" in (
            summary
        )
        assert text_of(pilot, "#diff") == ""
        secret = text_of(pilot, "#secret-dest")
        assert "Kept the stored key anthropic:work" in secret and "nothing new is stored" in secret
        assert str(review.query_one("#next").label) == "Next"  # nothing to Write
        await press_next(pilot)
        done = await wait_screen(pilot, DoneScreen)
        assert done.answers.kept
    assert h.config_text() == CONFIGURED
    assert not h.config_path.with_name("seal.toml.bak").exists()
    record = h.stored("anthropic", "work")
    assert record is not None and record.secret == ANTHROPIC_KEY
    # The live check that just passed is stamped; the secret itself was not written again.
    assert record.verified_at is not None and record.verified_at > WHEN


async def test_replacing_the_key_stores_the_new_one(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    new_key = new_api_key()
    fake_provider.add_key("anthropic", new_key)
    h = build(fake_provider, tmp_path, config_text=CONFIGURED, records=[_key()])
    async with h.app.run_test(size=SIZE) as pilot:
        await _to_stored(pilot, h)
        await choose(pilot, "replace")
        await press_next(pilot)
        await wait_screen(pilot, ApiKeyScreen)
        # Back from the paste step offers the choice again, Replace still chosen.
        await pilot.press("escape")
        again = await wait_screen(pilot, StoredCredentialScreen)
        assert again.query_one("#choices", OptionList).highlighted_option.id == "replace"
        await press_next(pilot)
        await enter_secret(pilot, new_key)
        await press_next(pilot)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        await _model_ready(pilot)
        await press_next(pilot)
        review = await wait_screen(pilot, ReviewScreen)
        await wait_for(pilot, lambda: review.ready, "review prepared")
        assert "needs no change" in text_of(pilot, "#summary")
        assert "goes to" in text_of(pilot, "#secret-dest")
        assert str(review.query_one("#next").label) == "Write"
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
    assert h.config_text() == CONFIGURED
    record = h.stored("anthropic", "work")
    assert record is not None and record.secret == new_key


async def test_review_shows_only_the_change(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = build(fake_provider, tmp_path, config_text=CONFIGURED, records=[_key()])
    async with h.app.run_test(size=SIZE) as pilot:
        model = await _kept_to_model(pilot, h)
        model.query_one("#effort", Select).value = "low"
        await wait_for(pilot, lambda: model.ready, "effort low accepted")
        await press_next(pilot)
        review = await wait_screen(pilot, ReviewScreen)
        await wait_for(pilot, lambda: review.ready, "review prepared")
        assert _changed_lines(text_of(pilot, "#diff")) == ['-effort = "high"', '+effort = "low"']
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
    assert h.config_text() == CONFIGURED.replace('effort = "high"', 'effort = "low"')


async def test_review_resolves_the_alias_on_the_live_list(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    # The live list has a Sonnet newer than any the bundled list knows.
    from tests.fakes.provider import anthropic_model

    newer = anthropic_model(
        "claude-sonnet-5",
        "Claude Sonnet 5",
        "2026-09-01T00:00:00Z",
        1_000_000,
        128_000,
        {"adaptive": True, "enabled": True},
        ("low", "medium", "high"),
    )
    fake_provider.extra_models["anthropic"] = [newer]
    h = build(fake_provider, tmp_path, config_text=CONFIGURED, records=[_key()])
    async with h.app.run_test(size=SIZE) as pilot:
        model = await _kept_to_model(pilot, h)
        picker = model.query_one("#picker", ModelPicker)
        assert getattr(picker.highlighted_model, "id", None) == "claude-sonnet-5"
        await press_next(pilot)
        review = await wait_screen(pilot, ReviewScreen)
        await wait_for(pilot, lambda: review.ready, "review prepared")
        summary = text_of(pilot, "#summary")
        assert "sonnet is claude-sonnet-5 now: the newest Sonnet on Anthropic's live list" in (
            summary
        )
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
    assert 'name = "sonnet"' in h.config_text()


async def test_openrouter_headers_are_prefilled(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    record = _key("openrouter", "default", OPENROUTER_KEY)
    h = build(fake_provider, tmp_path, config_text=OPENROUTER, records=[record])
    async with h.app.run_test(size=SIZE) as pilot:
        model = await _kept_to_model(pilot, h)
        assert model.query_one("#hdr-referer", Input).value == "https://my-app.example"
        assert model.query_one("#hdr-title", Input).value == "my-app"
        assert model.query_one("#max_tokens", Input).value == "20000"
        await press_next(pilot)
        await wait_screen(pilot, ReviewScreen)
        await wait_text(pilot, "#summary", "Nothing to change")
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
    assert h.config_text() == OPENROUTER


async def test_an_x_title_header_is_the_title_and_keeps_its_name(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    # Seal's docs write X-Title; OpenRouter also takes X-OpenRouter-Title: one setting.
    text = OPENROUTER.replace('"X-OpenRouter-Title" = "my-app"', '"X-Title" = "my-app"')
    record = _key("openrouter", "default", OPENROUTER_KEY)
    h = build(fake_provider, tmp_path, config_text=text, records=[record])
    async with h.app.run_test(size=SIZE) as pilot:
        model = await _kept_to_model(pilot, h)
        assert model.query_one("#hdr-title", Input).value == "my-app"
        model.query_one("#hdr-title", Input).value = "my-new-app"
        await wait_for(pilot, lambda: model.ready, "title accepted")
        await press_next(pilot)
        review = await wait_screen(pilot, ReviewScreen)
        await wait_for(pilot, lambda: review.ready, "review prepared")
        assert _changed_lines(text_of(pilot, "#diff")) == [
            '-"X-Title" = "my-app"',
            '+"X-Title" = "my-new-app"',
        ]
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
    assert h.config_text() == text.replace('"my-app"', '"my-new-app"')
    assert "X-OpenRouter-Title" not in h.config_text()


async def test_back_from_the_check_reaches_the_choice(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, config_text=CONFIGURED, records=[_key()])
    async with h.app.run_test(size=SIZE) as pilot:
        await _to_stored(pilot, h)
        await press_next(pilot)
        await wait_screen(pilot, CheckScreen)
        await wait_check(pilot, "✓")
        await pilot.press("escape")
        back = await wait_screen(pilot, StoredCredentialScreen)
        assert back.query_one("#choices", OptionList).highlighted_option.id == "keep"
        await pilot.press("escape")
        method = await wait_screen(pilot, AuthMethodScreen)
        assert method.query_one("#choices", OptionList).highlighted_option.id == "api_key"
