"""Pilot flows for `seal-setup roles`: agents × roles, inheritance, pickers, checks, Review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Static

from backend.credentials.record import CredentialRecord, utcnow
from backend.wizard.answers import Answers
from screens.done import DoneScreen
from screens.modals import ConfirmModal
from screens.review import ReviewScreen
from screens.roles import MODEL_ROW, RolesScreen
from screens.widgets.model_picker import ModelPicker
from screens.widgets.role_dialogs import AgentNameModal, FallbacksModal, RolePickerModal
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.support.steps import start_at
from tests.tui.harness import (
    SIZE,
    Harness,
    arrive,
    build,
    cancel,
    confirm,
    press,
    press_next,
    start,
    text_of,
    wait_for,
    wait_screen,
    wait_text,
)
from tui.app import prepare_roles

CONFIG = """\
# Seal settings for this project
[model]
provider = "anthropic"   # who serves the model
name = "claude-sonnet-4-6"
auth = "api_key"

[model.roles]
fast = "claude-haiku-4-5"  # cheap and quick

# The research agent reads a lot
[agents.research.model]
name = "claude-opus-4-7"

[agents.research.model.roles]
fast = "claude-sonnet-4-6"

# trailing comment stays
"""

KEY = CredentialRecord(
    "anthropic", "default", "api_key", secret=ANTHROPIC_KEY, verified_at=utcnow()
)


def _roles(fake: FakeProvider, tmp_path: Path, agent: str | None = None) -> Harness:
    h = build(fake, tmp_path, config_text=CONFIG, answers=Answers(mode="roles"), records=[KEY])
    prepare_roles(h.app.answers, h.services, agent)
    return h


async def _loaded(pilot: Pilot[Any]) -> tuple[RolesScreen, DataTable[Any]]:
    screen = await wait_screen(pilot, RolesScreen)
    await wait_for(pilot, lambda: screen.config is not None, "seal.toml loaded")
    await pilot.pause()
    return screen, screen.query_one("#roles-table", DataTable)


def cell(table: DataTable[Any], row: str, role: str) -> str:
    return str(table.get_cell(row, role).plain)


async def open_cell(pilot: Pilot[Any], table: DataTable[Any], row: str, role: str) -> None:
    table.focus()
    table.cursor_coordinate = Coordinate(table.get_row_index(row), table.get_column_index(role))
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def pick_model(pilot: Pilot[Any], query: str, expected: str) -> None:
    """In the role picker on top: filter, check the first match, Enter."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RolePickerModal), "picker")
    await pilot.pause()
    picker = pilot.app.screen.query_one(ModelPicker)
    pilot.app.screen.query_one("#model-filter", Input).value = query
    await wait_for(
        pilot, lambda: getattr(picker.highlighted_model, "id", None) == expected, expected
    )
    await pilot.press("enter")
    await pilot.pause()


async def name_agent(pilot: Pilot[Any], name: str) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, AgentNameModal), "name dialog")
    await pilot.pause()
    field = pilot.app.screen.query_one("#agent-name", Input)
    field.value = name
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


async def test_roles_edit_agents_roles_and_fallbacks(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = _roles(fake_provider, tmp_path)
    async with h.app.run_test(size=SIZE) as pilot:
        screen, table = await _loaded(pilot)
        assert text_of(pilot, "#progress").split(" › ") == [" Roles ", "Review", "Done"]
        # Inheritance: research sets its own fast, inherits nothing else but escalate is unset.
        assert cell(table, MODEL_ROW, "fast") == "claude-haiku-4-5"
        assert cell(table, "research", "fast") == "claude-sonnet-4-6"
        assert cell(table, "research", "escalate") == "—"

        # Add an agent: a bad name is refused in place, then a good one.
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AgentNameModal), "dialog")
        dialog = pilot.app.screen
        dialog.query_one("#agent-name", Input).value = "bad name"
        await pilot.pause()
        assert dialog.query_one("#ok", Button).disabled
        assert "letters, digits" in str(dialog.query_one("#name-problem", Static).visual)
        dialog.query_one("#agent-name", Input).value = "research"
        await pilot.pause()
        assert "already" in str(dialog.query_one("#name-problem", Static).visual)
        await name_agent(pilot, "coder")
        await wait_for(pilot, lambda: table.row_count == 3, "coder row")
        assert cell(table, "coder", "fast") == "↑ claude-haiku-4-5"  # inherited, marked
        assert cell(table, "coder", "primary") == "↑ claude-sonnet-4-6"

        # fast and escalate of the new agent.
        await open_cell(pilot, table, "coder", "fast")
        await pick_model(pilot, "gpt-5-mini", "gpt-5-mini")
        await wait_for(
            pilot, lambda: cell(table, "coder", "fast") == "⚠ gpt-5-mini", "fast set (flagged)"
        )
        await open_cell(pilot, table, "coder", "escalate")
        await pick_model(pilot, "claude-opus-4-8", "claude-opus-4-8")
        await wait_for(pilot, lambda: cell(table, "coder", "escalate") == "claude-opus-4-8", "esc")

        # Fallbacks: add two, move the second up. OpenRouter has no credential: flagged.
        await open_cell(pilot, table, "coder", "fallbacks")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, FallbacksModal), "editor")
        editor = pilot.app.screen
        assert isinstance(editor, FallbacksModal)
        await press(pilot, "add")
        picker_screen = pilot.app.screen
        assert "No credential for OpenRouter, OpenAI" in str(
            picker_screen.query_one("#provider-flags", Static).visual
        )
        labels = [m.display_name for m in picker_screen.query_one(ModelPicker)._models]
        assert any("OpenRouter" in x and "⚠ no credential" in x for x in labels)
        assert not any(x.startswith("Anthropic") and "⚠" in x for x in labels)
        await pick_model(pilot, "claude-sonnet-4.6", "anthropic/claude-sonnet-4.6")
        await wait_for(pilot, lambda: pilot.app.screen is editor, "back in the editor")
        await press(pilot, "add")
        await pick_model(pilot, "o4-mini", "o4-mini")
        await wait_for(
            pilot, lambda: editor.items == ["anthropic/claude-sonnet-4.6", "o4-mini"], "2"
        )
        await press(pilot, "up")  # o4-mini is highlighted (just added): move it first
        assert editor.items == ["o4-mini", "anthropic/claude-sonnet-4.6"]
        await press(pilot, "done")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "editor closed")
        assert cell(table, "coder", "fallbacks") == "⚠ o4-mini, anthropic/claude-sonnet-4.6"
        checks = text_of(pilot, "#role-checks")
        assert "seal-setup reauth --provider openrouter" in checks
        assert "seal-setup reauth --provider openai" in checks

        # Clear research's own fast: it inherits default's again.
        await open_cell(pilot, table, "research", "fast")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RolePickerModal), "picker")
        await press(pilot, "inherit")
        await wait_for(
            pilot, lambda: cell(table, "research", "fast") == "↑ claude-haiku-4-5", "inherited"
        )

        # Rename research.
        table.cursor_coordinate = Coordinate(table.get_row_index("research"), 0)
        await pilot.press("r")
        await name_agent(pilot, "scholar")
        await wait_for(pilot, lambda: "scholar" in [str(k.value) for k in table.rows], "renamed")

        # Next: the warnings are confirmed, then Review shows the diff; Write.
        await press_next(pilot)
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmModal), "warnings")
        await confirm(pilot, yes=True)
        await wait_screen(pilot, ReviewScreen)
        diff = await wait_text(pilot, "#diff", "+[agents.coder.model")
        assert "No credential is stored" in text_of(pilot, "#command")
        assert text_of(pilot, "#secret-dest") == ""
        assert "-[agents.research.model]" in diff
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        assert "Model roles updated" in str(pilot.app.screen.query_one(".intro", Static).visual)
        await press_next(pilot)
    assert h.app.return_code == 0
    config = h.config()
    assert config.agents() == ["scholar", "coder"]
    assert config.own_roles("scholar") == {"primary": "claude-opus-4-7"}
    assert config.own_roles("coder") == {
        "fast": "gpt-5-mini",
        "escalate": "claude-opus-4-8",
        "fallbacks": ["o4-mini", "anthropic/claude-sonnet-4.6"],
    }
    text = h.config_text()
    for comment in (
        "# Seal settings for this project",
        "# who serves the model",
        "# cheap and quick",
        "# The research agent reads a lot",
        "# trailing comment stays",
    ):
        assert comment in text
    assert text.startswith(CONFIG.split("# The research")[0])  # [model] untouched
    assert h.store.list() == [KEY.with_changes()]  # no credential stored or changed


async def test_roles_cancel_writes_nothing(fake_provider: FakeProvider, tmp_path: Path) -> None:
    h = _roles(fake_provider, tmp_path)
    before = h.config_path.read_bytes()
    async with h.app.run_test(size=SIZE) as pilot:
        _, table = await _loaded(pilot)
        await open_cell(pilot, table, MODEL_ROW, "escalate")
        await pick_model(pilot, "claude-opus-4-8", "claude-opus-4-8")
        await wait_for(
            pilot, lambda: cell(table, MODEL_ROW, "escalate") == "claude-opus-4-8", "set"
        )
        await cancel(pilot)
    assert h.app.return_code == 130
    assert h.config_path.read_bytes() == before
    assert not h.config_path.with_name("seal.toml.bak").exists()


async def test_agent_flag_adds_the_agent_and_remove_confirms(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = _roles(fake_provider, tmp_path, agent="writer")
    async with h.app.run_test(size=SIZE) as pilot:
        await confirm(pilot, yes=True)  # "Add agent writer?" comes once seal.toml is read
        screen, table = await _loaded(pilot)
        await wait_for(pilot, lambda: screen.current_row_key == "writer", "writer selected")
        # Remove research: asks first; "Keep" changes nothing.
        table.cursor_coordinate = Coordinate(table.get_row_index("research"), 1)
        await pilot.press("x")
        await confirm(pilot, yes=False)
        assert table.row_count == 3
        await pilot.press("x")
        await confirm(pilot, yes=True)
        await wait_for(pilot, lambda: table.row_count == 2, "research removed")
        await press_next(pilot)
        await wait_screen(pilot, ReviewScreen)
        await wait_text(pilot, "#diff", "+[agents.writer.model]")
        # Back keeps the edits (they are replayed on the file).
        await press(pilot, "back")
        screen, table = await _loaded(pilot)
        assert [str(k.value) for k in table.rows] == [MODEL_ROW, "writer"]
        await press_next(pilot)
        await wait_screen(pilot, ReviewScreen)
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        await press_next(pilot)
    config = h.config()
    assert config.agents() == ["writer"]
    assert config.roles("writer")["fast"] == "claude-haiku-4-5"
    assert "# trailing comment stays" in h.config_text()


async def test_onboarding_with_agents_goes_through_roles_and_writes_both(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, config_text=CONFIG)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        await arrive(pilot, "model", model="claude-opus-4-8")
        assert "Roles" in text_of(pilot, "#progress")
        await press_next(pilot)
        _, table = await _loaded(pilot)
        # The table shows the model just chosen, and the key in hand is no ⚠.
        assert cell(table, MODEL_ROW, "primary") == "claude-opus-4-8"
        assert cell(table, "research", "fast") == "claude-sonnet-4-6"
        await open_cell(pilot, table, "research", "escalate")
        await pick_model(pilot, "claude-opus-4-8", "claude-opus-4-8")
        await wait_for(
            pilot, lambda: cell(table, "research", "escalate") == "claude-opus-4-8", "set"
        )
        await press_next(pilot)
        await wait_screen(pilot, ReviewScreen)
        diff = await wait_text(pilot, "#diff", '+escalate = "claude-opus-4-8"')
        assert '+name = "claude-opus-4-8"' in diff
        assert "seal-setup roles" in text_of(pilot, "#command")
        # Back to Roles and on again keeps the role change.
        await press(pilot, "back")
        _, table = await _loaded(pilot)
        assert cell(table, "research", "escalate") == "claude-opus-4-8"
        await press_next(pilot)
        await wait_screen(pilot, ReviewScreen)
        await press_next(pilot)  # Write
        await wait_screen(pilot, DoneScreen)
        await press_next(pilot)
    assert h.app.return_code == 0
    config = h.config()
    assert config.own("name") == "claude-opus-4-8"
    assert config.own_roles("research")["escalate"] == "claude-opus-4-8"
    assert "# trailing comment stays" in h.config_text()
    assert h.stored("anthropic") is not None


async def test_onboarding_without_agents_skips_roles(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        await arrive(pilot, "model")
        assert "Roles" not in text_of(pilot, "#progress")
        await press_next(pilot)
        review = await wait_screen(pilot, ReviewScreen)
        await wait_for(pilot, lambda: review.ready, "review prepared")
        assert "Same without the wizard" in text_of(pilot, "#command")
        assert "seal-setup roles" not in text_of(pilot, "#command")


async def test_set_up_from_welcome_offers_roles_when_seal_toml_has_agents(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    from screens.provider import ProviderScreen

    h = build(fake_provider, tmp_path, config_text=CONFIG)
    async with h.app.run_test(size=SIZE) as pilot:
        await start(pilot)  # Welcome's "Set up Seal"
        await wait_screen(pilot, ProviderScreen)
        assert h.app.answers.agents_found == ("research",)
        assert text_of(pilot, "#progress").split(" › ")[-4:] == ["Model", "Roles", "Review", "Done"]


async def test_the_breadcrumb_with_roles_fits_80_columns(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    h = build(fake_provider, tmp_path, config_text=CONFIG)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=(80, 24)) as pilot:
        await arrive(pilot, "model")
        progress = text_of(pilot, "#progress")
        # The steps ahead all show; the first one behind gives way.
        assert progress.startswith("… › Provider") and progress.endswith("Review › Done")
        assert len(progress) <= 78
