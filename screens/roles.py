"""Roles step: agents × roles (primary, fast, escalate, fallbacks), inheritance, checks.

The step edits a copy of seal.toml in memory to show the effect of each change, and keeps
the changes themselves in `answers.role_edits`; Review replays them on the file read from
disk, so only role and agent keys change. Nothing is written here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.widget import Widget
from textual.widgets import Button, DataTable, Static
from textual.widgets.data_table import RowDoesNotExist

from backend.config.schema import DEFAULT_ROW
from backend.config.schema import ROLE_NAMES as ROLES
from backend.credentials.health import Account
from backend.errors import SealError
from backend.system.display import visible
from backend.vocabulary.registry import PROVIDER_LABELS
from backend.wizard.roles import (
    Cell,
    CredentialState,
    RoleEdit,
    RoleProblem,
    accounts_to_check,
    apply_role_edits,
    check_roles,
    credential_state,
    in_hand_state,
    needs_confirmation,
    role_account,
    row_cells,
    table_account,
    unreadable_state,
)
from screens.base import StepContext, StepResult, StepScreen
from screens.plain import plain
from screens.widgets.button import WizardButton
from screens.widgets.role_dialogs import (
    AgentNameModal,
    FallbacksModal,
    Picked,
    RolePickerModal,
    picker_models,
)

if TYPE_CHECKING:
    from backend.config.document import SealConfig
    from backend.providers.base import ModelInfo
    from backend.providers.catalog import Catalog
    from backend.services import Services
    from backend.wizard.answers import Answers

MODEL_ROW = "[model]"  # row key of the default row (agent names cannot contain brackets)
ROLE_HELP = {
    "primary": "the agent's main model ([model] name)",
    "fast": "cheap, high-volume work",
    "escalate": "hard problems and retries",
    "fallbacks": "tried in order when the provider fails",
}


def _agent_of(row_key: str) -> str | None:
    return None if row_key == MODEL_ROW else row_key


class RolesScreen(StepScreen):
    """The agents × roles table, with add/rename/remove and a model picker per cell."""

    TITLE_TEXT = "Model roles per agent"
    HELP_TEXT = (
        "Each row is a table of seal.toml: [b]default[/b] is [model]; every agent "
        "([agents.NAME.model]) inherits what it does not set itself. Inherited values are "
        "dim with ↑; your own values are plain.\n\n"
        "[b]primary[/b]: the main model. [b]fast[/b]: cheap, high-volume calls. "
        "[b]escalate[/b]: hard problems and retries. [b]fallbacks[/b]: tried in order when "
        "a provider fails — put at least one on another provider, or they fail together.\n\n"
        "Enter (or a click) on a cell opens the model picker; [b]Inherit[/b] removes the "
        "agent's own value. [b]a[/b] adds an agent, [b]r[/b] renames, [b]x[/b] removes.\n"
        "⚠ marks a model whose provider has no working credential: run "
        "`seal-setup reauth --provider NAME`.\n\nNothing is written before Review."
    )
    # The table comes with seal.toml and the credentials' states.
    LOADS_BEFORE_KEYS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        *StepScreen.BINDINGS,
        Binding("a", "add_agent", "Add agent"),
        Binding("r", "rename_agent", "Rename"),
        Binding("x,delete", "remove_agent", "Remove"),
    ]

    def __init__(self, answers: Answers, services: Services, context: StepContext) -> None:
        super().__init__(answers, services, context)
        self.config: SealConfig | None = None
        self.catalog: Catalog | None = None
        self.credentials: dict[tuple[str, str], CredentialState] = {}
        self.problems: list[RoleProblem] = []
        self._choices: list[tuple[str, ModelInfo]] = []

    # -- layout ----------------------------------------------------------------------

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Reading seal.toml…", id="roles-intro", markup=False)
        table: DataTable[Text] = DataTable(id="roles-table", cursor_type="cell")
        yield table
        yield Static("", id="cell-detail", markup=False)
        with Horizontal(classes="button-row"):
            yield WizardButton("Add agent", id="add-agent")
            yield WizardButton("Rename", id="rename-agent")
            yield WizardButton("Remove", id="remove-agent")
        yield Static("", id="role-checks", markup=False)

    def on_mount(self) -> None:
        self.query_one("#roles-table", DataTable).display = False
        for button in self.query(".button-row Button"):
            button.disabled = True
        self.load()

    # -- loading ---------------------------------------------------------------------

    def _load(self) -> tuple[SealConfig, Catalog, list[tuple[str, ModelInfo]], str]:
        from backend.wizard.roles import model_choices

        config = self.services.load_config(Path(self.answers.config_path))
        note = ""
        try:
            self._edit(config)
        except SealError as exc:
            # seal.toml changed under us: start over from the file as it is now.
            config = self.services.load_config(Path(self.answers.config_path))
            self.answers.restart_roles()
            self._edit(config)
            note = f"Earlier changes no longer apply ({exc.message}); start again."
        catalog = self.services.catalog()
        held = in_hand_state(self.answers)
        if held is not None:
            self.credentials[(held.provider, held.profile)] = held
        self.credentials.update(self._resolve_accounts(accounts_to_check(config)))
        return config, catalog, model_choices(catalog), note

    def _edit(self, config: SealConfig) -> None:
        """The working copy: in onboarding the model choice first (what Review writes),
        then the changes made here."""
        if self.answers.mode == "onboard":
            from backend.wizard.onboarding import apply_answers

            apply_answers(config, self.answers)
        else:
            apply_role_edits(config, self.answers.role_edits)

    def _resolve_accounts(
        self, accounts: Iterable[Account]
    ) -> dict[tuple[str, str], CredentialState]:
        found: dict[tuple[str, str], CredentialState] = {}
        for account in accounts:
            key = (account.provider, account.profile)
            if key in found or key in self.credentials:
                continue
            try:
                resolution = self.services.resolve(account.provider, account.profile, account.auth)
                found[key] = credential_state(resolution, env=self.services.env)
            except SealError as exc:
                found[key] = unreadable_state(account, exc)
        return found

    @work(group="roles-load", exclusive=True)
    async def load(self) -> None:
        """Read seal.toml, the catalog and every credential's state off the UI loop;
        keys typed meanwhile go to the table once it is there."""
        try:
            await self._load_and_show()
        finally:
            self.take_keys()

    async def _load_and_show(self) -> None:
        intro = self.query_one("#roles-intro", Static)
        try:
            config, catalog, choices, note = await asyncio.to_thread(self._load)
        except SealError as exc:
            intro.update(plain(f"✗ {exc}", "Nothing will be written."))
            intro.set_classes("error")
            return
        self.config, self.catalog, self._choices = config, catalog, choices
        legend = "Enter on a cell picks a model · ↑ inherited from default · ⚠ no credential"
        intro.update(plain(legend, note) if note else plain(legend))
        intro.set_classes("warning" if note else "hint")
        table = self.query_one("#roles-table", DataTable)
        table.display = True
        self.query_one("#add-agent", Button).disabled = False
        self.refresh_table(self._row_key(self.answers.agent))
        self.ready = True
        table.focus()
        wanted = self.answers.agent
        if wanted and wanted != DEFAULT_ROW and wanted not in config.agents():
            self._offer_agent(wanted)

    @work(group="roles-credentials", exclusive=True)
    async def resolve_new_accounts(self) -> None:
        """An edit may bring a new provider account in: find its credential state."""
        if self.config is None:
            return
        missing = [
            a
            for a in accounts_to_check(self.config)
            if (a.provider, a.profile) not in self.credentials
        ]
        if not missing:
            return
        found = await asyncio.to_thread(self._resolve_accounts, missing)
        self.credentials.update(found)
        self.refresh_table()

    # -- the table -------------------------------------------------------------------

    def _row_key(self, agent: str | None) -> str:
        if agent and self.config is not None and agent in self.config.agents():
            return agent
        return MODEL_ROW

    def _widths(self) -> tuple[int, int]:
        """(agent column, role column) widths that fit the terminal."""
        usable = max(40, self.app.size.width - 6 - 2 * (len(ROLES) + 1))
        agents = self.config.agents() if self.config is not None else []
        agent_width = min(14, max(8, *(len(visible(a)) for a in agents), 0))
        return agent_width, max(10, (usable - agent_width) // len(ROLES))

    def _flag_for(self, table: Account, role: str, cell: Cell) -> bool:
        values = cell.value if isinstance(cell.value, tuple) else [cell.value]
        for text in values:
            if not text:
                continue
            account = table if role == "primary" else role_account(table, text)
            if account is None:
                continue
            state = self.credentials.get((account.provider, account.profile))
            if state is not None and not state.ok:
                return True
        return False

    def _cell_text(self, table: Account, role: str, cell: Cell) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        if self._flag_for(table, role, cell):
            text.append("⚠ ", style="bold yellow")
        if cell.value is None:
            text.append("—", style="dim")
        elif cell.inherited:
            text.append("↑ " + visible(cell.text), style="dim italic")
        else:
            text.append(visible(cell.text))
        return text

    def refresh_table(self, cursor_row: str | None = None) -> None:
        """Rebuild the table from the working document, keeping the cursor where it was."""
        config = self.config
        if config is None:
            return
        table = self.query_one("#roles-table", DataTable)
        keep = table.cursor_coordinate
        current_key = self.current_row_key if table.row_count else None
        table.clear(columns=True)
        agent_width, role_width = self._widths()
        table.add_column("agent", key="agent", width=agent_width)
        for role in ROLES:
            table.add_column(role, key=role, width=role_width)
        for agent in [None, *config.agents()]:
            cells = row_cells(config, agent)
            account = table_account(config, agent)
            label = Text(visible(agent or DEFAULT_ROW), style="bold" if agent is None else "")
            table.add_row(
                label,
                *(self._cell_text(account, role, cells[role]) for role in ROLES),
                key=agent or MODEL_ROW,
            )
        wanted = cursor_row or current_key
        row = 0
        if wanted is not None:
            try:
                row = table.get_row_index(wanted)
            except RowDoesNotExist:  # the row under the cursor went (an agent removed)
                row = min(keep.row, table.row_count - 1)
        column = keep.column if cursor_row is None else max(keep.column, 1)
        table.cursor_coordinate = Coordinate(row, column)
        self._update_detail()
        self._update_checks()

    @property
    def current_row_key(self) -> str:
        table = self.query_one("#roles-table", DataTable)
        if not table.row_count:
            return MODEL_ROW
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return str(row_key.value)

    @property
    def current_role(self) -> str | None:
        table = self.query_one("#roles-table", DataTable)
        if not table.row_count:
            return None
        _, column_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        role = str(column_key.value)
        return role if role in ROLES else None

    def _update_detail(self) -> None:
        detail = self.query_one("#cell-detail", Static)
        config = self.config
        if config is None:
            return
        agent = _agent_of(self.current_row_key)
        row = agent or DEFAULT_ROW
        is_agent = agent is not None
        self.query_one("#rename-agent", Button).disabled = not is_agent
        self.query_one("#remove-agent", Button).disabled = not is_agent
        role = self.current_role
        if role is None:
            if is_agent:
                detail.update(plain(f"{row}: r renames, x removes this agent."))
            else:
                detail.update("default is [model]: every agent inherits from it.")
            return
        cell = row_cells(config, agent)[role]
        lines = [f"{row} · {role} ({ROLE_HELP[role]}): {cell.text or 'not set'}"]
        if cell.inherited:
            lines.append("↑ inherited from default; Enter sets this agent's own value.")
        elif cell.value is not None and is_agent:
            lines.append("Own value; Enter, then Inherit, goes back to default's.")
        table = table_account(config, agent)
        values = cell.value if isinstance(cell.value, tuple) else [cell.value]
        for text in dict.fromkeys(v for v in values if v):
            account = table if role == "primary" else role_account(table, text)
            state = self.credentials.get((account.provider, account.profile)) if account else None
            if state is not None and not state.ok:
                lines.append(f"{PROVIDER_LABELS.get(state.provider, state.provider)}: {state.flag}")
        detail.update(plain(*lines))

    def _update_checks(self) -> None:
        if self.config is None:
            return
        self.problems = check_roles(self.config, self.credentials, self.catalog)
        box = self.query_one("#role-checks", Static)
        if not self.problems:
            box.update("✓ No problems found.")
            box.set_classes("ok")
            return
        lines = [("⚠ " if p.severity == "warning" else "· ") + str(p) for p in self.problems]
        box.update(plain("Checks:", *lines))
        box.set_classes("warning" if needs_confirmation(self.problems) else "hint")

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        self._update_detail()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        role = str(event.cell_key.column_key.value)
        agent = _agent_of(str(event.cell_key.row_key.value))
        if role in ROLES:
            self.edit_cell(agent, role)
        elif agent is not None:
            self.action_rename_agent()

    # -- edits -----------------------------------------------------------------------

    def apply(self, edit: RoleEdit, cursor_row: str | None = None) -> bool:
        """Apply one edit to the working copy and remember it; False (with a message) if refused."""
        if self.config is None:
            return False
        try:
            apply_role_edits(self.config, [edit])
        except SealError as exc:
            self.notify(visible(str(exc)), severity="error", title="Not changed", markup=False)
            return False
        self.answers.edit_roles(edit)
        self.refresh_table(cursor_row)
        self.resolve_new_accounts()
        return True

    def _credential_for(self, provider: str) -> CredentialState | None:
        return self.credentials.get((provider, "default"))

    def _flags(self) -> list[str]:
        """One line naming the providers without a working credential, and the fix."""
        lacking = [
            label
            for provider, label in PROVIDER_LABELS.items()
            if (state := self._credential_for(provider)) is not None and not state.ok
        ]
        if not lacking:
            return []
        return [f"⚠ No credential for {', '.join(lacking)}: seal-setup reauth --provider …"]

    def _open_picker(
        self,
        title: str,
        current: str | None,
        inherit_label: str | None,
        done: Callable[[Picked | None], None],
    ) -> None:
        models = picker_models(self._choices, self._credential_for)
        self.app.push_screen(
            RolePickerModal(
                title, models, current, inherit_label=inherit_label, flags=self._flags()
            ),
            done,
        )

    def edit_cell(self, agent: str | None, role: str) -> None:
        """Open the picker (or the fallbacks editor) for one cell."""
        config = self.config
        if config is None:
            return
        cell = row_cells(config, agent)[role]
        row = agent or DEFAULT_ROW
        own = cell.value is not None and not cell.inherited
        if agent is not None:
            inherit_label: str | None = "Inherit" if own else None
        else:
            inherit_label = "Clear" if own and role != "primary" else None
        key = agent or MODEL_ROW

        def done(result: Picked | None) -> None:
            if result is None:
                return
            value = result.value
            if value == cell.value and not cell.inherited:
                return
            self.apply(RoleEdit("set_role", agent, role, value), key)

        if role == "fallbacks":
            current = cell.value if isinstance(cell.value, tuple) else ()
            self.app.push_screen(
                FallbacksModal(
                    f"{row} · fallbacks",
                    current,
                    lambda picked: self._open_picker(f"{row} · add a fallback", None, None, picked),
                    inherit_label=inherit_label,
                ),
                done,
            )
            return
        current_text = cell.value if isinstance(cell.value, str) else None
        self._open_picker(f"{row} · {role}", current_text, inherit_label, done)

    @on(Button.Pressed, "#add-agent")
    def action_add_agent(self) -> None:
        """Ask for a name, then add [agents.NAME.model]."""
        if self.config is None:
            return

        def named(name: str | None) -> None:
            if name:
                self.apply(RoleEdit("add_agent", name), name)

        self.app.push_screen(AgentNameModal("Add an agent", self.config.agents()), named)

    @on(Button.Pressed, "#rename-agent")
    def action_rename_agent(self) -> None:
        """Rename the agent under the cursor."""
        agent = _agent_of(self.current_row_key)
        if self.config is None or agent is None:
            return

        def named(name: str | None) -> None:
            if name and name != agent:
                self.apply(RoleEdit("rename_agent", agent, new_name=name), name)

        self.app.push_screen(
            AgentNameModal(f"Rename agent {agent}", self.config.agents(), agent), named
        )

    @on(Button.Pressed, "#remove-agent")
    def action_remove_agent(self) -> None:
        """Remove the agent under the cursor, after confirming."""
        agent = _agent_of(self.current_row_key)
        if self.config is None or agent is None:
            return
        from screens.modals import ConfirmModal

        def decided(yes: bool | None) -> None:
            if yes:
                self.apply(RoleEdit("remove_agent", agent), MODEL_ROW)

        self.app.push_screen(
            ConfirmModal(
                f"Remove agent {agent}?",
                f"[agents.{visible(agent)}.model] and its roles go away when you Write; other "
                f"keys of [agents.{visible(agent)}] stay.",
                yes="Remove",
                no="Keep",
            ),
            decided,
        )

    def _offer_agent(self, name: str) -> None:
        from screens.modals import ConfirmModal

        def decided(yes: bool | None) -> None:
            if yes:
                self.apply(RoleEdit("add_agent", name), name)
            else:
                self.answers.forget_agent()

        self.app.push_screen(
            ConfirmModal(
                f"Add agent {name}?",
                f"seal.toml has no agent called {visible(name)}. Add "
                f"[agents.{visible(name)}.model] to give it its own roles?",
                yes="Add",
                no="Not now",
            ),
            decided,
        )

    # -- leaving ---------------------------------------------------------------------

    def action_next(self) -> None:
        """Go to Review; warnings are listed and confirmed first."""
        if not self.ready or self.config is None:
            return
        warnings = needs_confirmation(self.problems)
        if not warnings:
            self.finish(StepResult("next"))
            return
        from screens.modals import ConfirmModal

        def decided(yes: bool | None) -> None:
            if yes:
                self.finish(StepResult("next"))

        shown = [visible(f"• {w}") for w in warnings[:6]]
        if len(warnings) > 6:
            shown.append(f"… and {len(warnings) - 6} more")
        self.app.push_screen(
            ConfirmModal(
                f"{len(warnings)} warning{'s' if len(warnings) > 1 else ''}: go on to Review?",
                "\n".join(shown),
                yes="Review",
                no="Fix them",
            ),
            decided,
        )
