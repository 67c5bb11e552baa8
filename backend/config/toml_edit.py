"""Comment-keeping edits of a TOML document by table path: tomlkit's syntax, our placement.

tomlkit appends a new key after the comments that introduce the next section, so keys
are inserted here right after their last sibling, and new tables go after their parent's
keys with blank lines around them; a removed table leaves the comments that introduce
the next section where they were. A table may be written in pieces (`Frag`): every lookup
collects all of them. Nothing here knows what seal.toml means (`backend.config.document`).

tomlkit has no public API for placement, so this module uses its internals: a
Container's `_map`, `_raw_append`, `_insert_at` and `_remove_at`, the dict underneath it,
`Table._is_super_table`, `SingleKey._dotted` and `Whitespace._s`. Every such use is in this
module and nowhere else; tomlkit is pinned to the versions they were tested with
(pyproject.toml), and the corpus tests (tests/unit/config_corpus/) guard them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

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

from backend.config.guard import TablePath, typed
from backend.errors import ConfigError


def _is_header_table(key: Key | None, item: Item) -> bool:
    """True for items that render as their own `[section]` (they end the key area)."""
    if isinstance(item, AoT):
        return True
    return isinstance(item, Table) and not (key is not None and key.is_dotted())


def plain_value(item: Any) -> Any:
    """A tomlkit item as a plain Python value; anything else as it is."""
    return item.unwrap() if isinstance(item, Item) else item


def _merge_into(into: dict[str, Any], more: dict[str, Any]) -> None:
    """Add a table fragment's values to the table's (TOML lets a table be written in pieces)."""
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge_into(into[key], value)
        else:
            into[key] = value


@dataclass
class Frag:
    """One piece of a table as written: a `[header]`, an inline table or a dotted-key group.

    TOML lets one table be spread over several pieces (out-of-order headers, dotted keys),
    so every lookup collects all of them.
    """

    item: Table | InlineTable | None  # None is the document root
    container: Container
    parent: Frag | None
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


def _glued_comments(frag: Frag) -> list[Item]:
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


def _slot_before(frag: Frag, index: int) -> tuple[Container, int]:
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


def _follows(frag: Frag, idx: int) -> bool:
    """Whether a `[section]` is rendered after position `idx` of `frag`'s body."""
    node: Frag | None = frag
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


def _forget_display_names(item: Item) -> None:
    """Headers are re-derived from the keys after a rename."""
    if isinstance(item, Table):
        item.display_name = None
        for _, child in item.value.body:
            _forget_display_names(child)


def render(doc: TOMLDocument, crlf: bool) -> str:
    """The document as tomlkit writes it, with CRLF line ends when `crlf`."""
    out = tomlkit.dumps(doc)
    if crlf:
        out = re.sub(r"(?<!\r)\n", "\r\n", out)
    return out


def items_of(frags: list[Frag]) -> dict[str, Any]:
    """The items of a table's pieces, sub-tables left out; tomlkit's own objects."""
    out: dict[str, Any] = {}
    for frag in frags:
        for k, v in frag.container.body:
            if k is None or isinstance(v, (Table, InlineTable, AoT)):
                continue
            out[k.key] = v
    return out


def scalars_of(frags: list[Frag]) -> dict[str, Any]:
    """The values of a table's pieces, sub-tables left out; plain Python values."""
    return {key: plain_value(item) for key, item in items_of(frags).items()}


class TomlEditor:
    """Reads and edits one tomlkit document by table path, keeping every comment.

    `file_name` names the file in the message when a path runs into a value that is not
    a table. A new `[section]` goes at the end of its parent, after the parent's keys and
    sub-tables; `first_table`, when it is created, goes before the first section instead.
    """

    def __init__(
        self, doc: TOMLDocument, file_name: str, *, first_table: TablePath | None = None
    ) -> None:
        self.doc = doc
        self.file_name = file_name
        self.first_table = first_table

    def render(self, crlf: bool) -> str:
        return render(self.doc, crlf)

    # ----- reading ---------------------------------------------------------------------------

    def resolve(self, path: TablePath) -> list[Frag]:
        """Every piece of the table at `path`; [] when there is none."""
        return self.resolve_from([Frag(None, self.doc, None, 0, False)], path, ())

    def resolve_from(self, frags: list[Frag], path: TablePath, prefix: TablePath) -> list[Frag]:
        """Walk `path` down from `frags` (already at `prefix`): every fragment of the table."""
        for depth, seg in enumerate(path):
            found: list[Frag] = []
            for frag in frags:
                for i, (k, v) in enumerate(frag.container.body):
                    if k is None or k.key != seg:
                        continue
                    if isinstance(v, (Table, InlineTable)) and not (
                        isinstance(v, Table) and v.is_aot_element()
                    ):
                        found.append(Frag(v, v.value, frag, i, k.is_dotted()))
                    else:
                        where = ".".join((*prefix, *path[: depth + 1]))
                        what = "an array of tables" if isinstance(v, AoT) else type(v).__name__
                        raise ConfigError(
                            f"{self.file_name}: [{where}] must be a table, found {what}",
                            f"fix {where} by hand: it should be a [{where}] section",
                        )
            frags = found
            if not frags:
                return []
        return frags

    def sub_tables(self, path: TablePath, only: str | None = None) -> dict[str, list[Frag]]:
        """The tables right under `path` (arrays of tables left out), by name, in file
        order; `only` limits it to that name (the others are not walked)."""
        tables: dict[str, list[Frag]] = {}
        for frag in self.resolve(path):
            for i, (k, v) in enumerate(frag.container.body):
                if k is None or not isinstance(v, (Table, InlineTable)):
                    continue
                if (only is not None and k.key != only) or (
                    isinstance(v, Table) and v.is_aot_element()
                ):
                    continue
                tables.setdefault(k.key, []).append(Frag(v, v.value, frag, i, k.is_dotted()))
        return tables

    def scalars(self, path: TablePath) -> dict[str, Any]:
        return scalars_of(self.resolve(path))

    def values(self, path: TablePath) -> dict[str, Any] | None:
        """The table's values with its sub-tables (all pieces merged); None: no such table."""
        frags = self.resolve(path)
        if not frags:
            return None
        values: dict[str, Any] = {}
        for frag in frags:
            if frag.item is not None:
                _merge_into(values, frag.item.unwrap())
        return values

    # ----- editing ---------------------------------------------------------------------------

    def set_scalar(self, path: TablePath, key: str, value: Any) -> None:
        """Set `key` in table `path` (created where it belongs when missing), keeping how
        an equal value is written and the comments inside an array."""
        for frag in self.resolve(path):
            for k, v in frag.container.body:
                if k is None or k.key != key or isinstance(v, (Table, InlineTable, AoT)):
                    continue
                if typed(plain_value(v)) == typed(value):
                    return  # keep the way it is written (quotes, spacing)
                if isinstance(v, Array) and isinstance(value, list):
                    _edit_array(v, [str(x) for x in value])
                    return
                frag.container[k] = value
                return
        frag = self.ensure(path)
        if frag.item is not None and frag.kind == "inline":
            frag.item[key] = value
            return
        item = tomlkit.item(value)
        _body_insert(frag.container, _last_key_index(frag.container), SingleKey(key), item)

    def remove_scalar(self, path: TablePath, key: str) -> None:
        for frag in self.resolve(path):
            for k, v in frag.container.body:
                if k is not None and k.key == key and not isinstance(v, (Table, InlineTable)):
                    frag.container.remove(k)
                    return

    def drop_empty(self, path: TablePath) -> None:
        """Remove every piece of table `path` that holds no key and no table any more."""
        while True:
            blank = next(
                (
                    f
                    for f in self.resolve(path)
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

    def remove_key(self, path: TablePath, key: str) -> None:
        """Remove `key` (a value or a table, every piece of it) from table `path`."""
        # One piece at a time, resolving again each round: removing and rescuing
        # comments shifts the positions the next round relies on.
        while True:
            found = next(
                (
                    (frag, i, v)
                    for frag in self.resolve(path)
                    for i, (k, v) in enumerate(frag.container.body)
                    if k is not None and k.key == key
                ),
                None,
            )
            if found is None:
                break
            frag, index, item = found
            self._rescue_comments(frag, index, item)
            index = next(i for i, (_, v) in enumerate(frag.container.body) if v is item)
            frag.container._remove_at(index)

    def remove_blank(self, path: TablePath) -> None:
        """Remove every piece of table `path` that holds only blank lines."""
        while True:
            blank = next(
                (f for f in self.resolve(path) if f.parent and _is_blank(f.container)),
                None,
            )
            if blank is None or blank.parent is None:
                break
            blank.parent.container._remove_at(blank.index)

    def rename_key(self, path: TablePath, old: str, new: str) -> None:
        """Rename `old` in table `path` to `new`, with all its keys and tables."""
        for frag in self.resolve(path):
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

    def ensure(self, path: TablePath) -> Frag:
        """The piece of table `path` to add keys to, creating the table where it belongs."""
        frags = self.resolve(path)
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
        while depth > 0 and not self.resolve(path[:depth]):
            depth -= 1
        parents = self.resolve(path[:depth]) if depth else self.resolve(())
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
                first = path == self.first_table
                self._insert_table(parent, missing[0], node, leaf, before_sections=first)
        found = self.resolve(path)
        return min(found, key=lambda f: _RANK[f.kind])

    def _insert_table(
        self, parent: Frag, name: str, top: Table, leaf: Table, *, before_sections: bool
    ) -> None:
        """Insert a new `[section]` (`top`, whose deepest table is `leaf`) into `parent`.

        It goes after the parent's keys and sub-tables; comments and blank lines that sit
        between the previous section's last key and the next header belong to the next
        section, so they move below the new table and stay right above that header.
        """
        container = parent.container
        if before_sections:
            # `first_table` (seal.toml's [model]): above the other sections.
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

    def _rescue_comments(self, frag: Frag, index: int, item: Item) -> None:
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
