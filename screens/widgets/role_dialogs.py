"""Dialogs of the Roles step: agent name, model picker for a role, fallbacks editor.

Each dismisses once with its answer; None always means "cancelled, change nothing".
Titles, names and fallbacks come from seal.toml: all are shown as plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from backend.vocabulary.registry import PROVIDER_LABELS
from backend.wizard.roles import CredentialState, agent_name_problem
from screens.once import Dialog, R
from screens.plain import plain
from screens.widgets.button import WizardButton
from screens.widgets.model_picker import ModelPicker
from screens.widgets.name_dialog import NameDialog

if TYPE_CHECKING:
    from backend.providers.base import ModelInfo


@dataclass(frozen=True)
class Picked:
    """A dialog's answer: a selector, a fallbacks list, or None to inherit / clear."""

    value: str | tuple[str, ...] | None


class _RoleDialog(Dialog[R]):
    """A dialog of the Roles step (dismissed once, like every dialog)."""

    CSS = """
    .role-dialog { width: 76; padding: 0 1; }
    .role-dialog .dialog-title { margin: 0; }
    .role-dialog .dialog-buttons { margin-top: 0; }
    """


class AgentNameModal(NameDialog):
    """Ask for an agent name: letters, digits, '-' and '_', 1-64, not taken."""

    def __init__(self, title: str, existing: Iterable[str], current: str | None = None) -> None:
        taken = list(existing)

        def problem(value: str) -> str:
            found = agent_name_problem(value, taken, current)
            if not found and value == current:
                return "That is its name already."
            return found

        super().__init__(
            title, problem, value=current or "", placeholder="agent name", field_id="agent-name"
        )


def picker_models(
    choices: Sequence[tuple[str, ModelInfo]], credentials: Callable[[str], CredentialState | None]
) -> list[ModelInfo]:
    """Catalog models relabelled for the picker: id = selector, name = provider + flag."""
    out = []
    for selector, model in choices:
        state = credentials(model.provider)
        label = PROVIDER_LABELS.get(model.provider, model.provider)
        name = f"{label} · {model.display_name or model.id}"
        if state is not None and not state.ok:
            name += f"  ⚠ {state.detail}"
        out.append(replace(model, id=selector, display_name=name))
    return out


class RolePickerModal(_RoleDialog[Picked | None]):
    """Pick the model for one role (models of every provider), or inherit / clear it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    CSS = """
    .role-dialog { width: 76; padding: 0 1; }
    .role-dialog .dialog-title { margin: 0; }
    .role-dialog .dialog-buttons { margin-top: 0; }
    RolePickerModal #role-picker OptionList { height: 6; max-height: 6; margin-top: 0; }
    RolePickerModal #role-picker #model-details { height: 2; min-height: 2; }
    RolePickerModal #provider-flags { height: auto; color: $warning; }
    """

    def __init__(
        self,
        title: str,
        models: Sequence[ModelInfo],
        current: str | None,
        *,
        inherit_label: str | None,
        flags: Sequence[str] = (),
    ) -> None:
        super().__init__()
        self._title = title
        self._models = list(models)
        self._current = current
        self._inherit_label = inherit_label
        self._flags = list(flags)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog role-dialog"):
            yield Static(plain(self._title), classes="dialog-title")
            if self._flags:
                yield Static(plain(*self._flags), id="provider-flags")
            yield ModelPicker(self._models, self._current, id="role-picker")
            with Horizontal(classes="dialog-buttons"):
                if self._inherit_label:
                    yield WizardButton(self._inherit_label, id="inherit")
                yield WizardButton("Cancel", id="cancel")
                yield WizardButton("Choose", id="choose", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#model-filter", Input).focus()

    def on_model_picker_chosen(self, event: ModelPicker.Chosen) -> None:
        event.stop()
        self.close(Picked(event.model.id))

    def on_model_picker_highlighted(self, event: ModelPicker.Highlighted) -> None:
        event.stop()
        self.query_one("#choose", Button).disabled = event.model is None

    @on(Button.Pressed, "#choose")
    def choose(self) -> None:
        """The highlighted model."""
        model = self.query_one(ModelPicker).highlighted_model
        if model is not None:
            self.close(Picked(model.id))

    @on(Button.Pressed, "#inherit")
    def inherit(self) -> None:
        """No value of its own: inherit (or clear)."""
        self.close(Picked(None))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Change nothing."""
        self.close(None)


class FallbacksModal(_RoleDialog[Picked | None]):
    """An ordered list editor: add (picker), remove, move up/down; inherit clears it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("plus,insert", "add", "Add", show=False),
        Binding("delete", "remove", "Remove", show=False),
        Binding("shift+up,ctrl+up", "move(-1)", "Move up", show=False),
        Binding("shift+down,ctrl+down", "move(1)", "Move down", show=False),
    ]
    CSS = """
    .role-dialog { width: 76; padding: 0 1; }
    .role-dialog .dialog-title { margin: 0; }
    .role-dialog .dialog-buttons { margin-top: 0; }
    FallbacksModal #fallback-list { height: 6; max-height: 6; }
    FallbacksModal .dialog-buttons Button { min-width: 8; }
    """

    def __init__(
        self,
        title: str,
        current: Sequence[str],
        open_picker: Callable[[Callable[[Picked | None], None]], None],
        *,
        inherit_label: str | None,
    ) -> None:
        super().__init__()
        self._title = title
        self.items = list(current)
        self._open_picker = open_picker
        self._inherit_label = inherit_label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog role-dialog"):
            yield Static(plain(self._title), classes="dialog-title")
            yield Static(
                "Tried in order when the primary's provider fails. "
                "Shift+↑/↓ moves, Del removes, + adds.",
                classes="hint",
            )
            yield OptionList(id="fallback-list")
            with Horizontal(classes="dialog-buttons"):
                yield WizardButton("Add", id="add")
                yield WizardButton("Remove", id="remove")
                yield WizardButton("Up", id="up")
                yield WizardButton("Down", id="down")
            with Horizontal(classes="dialog-buttons"):
                if self._inherit_label:
                    yield WizardButton(self._inherit_label, id="inherit")
                yield WizardButton("Cancel", id="cancel")
                yield WizardButton("Done", id="done", variant="primary")

    def on_mount(self) -> None:
        self._refresh_list(0)
        self.query_one("#fallback-list", OptionList).focus()

    def _refresh_list(self, highlight: int | None) -> None:
        options = self.query_one("#fallback-list", OptionList)
        options.clear_options()
        options.add_options(
            # Plain text: a fallback from seal.toml is data, never markup or an action.
            [Option(plain(f"{i + 1}. {item}"), id=str(i)) for i, item in enumerate(self.items)]
        )
        if not self.items:
            options.add_option(Option("(no fallbacks: Add one)", id="empty", disabled=True))
        elif highlight is not None:
            options.highlighted = max(0, min(highlight, len(self.items) - 1))
        for button_id in ("#remove", "#up", "#down"):
            self.query_one(button_id, Button).disabled = not self.items

    @property
    def _index(self) -> int | None:
        index = self.query_one("#fallback-list", OptionList).highlighted
        if index is None or not self.items or index >= len(self.items):
            return None
        return index

    @on(Button.Pressed, "#add")
    def action_add(self) -> None:
        """Pick a model and append it."""

        def picked(result: Picked | None) -> None:
            if result is not None and isinstance(result.value, str):
                if result.value not in self.items:
                    self.items.append(result.value)
                self._refresh_list(self.items.index(result.value))
            self.query_one("#fallback-list", OptionList).focus()

        self._open_picker(picked)

    @on(Button.Pressed, "#remove")
    def action_remove(self) -> None:
        """Drop the highlighted fallback."""
        index = self._index
        if index is not None:
            del self.items[index]
            self._refresh_list(index)

    def action_move(self, step: int) -> None:
        """Move the highlighted fallback up (-1) or down (+1)."""
        index = self._index
        if index is None:
            return
        target = index + step
        if 0 <= target < len(self.items):
            self.items[index], self.items[target] = self.items[target], self.items[index]
            self._refresh_list(target)

    @on(Button.Pressed, "#up")
    def move_up(self) -> None:
        self.action_move(-1)

    @on(Button.Pressed, "#down")
    def move_down(self) -> None:
        self.action_move(1)

    @on(Button.Pressed, "#inherit")
    def inherit(self) -> None:
        """No fallbacks of its own: inherit (or clear)."""
        self.close(Picked(None))

    @on(Button.Pressed, "#done")
    def done(self) -> None:
        """The list as it stands now."""
        self.close(Picked(tuple(self.items)))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Change nothing."""
        self.close(None)
