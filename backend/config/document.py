"""The seal.toml document: what its tables mean, edits of the keys seal-setup manages,
diff and save (DESIGN §4).

`SealConfig` reads values the way Seal does ([model], each agent's override, roles,
headers, the accounts in use) and edits them without losing a comment: where a key or a
table goes is the editor's (`backend.config.toml_edit`), what a value may be is the
schema's (`backend.config.schema`). What an edit writes is kept to the tables it touched
(`backend.config.guard`); an unchanged document is never written. Reading and writing
the file (size limits, locks, backups) live in `backend.config.io`.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from backend.config.guard import LineMap, TablePath, plan, typed
from backend.config.io import (
    ConfigLink,
    SaveResult,
    check_written_text,
    config_link,
    decode_config,
    parse_tomlkit,
    read_config_bytes,
    read_toml,
    save_bytes,
)
from backend.config.schema import (
    HEADER_NAME_RE,
    KINDS,
    MODEL_KEYS,
    ROLE_NAMES,
    SECRET_HEADERS,
    check_agent_name,
    header_spellings,
    role_value_ok,
    structure_looks_right,
    validate,
)
from backend.config.toml_edit import Frag, TomlEditor, items_of, plain_value, render, scalars_of
from backend.errors import ConfigError, InputError
from backend.system.header_value import header_problem
from backend.vocabulary.selectors import infer_provider, parse_selector

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

__all__ = [
    "MODEL_KEYS",
    "NEW_FILE_HEADER",
    "ROLE_NAMES",
    "SaveResult",
    "SealConfig",
    "check_header_name",
    "check_header_value",
    "load_config",
]

NEW_FILE_HEADER = (
    "# seal.toml — Seal agent runtime configuration.\n"
    "# Written by seal-setup; comments and keys it does not manage are kept as they are.\n"
    "\n"
)

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _edit(
    method: Callable[Concatenate[SealConfig, _P], _R],
) -> Callable[Concatenate[SealConfig, _P], _R]:
    """An editing method: it names the tables it changes (`_touch`) before changing them,
    and ends in `_settle()`, or returns early having changed nothing.

    If it raises, it may have changed the document half-way: what saving writes is then
    worked out again from the document when it is next asked for.
    """

    def run(self: SealConfig, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        # The document changes under any index of its tables: reads during the edit walk
        # the document, and the first read after it builds a new index.
        self._tables = None
        self._editing += 1
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self._planned = None
            raise
        finally:
            self._editing -= 1
            self._tables = None

    functools.update_wrapper(run, method)
    return run


@dataclass
class _Tables:
    """The agents, and each model, roles and headers table's own items, from one walk.

    Reading a table from the document root costs a scan of every table before it, so a
    read per agent made `status` quadratic and worse in the number of agents.
    """

    agents: list[str]
    items: dict[tuple[str, ...], dict[str, Any]]


class SealConfig:
    """A loaded seal.toml: values, edits that keep the file's formatting, diff and save."""

    def __init__(self, path: Path, exists: bool, original_text: str, raw: bytes | None) -> None:
        self.path = path
        self.exists = exists
        self.original_text = original_text
        self._raw = raw
        self._bom = original_text.startswith("\ufeff")
        body = original_text[1:] if self._bom else original_text
        self._crlf = "\r\n" in body and "\n" not in body.replace("\r\n", "")
        # The text last read or written: always valid TOML (checked when read or written).
        self._base_text = body if exists else NEW_FILE_HEADER
        # Its values: the strict check's own result, for the structure checks.
        self._base_plain, doc = read_toml(self._base_text, path)
        self._toml = self._editor(doc)  # the document, edited keeping comments
        self._lines: LineMap | None = None  # which table each line of _base_text is in
        self._pristine_text: str | None = None  # _base_text as tomlkit writes it, if needed
        # Since the base: the tables edits meant to change, and the values each table
        # ([model], [agents.NAME]) had before its first edit, to know an undo when it comes.
        self._touched: set[TablePath] = set()
        self._snapshots: dict[TablePath, Any] = {}
        # What saving writes, without BOM (None: to be worked out), or why it cannot.
        self._planned: str | None = self._base_text
        self._problem: ConfigError | None = None
        self._tables: _Tables | None = None  # built on the first read, dropped by each edit
        self._editing = 0  # edits under way (one may call another)
        self._check_structure()

    @property
    def _doc(self) -> TOMLDocument:
        """The tomlkit document being edited."""
        return self._toml.doc

    # ----- reading ---------------------------------------------------------------------------

    def text(self) -> str:
        """The document as it would be written now.

        A ConfigError when the edits cannot be written without changing lines outside
        the tables they touched (`backend.config.guard`).
        """
        body = self._planned_text()
        return ("\ufeff" + body) if self._bom else body

    def changed(self) -> bool:
        """True when saving would change the file (a new file: when anything was set).

        Decided from the edit itself: the text that would be written differs from the
        text read. An edit undone, by hand or by setting a value back, gives the text
        read again (`_settle`), so it changes nothing. Raises as `text()` does.
        """
        return self._planned_text() != self._base_text

    def check_edits(self) -> None:
        """Raise now, before anything is stored or asked for, the ConfigError saving would:
        the edits cannot be written without changing lines outside their tables."""
        self._planned_text()

    def _planned_text(self) -> str:
        """What saving writes (without BOM): worked out once per edit."""
        if self._planned is None:
            outcome = plan(
                self._line_map(), self._render(), self._touched, self.path.name, self._pristine
            )
            self._planned, self._problem = outcome.text, outcome.problem
        if self._problem is not None:
            raise ConfigError(self._problem.message, self._problem.hint)
        return self._planned

    def _render(self) -> str:
        """The document as tomlkit writes it, in the file's line endings (without BOM)."""
        return self._toml.render(self._crlf)

    def _pristine(self) -> str:
        """The text read as tomlkit writes it unedited (not always the text read)."""
        if self._pristine_text is None:
            # _base_text was checked when it was read or written: tomlkit alone re-reads it.
            doc = parse_tomlkit(self._base_text, self.path)
            self._pristine_text = render(doc, self._crlf)
        return self._pristine_text

    def diff(self) -> str:
        """Unified diff from the file on disk to the document now; "" when unchanged."""
        if not self.changed():
            return ""
        lines = difflib.unified_diff(
            self.original_text.splitlines(keepends=True),
            self.text().splitlines(keepends=True),
            fromfile=f"{self.path.name} (on disk)",
            tofile=f"{self.path.name} (after)",
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    def get(self, key: str, agent: str | None = None) -> Any:
        """Effective value: the agent's own setting, else [model]'s."""
        if agent is not None:
            value = self.own(key, agent)
            if value is not None:
                return value
        return self.own(key, None)

    def own(self, key: str, agent: str | None = None) -> Any:
        """What that table itself sets (None when absent or only inherited)."""
        return plain_value(self._own_items(self._model_path(agent)).get(key))

    def model(self, agent: str | None = None) -> dict[str, Any]:
        """Effective key/values of [model] merged with the agent's override (no sub-tables)."""
        merged = self._own_scalars(("model",))
        if agent is not None:
            merged.update(self._own_scalars(self._model_path(agent)))
        return merged

    def headers(self, agent: str | None = None) -> dict[str, str]:
        """[model.headers] (plus the agent's own headers when `agent` is given)."""
        merged = {k: str(v) for k, v in self._own_scalars(("model", "headers")).items()}
        if agent is not None:
            own = self._own_scalars((*self._model_path(agent), "headers"))
            merged.update({k: str(v) for k, v in own.items()})
        return merged

    def roles(self, agent: str | None = None) -> dict[str, Any]:
        """Effective roles; "primary" is the effective `name`, fallbacks a list of selectors."""
        merged = self.own_roles(None)
        if agent is not None:
            merged.update(self.own_roles(agent))
        name = self.get("name", agent)
        if name is not None:
            merged["primary"] = name
        return merged

    def own_roles(self, agent: str | None = None) -> dict[str, Any]:
        """Roles set by that table itself; "primary" only when it sets its own `name`."""
        result = self._own_scalars((*self._model_path(agent), "roles"))
        if isinstance(result.get("fallbacks"), str):
            result["fallbacks"] = [result["fallbacks"]]
        name = self.own("name", agent)
        if name is not None:
            result["primary"] = name
        return result

    def agents(self) -> list[str]:
        """Names under [agents.*] that have a model table, in file order."""
        tables = self._index()
        return list(tables.agents) if tables is not None else list(self._agent_models())

    def _index(self) -> _Tables | None:
        """The tables read in one walk of the document; None while an edit is under way."""
        if self._editing:
            return None
        if self._tables is None:
            agents = self._agent_models()
            chains: list[tuple[tuple[str, ...], list[Frag]]] = [
                (("model",), self._toml.resolve(("model",)))
            ]
            chains += [(("agents", name, "model"), frags) for name, frags in agents.items()]
            items: dict[tuple[str, ...], dict[str, Any]] = {}
            for path, frags in chains:
                items[path] = items_of(frags)
                for sub in ("roles", "headers"):
                    items[(*path, sub)] = items_of(self._toml.resolve_from(frags, (sub,), path))
            self._tables = _Tables(list(agents), items)
        return self._tables

    def _own_items(self, path: tuple[str, ...]) -> dict[str, Any]:
        """The items a table itself holds (no sub-tables); read-only for the caller."""
        tables = self._index()
        if tables is not None and path in tables.items:
            return tables.items[path]
        # Not a table the index holds (an unknown agent): the document says what it is.
        return items_of(self._toml.resolve(path))

    def _own_scalars(self, path: tuple[str, ...]) -> dict[str, Any]:
        """A table's own values, fresh objects the caller may change."""
        return {key: plain_value(item) for key, item in self._own_items(path).items()}

    def _agent_models(self, only: str | None = None) -> dict[str, list[Frag]]:
        """Each agent's [agents.<name>.model] fragments, from one pass over [agents].

        `only` limits it to that agent (the others' tables are not walked down).
        """
        agents = self._toml.sub_tables(("agents",), only)
        models = {
            name: self._toml.resolve_from(frags, ("model",), ("agents", name))
            for name, frags in agents.items()
        }
        return {name: frags for name, frags in models.items() if frags}

    def providers_in_use(self) -> list[tuple[str, str, str]]:
        """(provider, profile, auth) for [model], each agent and each role selector, no repeats.

        A role selector for the same provider as its table uses that table's profile and
        auth (it is the same account); one for another provider uses profile "default" and
        auth "api_key", the method the runtime falls back to for a provider it is not told
        about. A table without `provider` takes it from its model name, else anthropic.
        """
        seen: dict[tuple[str, str, str], None] = {}  # a dict: ordered, and O(1) to look up

        def add(entry: tuple[str, str, str]) -> None:
            seen.setdefault(entry)

        for agent in [None, *self.agents()]:
            name = self.get("name", agent)
            provider = self.get("provider", agent)
            if not isinstance(provider, str):
                provider = self._infer(name) or "anthropic"
            profile = self.get("profile", agent)
            profile = profile if isinstance(profile, str) else "default"
            auth = self.get("auth", agent)
            auth = auth if isinstance(auth, str) else "api_key"
            add((provider, profile, auth))
            for role, value in self.roles(agent).items():
                if role == "primary":
                    continue
                for text in value if isinstance(value, list) else [value]:
                    try:
                        sel = parse_selector(str(text))
                    except InputError:
                        continue
                    if sel.provider == provider:
                        add((provider, profile, auth))
                    else:
                        add((sel.provider, "default", "api_key"))
        return list(seen)

    # ----- editing ---------------------------------------------------------------------------

    @_edit
    def set(self, key: str, value: Any, agent: str | None = None) -> None:
        """Set a [model] key (or the agent's override); None removes it."""
        if key not in MODEL_KEYS:
            raise InputError(
                f"seal-setup does not manage the key {key!r}",
                "allowed: " + ", ".join(MODEL_KEYS) + " (secrets never go in seal.toml)",
            )
        self._require_agent(agent)
        path = self._model_path(agent)
        if value is not None:
            value = validate(key, value)
        self._touch(path)
        if value is None:
            self._toml.remove_scalar(path, key)
            if agent is None:
                self._drop_if_blank(path)
        else:
            self._toml.set_scalar(path, key, value)
        self._settle()

    @_edit
    def set_header(self, name: str, value: str | None, agent: str | None = None) -> None:
        """Set or (None) remove a request header in [model.headers]."""
        check_header_name(name)
        self._require_agent(agent)
        path = (*self._model_path(agent), "headers")
        # Any spelling of the same header (X-Title is X-OpenRouter-Title): the one the file
        # has is kept, and a second one goes, so the file never holds both.
        same = header_spellings(name)
        existing = [h for h in self._toml.scalars(path) if h.lower() in same]
        target = existing[0] if existing else name
        for extra in existing[1:]:
            self._toml.remove_scalar(path, extra)
        if value is None:
            self._touch(self._model_path(agent))  # an empty [model] goes with its headers
            self._toml.remove_scalar(path, target)
            self._drop_if_blank(path)
        else:
            check_header_value(name, value)
            self._touch(self._model_path(agent))
            self._toml.set_scalar(path, target, value)
        self._settle()

    @_edit
    def set_role(self, role: str, value: str | list[str] | None, agent: str | None = None) -> None:
        """Set a role selector; "primary" sets `name` (and `provider` when written out)."""
        if role not in ROLE_NAMES:
            raise InputError(f"unknown role {role!r}", "roles: " + ", ".join(ROLE_NAMES))
        self._require_agent(agent)
        if role == "primary":
            if isinstance(value, list):
                raise InputError("the primary role takes one model, not a list")
            if value is None:
                self.set("name", None, agent)
                return
            sel = parse_selector(value)
            self.set("name", sel.model, agent)
            if sel.explicit:
                self.set("provider", sel.provider, agent)
            return
        path = (*self._model_path(agent), "roles")
        selectors: str | list[str] | None = None
        if role == "fallbacks" and value is not None:
            items = [value] if isinstance(value, str) else value
            if not isinstance(items, list):
                raise InputError("fallbacks must be a list of model selectors")
            selectors = [str(parse_selector(str(s))) for s in items]
        elif value is not None:
            if not isinstance(value, str):
                raise InputError(f"the {role} role takes one model selector")
            selectors = str(parse_selector(value))
        self._touch(self._model_path(agent))  # an empty [model] goes with its roles
        if selectors is None:
            self._toml.remove_scalar(path, role)
            self._drop_if_blank(path)
        else:
            self._toml.set_scalar(path, role, selectors)
        self._settle()

    @_edit
    def add_agent(self, name: str) -> None:
        """Add an empty [agents.NAME.model] override at the end of the agents."""
        check_agent_name(name)
        if name in self.agents():
            raise InputError(f"agent {name!r} already exists")
        self._touch(("agents", name, "model"))
        self._toml.ensure(("agents", name, "model"))
        self._settle()

    @_edit
    def remove_agent(self, name: str) -> None:
        """Remove the agent's model override; other keys of [agents.NAME] stay."""
        self._require_agent(name)
        self._touch(("agents", name, "model"))
        self._toml.remove_key(("agents", name), "model")
        for path in (("agents", name), ("agents",)):
            self._toml.remove_blank(path)
        self._settle()

    @_edit
    def rename_agent(self, old: str, new: str) -> None:
        """Rename [agents.OLD] (all its keys and tables) to [agents.NEW]."""
        self._require_agent(old)
        check_agent_name(new)
        if new == old:
            return
        if self._toml.resolve(("agents", new)):
            raise InputError(f"agent {new!r} already exists")
        self._touch(("agents", old))
        self._touch(("agents", new))
        self._toml.rename_key(("agents",), old, new)
        self._settle()

    def reload(self) -> SealConfig:
        """A fresh SealConfig from the file as it is now on disk."""
        return load_config(self.path)

    def link(self) -> ConfigLink | None:
        """Where writing really goes when seal.toml is a symbolic link (None: it is not)."""
        return config_link(self.path)

    def save(self, *, lock_timeout: float = 5.0, link_target: Path | None = None) -> SaveResult:
        """Write the document (locked, atomic, with seal.toml.bak); refuses on a conflict.

        A symlinked seal.toml is written only when `link_target` is its target, the one
        shown to the person or checked (`backend.config.io.write_target`).
        """
        # Worked out once: this text is checked, written, and becomes the new base.
        text = self.text()
        body = text[1:] if self._bom else text
        plain = check_written_text(body, self.path)
        data = text.encode("utf-8")
        result = save_bytes(
            self.path, data, self._raw, lock_timeout=lock_timeout, link_target=link_target
        )
        self.original_text = text
        self._raw = data
        self.exists = True
        self._base_text = body
        self._base_plain = plain
        self._lines = None
        self._pristine_text = None
        self._touched = set()
        self._snapshots = {}
        self._planned = body
        self._problem = None
        return result

    # ----- internals -------------------------------------------------------------------------

    def _editor(self, doc: TOMLDocument) -> TomlEditor:
        # A new [model] goes above the agents and every other section.
        return TomlEditor(doc, self.path.name, first_table=("model",))

    @staticmethod
    def _model_path(agent: str | None) -> tuple[str, ...]:
        return ("model",) if agent is None else ("agents", agent, "model")

    @staticmethod
    def _infer(name: Any) -> str | None:
        return infer_provider(name) if isinstance(name, str) else None

    def _require_agent(self, agent: str | None) -> None:
        if agent is not None and agent not in self._agent_models(only=agent):
            raise InputError(f"there is no agent {agent!r}", "add it first")

    def _touch(self, path: tuple[str, ...]) -> None:
        """Before an edit changes table `path`: it may change lines of that table (and of
        its sub-tables), and its [model] or [agents.NAME] values are kept to compare with."""
        whole = path[:2] if path[0] == "agents" else path[:1]
        if whole not in self._snapshots:
            self._snapshots[whole] = self._values_at(whole)
        self._touched.add(path)

    def _values_at(self, path: tuple[str, ...]) -> Any:
        """A table's values in comparison form (`typed`), None when it does not exist."""
        values = self._toml.values(path)
        return None if values is None else typed(values)

    def _settle(self) -> None:
        """After an edit: when every value is back to what was read, so is every byte.

        Only the tables edits touched can differ, so only those are compared. Undoing an
        edit by hand (re-adding a removed key, removing a new table) cannot restore the
        exact whitespace tomlkit had, so the text read is taken back then.
        """
        if any(self._values_at(whole) != was for whole, was in self._snapshots.items()):
            self._planned = None  # worked out when first asked for
            return
        rendered = self._render()
        if rendered != self._base_text and rendered != self._pristine():
            self._toml = self._editor(parse_tomlkit(self._base_text, self.path))
        self._planned, self._problem = self._base_text, None

    def _line_map(self) -> LineMap:
        if self._lines is None:
            self._lines = LineMap(self._base_text)
        return self._lines

    def _check_structure(self) -> None:
        if structure_looks_right(self._base_plain):
            return
        # Something is off: find it in the document, to name it (or to accept it, when
        # the quick pass was only unsure). Every table is resolved once, walking down
        # from its parent: resolving each agent's tables from the root would rescan the
        # whole document per agent.
        tables: list[tuple[tuple[str, ...], list[Frag]]] = [
            (("model",), self._toml.resolve(("model",)))
        ]
        for agent, models in self._agent_models().items():
            tables.append((("agents", agent, "model"), models))
        for prefix, models in tables:
            roles = self._toml.resolve_from(models, ("roles",), prefix)
            headers = self._toml.resolve_from(models, ("headers",), prefix)
            self._check_types(prefix, models, roles, headers)

    def _check_types(
        self,
        prefix: tuple[str, ...],
        models: list[Frag],
        roles: list[Frag],
        headers: list[Frag],
    ) -> None:
        """The keys seal-setup manages must have their type (a wrong one is exit 3)."""
        where = ".".join(prefix)

        def wrong(key: str, want: str, value: Any) -> ConfigError:
            return ConfigError(
                f"{self.path.name}: [{where}] {key} must be {want}, found {value!r}",
                f"fix {key} in [{where}] by hand",
            )

        for key, value in scalars_of(models).items():
            if key in KINDS and not KINDS[key][1](value):
                raise wrong(key, KINDS[key][0], value)
        for role, value in scalars_of(roles).items():
            if not role_value_ok(role, value):
                want = "a selector or a list of selectors" if role == "fallbacks" else "a selector"
                raise wrong(f"roles.{role}", want + " (strings)", value)
        for header, value in scalars_of(headers).items():
            if not isinstance(value, str):
                raise wrong(f"headers.{header}", "a string", value)

    def _drop_if_blank(self, path: tuple[str, ...]) -> None:
        """Remove a table left empty by an edit, unless the file on disk has it too."""
        node: Any = self._base_plain
        for seg in path:
            node = node.get(seg) if isinstance(node, dict) else None
        if isinstance(node, dict):
            return
        self._toml.drop_empty(path)
        if len(path) > 1 and path[0] == "model":
            # A [model] that only existed to hold the removed table goes too.
            self._drop_if_blank(path[:-1])


def check_header_name(name: str) -> None:
    """InputError unless `name` may be a [model.headers] key (a header that carries no
    credential)."""
    if not isinstance(name, str) or not HEADER_NAME_RE.fullmatch(name):
        raise InputError(f"{name!r} is not a valid HTTP header name")
    if name.lower() in SECRET_HEADERS:
        raise InputError(
            f"the {name} header carries a credential",
            "secrets never go in seal.toml: store the key with the wizard instead",
        )


def check_header_value(name: str, value: str) -> None:
    """InputError unless `value` may be written as header `name`'s value."""
    if not isinstance(value, str) or "\n" in value or "\r" in value:
        raise InputError(f"header {name} must be one line of text")
    if header_problem(value):
        # HTTP clients send header values as ASCII: anything else fails every request.
        raise InputError(f"header {name} must be plain ASCII text (no accents, emoji or tabs)")
    if value.strip().lower().startswith(("sk-", "bearer ")):
        raise InputError(
            f"the {name} header value looks like a secret",
            "secrets never go in seal.toml: store the key with the wizard instead",
        )


def load_config(path: Path) -> SealConfig:
    """Read seal.toml; a missing file gives an empty document with a short header."""
    raw = read_config_bytes(path)
    if raw is None:
        return SealConfig(path, False, "", None)
    text = decode_config(raw, path)
    return SealConfig(path, True, text, raw)
