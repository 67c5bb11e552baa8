"""Keeping an edit of seal.toml to the lines it means to change.

tomlkit writes the whole document again after any edit, and a few shapes come back
different from how they were written: interleaved arrays of tables (`[[language]]`,
`[[grammar]]`, `[[language]]`, … as in an editor's languages file) are regrouped, which
moves whole tables and the comments between them. `plan()` compares the text to be
written with the text read, line by line, and finds the table each changed line belongs
to: a change inside the tables the edit touched is the edit, any other is collateral.

With collateral changes, the edit is made another way: its own changes are those from
the text read as tomlkit writes it unedited to the edited text, and each is made where
its lines are in the text read; every other line stays as it was read. That text is
written when it holds exactly the values the edit meant and changes nothing outside the
tables touched; otherwise the edit is refused with a message that names the cause.
Nothing collateral is ever written.

Which table a line belongs to is read off the text by a small lexer that knows what can
span lines (multi-line strings and arrays), so a `[x]` inside a string is not a header.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from backend.errors import ConfigError

TablePath = tuple[str, ...]

# Line kinds.
HEADER, KEY, MORE, TRIVIA = "header", "key", "more", "trivia"
# A line the lexer could not read belongs to no table an edit touches.
_UNKNOWN: TablePath = ("\x00",)

# Lexer state at the start of a line: (open multi-line string, bracket depth, table,
# owner of the value that goes on).
_State = tuple[str | None, int, TablePath, TablePath]
_START: _State = (None, 0, (), ())

_INTERESTING = re.compile(r"[\"'\[\]{}#]")
_BASIC_REST = re.compile(r'(?:[^"\\\n]|\\.)*"')
# A closing delimiter may come after one or two quotes that belong to the string.
_ML_BASIC_REST = re.compile(r'(?:[^"\\]|\\.|"(?!""))*"{3,5}', re.S)
_ML_LITERAL_END = re.compile(r"'{3,5}")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_BASIC_KEY = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_SIMPLE_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b"}


def split_lines(text: str) -> list[str]:
    """Lines with their endings. Only "\\n" ends a line in TOML: a U+2028 or a lone "\\r"
    may sit inside a string, where `str.splitlines` would cut."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def typed(value: Any) -> Any:
    """A comparison form where 1, 1.0 and true differ, as do 0.0 and -0.0, and where a nan
    equals a nan (they never compare equal as floats)."""
    if isinstance(value, dict):
        return ("d", frozenset((k, typed(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("l", tuple(typed(v) for v in value))
    if isinstance(value, float):
        return ("float", value.hex(), math.copysign(1.0, value))
    return (type(value).__name__, value)


def _unescape(text: str) -> str:
    def one(found: re.Match[str]) -> str:
        code = found.group(1) or found.group(2)
        if code:
            return chr(int(code, 16))
        char = found.group(3)
        return _SIMPLE_ESCAPES.get(char, char)

    return _ESCAPE.sub(one, text) if "\\" in text else text


def _skip_blank(line: str, pos: int) -> int:
    while pos < len(line) and line[pos] in " \t":
        pos += 1
    return pos


def _key_path(line: str, pos: int) -> tuple[TablePath, int] | None:
    """A dotted key starting at `pos`: its parts and the position after it."""
    parts: list[str] = []
    while True:
        pos = _skip_blank(line, pos)
        if line.startswith('"', pos):
            found = _BASIC_KEY.match(line, pos)
            if found is None:
                return None
            parts.append(_unescape(found.group(1)))
            pos = found.end()
        elif line.startswith("'", pos):
            end = line.find("'", pos + 1)
            if end < 0:
                return None
            parts.append(line[pos + 1 : end])
            pos = end + 1
        else:
            bare = _BARE_KEY.match(line, pos)
            if bare is None:
                return None
            parts.append(bare.group())
            pos = bare.end()
        pos = _skip_blank(line, pos)
        if not line.startswith(".", pos):
            return tuple(parts), pos
        pos += 1


def _scan(line: str, pos: int, ml: str | None, depth: int) -> tuple[str | None, int]:
    """Read a value's text from `pos` to the end of the line: what is still open after it."""
    while True:
        if ml == '"""':
            closed = _ML_BASIC_REST.match(line, pos)
            if closed is None:
                return ml, depth
            pos, ml = closed.end(), None
        elif ml == "'''":
            closing = _ML_LITERAL_END.search(line, pos)
            if closing is None:
                return ml, depth
            pos, ml = closing.end(), None
        found = _INTERESTING.search(line, pos)
        if found is None:
            return None, depth
        char, pos = found.group(), found.end()
        if char == "#":
            return None, depth
        if char in "\"'":
            if line.startswith(char * 2, pos):
                ml, pos = char * 3, pos + 2
                continue
            if char == '"':
                rest = _BASIC_REST.match(line, pos)
                pos = rest.end() if rest else len(line)
            else:
                end = line.find("'", pos)
                pos = end + 1 if end >= 0 else len(line)
        elif char in "[{":
            depth += 1
        else:
            depth = max(depth - 1, 0)


def _lex_line(line: str, state: _State) -> tuple[str, TablePath, _State]:
    """One line: its kind, the table (or key) it belongs to, and the state after it."""
    ml, depth, table, owner = state
    if ml is not None or depth:
        ml, depth = _scan(line, 0, ml, depth)
        return MORE, owner, (ml, depth, table, owner)
    pos = _skip_blank(line, 0)
    if pos >= len(line) or line[pos] in "\r\n":
        return TRIVIA, table, (None, 0, table, ())
    if line[pos] == "#":
        return TRIVIA, table, (None, 0, table, ())
    if line[pos] == "[":
        aot = line.startswith("[[", pos)
        read = _key_path(line, pos + (2 if aot else 1))
        if read is None:
            return HEADER, _UNKNOWN, (None, 0, _UNKNOWN, ())
        path = read[0]
        return HEADER, path, (None, 0, path, ())
    read = _key_path(line, pos)
    if read is None or not line.startswith("=", read[1]):
        return KEY, _UNKNOWN, (None, 0, table, ())
    key = (*table, *read[0])
    ml, depth = _scan(line, read[1] + 1, None, 0)
    return KEY, key, (ml, depth, table, key if (ml or depth) else ())


class LineMap:
    """Which table each line of a valid TOML text belongs to, lexed as far as asked."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = split_lines(text)
        self.compared = _comparable(self.lines, self.newline)
        self._states: list[_State] = [_START]
        self._kinds: list[str] = []
        self._owners: list[TablePath] = []

    @property
    def newline(self) -> str:
        return "\r\n" if len(self.lines) > 1 and self.lines[-2].endswith("\r\n") else "\n"

    def __len__(self) -> int:
        return len(self.lines)

    def _lex_to(self, end: int) -> None:
        while len(self._kinds) < min(end, len(self.lines)):
            i = len(self._kinds)
            kind, owner, after = _lex_line(self.lines[i], self._states[i])
            self._kinds.append(kind)
            self._owners.append(owner)
            self._states.append(after)

    def state(self, i: int) -> _State:
        """The lexer state at the start of line `i` (0 <= i <= len)."""
        self._lex_to(i)
        return self._states[i]

    def info(self, i: int) -> tuple[str, TablePath]:
        self._lex_to(i + 1)
        return self._kinds[i], self._owners[i]

    def interleaved(self) -> tuple[str, str] | None:
        """An array of tables with another table written between two of its elements, as
        their headers are written (`[[language]]`, `[[grammar]]`); None when there is none."""
        self._lex_to(len(self.lines))
        between: dict[TablePath, str | None] = {}  # array -> a foreign header since its last
        for i, (kind, path) in enumerate(zip(self._kinds, self._owners, strict=True)):
            if kind != HEADER or path == _UNKNOWN:
                continue
            aot = self.lines[i].lstrip(" \t").startswith("[[")
            shown = ".".join(path)
            shown = f"[[{shown}]]" if aot else f"[{shown}]"
            for array, seen in between.items():
                if seen is None and not _under(path, array):
                    between[array] = shown
            if aot:
                foreign = between.get(path)
                if foreign is not None:
                    return shown, foreign
                between[path] = None
        return None


def _under(path: TablePath, top: TablePath) -> bool:
    return path[: len(top)] == top


class _Edited:
    """The line map of the edited text: the lines it shares with the text read at both
    ends are those lines (the same tables), only the lines between are lexed again."""

    def __init__(self, base: LineMap, lines: list[str], prefix: int, suffix: int) -> None:
        self.lines = lines
        self._base = base
        self._prefix = prefix
        self._shift = len(base) - len(lines)
        self._kinds: list[str] = []
        self._owners: list[TablePath] = []
        state = base.state(prefix)
        j = prefix
        while j < len(lines):
            if j >= len(lines) - suffix and base.state(j + self._shift) == state:
                break  # from here on, the lines and what they mean are the base's
            kind, owner, state = _lex_line(lines[j], state)
            self._kinds.append(kind)
            self._owners.append(owner)
            j += 1
        self._synced = j

    def __len__(self) -> int:
        return len(self.lines)

    def info(self, j: int) -> tuple[str, TablePath]:
        if j < self._prefix:
            return self._base.info(j)
        if j < self._synced:
            return self._kinds[j - self._prefix], self._owners[j - self._prefix]
        return self._base.info(j + self._shift)


def _owners(lines: LineMap | _Edited, i: int) -> tuple[str, list[TablePath]]:
    """A line's kind and the tables it belongs to. A comment or blank line belongs to
    its table and, when only such lines follow up to a header, to that header's table
    too (it introduces it)."""
    kind, owner = lines.info(i)
    if kind != TRIVIA:
        return kind, [owner]
    j = i + 1
    while j < len(lines) and lines.info(j)[0] == TRIVIA:
        j += 1
    if j < len(lines):
        next_kind, next_owner = lines.info(j)
        if next_kind == HEADER:
            return kind, [owner, next_owner]
    return kind, [owner]


def _allowed(lines: LineMap | _Edited, i: int, touched: Collection[TablePath]) -> bool:
    """Whether line `i` lies in a table the edit touched (or holds that table's header or
    inline value: `[agents]`, `agents = {…}`)."""
    kind, owners = _owners(lines, i)
    for owner in owners:
        for path in touched:
            if _under(owner, path):
                return True
            if kind != TRIVIA and owner != _UNKNOWN and _under(path, owner):
                return True
    return False


@dataclass(frozen=True)
class Plan:
    """What saving writes: `text`, unless `problem` says why the edit cannot be written."""

    text: str
    problem: ConfigError | None = None
    spliced: bool = False  # the edit's lines were put into the text read


def _comparable(lines: list[str], newline: str) -> list[str]:
    """A last line without a newline is compared as if it had one: adding what follows
    it is no change to that line."""
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + newline]
    return lines


_Ops = list[tuple[str, int, int, int, int]]


def _opcodes(a: list[str], b: list[str]) -> tuple[_Ops, int, int]:
    """difflib's opcodes from `a` to `b`, and how many lines they share at the start and
    at the end (matched first, cheaply: an edit changes a few lines of a long file)."""
    limit = min(len(a), len(b))
    prefix = 0
    while prefix < limit and a[prefix] == b[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and a[-1 - suffix] == b[-1 - suffix]:
        suffix += 1
    matcher = difflib.SequenceMatcher(
        None, a[prefix : len(a) - suffix], b[prefix : len(b) - suffix], autojunk=False
    )
    ops = [("equal", 0, prefix, 0, prefix)] if prefix else []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        ops.append((tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix))
    if suffix:
        ops.append(("equal", len(a) - suffix, len(a), len(b) - suffix, len(b)))
    return ops, prefix, suffix


@dataclass
class _Comparison:
    outside_old: list[int]  # lines read that change, outside the tables touched
    outside_new: list[int]  # lines to be written in their place, outside them too
    moved: bool  # a touched table's header leaves its place among the other lines


def _compare(base: LineMap, text: str, touched: Collection[TablePath]) -> _Comparison:
    """Which changed lines lie outside the tables touched, and whether a table moved."""
    new = _comparable(split_lines(text), base.newline)
    ops, prefix, suffix = _opcodes(base.compared, new)
    edited = _Edited(base, new, prefix, suffix)
    found = _Comparison([], [], False)
    removed: dict[TablePath, int] = {}  # a touched header taken out -> by which change
    added: dict[TablePath, int] = {}
    for n, (tag, i1, i2, j1, j2) in enumerate(ops):
        if tag == "equal":
            continue
        for lines, start, end, outside, headers in (
            (base, i1, i2, found.outside_old, removed),
            (edited, j1, j2, found.outside_new, added),
        ):
            for i in range(start, end):
                if not _allowed(lines, i, touched):
                    outside.append(i)
                    continue
                kind, owner = lines.info(i)
                if kind == HEADER:
                    headers.setdefault(owner, n)
    found.moved = any(added.get(path, at) != at for path, at in removed.items())
    return found


def _merge(base: LineMap, pristine: list[str], new: list[str]) -> list[str] | None:
    """The text read with the edit's own changes: those from `pristine` (the text read as
    tomlkit writes it unedited) to `new` (edited), each made where its lines are in the
    text read. None when a change falls where tomlkit rewrote the text read itself."""
    newline = base.newline
    pristine_cmp, new_cmp = _comparable(pristine, newline), _comparable(new, newline)
    where: list[int | None] = [None] * len(pristine)
    for tag, i1, i2, j1, _ in _opcodes(base.compared, pristine_cmp)[0]:
        if tag == "equal":
            for k in range(i2 - i1):
                where[j1 + k] = i1 + k
    out: list[str] = []
    copied = 0  # lines read, up to here, are in `out`
    for tag, p1, p2, n1, n2 in _opcodes(pristine_cmp, new_cmp)[0]:
        if tag == "equal":
            continue
        if p2 > p1:
            span = where[p1:p2]
            first = span[0]
            if first is None or span != list(range(first, first + len(span))):
                return None
            start, end = first, first + len(span)
        else:  # lines added: after the line before them, else before the line after them
            before = where[p1 - 1] if p1 > 0 else -1
            after = where[p1] if p1 < len(where) else len(base)
            if before is not None:
                start = end = before + 1
            elif after is not None:
                start = end = after
            else:
                return None
        added = new[n1:n2]
        if p2 == p1 and start > copied:
            start, added = _place_table(base, start, copied, added)
            end = start
        if start < copied:
            return None
        out += base.lines[copied:start]
        out += added
        copied = end
    out += base.lines[copied:]
    for k in range(len(out) - 1):
        if not out[k].endswith("\n"):
            out[k] += newline  # the last line read, now followed by more
    return out


def _place_table(base: LineMap, start: int, low: int, added: list[str]) -> tuple[int, list[str]]:
    """Where lines that start a new table go in the text read, near line `start`: never
    between a header and the comment glued above it (that comment introduces it), and
    with the blank line that comes with them before the table, not after."""
    first = next((line for line in added if line.strip()), "")
    if not first.lstrip(" \t").startswith("["):
        return start, added
    if start >= len(base) or base.info(start)[0] != HEADER:
        return start, added
    k = start
    while k > low and base.info(k - 1)[0] == TRIVIA and base.lines[k - 1].strip():
        k -= 1
    if k == start:
        return start, added
    if added and not added[0].strip() and (k == 0 or not base.lines[k - 1].strip()):
        # One blank line between the new table and what was above it is already there.
        added = added[1:] if not added[-1].strip() else [*added[1:], added[0]]
    return k, added


def _same_values(a: str, b: str) -> bool:
    try:
        return bool(typed(tomllib.loads(a)) == typed(tomllib.loads(b)))
    except tomllib.TOMLDecodeError:
        return False


def _names(touched: Collection[TablePath]) -> str:
    names = [f"[{'.'.join(path)}]" for path in sorted(touched)]
    if len(names) > 3:
        names[3:] = [f"{len(names) - 3} more"]
    return ", ".join(names)


def _refusal(
    base: LineMap, found: _Comparison, touched: Collection[TablePath], name: str
) -> ConfigError:
    count = max(len(found.outside_old), len(found.outside_new), 1)
    lines = "1 line" if count == 1 else f"{count} lines"
    first = min(found.outside_old) + 1 if found.outside_old else None
    at = f" (from line {first})" if first else ""
    split = base.interleaved()
    if split is not None:
        array, between = split
        return ConfigError(
            f"{name} has interleaved {array} and {between} tables; editing it would move "
            f"{lines} outside {_names(touched)}{at}; nothing was written",
            f"make the change by hand, or write the {array} tables together",
        )
    return ConfigError(
        f"editing {name} would also change {lines} outside {_names(touched)}{at}; "
        "nothing was written",
        "make the change by hand",
    )


def plan(
    base: LineMap,
    text: str,
    touched: Collection[TablePath],
    name: str,
    pristine: Callable[[], str],
) -> Plan:
    """What to write for `text`, the edited document as tomlkit writes it, over `base`,
    the text read.

    `touched` names the tables the edits meant to change; `pristine` gives the text read
    as tomlkit writes it without an edit (asked for only when something looks moved);
    `name` is the file's, for the message when the edit is refused.
    """
    if text == base.text:
        return Plan(text)
    direct = _compare(base, text, touched)
    if not direct.outside_old and not direct.outside_new and not direct.moved:
        return Plan(text)
    original = pristine()
    if original == base.text:
        # tomlkit writes this file as it is: a table that moved, the edit moved itself.
        if direct.outside_old or direct.outside_new:
            return Plan(text, _refusal(base, direct, touched, name))
        return Plan(text)
    merged = _merge(base, split_lines(original), split_lines(text))
    if merged is not None:
        kept = "".join(merged)
        again = _compare(base, kept, touched)
        if not again.outside_old and not again.outside_new and _same_values(kept, text):
            return Plan(kept, spliced=True)
    return Plan(text, _refusal(base, direct, touched, name))
