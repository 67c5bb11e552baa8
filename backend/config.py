"""The seal.toml document: read, inspect and edit it without losing a comment (DESIGN §4).

Edits go through tomlkit, but placement is ours: tomlkit appends a new key after the
comments that introduce the next section, so keys are inserted right after their last
sibling, and new tables go after their parent's keys with blank lines around them.
What an edit writes is kept to the tables it touched (`backend.config_guard`); an
unchanged document is never written. Reading and writing the file (size limits, locks,
backups) live in `backend.config_io`.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import tomlkit
from tomlkit.container import Container
from tomlkit.items import (
    AoT,
    Array,
    Comment,
    InlineTable,
    Item,
    Key,
    Null,
    SingleKey,
    Table,
    Trivia,
    Whitespace,
)
from tomlkit.toml_document import TOMLDocument

from backend import config_guard, config_io
from backend.config_guard import LineMap, TablePath, typed
from backend.config_io import SaveResult
from backend.config_schema import KINDS, MODEL_KEYS, ROLE_NAMES, check_agent_name, validate
from backend.errors import ConfigError, InputError
from backend.header_value import header_problem
from backend.selectors import infer_provider, parse_selector

__all__ = [
    "MODEL_KEYS",
    "NEW_FILE_HEADER",
    "ROLE_NAMES",
    "SaveResult",
    "SealConfig",
    "load_config",
]

NEW_FILE_HEADER = (
    "# seal.toml — Seal agent runtime configuration.\n"
    "# Written by seal-setup; comments and keys it does not manage are kept as they are.\n"
    "\n"
)
_HEADER_NAME_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}")
# Headers that carry credentials: their values would be secrets in a project file.
_SECRET_HEADERS = ("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie")


def _is_header_table(key: Key | None, item: Item) -> bool:
    """True for items that render as their own `[section]` (they end the key area)."""
    if isinstance(item, AoT):
        return True
    return isinstance(item, Table) and not (key is not None and key.is_dotted())


def _plain(item: Any) -> Any:
    return item.unwrap() if isinstance(item, Item) else item


def _merge_into(into: dict[str, Any], more: dict[str, Any]) -> None:
    """Add a table fragment's values to the table's (TOML lets a table be written in pieces)."""
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge_into(into[key], value)
        else:
            into[key] = value


@dataclass
class _Frag:
    """One piece of a table as written: a `[header]`, an inline table or a dotted-key group.

    TOML lets one table be spread over several pieces (out-of-order headers, dotted keys),
    so every lookup collects all of them.
    """

    item: Table | InlineTable | None  # None is the document root
    container: Container
    parent: _Frag | None
    index: int  # position in the parent's body
    dotted: bool

    @property
    def kind(self) -> str:
        if self.item is None:
            return "root"
        if isinstance(self.item, InlineTable):
            return "inline"
        if self.dotted:
            return "dotted"
        return "super" if self.item.is_super_table() else "table"


def _body_insert(container: Container, idx: int, key: Key | None, item: Item) -> None:
    """Insert at body position `idx`, keeping tomlkit's key -> index map right."""
    body = container.body
    if 0 < idx <= len(body):
        _end_line(body[idx - 1][1])
    if key is not None:
        if idx >= len(body):
            container._raw_append(key, item)
        else:
            container._insert_at(idx, key, item)
        return
    for k, v in list(container._map.items()):
        if isinstance(v, tuple):
            container._map[k] = tuple(i + 1 if i >= idx else i for i in v)
        elif v >= idx:
            container._map[k] = v + 1
    body.insert(idx, (None, item))


def _end_line(item: Item) -> None:
    """A file without a final newline: what goes after its last line must not be glued
    to it, even when that line holds only spaces."""
    if isinstance(item, Whitespace):
        if not item.s.endswith("\n"):
            item._s += "\n"
    elif not item.trivia.trail.endswith("\n"):
        item.trivia.trail += "\n"


def _last_key_index(container: Container) -> int:
    """Index just after the last key/value line (dotted groups count), or 0 if none."""
    last = -1
    for i, (k, v) in enumerate(container.body):
        if k is not None and not _is_header_table(k, v):
            last = i
    return last + 1


def _deepest_tail(container: Container, stop: int | None = None) -> Container:
    """The container whose end is rendered right before position `stop` of `container`."""
    body = container.body[: len(container.body) if stop is None else stop]
    for k, v in reversed(body):
        if isinstance(v, (Whitespace, Null)):
            continue
        if isinstance(v, Table) and _is_header_table(k, v):
            return _deepest_tail(v.value)
        break
    return container


_RANK = {"table": 0, "inline": 1, "dotted": 2, "root": 3, "super": 4}
_PARENT_RANK = {"table": 0, "inline": 1, "dotted": 2, "super": 3, "root": 4}


def _key(name: str, dotted: bool) -> SingleKey:
    key = SingleKey(name)
    key._dotted = dotted
    return key


def _trailing_trivia(container: Container, stop: int) -> list[int]:
    """Indexes of the comment and blank lines between the last key and position `stop`."""
    found: list[int] = []
    for i in range(stop - 1, -1, -1):
        k, v = container.body[i]
        if isinstance(v, Null):
            continue
        if k is None and isinstance(v, (Comment, Whitespace)):
            found.append(i)
            continue
        break
    return sorted(found)


def _glued_comments(frag: _Frag) -> list[Item]:
    """Take the comment lines right above `frag` (no blank line between) out of its parent."""
    if frag.parent is None or frag.item is None or "\n" in frag.item.trivia.indent:
        return []
    body = frag.parent.container.body
    indexes: list[int] = []
    for i in range(frag.index - 1, -1, -1):
        k, v = body[i]
        if isinstance(v, Null):
            continue
        if k is None and isinstance(v, Comment):
            indexes.append(i)
            continue
        break
    return _null_out(frag.parent.container, sorted(indexes))


def _slot_before(frag: _Frag, index: int) -> tuple[Container, int]:
    """Where text rendered just before item `index` of `frag` can be inserted.

    A header-less table would grow a header if it held a comment, so the slot is found
    in the last section rendered before, or at the start of an explicit table.
    """
    node, pos = frag, index
    while True:
        body = node.container.body
        previous = [j for j in range(pos) if not isinstance(body[j][1], Null)]
        if previous:
            k, v = body[previous[-1]]
            if isinstance(v, Table) and _is_header_table(k, v):
                tail = _deepest_tail(v.value)
                return tail, len(tail.body)
            return node.container, pos
        if node.kind == "super" and node.parent is not None:
            node, pos = node.parent, node.index
            continue
        return node.container, pos


def _follows(frag: _Frag, idx: int) -> bool:
    """Whether a `[section]` is rendered after position `idx` of `frag`'s body."""
    node: _Frag | None = frag
    pos = idx
    while node is not None:
        for k, v in node.container.body[pos:]:
            if k is not None and _is_header_table(k, v):
                return True
            if isinstance(v, Table) and v.is_super_table():
                return True
        pos = node.index + 1
        node = node.parent
    return False


def _null_out(container: Container, indexes: list[int]) -> list[Item]:
    moved = [container.body[i][1] for i in indexes]
    for i in indexes:
        container.body[i] = (None, Null())
    return moved


def _is_blank(container: Container) -> bool:
    return all(k is None and (isinstance(v, (Whitespace, Null))) for k, v in container.body)


def _holds_nothing(container: Container) -> bool:
    """No key and no table: only blank lines and comments."""
    return all(k is None and isinstance(v, (Whitespace, Comment, Null)) for k, v in container.body)


def _edit_array(arr: Array, new: list[str]) -> None:
    """Make `arr` hold `new`, editing in place so comments inside the array survive."""
    if list(arr) == new:
        return
    remaining = list(new)
    for i in range(len(arr) - 1, -1, -1):
        value = arr[i]
        if value in remaining and remaining.count(value) >= list(arr).count(value):
            continue
        del arr[i]
    current = [str(v) for v in arr]
    pos = 0
    for want in new:
        if pos < len(current) and current[pos] == want:
            pos += 1
            continue
        if want in current[pos:]:
            # Order changed: rebuild, comments between elements are still kept by tomlkit.
            while len(arr):
                del arr[0]
            for v in new:
                arr.append(v)
            return
        arr.insert(pos, want)
        current.insert(pos, want)
        pos += 1


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
        self._base_plain, self._doc = config_io.read_toml(self._base_text, path)
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

    # ----- reading ---------------------------------------------------------------------------

    def text(self) -> str:
        """The document as it would be written now.

        A ConfigError when the edits cannot be written without changing lines outside
        the tables they touched (`backend.config_guard`).
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
            outcome = config_guard.plan(
                self._line_map(), self._render(), self._touched, self.path.name, self._pristine
            )
            self._planned, self._problem = outcome.text, outcome.problem
        if self._problem is not None:
            raise ConfigError(self._problem.message, self._problem.hint)
        return self._planned

    def _render(self, doc: TOMLDocument | None = None) -> str:
        """The document as tomlkit writes it, in the file's line endings (without BOM)."""
        out = tomlkit.dumps(self._doc if doc is None else doc)
        if self._crlf:
            out = re.sub(r"(?<!\r)\n", "\r\n", out)
        return out

    def _pristine(self) -> str:
        """The text read as tomlkit writes it unedited (not always the text read)."""
        if self._pristine_text is None:
            # _base_text was checked when it was read or written: tomlkit alone re-reads it.
            doc = config_io.parse_tomlkit(self._base_text, self.path)
            self._pristine_text = self._render(doc)
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
        return _plain(self._own_items(self._model_path(agent)).get(key))

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
            chains: list[tuple[tuple[str, ...], list[_Frag]]] = [
                (("model",), self._resolve(("model",)))
            ]
            chains += [(("agents", name, "model"), frags) for name, frags in agents.items()]
            items: dict[tuple[str, ...], dict[str, Any]] = {}
            for path, frags in chains:
                items[path] = self._items_of(frags)
                for sub in ("roles", "headers"):
                    items[(*path, sub)] = self._items_of(self._resolve_from(frags, (sub,), path))
            self._tables = _Tables(list(agents), items)
        return self._tables

    def _own_items(self, path: tuple[str, ...]) -> dict[str, Any]:
        """The items a table itself holds (no sub-tables); read-only for the caller."""
        tables = self._index()
        if tables is not None and path in tables.items:
            return tables.items[path]
        # Not a table the index holds (an unknown agent): the document says what it is.
        return self._items_of(self._resolve(path))

    def _own_scalars(self, path: tuple[str, ...]) -> dict[str, Any]:
        """A table's own values, fresh objects the caller may change."""
        return {key: _plain(item) for key, item in self._own_items(path).items()}

    def _agent_models(self, only: str | None = None) -> dict[str, list[_Frag]]:
        """Each agent's [agents.<name>.model] fragments, from one pass over [agents].

        `only` limits it to that agent (the others' tables are not walked down).
        """
        agents: dict[str, list[_Frag]] = {}
        for frag in self._resolve(("agents",)):
            for i, (k, v) in enumerate(frag.container.body):
                if k is None or not isinstance(v, (Table, InlineTable)):
                    continue
                if (only is not None and k.key != only) or (
                    isinstance(v, Table) and v.is_aot_element()
                ):
                    continue
                agents.setdefault(k.key, []).append(_Frag(v, v.value, frag, i, k.is_dotted()))
        models = {
            name: self._resolve_from(frags, ("model",), ("agents", name))
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
            self._remove_scalar(path, key)
            if agent is None:
                self._drop_if_blank(path)
        else:
            self._set_scalar(path, key, value)
        self._settle()

    @_edit
    def set_header(self, name: str, value: str | None, agent: str | None = None) -> None:
        """Set or (None) remove a request header in [model.headers]."""
        if not isinstance(name, str) or not _HEADER_NAME_RE.fullmatch(name):
            raise InputError(f"{name!r} is not a valid HTTP header name")
        if name.lower() in _SECRET_HEADERS:
            raise InputError(
                f"the {name} header carries a credential",
                "secrets never go in seal.toml: store the key with the wizard instead",
            )
        self._require_agent(agent)
        path = (*self._model_path(agent), "headers")
        existing = [h for h in self._scalars(path) if h.lower() == name.lower()]
        target = existing[0] if existing else name
        if value is None:
            self._touch(self._model_path(agent))  # an empty [model] goes with its headers
            self._remove_scalar(path, target)
            self._drop_if_blank(path)
        else:
            if not isinstance(value, str) or "\n" in value or "\r" in value:
                raise InputError(f"header {name} must be one line of text")
            if header_problem(value):
                # HTTP clients send header values as ASCII: anything else fails every request.
                raise InputError(
                    f"header {name} must be plain ASCII text (no accents, emoji or tabs)"
                )
            if value.strip().lower().startswith(("sk-", "bearer ")):
                raise InputError(
                    f"the {name} header value looks like a secret",
                    "secrets never go in seal.toml: store the key with the wizard instead",
                )
            self._touch(self._model_path(agent))
            self._set_scalar(path, target, value)
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
            self._remove_scalar(path, role)
            self._drop_if_blank(path)
        else:
            self._set_scalar(path, role, selectors)
        self._settle()

    @_edit
    def add_agent(self, name: str) -> None:
        """Add an empty [agents.NAME.model] override at the end of the agents."""
        check_agent_name(name)
        if name in self.agents():
            raise InputError(f"agent {name!r} already exists")
        self._touch(("agents", name, "model"))
        self._ensure(("agents", name, "model"))
        self._settle()

    @_edit
    def remove_agent(self, name: str) -> None:
        """Remove the agent's model override; other keys of [agents.NAME] stay."""
        self._require_agent(name)
        self._touch(("agents", name, "model"))
        # One piece at a time, resolving again each round: removing and rescuing
        # comments shifts the positions the next round relies on.
        while True:
            found = next(
                (
                    (frag, i, v)
                    for frag in self._resolve(("agents", name))
                    for i, (k, v) in enumerate(frag.container.body)
                    if k is not None and k.key == "model"
                ),
                None,
            )
            if found is None:
                break
            frag, index, item = found
            self._rescue_comments(frag, index, item)
            index = next(i for i, (_, v) in enumerate(frag.container.body) if v is item)
            frag.container._remove_at(index)
        for path in (("agents", name), ("agents",)):
            while True:
                blank = next(
                    (f for f in self._resolve(path) if f.parent and _is_blank(f.container)),
                    None,
                )
                if blank is None or blank.parent is None:
                    break
                blank.parent.container._remove_at(blank.index)
        self._settle()

    @_edit
    def rename_agent(self, old: str, new: str) -> None:
        """Rename [agents.OLD] (all its keys and tables) to [agents.NEW]."""
        self._require_agent(old)
        check_agent_name(new)
        if new == old:
            return
        if self._resolve(("agents", new)):
            raise InputError(f"agent {new!r} already exists")
        self._touch(("agents", old))
        self._touch(("agents", new))
        for frag in self._resolve(("agents",)):
            container = frag.container
            indexes = [
                i for i, (k, _) in enumerate(container.body) if k is not None and k.key == old
            ]
            if not indexes:
                continue
            for i in indexes:
                k, v = container.body[i]
                assert k is not None
                new_key = SingleKey(new)
                new_key._dotted = k.is_dotted()
                container.body[i] = (new_key, v)
                _forget_display_names(v)
            old_key = next(k for k in container._map if k.key == old)
            container._map[SingleKey(new)] = container._map.pop(old_key)
            dict.__setitem__(container, new, dict.__getitem__(container, old))
            dict.__delitem__(container, old)
        self._settle()

    def reload(self) -> SealConfig:
        """A fresh SealConfig from the file as it is now on disk."""
        return load_config(self.path)

    def link(self) -> config_io.ConfigLink | None:
        """Where writing really goes when seal.toml is a symbolic link (None: it is not)."""
        return config_io.config_link(self.path)

    def save(self, *, lock_timeout: float = 5.0, link_target: Path | None = None) -> SaveResult:
        """Write the document (locked, atomic, with seal.toml.bak); refuses on a conflict.

        A symlinked seal.toml is written only when `link_target` is its target, the one
        shown to the person or checked (config_io.write_target).
        """
        # Worked out once: this text is checked, written, and becomes the new base.
        text = self.text()
        body = text[1:] if self._bom else text
        plain = config_io.check_written_text(body, self.path)
        data = text.encode("utf-8")
        result = config_io.save_bytes(
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
        frags = self._resolve(path)
        if not frags:
            return None
        values: dict[str, Any] = {}
        for frag in frags:
            if frag.item is not None:
                _merge_into(values, frag.item.unwrap())
        return typed(values)

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
            self._doc = config_io.parse_tomlkit(self._base_text, self.path)
        self._planned, self._problem = self._base_text, None

    def _line_map(self) -> LineMap:
        if self._lines is None:
            self._lines = LineMap(self._base_text)
        return self._lines

    def _resolve(self, path: tuple[str, ...]) -> list[_Frag]:
        return self._resolve_from([_Frag(None, self._doc, None, 0, False)], path, ())

    def _resolve_from(
        self, frags: list[_Frag], path: tuple[str, ...], prefix: tuple[str, ...]
    ) -> list[_Frag]:
        """Walk `path` down from `frags` (already at `prefix`): every fragment of the table."""
        for depth, seg in enumerate(path):
            found: list[_Frag] = []
            for frag in frags:
                for i, (k, v) in enumerate(frag.container.body):
                    if k is None or k.key != seg:
                        continue
                    if isinstance(v, (Table, InlineTable)) and not (
                        isinstance(v, Table) and v.is_aot_element()
                    ):
                        found.append(_Frag(v, v.value, frag, i, k.is_dotted()))
                    else:
                        where = ".".join((*prefix, *path[: depth + 1]))
                        what = "an array of tables" if isinstance(v, AoT) else type(v).__name__
                        raise ConfigError(
                            f"{self.path.name}: [{where}] must be a table, found {what}",
                            f"fix {where} by hand: it should be a [{where}] section",
                        )
            frags = found
            if not frags:
                return []
        return frags

    def _scalars(self, path: tuple[str, ...]) -> dict[str, Any]:
        return self._scalars_of(self._resolve(path))

    @staticmethod
    def _items_of(frags: list[_Frag]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for frag in frags:
            for k, v in frag.container.body:
                if k is None or isinstance(v, (Table, InlineTable, AoT)):
                    continue
                out[k.key] = v
        return out

    @classmethod
    def _scalars_of(cls, frags: list[_Frag]) -> dict[str, Any]:
        return {key: _plain(item) for key, item in cls._items_of(frags).items()}

    def _check_structure(self) -> None:
        if _structure_looks_right(self._base_plain):
            return
        # Something is off: find it in the document, to name it (or to accept it, when
        # the quick pass was only unsure). Every table is resolved once, walking down
        # from its parent: resolving each agent's tables from the root would rescan the
        # whole document per agent.
        tables: list[tuple[tuple[str, ...], list[_Frag]]] = [
            (("model",), self._resolve(("model",)))
        ]
        for agent, models in self._agent_models().items():
            tables.append((("agents", agent, "model"), models))
        for prefix, models in tables:
            roles = self._resolve_from(models, ("roles",), prefix)
            headers = self._resolve_from(models, ("headers",), prefix)
            self._check_types(prefix, models, roles, headers)

    def _check_types(
        self,
        prefix: tuple[str, ...],
        models: list[_Frag],
        roles: list[_Frag],
        headers: list[_Frag],
    ) -> None:
        """The keys seal-setup manages must have their type (a wrong one is exit 3)."""
        where = ".".join(prefix)

        def wrong(key: str, want: str, value: Any) -> ConfigError:
            return ConfigError(
                f"{self.path.name}: [{where}] {key} must be {want}, found {value!r}",
                f"fix {key} in [{where}] by hand",
            )

        for key, value in self._scalars_of(models).items():
            if key in KINDS and not KINDS[key][1](value):
                raise wrong(key, KINDS[key][0], value)
        for role, value in self._scalars_of(roles).items():
            if not _role_value_ok(role, value):
                want = "a selector or a list of selectors" if role == "fallbacks" else "a selector"
                raise wrong(f"roles.{role}", want + " (strings)", value)
        for header, value in self._scalars_of(headers).items():
            if not isinstance(value, str):
                raise wrong(f"headers.{header}", "a string", value)

    def _set_scalar(self, path: tuple[str, ...], key: str, value: Any) -> None:
        for frag in self._resolve(path):
            for k, v in frag.container.body:
                if k is None or k.key != key or isinstance(v, (Table, InlineTable, AoT)):
                    continue
                if typed(_plain(v)) == typed(value):
                    return  # keep the way it is written (quotes, spacing)
                if isinstance(v, Array) and isinstance(value, list):
                    _edit_array(v, [str(x) for x in value])
                    return
                frag.container[k] = value
                return
        frag = self._ensure(path)
        if frag.item is not None and frag.kind == "inline":
            frag.item[key] = value
            return
        item = tomlkit.item(value)
        _body_insert(frag.container, _last_key_index(frag.container), SingleKey(key), item)

    def _remove_scalar(self, path: tuple[str, ...], key: str) -> None:
        for frag in self._resolve(path):
            for k, v in frag.container.body:
                if k is not None and k.key == key and not isinstance(v, (Table, InlineTable)):
                    frag.container.remove(k)
                    return

    def _drop_if_blank(self, path: tuple[str, ...]) -> None:
        """Remove a table left empty by an edit, unless the file on disk has it too."""
        node: Any = self._base_plain
        for seg in path:
            node = node.get(seg) if isinstance(node, dict) else None
        if isinstance(node, dict):
            return
        while True:
            blank = next(
                (
                    f
                    for f in self._resolve(path)
                    if f.parent is not None and _holds_nothing(f.container)
                ),
                None,
            )
            if blank is None or blank.parent is None or blank.item is None:
                break
            # Comments it holds were moved into it when it was made (they introduce the
            # next section): they go back above that section.
            self._rescue_comments(blank.parent, blank.index, blank.item)
            body = blank.parent.container.body
            blank.parent.container._remove_at(
                next(i for i, (_, v) in enumerate(body) if v is blank.item)
            )
        if len(path) > 1 and path[0] == "model":
            # A [model] that only existed to hold the removed table goes too.
            self._drop_if_blank(path[:-1])

    def _ensure(self, path: tuple[str, ...]) -> _Frag:
        """The piece of table `path` to add keys to, creating the table where it belongs."""
        frags = self._resolve(path)
        if frags:
            best = min(frags, key=lambda f: _RANK[f.kind])
            if best.kind == "super" and isinstance(best.item, Table):
                # An implicit table ([model.roles] without [model]) gets its own header.
                best.item._is_super_table = False
                glued = _glued_comments(best)
                if best.container.body:
                    _body_insert(best.container, 0, None, Whitespace("\n"))
                for offset, comment in enumerate(glued):
                    # They introduced the first sub-table, which is no longer first.
                    _body_insert(best.container, 1 + offset, None, comment)
            return best
        depth = len(path) - 1
        while depth > 0 and not self._resolve(path[:depth]):
            depth -= 1
        parents = self._resolve(path[:depth]) if depth else self._resolve(())
        parent = min(parents, key=lambda f: _PARENT_RANK[f.kind])
        missing = path[depth:]
        if parent.kind == "inline" and isinstance(parent.item, InlineTable):
            node: Any = tomlkit.inline_table()
            for seg in reversed(missing[1:]):
                wrapper = tomlkit.inline_table()
                wrapper[seg] = node
                node = wrapper
            parent.item[missing[0]] = node
        else:
            dotted = parent.kind == "dotted"
            leaf = (
                Table(Container(True), Trivia(), False, is_super_table=True)
                if dotted
                else tomlkit.table()
            )
            node = leaf
            for seg in reversed(missing[1:]):
                outer = Table(Container(True), Trivia(), False, is_super_table=True)
                outer.value._raw_append(_key(seg, dotted), node)
                node = outer
            if dotted:
                idx = _last_key_index(parent.container)
                _body_insert(parent.container, idx, _key(missing[0], True), node)
            else:
                self._insert_table(parent, missing[0], node, leaf, root_first=path == ("model",))
        found = self._resolve(path)
        return min(found, key=lambda f: _RANK[f.kind])

    def _insert_table(
        self, parent: _Frag, name: str, top: Table, leaf: Table, *, root_first: bool
    ) -> None:
        """Insert a new `[section]` (`top`, whose deepest table is `leaf`) into `parent`.

        It goes after the parent's keys and sub-tables; comments and blank lines that sit
        between the previous section's last key and the next header belong to the next
        section, so they move below the new table and stay right above that header.
        """
        container = parent.container
        if root_first:
            # [model] goes before the first section, not after the agents.
            idx = next(
                (i for i, (k, v) in enumerate(container.body) if _is_header_table(k, v)),
                len(container.body),
            )
        else:
            idx = len(container.body)
        tail = _deepest_tail(container, idx)
        run = _trailing_trivia(tail, idx if tail is container else len(tail.body))
        following = _follows(parent, idx)
        to_move: list[int] = []
        if following and run:
            blanks = [i for i in run if isinstance(tail.body[i][1], Whitespace)]
            file_header = (
                tail is container
                and parent.kind == "root"
                and not any(k is not None for k, _ in container.body[: run[0]])
            )
            if file_header:
                # The file's own header comment stays on top; only comments glued to
                # the next header move.
                to_move = [i for i in run if not blanks or i > blanks[-1]]
            else:
                to_move = [i for i in run if not blanks or i >= blanks[0]]
        moved: list[Item] = []
        if to_move:
            if tail is container:
                idx = to_move[0]
            else:
                moved = _null_out(tail, to_move)
        prev_tail = _deepest_tail(container, idx)
        before = [
            v
            for _, v in (prev_tail.body[:idx] if prev_tail is container else prev_tail.body)
            if not isinstance(v, Null)
        ]
        last = before[-1] if before else None
        if last is not None:
            _end_line(last)
            if not isinstance(last, Whitespace):
                top.trivia.indent = "\n"  # a blank line before the new table
        if following:
            starts_blank = (
                isinstance(moved[0], Whitespace)
                if moved
                else idx < len(container.body) and isinstance(container.body[idx][1], Whitespace)
            )
            if not starts_blank:
                leaf.value._raw_append(None, Whitespace("\n"))
        for item in moved:
            leaf.value._raw_append(None, item)
        _body_insert(container, idx, SingleKey(name), top)

    def _rescue_comments(self, frag: _Frag, index: int, item: Item) -> None:
        """Keep the comments that introduce the next section when a table is removed."""
        if not isinstance(item, Table) or not _follows(frag, index + 1):
            return
        tail = _deepest_tail(item.value)
        run = _trailing_trivia(tail, len(tail.body))
        blanks = [i for i in run if isinstance(tail.body[i][1], Whitespace)]
        keep = [i for i in run if not blanks or i >= blanks[0]]
        if any(isinstance(tail.body[i][1], Comment) for i in keep):
            dest, pos = _slot_before(frag, index)
            moved = _null_out(tail, keep)
            before = [v for _, v in dest.body[:pos] if not isinstance(v, Null)]
            while (
                moved
                and isinstance(moved[0], Whitespace)
                and (not before or isinstance(before[-1], Whitespace))
            ):
                moved.pop(0)
            for offset, comment in enumerate(moved):
                _body_insert(dest, pos + offset, None, comment)


def _structure_looks_right(values: dict[str, Any]) -> bool:
    """A quick pass over the file's values for what `_check_structure` checks.

    True when every check holds. It is stricter: a sub-table or an array of tables
    where a managed value goes makes it False, though the document walk skips those.
    """
    models: list[Any] = []
    if "model" in values:
        models.append(values["model"])
    agents = values.get("agents", {})
    if not isinstance(agents, dict):
        return False
    for agent in agents.values():
        if isinstance(agent, dict) and "model" in agent:
            models.append(agent["model"])
    for model in models:
        if not isinstance(model, dict):
            return False
        for key, value in model.items():
            if key in KINDS and not KINDS[key][1](value):
                return False
        roles, headers = model.get("roles", {}), model.get("headers", {})
        if not isinstance(roles, dict) or not isinstance(headers, dict):
            return False
        if not all(_role_value_ok(role, value) for role, value in roles.items()):
            return False
        if not all(isinstance(v, str) for v in headers.values()):
            return False
    return True


def _role_value_ok(role: str, value: Any) -> bool:
    """A role is a selector string; fallbacks may also be a list of them."""
    items = value if role == "fallbacks" and isinstance(value, list) else [value]
    return all(isinstance(v, str) for v in items)


def _forget_display_names(item: Item) -> None:
    """Headers are re-derived from the keys after a rename."""
    if isinstance(item, Table):
        item.display_name = None
        for _, child in item.value.body:
            _forget_display_names(child)


def load_config(path: Path) -> SealConfig:
    """Read seal.toml; a missing file gives an empty document with a short header."""
    raw = config_io.read_config_bytes(path)
    if raw is None:
        return SealConfig(path, False, "", None)
    text = config_io.decode_config(raw, path)
    return SealConfig(path, True, text, raw)
