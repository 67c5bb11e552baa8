"""An unexpected error anywhere in the wizard: a report without secrets, a short message, exit 1.

For every worker of the wizard (and a message handler and a compose), the backend call it
makes is replaced by one that raises with canary secrets in its message and frame (see
crashcheck.py). Where no step shows the error, the wizard must stop with exit code 1,
a few plain lines on stderr and one report (0600) naming the error and its frames, and
no canary on screen, on stdout/stderr or in any file. The steps that show such an error
themselves (the check, the sign-in, Write) must show no canary, keep going, and say where
the report saved for them is; a failed warm-up only costs speed and saves none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from backend.services import Services
from backend.wizard.answers import Answers
from screens.authorize import AuthorizeScreen
from screens.check import CheckScreen
from screens.review import ReviewScreen
from screens.roles import RolesScreen
from tests.fakes.provider import FakeProvider
from tests.reliability.conftest import Tally
from tests.reliability.crashcheck import (
    CANARIES,
    CATEGORY,
    PASTED_KEY,
    PLAIN_TOKEN,
    check_disk,
    check_message,
    check_no_canary,
    check_report,
    current_record,
    failing,
    reports,
    stored_record,
)
from tests.reliability.leakcheck import svg_text
from tests.tui.harness import (
    SIZE,
    Harness,
    build,
    paste,
    press,
    press_next,
    wait_for,
    wait_screen,
    wait_text,
)
from tests.tui.test_roles import CONFIG as ROLES_CONFIG
from tests.tui.test_roles import open_cell, pick_model
from tui.app import SealSetupApp

Trigger = Callable[[Pilot[Any], Harness, pytest.MonkeyPatch], Awaitable[None]]
CARRIED = CANARIES
# Before the key is pasted the app holds no credential: only key-shaped canaries.
KEY_SHAPED = tuple(c for c in CANARIES if c != PLAIN_TOKEN)


async def nothing(pilot: Pilot[Any], h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """The step's own start-up runs the worker."""


async def paste_key(pilot: Pilot[Any], h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await wait_for(pilot, lambda: pilot.app.screen.query("#secret"), "the key field")
    await paste(pilot, "#secret", PASTED_KEY)


async def paste_key_and_next(
    pilot: Pilot[Any], h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await paste_key(pilot, h, monkeypatch)
    await press_next(pilot)


async def link_shown(pilot: Pilot[Any]) -> AuthorizeScreen:
    screen = await wait_screen(pilot, AuthorizeScreen)
    await wait_for(pilot, lambda: screen.pending is not None, "sign-in link")
    return screen


async def open_browser(pilot: Pilot[Any], h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await link_shown(pilot)
    await press(pilot, "open")


async def copy_link(pilot: Pilot[Any], h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    await link_shown(pilot)
    await press(pilot, "copy")


async def paste_code(pilot: Pilot[Any], h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    screen = await link_shown(pilot)
    assert screen.pending is not None
    await paste(pilot, "#code", f"somecode#{screen.pending.state}")
    await press_next(pilot)


async def write(pilot: Pilot[Any], h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    review = await wait_screen(pilot, ReviewScreen)
    await wait_for(pilot, lambda: review.ready, "review prepared")
    await press_next(pilot)


# An agent on its own profile: moving its primary model to OpenAI brings in the account
# openai:work, which the Roles step then looks up.
PROFILED_AGENT = """\
[model]
name = "claude-sonnet-4-6"
auth = "api_key"

[agents.research.model]
name = "claude-opus-4-7"
profile = "work"
"""


async def edit_role(pilot: Pilot[Any], h: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    """Load the Roles step for real, then fail the lookup of the account an edit brings in."""
    screen = await wait_screen(pilot, RolesScreen)
    await wait_for(pilot, lambda: screen.config is not None, "seal.toml loaded")
    await pilot.pause()
    monkeypatch.setattr(Services, "resolve", failing(*CARRIED))
    table = screen.query_one("#roles-table", DataTable)
    await open_cell(pilot, table, "research", "primary")
    await pick_model(pilot, "gpt-5-mini", "gpt-5-mini")


@dataclass(frozen=True)
class Case:
    """Which call fails (an attribute of Services, or another module's name), and how
    the wizard gets there."""

    id: str
    target: tuple[object, str]
    start: str | None = None
    trigger: Trigger = nothing
    answers: dict[str, Any] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    config: str | None = None
    # Where the step shows the error itself: the text it shows instead, and where.
    handled: str = ""
    shown_in: str = ""
    patch_late: bool = False  # the trigger patches (after a real first load)
    carries: tuple[str, ...] = CARRIED


SIGNING_IN = {"provider": "anthropic", "method": "oauth"}
SIGNED_IN = {**SIGNING_IN, "model": "claude-sonnet-4-6"}
PASTING = {"provider": "anthropic", "method": "api_key", "record": None}
DISPLAY = {"DISPLAY": ":0"}  # a local desktop: the Open browser button is offered

CRASHES = [
    Case("welcome survey", (Services, "environment")),
    Case("compose of a step", ("screens.provider", "option_text"), start="provider"),
    Case("model list", (Services, "catalog"), start="model", answers=SIGNED_IN),
    Case(
        "check started on Next",
        (Services, "check_async"),
        start="api_key",
        trigger=paste_key_and_next,
        answers=PASTING,
        carries=KEY_SHAPED,
    ),
    Case(
        "paste handler",
        ("screens.secret_entry", "check_secret"),
        start="api_key",
        trigger=paste_key,
        answers=PASTING,
        carries=KEY_SHAPED,
    ),
    Case("review", (Services, "load_config"), start="review", answers=SIGNED_IN),
    Case(
        "claude code import",
        (Services, "import_claude_code"),
        start="claude_code",
        answers={"provider": "anthropic", "method": "claude_code"},
    ),
    Case(
        "roles load",
        (Services, "resolve"),
        start="roles",
        answers={"mode": "roles"},
        config=ROLES_CONFIG,
    ),
    Case(
        "roles new account",
        (Services, "resolve"),
        start="roles",
        answers={"mode": "roles"},
        config=PROFILED_AGENT,
        trigger=edit_role,
        patch_late=True,
    ),
    Case(
        "reauth status",
        (Services, "resolve"),
        start="auth_method",
        answers={
            "mode": "reauth",
            "provider": "anthropic",
            "method": "api_key",
            "reauth_auth": "api_key",
        },
    ),
    Case(
        "sign-in link",
        (Services, "pending_sign_in"),
        start="authorize",
        answers=SIGNING_IN,
    ),
    Case(
        "open browser",
        (Services, "open_browser"),
        start="authorize",
        answers=SIGNING_IN,
        env=DISPLAY,
        trigger=open_browser,
    ),
    Case(
        "copy link",
        (Services, "copy_native"),
        start="authorize",
        answers=SIGNING_IN,
        env=DISPLAY,
        trigger=copy_link,
    ),
]

HANDLED = [
    Case(
        "check",
        (Services, "check"),
        start="check",
        answers={**SIGNED_IN, "check_outcome": None},
        handled="The check failed unexpectedly (ValueError).",
        shown_in="#check-status",
    ),
    Case(
        "sign-in",
        (Services, "complete_sign_in"),
        start="authorize",
        answers=SIGNING_IN,
        trigger=paste_code,
        handled="The sign-in failed unexpectedly (ValueError).",
        shown_in="#feedback",
    ),
    Case(
        "write",
        (Services, "store"),
        start="review",
        answers=SIGNED_IN,
        trigger=write,
        handled="Writing failed unexpectedly (ValueError).",
        shown_in="#write-status",
    ),
]


def _build(case: Case, fake: FakeProvider, tmp_path: Path) -> Harness:
    answers = Answers(record=current_record(), check_outcome="verified")
    for name, value in case.answers.items():
        setattr(answers, name, value)
    return build(
        fake,
        tmp_path,
        env=case.env,
        config_text=case.config,
        answers=answers,
        start=case.start,
        records=[stored_record()],
    )


def _patch(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    holder, name = case.target
    forced = failing(*case.carries)
    if holder is Services and isinstance(getattr(Services, name), property):
        monkeypatch.setattr(Services, name, property(forced))
    elif isinstance(holder, str):
        monkeypatch.setattr(f"{holder}.{name}", forced)
    else:
        monkeypatch.setattr(holder, name, forced)


def _screen_text(app: SealSetupApp) -> str:
    return svg_text(app.export_screenshot())


def _check_went_on(
    tally: Tally,
    h: Harness,
    shown: str,
    capsys: pytest.CaptureFixture[str],
    home: Path,
    tmp_path: Path,
    *,
    reported: bool = False,
) -> None:
    """The wizard kept going (then ended normally) and showed no canary; a step that
    showed the error saved one report, a warm-up that only cost speed none."""
    out, err = capsys.readouterr()
    state = home / ".local" / "state"
    held = h.app.return_code == 0 and (reported or not reports(state))
    tally.record(f"{CATEGORY}: handled in place", held)
    assert held, (h.app.return_code, err)
    if reported:
        check_report(tally, state)
    check_no_canary(tally, "screen", shown)
    check_no_canary(tally, "stdout/stderr", out + err)
    check_disk(tally, [tmp_path])


@pytest.mark.parametrize("case", CRASHES, ids=[c.id for c in CRASHES])
async def test_an_unexpected_error_stops_the_wizard_with_a_clean_report(
    case: Case,
    fake_provider: FakeProvider,
    tmp_path: Path,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tally: Tally,
) -> None:
    h = _build(case, fake_provider, tmp_path)
    if not case.patch_late:
        _patch(case, monkeypatch)
    screens: list[str] = []
    handle = h.app._handle_exception

    def seen(error: Exception) -> None:
        # What the screen showed when the error arrived (the wizard's last frame).
        screens.append(_screen_text(h.app))
        handle(error)

    monkeypatch.setattr(h.app, "_handle_exception", seen)
    with pytest.raises(Exception) as raised:
        async with h.app.run_test(size=SIZE) as pilot:
            await case.trigger(pilot, h, monkeypatch)
            await wait_for(pilot, lambda: screens, "the error to reach the app")
    assert "forced failure" in str(raised.value)  # the failure forced here, not another
    out, err = capsys.readouterr()

    tally.record(f"{CATEGORY}: exit code 1", h.app.return_code == 1)
    assert h.app.return_code == 1
    check_message(tally, err, out)
    assert "Nothing was written." in err
    check_no_canary(tally, "screen", "\n".join(screens))
    check_no_canary(tally, "stdout/stderr", out + err)
    check_report(tally, isolated_env / ".local" / "state")
    check_disk(tally, [tmp_path])


@pytest.mark.parametrize("case", HANDLED, ids=[c.id for c in HANDLED])
async def test_a_step_that_catches_every_error_shows_no_secret(
    case: Case,
    fake_provider: FakeProvider,
    tmp_path: Path,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tally: Tally,
) -> None:
    h = _build(case, fake_provider, tmp_path)
    _patch(case, monkeypatch)
    async with h.app.run_test(size=SIZE) as pilot:
        await case.trigger(pilot, h, monkeypatch)
        if case.id == "check":
            await wait_screen(pilot, CheckScreen)
        await wait_text(pilot, case.shown_in, case.handled)
        where = "#check-detail" if case.id == "check" else case.shown_in
        await wait_text(pilot, where, "A report without secrets is at ~/.local/state/seal/")
        shown = _screen_text(h.app)
        h.app.exit()
    _check_went_on(tally, h, shown, capsys, isolated_env, tmp_path, reported=True)


async def test_a_failed_warm_up_only_costs_speed(
    fake_provider: FakeProvider,
    tmp_path: Path,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tally: Tally,
) -> None:
    calls: list[str] = []

    def failing_warm_up(self: Services) -> None:
        calls.append("warm_up")
        failing(*CANARIES)()

    monkeypatch.setattr(Services, "warm_up", failing_warm_up)
    h = _build(Case("warm-up", (Services, "warm_up")), fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: calls, "the warm-up")
        await wait_for(
            pilot, lambda: not any(w.group == "warm-up" for w in h.app.workers), "warm-up done"
        )
        await press_next(pilot)  # the wizard goes on
        shown = _screen_text(h.app)
        h.app.exit()
    _check_went_on(tally, h, shown, capsys, isolated_env, tmp_path)


async def test_a_step_with_no_place_for_the_error_stops_the_wizard(
    fake_provider: FakeProvider,
    tmp_path: Path,
    isolated_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tally: Tally,
) -> None:
    """A worker that leaves its errors to its step, on a step that shows none: the wizard
    stops as for any unexpected error, rather than losing it."""
    from screens.base import StepScreen

    case = HANDLED[0]  # the check
    monkeypatch.setattr(CheckScreen, "show_unexpected", StepScreen.show_unexpected)
    h = _build(case, fake_provider, tmp_path)
    _patch(case, monkeypatch)
    with pytest.raises(Exception) as raised:
        async with h.app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: h.app.return_code is not None, "the wizard to stop")
    assert "forced failure" in str(raised.value)
    out, err = capsys.readouterr()
    tally.record(f"{CATEGORY}: exit code 1", h.app.return_code == 1)
    assert h.app.return_code == 1
    check_message(tally, err, out)
    check_no_canary(tally, "stdout/stderr", out + err)
    check_report(tally, isolated_env / ".local" / "state")
