"""The line guard: which table each line is in, and what an edit may change."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from backend.config.guard import HEADER, KEY, MORE, TRIVIA, LineMap, plan, split_lines, typed
from tests.unit.test_config_corpus import CORPUS

TRICKY = """\
# top
title = "x"
[model]
notes = \"\"\"
[not.a.table]
name = "inside"
\"\"\"
path = '''
[also.not]
'''
q = \"\"\"a ""\"\"\"
list = [
  [1, 2],  # [comment]
  "[y]",
]
"a.b" = 1
inline = { x = "[z]", y = [
  1] }

# about agents
[agents . "re search" . model]
name = "opus"
dotted.key = 2

[[language]]
name = "rust"
"""

EXPECTED: list[tuple[str, tuple[str, ...]]] = [
    (TRIVIA, ()),
    (KEY, ("title",)),
    (HEADER, ("model",)),
    (KEY, ("model", "notes")),
    (MORE, ("model", "notes")),
    (MORE, ("model", "notes")),
    (MORE, ("model", "notes")),
    (KEY, ("model", "path")),
    (MORE, ("model", "path")),
    (MORE, ("model", "path")),
    (KEY, ("model", "q")),
    (KEY, ("model", "list")),
    (MORE, ("model", "list")),
    (MORE, ("model", "list")),
    (MORE, ("model", "list")),
    (KEY, ("model", "a.b")),
    (KEY, ("model", "inline")),
    (MORE, ("model", "inline")),
    (TRIVIA, ("model",)),
    (TRIVIA, ("model",)),
    (HEADER, ("agents", "re search", "model")),
    (KEY, ("agents", "re search", "model", "name")),
    (KEY, ("agents", "re search", "model", "dotted", "key")),
    (TRIVIA, ("agents", "re search", "model")),
    (HEADER, ("language",)),
    (KEY, ("language", "name")),
]


def test_each_line_is_placed_in_its_table() -> None:
    lines = LineMap(TRICKY)
    assert [lines.info(i) for i in range(len(lines))] == EXPECTED
    crlf = LineMap(TRICKY.replace("\n", "\r\n"))
    assert [crlf.info(i) for i in range(len(crlf))] == EXPECTED


def test_lines_split_only_at_newlines() -> None:
    text = 'a = "x\u2028y"\r\nb = "\x0c"\n'
    assert split_lines(text) == ['a = "x\u2028y"\r\n', 'b = "\x0c"\n']
    assert split_lines("a = 1") == ["a = 1"]


def _at(values: Any, path: tuple[str, ...]) -> bool:
    for part in path:
        if isinstance(values, list):
            values = values[-1]  # an array of tables: its elements share their keys
        if not isinstance(values, dict) or part not in values:
            return False
        values = values[part]
    return True


@pytest.mark.parametrize("source", CORPUS, ids=[p.name for p in CORPUS])
def test_every_header_and_key_names_a_real_table(source) -> None:
    """Checked against the stdlib parser: each header and key line's path exists."""
    text = source.read_text(encoding="utf-8")
    values = tomllib.loads(text)
    lines = LineMap(text)
    for i in range(len(lines)):
        kind, owner = lines.info(i)
        if kind in (HEADER, KEY):
            assert _at(values, owner), (i + 1, lines.lines[i], owner)


def test_interleaved_arrays_are_named() -> None:
    text = "[[language]]\nn = 1\n[language.config]\nx = 1\n[[grammar]]\n[[language]]\nn = 2\n"
    assert LineMap(text).interleaved() == ("[[language]]", "[[grammar]]")
    grouped = "[[language]]\n[language.config]\n[[language]]\n[[grammar]]\n[[grammar]]\n"
    assert LineMap(grouped).interleaved() is None
    table = "[[a]]\n[b]\n[[a]]\n"
    assert LineMap(table).interleaved() == ("[[a]]", "[b]")


def test_typed_tells_apart_what_toml_does() -> None:
    assert typed(1) != typed(1.0) != typed(True)
    assert typed(0.0) != typed(-0.0)
    assert typed(float("nan")) == typed(float("nan"))
    assert typed({"a": [float("inf")]}) == typed({"a": [float("inf")]})


BASE = '[model]\nname = "opus"\n\n[tool]\n# keep me\nx = 1\n'
NEVER = "pristine text not needed"


def _never() -> str:
    raise AssertionError(NEVER)


def test_an_edit_inside_its_table_is_written_as_is() -> None:
    edited = BASE.replace('"opus"', '"sonnet"')
    assert plan(LineMap(BASE), edited, {("model",)}, "seal.toml", _never).text == edited
    added = BASE.replace("\n\n[tool]", "\nmax_tokens = 5\n\n[tool]")
    assert plan(LineMap(BASE), added, {("model",)}, "seal.toml", _never).text == added


def test_a_change_outside_the_tables_touched_is_refused() -> None:
    edited = BASE.replace('"opus"', '"sonnet"').replace("# keep me", "# moved")
    found = plan(LineMap(BASE), edited, {("model",)}, "seal.toml", lambda: BASE)
    assert found.problem is not None
    assert "would also change 1 line outside [model] (from line 5)" in found.problem.message
    assert "nothing was written" in found.problem.message


def test_a_table_that_moves_past_others_goes_back_to_its_place() -> None:
    base = '[model]\nname = "opus"\n\n[tool]\nx = 1\n'
    moved = '[tool]\nx = 1\n\n[model]\nname = "sonnet"\n'
    # tomlkit writes the text read unedited in another order: the edit goes where the
    # table is in the text read.
    unedited = moved.replace("sonnet", "opus")
    found = plan(LineMap(base), moved, {("model",)}, "seal.toml", lambda: unedited)
    assert found.spliced and found.text == base.replace("opus", "sonnet")
    # When it writes the text read as it is, the edits themselves moved it (an agent
    # removed and added again): that is theirs to do.
    found = plan(LineMap(base), moved, {("model",)}, "seal.toml", lambda: base)
    assert found.problem is None and found.text == moved


def test_a_last_line_without_newline_is_kept_or_ended() -> None:
    base = "[tool]\nx = 1"
    grown = '[tool]\nx = 1\n\n[model]\nname = "opus"\n'
    assert plan(LineMap(base), grown, {("model",)}, "seal.toml", _never).text == grown
