"""On every list a digit picks its row and goes on, and typing filters the rows."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import OptionList

from backend.vocabulary import registry
from screens.auth_method import AuthMethodScreen
from screens.provider import ProviderScreen
from screens.secret_entry import ApiKeyScreen
from screens.welcome import WelcomeScreen
from tests.fakes.provider import FakeProvider
from tests.tui.harness import SIZE, build, text_of, wait_for, wait_screen


def _rows(screen: object) -> list[str | None]:
    choices = screen.query_one("#choices", OptionList)  # type: ignore[attr-defined]
    return [choices.get_option_at_index(i).id for i in range(choices.option_count)]


async def _to_provider(pilot: object) -> ProviderScreen:
    welcome = await wait_screen(pilot, WelcomeScreen)  # type: ignore[arg-type]
    await wait_for(pilot, lambda: welcome.taking_keys, "Welcome ready")  # type: ignore[arg-type]
    await pilot.press("1")  # type: ignore[attr-defined]
    return await wait_screen(pilot, ProviderScreen)  # type: ignore[arg-type]


async def test_a_digit_picks_its_row_and_goes_on(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await _to_provider(pilot)
        second = registry.ids()[1]
        await pilot.press("2")
        await wait_screen(pilot, AuthMethodScreen)
        assert h.app.answers.provider == second
        # A digit past the last row does nothing.
        await pilot.press("9")
        await pilot.pause()
        assert isinstance(pilot.app.screen, AuthMethodScreen)


async def test_typing_filters_and_esc_clears_before_it_goes_back(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await _to_provider(pilot)
        await pilot.press("1")
        auth = await wait_screen(pilot, AuthMethodScreen)
        every = _rows(auth)
        await pilot.press(*"sign")
        shown = _rows(auth)
        assert shown and len(shown) < len(every)
        assert "api_key" not in shown and "oauth" in shown
        assert "Filter: sign" in text_of(pilot, ".choice-filter")
        assert f"of {len(every)}" in text_of(pilot, ".choice-filter")
        # Digits number the rows shown: 1 is the first row left.
        assert h.app.answers.method == shown[0]
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        assert _rows(auth) == every
        await pilot.press(*"zzz")
        assert _rows(auth) == []
        assert "nothing matches" in text_of(pilot, ".choice-filter")
        await pilot.press("escape")  # clears the filter; the step stays
        assert _rows(auth) == every
        assert isinstance(pilot.app.screen, AuthMethodScreen)
        assert not pilot.app.screen.query_one(".choice-filter").display
        await pilot.press(*"api", "enter")
        await wait_screen(pilot, ApiKeyScreen)
        assert h.app.answers.method == "api_key"
        await pilot.press("escape")
        auth = await wait_screen(pilot, AuthMethodScreen)
        await pilot.press("escape")  # no filter: Back
        await wait_screen(pilot, ProviderScreen)


async def test_what_is_on_the_machine_comes_first(
    fake_provider: FakeProvider, tmp_path: Path, isolated_env: Path
) -> None:
    from backend.auth.paste import fingerprint
    from screens.widgets.choice_list import ChoiceList
    from tests.fakes.provider import ANTHROPIC_KEY

    claude = isolated_env / ".claude" / ".credentials.json"
    claude.parent.mkdir(parents=True)
    claude.write_text("{}", encoding="utf-8")
    h = build(fake_provider, tmp_path, env={"ANTHROPIC_API_KEY": ANTHROPIC_KEY})
    async with h.app.run_test(size=SIZE) as pilot:
        await _to_provider(pilot)
        await pilot.press("1")
        auth = await wait_screen(pilot, AuthMethodScreen)
        rows = _rows(auth)
        assert rows[:2] == ["env", "claude_code"]
        assert sorted(rows) == sorted(registry.get("anthropic").methods)
        choices = auth.query_one("#choices", ChoiceList)
        assert choices.row_text(0).startswith("Use $ANTHROPIC_API_KEY")
        assert fingerprint(ANTHROPIC_KEY) in choices.row_text(0)
        assert ANTHROPIC_KEY not in choices.row_text(0)
        assert "~/.claude/.credentials.json" in choices.row_text(1)
        # The first row is the answer until the person picks another.
        assert h.app.answers.method == "env"


async def test_without_anything_on_the_machine_the_table_order_stays(
    fake_provider: FakeProvider, tmp_path: Path, isolated_env: Path
) -> None:
    h = build(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        await _to_provider(pilot)
        await pilot.press("1")
        auth = await wait_screen(pilot, AuthMethodScreen)
        assert _rows(auth) == list(registry.get("anthropic").methods)
