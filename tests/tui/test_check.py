"""The Check step: rejected, rate limited, timed out, unverifiable kept unverified."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Button

from backend.services import CheckReport, Services
from backend.system.http import DEFAULT_RETRY, using_retry_policy
from screens.check import CheckScreen
from screens.done import DoneScreen
from screens.model import ModelScreen
from screens.review import ReviewScreen
from screens.secret_entry import ApiKeyScreen
from screens.widgets.secret_input import SecretInput
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, FakeProvider
from tests.support.steps import start_at, start_near
from tests.tui.harness import (
    SIZE,
    build,
    cancel,
    confirm,
    enter_secret,
    finish_from_model,
    goto,
    press,
    press_next,
    text_of,
    wait_check,
    wait_for,
    wait_screen,
    wait_text,
)

MODELS = "/v1/models"
# Well formed (prefix, length) but unknown to the fake: it answers 401.
UNKNOWN_KEY = ANTHROPIC_KEY[:-6] + "ZZZZZZ"


def _buttons_shown(screen: CheckScreen) -> tuple[bool, bool]:
    return (
        bool(screen.query_one("#retry", Button).display),
        bool(screen.query_one("#unverified", Button).display),
    )


async def test_rejected_key_shows_provider_message_and_stores_nothing(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="anthropic", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await enter_secret(pilot, UNKNOWN_KEY)
        await press_next(pilot)
        screen = await wait_check(pilot, "✗")
        status = text_of(pilot, "#check-status")
        # The provider's own words, and the likely cause.
        assert "Rejected by Anthropic: invalid x-api-key" in status
        assert "wrong, revoked, or cut short" in status
        assert "Nothing was stored" in text_of(pilot, "#check-detail")
        assert not screen.ready
        assert _buttons_shown(screen) == (True, False)  # no "keep it unverified"
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert pilot.app.screen is screen and not screen.ready
        await cancel(pilot)
    assert h.app.return_code == 130
    h.assert_nothing_written()
    assert fake_provider.count(MODELS) == 1  # a 401 is not retried


async def test_rejected_openrouter_key_names_openrouter(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    fake_provider.fail("/openrouter/api/v1/key", 401, times=1)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="openrouter", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await enter_secret(pilot, OPENROUTER_KEY)
        await press_next(pilot)
        screen = await wait_check(pilot, "✗")
        assert "Rejected by OpenRouter: No auth credentials found" in text_of(
            pilot, "#check-status"
        )
        assert not screen.ready
        # Back to the key: the field still holds what was pasted; nothing stored.
        await press(pilot, "back")
        key_step = await wait_screen(pilot, ApiKeyScreen)
        assert key_step.query_one("#secret", SecretInput).value == OPENROUTER_KEY
    assert h.store.list() == []


async def test_rate_limited_then_retry_succeeds(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    # A retry-after longer than the retry budget is reported, not slept through.
    fake_provider.fail(MODELS, 429, retry_after=30, times=1)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="anthropic", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await enter_secret(pilot, ANTHROPIC_KEY)
        await press_next(pilot)
        screen = await wait_check(pilot, "⚠")
        status = text_of(pilot, "#check-status")
        assert "Rate limited by Anthropic (429" in status
        assert "try again in 30 s" in status
        assert _buttons_shown(screen) == (True, True)
        assert not screen.ready
        await press(pilot, "retry")
        await wait_check(pilot, "✓")
        assert _buttons_shown(screen) == (False, False)
        assert screen.ready
        await press_next(pilot)
        await finish_from_model(pilot)
    assert fake_provider.count(MODELS) == 2
    record = h.stored("anthropic")
    assert record is not None and record.verified_at is not None


async def test_short_retry_after_is_honoured_without_asking(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    fake_provider.fail(MODELS, 429, retry_after=0.05, times=1)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="anthropic", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await enter_secret(pilot, ANTHROPIC_KEY)
        await press_next(pilot)
        await wait_check(pilot, "✓")
    assert fake_provider.count(MODELS) == 2


async def test_stalled_provider_times_out_then_retry(
    fake_provider: FakeProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEAL_HTTP_READ_TIMEOUT", "0.3")  # backend.system.http.read_timeout()
    fake_provider.stall(MODELS, seconds=10, times=1)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="anthropic", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await enter_secret(pilot, ANTHROPIC_KEY)
        await press_next(pilot)
        screen = await wait_screen(pilot, CheckScreen)
        # While the check runs, the screen is live and Next is disabled.
        assert not screen.ready
        await wait_check(pilot, "⚠")
        status = text_of(pilot, "#check-status")
        assert "did not answer in time (read timeout)" in status
        assert _buttons_shown(screen) == (True, True)
        assert not screen.ready
        await press(pilot, "retry")
        await wait_check(pilot, "✓")
    assert fake_provider.count(MODELS) == 2  # a timeout is not retried automatically


async def test_unverifiable_kept_unverified(fake_provider: FakeProvider, tmp_path: Path) -> None:
    fake_provider.fail(MODELS, 503, times=None)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="anthropic", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await enter_secret(pilot, ANTHROPIC_KEY)
        await press_next(pilot)
        screen = await wait_check(pilot, "⚠")
        assert "server error (503" in text_of(pilot, "#check-status")
        # Declining keeps Next disabled.
        await press(pilot, "unverified")
        await confirm(pilot, yes=False)
        assert pilot.app.screen is screen and not screen.ready
        # Accepting enables it.
        await press(pilot, "unverified")
        await confirm(pilot, yes=True)
        await wait_for(pilot, lambda: screen.ready, "Next enabled after keeping it")
        assert "stored marked unverified" in text_of(pilot, "#check-detail")
        await press_next(pilot)
        # No live list: the Model step falls back to the bundled catalog.
        await wait_screen(pilot, ModelScreen)
        await wait_text(pilot, "#catalog-source", "(no live list)")
        await press_next(pilot)
        await wait_screen(pilot, ReviewScreen)
        await wait_text(pilot, "#secret-dest", "(marked unverified)")
        assert "--no-verify" in text_of(pilot, "#command")
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        assert "marked unverified" in text_of(pilot, ".intro")
        await press_next(pilot)
    assert h.app.return_code == 0
    record = h.stored("anthropic")
    assert record is not None
    assert record.secret == ANTHROPIC_KEY
    assert record.verified_at is None
    assert h.config().own("auth") == "api_key"


async def test_the_check_started_on_next_is_the_one_the_step_shows(
    fake_provider: FakeProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The App starts the check as Next is pressed (the step's declared hook); the Check
    # step asks for the same credential's check and gets that one: one request, not two.
    started: list[tuple[Screen[Any], Future[CheckReport]]] = []
    check_async = Services.check_async

    def spy(self: Services, *args: Any, **kwargs: Any) -> Future[CheckReport]:
        future = check_async(self, *args, **kwargs)
        started.append((h.app.screen, future))
        return future

    monkeypatch.setattr(Services, "check_async", spy)
    fake_provider.latency(MODELS, 0.2)
    h = build(fake_provider, tmp_path)
    start_near(h.app, "api_key", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "api_key", secret=ANTHROPIC_KEY)
        await press_next(pilot)
        screen = await wait_check(pilot, "✓")
    (on_next, first), (on_mount, again) = started
    assert isinstance(on_next, ApiKeyScreen) and on_mount is screen
    assert again is first
    assert fake_provider.count(MODELS) == 1


async def test_back_into_the_check_shows_its_outcome_and_retry_asks_again(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    # Kept unverified, then Back from the Model step: the same credential's check is shown
    # again as it came back, without a new request; Retry sends one.
    fake_provider.fail(MODELS, 503, times=3)  # every try of the first check
    h = build(fake_provider, tmp_path)
    start_near(h.app, "api_key", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "api_key", secret=ANTHROPIC_KEY)
        await press_next(pilot)
        await wait_check(pilot, "⚠")
        sent = fake_provider.count(MODELS)
        await press(pilot, "unverified")
        await confirm(pilot, yes=True)
        await press_next(pilot)
        await wait_screen(pilot, ModelScreen)
        await press(pilot, "back")
        screen = await wait_check(pilot, "⚠")
        assert "server error (503" in text_of(pilot, "#check-status")
        assert screen.ready  # still kept unverified
        assert fake_provider.count(MODELS) == sent
        await press(pilot, "retry")
        await wait_check(pilot, "✓")
    assert fake_provider.count(MODELS) == sent + 1


# --- waits: why the check pauses, for how long so far, and that Esc cancels ----------


@pytest.fixture
def real_waits(fake_provider: FakeProvider) -> Iterator[None]:
    """The product's own retry budget with the fake provider (its fixture's is 0.5 s): a
    retry-after of a few seconds is then waited for, as it is for people."""
    with using_retry_policy(DEFAULT_RETRY):
        yield


async def _checking(pilot: Any, key: str) -> CheckScreen:
    """From the key step (started there): paste `key`, Next, and the Check step runs."""
    await enter_secret(pilot, key)
    await press_next(pilot)
    return await wait_screen(pilot, CheckScreen)


def _elapsed(pilot: Any) -> int:
    """The whole seconds the status line says the check has taken."""
    status = text_of(pilot, "#check-status")
    assert status.startswith("Checking with "), status
    return int(status.rsplit("… ", 1)[1].removesuffix(" s"))


@pytest.mark.usefixtures("real_waits")
async def test_a_wait_the_provider_asks_for_is_said_with_the_time_so_far(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    # 429 with retry-after 3 s (within the retry budget): the check waits, and says so.
    fake_provider.fail("/openrouter/api/v1/key", 429, retry_after=3, times=1)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="openrouter", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await _checking(pilot, OPENROUTER_KEY)
        detail = await wait_text(pilot, "#check-detail", "OpenRouter asked to wait 3 s (429)")
        assert "OpenRouter asked to wait 3 s (429); retrying…" in detail
        assert "Esc cancels the check" in detail
        assert not screen.ready
        # The elapsed time ticks while it waits.
        first = _elapsed(pilot)
        await wait_for(pilot, lambda: _elapsed(pilot) > first, "the elapsed time to tick")
        await wait_check(pilot, "✓")
        assert "Esc cancels" not in text_of(pilot, "#check-detail")
        assert screen.ready
    assert fake_provider.count("/openrouter/api/v1/key") == 2


@pytest.mark.usefixtures("real_waits")
async def test_esc_while_the_check_waits_goes_back(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    fake_provider.fail(MODELS, 503, retry_after=8, times=1)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="anthropic", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await _checking(pilot, ANTHROPIC_KEY)
        await wait_text(pilot, "#check-detail", "Anthropic asked to wait 8 s (503); retrying…")
        await pilot.press("escape")
        key_step = await wait_screen(pilot, ApiKeyScreen)
        assert key_step.query_one("#secret", SecretInput).value == ANTHROPIC_KEY
    assert h.store.list() == []


@pytest.mark.usefixtures("real_waits")
async def test_retry_visibly_starts_again(fake_provider: FakeProvider, tmp_path: Path) -> None:
    # First check: a 3 s wait, then a retry-after too long to wait for (reported).
    fake_provider.fail(MODELS, 429, retry_after=3, times=1)
    fake_provider.fail(MODELS, 429, retry_after=90, times=1)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="anthropic", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await _checking(pilot, ANTHROPIC_KEY)
        await wait_text(pilot, "#check-detail", "asked to wait 3 s")
        await wait_check(pilot, "⚠")
        assert "try again in 90 s" in text_of(pilot, "#check-status")
        # Retry: a new check that waits too; the state line and the time start over.
        fake_provider.fail(MODELS, 429, retry_after=4, times=1)
        await press(pilot, "retry")
        detail = await wait_text(pilot, "#check-detail", "asked to wait 4 s")
        assert "asked to wait 3 s" not in detail and "90 s" not in detail
        assert _elapsed(pilot) < 3  # the first check had taken at least 3 s
        await wait_check(pilot, "✓")
    assert fake_provider.count(MODELS) == 4


@pytest.mark.goes_on
async def test_a_fresh_verified_goes_on_by_itself(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="anthropic", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        await _checking(pilot, ANTHROPIC_KEY)
        await wait_check(pilot, "✓")
        assert "Going on in 1 s (Enter: now, Esc: back)." in text_of(pilot, "#check-detail")
        await wait_screen(pilot, ModelScreen)  # no key pressed
        # Back to Check: the check already made is shown, and the step stays.
        await pilot.press("escape")
        check = await wait_screen(pilot, CheckScreen)
        await pilot.pause(1.5)
        assert pilot.app.screen is check
        assert "Going on" not in text_of(pilot, "#check-detail")


@pytest.mark.goes_on
async def test_a_dialog_over_check_keeps_it_there(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "credential", provider="anthropic", method="api_key")
    async with h.app.run_test(size=SIZE) as pilot:
        check = await _checking(pilot, ANTHROPIC_KEY)
        await wait_check(pilot, "✓")
        await pilot.press("f1")
        await pilot.pause(1.5)
        await pilot.press("escape")  # closes Help
        await pilot.pause()
        assert pilot.app.screen is check
