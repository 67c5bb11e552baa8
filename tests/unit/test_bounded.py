"""backend.bounded: regular files only (never blocking, never through a link), size caps,
JSON nesting depth; file_lock, which opens its lock the same way; and the JSON files read
through it (credentials.json, Claude Code's)."""

from __future__ import annotations

import json
import os
import random
import stat
from pathlib import Path

import pytest

from backend.credentials import claude_code, stores
from backend.credentials.claude_code import ClaudeCodeError, read_claude_code
from backend.credentials.stores import FileStore
from backend.errors import CredentialStoreError, SealError
from backend.system.atomic import file_lock
from backend.system.bounded import (
    MAX_JSON_DEPTH,
    FileTooLarge,
    JSONTooDeep,
    NotRegularFile,
    json_depth,
    load_json,
    read_regular,
)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"1", 0),
        (b"[]", 1),
        (b'{"a": [[], [[]]]}', 4),
        (b'{"a": "[[[[{{"}', 1),  # brackets in a string nest nothing
        (b'["\\"[[[", "\\\\"]', 1),  # nor after an escaped quote or backslash
        (b"[[[", 3),  # unclosed: the parser would still descend
        (b"[" * 100_000, MAX_JSON_DEPTH + 1),  # counted only up to the limit
    ],
)
def test_json_depth(text: bytes, depth: int) -> None:
    assert json_depth(text) == depth


def _true_depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_true_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_true_depth(v) for v in value), default=0)
    return 0


def _random_json(rng: random.Random, depth: int) -> object:
    pick = rng.random()
    if depth == 0 or pick < 0.3:
        # Strings full of what could fool a scan: brackets, quotes, backslashes.
        return "".join(rng.choice('[]{}"\\ab') for _ in range(rng.randrange(6)))
    items = [_random_json(rng, depth - 1) for _ in range(rng.randrange(4))]
    if pick < 0.65:
        return items
    return {f"k{i}[": item for i, item in enumerate(items)}


def test_json_depth_matches_the_parsed_depth() -> None:
    rng = random.Random(11)
    for _ in range(500):
        value = _random_json(rng, rng.randrange(1, 9))
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5).encode()
        assert json_depth(text) == _true_depth(value), text


def test_load_json_refuses_deep_nesting_before_parsing() -> None:
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert load_json(ok) == json.loads(ok)
    for deep in ("[" * 100_000, "[" * 100_000 + "]" * 100_000, '{"a":' * 65 + "1" + "}" * 65):
        with pytest.raises(JSONTooDeep):
            load_json(deep)
    with pytest.raises(json.JSONDecodeError):
        load_json("[1,")


def _special(path: Path, kind: str, tmp_path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        (tmp_path / "real").write_text("{}")
        path.symlink_to(tmp_path / "real")
    elif kind == "dangling":
        path.symlink_to(tmp_path / "missing")
    elif kind == "device":
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    else:
        path.mkdir()


KINDS = {
    "fifo": "a FIFO (named pipe)",
    "symlink": "a symbolic link",
    "dangling": "a symbolic link",
    "device": "a character device",
    "directory": "a directory",
}


@pytest.mark.parametrize("kind", KINDS)
def test_read_regular_refuses_what_is_not_a_regular_file(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "file"
    _special(path, kind, tmp_path)
    with pytest.raises(NotRegularFile) as info:
        read_regular(path, 1024)
    assert info.value.kind == KINDS[kind]
    assert isinstance(info.value, OSError) and isinstance(info.value, SealError)
    assert str(info.value) == f"{path}: it is {KINDS[kind]}, not a regular file"


def test_read_regular_follows_a_link_only_when_asked(tmp_path: Path) -> None:
    (tmp_path / "real").write_bytes(b"data")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    found = read_regular(tmp_path / "link", 1024, follow_symlinks=True)
    assert found is not None and found.data == b"data"
    (tmp_path / "to-fifo").symlink_to(tmp_path / "fifo")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(NotRegularFile, match="FIFO"):
        read_regular(tmp_path / "to-fifo", 1024, follow_symlinks=True)


def test_read_regular_caps_the_size_and_runs_before_read_on_the_file(tmp_path: Path) -> None:
    path = tmp_path / "file"
    assert read_regular(path, 4) is None
    path.write_bytes(b"12345")
    with pytest.raises(FileTooLarge) as info:
        read_regular(path, 4)
    assert info.value.size == 5
    seen: list[int] = []
    found = read_regular(path, 5, before_read=lambda fd, st: seen.append(stat.S_IFMT(st.st_mode)))
    assert found is not None and found.data == b"12345"
    assert seen == [stat.S_IFREG]


@pytest.mark.parametrize("kind", KINDS)
def test_file_lock_refuses_a_lock_that_is_not_a_regular_file(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    _special(path, kind, tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(NotRegularFile), file_lock(path, timeout=0.1):
        pass
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no link target created


def test_file_lock_still_creates_a_missing_lock(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with file_lock(path, timeout=0.1):
        assert stat.S_ISREG(path.lstat().st_mode)
    assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"[" * 100_000, "is nested more than 64 levels deep"),
        (b"\xff{}", "is not UTF-8 text"),
        (b'{"a":\n  nope}', "is not valid JSON (line 2, column 3)"),
        # Past the limit of both files this test reads.
        (b" " * (max(stores.MAX_FILE_BYTES, claude_code.MAX_FILE_BYTES) + 1), "is larger than"),
    ],
    ids=["deep", "not-utf8", "not-json", "too-large"],
)
def test_json_files_say_what_is_wrong(content: bytes, what: str, isolated_env: Path) -> None:
    # credentials.json and Claude Code's file: the message names the file, then `what`.
    store_path = isolated_env / "credentials.json"
    store_path.write_bytes(content)
    with pytest.raises(CredentialStoreError, match="credentials file") as info:
        FileStore(store_path).list()
    assert what in info.value.message
    claude = isolated_env / ".claude" / ".credentials.json"
    claude.parent.mkdir()
    claude.write_bytes(content)
    with pytest.raises(ClaudeCodeError, match="Claude Code's credentials file") as found:
        read_claude_code({"HOME": str(isolated_env)})
    assert what in found.value.message
