"""Per-agent model roles: the edits the Roles step collects, and the checks before Review.

The Roles step records every change as a `RoleEdit`; `apply_role_edits` replays them on a
freshly loaded seal.toml (Review shows the diff of exactly that), so nothing but role and
agent keys ever changes. The checks are pure: they take the document, the state of each
credential (`credential_state`: `backend.credentials.health`'s judgement of a `Resolution`) and the
catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from backend.config.schema import AGENT_NAME_RE, DEFAULT_ROW, ROLE_NAMES
from backend.credentials.health import FAILING, Account, Health, State, judge, unreadable
from backend.errors import InputError
from backend.system.shell import reauth_command
from backend.vocabulary import registry
from backend.vocabulary.registry import PROVIDER_LABELS
from backend.vocabulary.selectors import infer_provider, parse_selector

if TYPE_CHECKING:
    from backend.config.document import SealConfig
    from backend.credentials.resolution import Resolution
    from backend.errors import SealError
    from backend.providers.catalog import Catalog
    from backend.wizard.answers import Answers


EditOp = Literal["add_agent", "rename_agent", "remove_agent", "set_role"]
Severity = Literal["warning", "note"]


@dataclass(frozen=True)
class RoleEdit:
    """One change made on the Roles step, in order. `agent` None means [model].

    `value` None clears the table's own value (the agent inherits again); a tuple is a
    fallbacks list (an empty tuple: explicitly no fallbacks).
    """

    op: EditOp
    agent: str | None = None
    role: str | None = None
    value: str | tuple[str, ...] | None = None
    new_name: str | None = None

    def describe(self) -> str:
        """A short line for logs and the Review summary."""
        where = self.agent or DEFAULT_ROW
        if self.op == "add_agent":
            return f"add agent {where}"
        if self.op == "remove_agent":
            return f"remove agent {where}"
        if self.op == "rename_agent":
            return f"rename agent {where} to {self.new_name}"
        if self.value is None:
            return f"{where}: {self.role} inherits"
        shown = ", ".join(self.value) if isinstance(self.value, tuple) else self.value
        return f"{where}: {self.role} = {shown or '(none)'}"


def apply_role_edits(config: SealConfig, edits: Iterable[RoleEdit]) -> None:
    """Replay the edits on the document in memory; raises InputError on an invalid one."""
    for edit in edits:
        if edit.op == "add_agent":
            config.add_agent(_need(edit.agent, "agent"))
        elif edit.op == "remove_agent":
            config.remove_agent(_need(edit.agent, "agent"))
        elif edit.op == "rename_agent":
            config.rename_agent(_need(edit.agent, "agent"), _need(edit.new_name, "new name"))
        elif edit.op == "set_role":
            role = _need(edit.role, "role")
            value: str | list[str] | None
            value = list(edit.value) if isinstance(edit.value, tuple) else edit.value
            config.set_role(role, value, edit.agent)
        else:  # pragma: no cover - Literal guards this
            raise InputError(f"unknown role edit {edit.op!r}")


def _need(value: str | None, what: str) -> str:
    if not value:
        raise InputError(f"a role edit is missing its {what}")
    return value


def agent_name_problem(name: str, existing: Iterable[str], current: str | None = None) -> str:
    """Why `name` cannot be used for an agent ("" when it can)."""
    if not name:
        return "Type a name."
    if not AGENT_NAME_RE.fullmatch(name):
        if len(name) > 64:
            return "At most 64 characters."
        return "Use only letters, digits, '-' and '_' (no spaces)."
    if name == DEFAULT_ROW:
        return "'default' is the [model] row; pick another name."
    if name != current and name in set(existing):
        return f"There is already an agent called {name}."
    return ""


def selector_for(provider: str, model_id: str) -> str:
    """The shortest selector for a model: the bare id when its shape names the provider."""
    if infer_provider(model_id) == provider:
        return model_id
    return f"{provider}:{model_id}"


# --- what the table shows -------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One role of one row: the effective value and whether the row sets it itself."""

    value: str | tuple[str, ...] | None
    inherited: bool

    @property
    def text(self) -> str:
        if self.value is None:
            return ""
        if isinstance(self.value, tuple):
            return ", ".join(self.value) if self.value else "(none)"
        return self.value


def row_cells(config: SealConfig, agent: str | None) -> dict[str, Cell]:
    """Effective roles of [model] (agent None) or an agent, marking inherited ones."""
    own = config.own_roles(agent)
    effective = config.roles(agent)
    cells: dict[str, Cell] = {}
    for role in ROLE_NAMES:
        value = effective.get(role)
        if isinstance(value, list):
            value = tuple(str(v) for v in value)
        elif value is not None:
            value = str(value)
        inherited = agent is not None and role not in own and value is not None
        cells[role] = Cell(value, inherited)
    return cells


def table_account(config: SealConfig, agent: str | None) -> Account:
    """The account [model] (or an agent's effective model) uses, as the runtime sees it."""
    provider = config.get("provider", agent)
    if not isinstance(provider, str):
        name = config.get("name", agent)
        provider = (infer_provider(name) if isinstance(name, str) else None) or "anthropic"
    profile = config.get("profile", agent)
    auth = config.get("auth", agent)
    return Account(
        provider,
        profile if isinstance(profile, str) else "default",
        auth if isinstance(auth, str) else "api_key",
    )


def role_account(table: Account, selector: str) -> Account | None:
    """The account a role's model runs on: the table's for its provider, else the default one.

    None when the selector does not parse.
    """
    try:
        sel = parse_selector(selector)
    except InputError:
        return None
    if sel.provider == table.provider:
        return table
    return Account(sel.provider, "default", "api_key")


def accounts_to_check(config: SealConfig) -> list[Account]:
    """Every account seal.toml uses, plus each provider's default one (for the picker)."""
    found = [Account(*entry) for entry in config.providers_in_use()]
    keys = {(a.provider, a.profile) for a in found}
    for provider in registry.ids():
        if (provider, "default") not in keys:
            found.append(Account(provider, "default", "api_key"))
            keys.add((provider, "default"))
    return found


# --- credentials --------------------------------------------------------------------------


@dataclass(frozen=True)
class CredentialState:
    """Whether a provider account has a credential that can work, and why not.

    `state` is `health.judge`'s; a role on a failing one gets a ⚠ flag and a warning, one
    on an expiring or unverified one a note.
    """

    provider: str
    profile: str
    state: State
    detail: str  # a few words, e.g. "no credential"
    next_step: str | None = None

    @property
    def ok(self) -> bool:
        """The credential can work (it may still be expiring or unverified)."""
        return self.state not in FAILING

    @property
    def fix(self) -> str:
        return reauth_command(self.provider, self.profile)

    @property
    def todo(self) -> str:
        """What to do, one line: the judge's next step, else a re-auth."""
        return self.next_step or f"run {self.fix}"

    @property
    def flag(self) -> str:
        """The warning shown next to the provider, "" when the credential can work."""
        if self.ok:
            return ""
        return f"⚠ {self.detail}: {self.todo}"


def _of(provider: str, profile: str, health: Health) -> CredentialState:
    return CredentialState(provider, profile, health.state, health.summary, health.next_step)


def credential_state(
    resolution: Resolution,
    now: datetime | None = None,
    *,
    env: Mapping[str, str] | None = None,
) -> CredentialState:
    """The state of the credential Seal uses for the resolution's `auth` (health.judge)."""
    return _of(resolution.provider, resolution.profile, judge(resolution, now=now, env=env))


def in_hand_state(answers: Answers) -> CredentialState | None:
    """In onboarding, the state of the credential just pasted or signed in with (not
    stored until Write): checked or stored unverified. None when there is none in hand."""
    if answers.mode != "onboard" or answers.record is None or answers.provider is None:
        return None
    if answers.check_outcome == "verified":
        return CredentialState(answers.provider, answers.profile, "ok", "checked just now")
    return CredentialState(answers.provider, answers.profile, "unverified", "not verified")


def unreadable_state(account: Account, exc: SealError) -> CredentialState:
    """The state of an account whose credential could not be looked up."""
    health = unreadable(account.provider, account.profile, account.auth, exc)
    return _of(account.provider, account.profile, health)


# --- checks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleProblem:
    """One finding of `check_roles`; `row` is "default" or an agent name."""

    severity: Severity
    row: str
    role: str | None
    message: str

    def __str__(self) -> str:
        where = self.row if self.role is None else f"{self.row} · {self.role}"
        return f"{where}: {self.message}"


_SETTING_KEYS = ("thinking", "thinking_budget", "effort", "max_tokens", "cache_retention")


def _role_models(cells: Mapping[str, Cell]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for role in ROLE_NAMES:
        value = cells[role].value
        for text in value if isinstance(value, tuple) else [value]:
            if text:
                out.append((role, text))
    return out


def check_roles(
    config: SealConfig,
    credentials: Mapping[tuple[str, str], CredentialState],
    catalog: Catalog | None = None,
) -> list[RoleProblem]:
    """Warnings (worth a second look before writing) and notes, row by row.

    - a role on a provider account with no working credential (a warning), or with one
      that is expiring or unverified (a note): one line per account,
    - catalog rules: the table's settings (effort, thinking, max_tokens, cache) against
      each of its role models on the same provider; a model the catalog does not know,
    - a fallback chain that never leaves the primary's account.
    """
    problems: list[RoleProblem] = []
    users: dict[tuple[str, str], list[str]] = {}  # roles on an account worth a line
    for agent in [None, *config.agents()]:
        row = agent or DEFAULT_ROW
        cells = row_cells(config, agent)
        table = table_account(config, agent)
        settings = {k: v for k, v in config.model(agent).items() if k in _SETTING_KEYS}
        context_1m = config.get("context_1m", agent)
        if context_1m is not None:
            settings["context_1m"] = context_1m
        for role, text in _role_models(cells):
            if role == "primary":
                account = table
                provider, model_id = table.provider, text
            else:
                found = role_account(table, text)
                if found is None:
                    problems.append(
                        RoleProblem("warning", row, role, f"{text!r} is not a model selector")
                    )
                    continue
                account = found
                sel = parse_selector(text)
                provider, model_id = sel.provider, sel.model
            state = credentials.get((account.provider, account.profile))
            if state is not None and state.state != "ok":
                users.setdefault((account.provider, account.profile), []).append(f"{row}·{role}")
            if catalog is None:
                continue
            if registry.alias_owner(model_id) is not None:
                model_id = catalog.resolve_alias(model_id, provider) or model_id
            model = catalog.find(provider, model_id)
            if model is None:
                problems.append(
                    RoleProblem(
                        "note",
                        row,
                        role,
                        f"{model_id} is not in the bundled {PROVIDER_LABELS[provider]} "
                        "catalog (fine if the provider lists it)",
                    )
                )
            elif provider == table.provider:
                from backend.providers.catalog import check_settings

                for message in check_settings(model, settings, table.auth):
                    problems.append(RoleProblem("warning", row, role, message))
        problems.extend(_fallback_problems(row, table, cells))
    for (provider, profile), where in users.items():
        state = credentials[(provider, profile)]
        label = PROVIDER_LABELS.get(provider, provider)
        account_name = label if profile == "default" else f"{label} ({profile})"
        problems.append(
            RoleProblem(
                "note" if state.ok else "warning",
                ", ".join(dict.fromkeys(where)),
                None,
                f"{account_name}: {state.detail} — {state.todo}",
            )
        )
    return problems


def _fallback_problems(row: str, table: Account, cells: Mapping[str, Cell]) -> list[RoleProblem]:
    fallbacks = cells["fallbacks"].value
    if not isinstance(fallbacks, tuple) or not fallbacks:
        return []
    accounts = [role_account(table, text) for text in fallbacks]
    if all(a == table for a in accounts):
        label = PROVIDER_LABELS.get(table.provider, table.provider)
        return [
            RoleProblem(
                "warning",
                row,
                "fallbacks",
                f"every fallback runs on the primary's {label} account ({table.profile}): "
                "fallbacks on the same account fail together — add one on another provider",
            )
        ]
    return []


def needs_confirmation(problems: Sequence[RoleProblem]) -> list[RoleProblem]:
    """The findings worth asking about before Review (warnings, not notes)."""
    return [p for p in problems if p.severity == "warning"]


def model_choices(catalog: Catalog) -> list[tuple[str, Any]]:
    """(selector, model) for every catalog model of every provider, provider by provider."""
    out: list[tuple[str, Any]] = []
    for provider in registry.ids():
        for model in catalog.models(provider):
            out.append((selector_for(provider, model.id), model))
    return out
