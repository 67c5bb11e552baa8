"""Bounded reads of untrusted input: files that must be regular files, and JSON.

Files on disk are untrusted (DESIGN §8). Where seal expects a regular file, a FIFO would
block a read forever, a device could be read from or replaced, and a symbolic link could
aim a read, a chmod or a create at some other file. `open_regular` refuses all of them
before a byte is read (lstat first, so such a file is normally not even opened; then
O_NONBLOCK|O_NOFOLLOW and fstat on what was opened, so a swap in between changes nothing).
`read_regular` also caps the size. `load_json` refuses JSON nested deeper than any real
answer or file, instead of letting the parser raise RecursionError.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.errors import SealError

# Real provider answers and seal's files nest 6 levels at most.
MAX_JSON_DEPTH = 64

_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words: `a FIFO (named pipe)`, `a directory`…"""
    return next((name for test, name in _KINDS if test(mode)), "a special file")


class FileRefused(OSError, SealError):
    """A file seal will not read as it is. An OSError, so code that handles file errors
    handles it; a SealError, so anywhere else it is still a message with a hint, never a
    traceback. Callers that know what the file is for say so in their own words."""

    def __init__(self, path: Path, code: int, strerror: str, hint: str) -> None:
        OSError.__init__(self, code, strerror)
        self.path = path
        self.message = f"{path}: {strerror}"
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class NotRegularFile(FileRefused):
    """A symlink, directory, FIFO, device or socket where a regular file belongs."""

    def __init__(self, path: Path, kind: str) -> None:
        hint = "move it aside or remove it: seal-setup uses only a regular file there"
        super().__init__(path, errno.EINVAL, f"it is {kind}, not a regular file", hint)
        self.kind = kind


class FileTooLarge(FileRefused):
    """A file is larger than anything seal keeps there could be."""

    def __init__(self, path: Path, limit: int, size: int | None = None) -> None:
        said = f"{size} bytes" if size is not None else f"more than {limit} bytes"
        strerror = f"it is {said}, more than the {limit} expected"
        super().__init__(path, errno.EFBIG, strerror, "check that it is the right file")
        self.limit = limit
        self.size = size


def open_regular(
    path: Path,
    flags: int = os.O_RDONLY,
    *,
    follow_symlinks: bool = False,
    mode: int = 0o600,
) -> int:
    """`os.open(path, flags)` for a regular file only; NotRegularFile otherwise.

    Never blocks on a FIFO, never opens through a symbolic link unless `follow_symlinks`
    (and with O_CREAT never creates a link's target). Raises FileNotFoundError as
    os.open does. The caller closes the returned descriptor.
    """
    try:
        info: os.stat_result | None = os.stat(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        info = None  # maybe created by O_CREAT; os.open says if not
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(path, kind_of(info.st_mode))
    extra = os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    if not follow_symlinks:
        extra |= os.O_NOFOLLOW
    try:
        fd = os.open(path, flags | extra, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow_symlinks:
            raise NotRegularFile(path, "a symbolic link") from None
        raise
    try:
        opened = os.fstat(fd).st_mode
        if not stat.S_ISREG(opened):
            raise NotRegularFile(path, kind_of(opened))
    except BaseException:
        os.close(fd)
        raise
    return fd


@dataclass(frozen=True)
class FileBytes:
    """A regular file's bytes and its fstat at the time they were read."""

    data: bytes
    stat: os.stat_result


def read_regular(
    path: Path,
    max_bytes: int,
    *,
    follow_symlinks: bool = False,
    before_read: Callable[[int, os.stat_result], None] | None = None,
) -> FileBytes | None:
    """The bytes of the regular file at `path`, None when there is none.

    NotRegularFile for anything else, FileTooLarge past `max_bytes`; other OSErrors as
    os.open raises them. `before_read(fd, stat)` runs on the opened file first (e.g. an
    fchmod: it acts on this very file, never on a link's target).
    """
    try:
        fd = open_regular(path, follow_symlinks=follow_symlinks)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if info.st_size > max_bytes:
            raise FileTooLarge(path, max_bytes, info.st_size)
        if before_read is not None:
            before_read(fd, info)
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(path, max_bytes)  # it grew while being read
    return FileBytes(data, info)


# --- JSON -------------------------------------------------------------------------------

# Deleted from the text: all but quotes and brackets.
_NOT_MARKS = bytes(b for b in range(256) if b not in b'"[]{}')
_SQUARE = bytes.maketrans(b"{}", b"[]")


class JSONTooDeep(ValueError):
    """JSON nested deeper than MAX_JSON_DEPTH."""


def json_depth(data: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply arrays and objects nest in JSON text, counted up to `limit` + 1.

    Brackets inside strings nest nothing. Escapes occur only inside strings, so once the
    escaped backslashes and quotes are gone every quote opens or closes one: the brackets
    between them go, those outside stay. Each pass then removes the innermost pairs.
    Brackets left unmatched (text that is not JSON) count as levels too: the parser
    descends into them before it fails, and it fails at the first stray backslash,
    before anything this could miscount.
    """
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = data.translate(None, _NOT_MARKS)
    brackets = b"".join(marks.split(b'"')[::2]).translate(_SQUARE)
    depth = 0
    while depth <= limit:
        inner = brackets.replace(b"[]", b"")
        if len(inner) == len(brackets):
            break
        brackets, depth = inner, depth + 1
    return min(limit + 1, depth + brackets.count(b"["))


def load_json(data: bytes | str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """json.loads, but JSONTooDeep (a ValueError) past `max_depth` levels of nesting.

    Checked before parsing: the parser recurses once per level, and a value that deep
    would also break whatever formats it later. Other errors are json.loads' own.
    """
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    if raw.count(b"[") + raw.count(b"{") > max_depth and json_depth(raw, max_depth) > max_depth:
        raise JSONTooDeep(f"JSON nested more than {max_depth} levels deep")
    return json.loads(data)


class BadJSONFile(ValueError):
    """A file's bytes are not the JSON expected; `what` says how, to follow its name:
    "is not UTF-8 text", "is not valid JSON (line 3, column 5)"…"""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def read_json_file(
    path: Path,
    max_bytes: int,
    *,
    before_read: Callable[[int, os.stat_result], None] | None = None,
) -> tuple[Any, os.stat_result] | None:
    """The JSON in the regular file at `path` and its stat; None when there is none.

    NotRegularFile as read_regular; BadJSONFile when it is too large, not UTF-8, not
    JSON, or nested too deep. The message never quotes the file's text (it may hold
    secrets): line and column are all it says.
    """
    try:
        found = read_regular(path, max_bytes, before_read=before_read)
    except FileTooLarge:
        raise BadJSONFile(f"is larger than {max_bytes} bytes, more than it can be") from None
    if found is None:
        return None
    return parse_json_bytes(found.data, max_bytes), found.stat


def parse_json_bytes(data: bytes, max_bytes: int) -> Any:
    """The JSON in `data` (a file's bytes, or a command's output), checked as a file is.

    BadJSONFile when it is larger than `max_bytes`, not UTF-8, not JSON, or nested too
    deep; the message never quotes the text (it may hold secrets).
    """
    if len(data) > max_bytes:
        raise BadJSONFile(f"is larger than {max_bytes} bytes, more than it can be")
    try:
        return load_json(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadJSONFile("is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadJSONFile(f"is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    except JSONTooDeep:
        raise BadJSONFile(f"is nested more than {MAX_JSON_DEPTH} levels deep") from None
