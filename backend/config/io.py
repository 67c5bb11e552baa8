"""seal.toml on disk: where it is, reading it safely, and writing it under a lock.

Saving takes an exclusive lock on a hidden sibling (`.seal.toml.lock`), refuses when the
file changed since it was read, writes nothing when the bytes are the same, keeps the
bytes it replaces as `seal.toml.bak` (and the versions before as `.bak.1`, `.bak.2`: see
`backend.config.backups`), and replaces the file atomically, so a reader or a crash sees either
the old or the new file.

A seal.toml that is a symbolic link is written through only to a target the person has
seen or named (`write_target`): the link comes with the repository and may point
anywhere (a shell start-up file, another project's config).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import ParseError, TOMLKitError
from tomlkit.toml_document import TOMLDocument

from backend.config import backups
from backend.config.text import position, toml11, wide_encoding
from backend.errors import ConfigConflictError, ConfigError, ConfigLockedError, ConfigParseError
from backend.system.atomic import LockTimeout, atomic_write, file_lock, remove_stale_temps
from backend.system.bounded import FileTooLarge, NotRegularFile, read_regular
from backend.system.shell import join

MAX_CONFIG_BYTES = 2 * 1024 * 1024
_STDLIB_POSITION_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
_POSITION_RE = re.compile(r"\s*(?:\(at line \d+, column \d+\)|at line \d+ col \d+)\s*$")
_PARSE_HINT = "fix the file by hand; seal-setup never overwrites a file it cannot read"


@dataclass
class SaveResult:
    """What a save did: the file written, the version it replaced (None for a new file or
    when nothing was written), whether it is new, the older versions kept, and whether
    anything was written at all (not when the bytes were already on disk)."""

    path: Path
    backup: Path | None
    created: bool
    older: tuple[Path, ...] = ()
    written: bool = True


@dataclass(frozen=True)
class ConfigLink:
    """seal.toml is a symbolic link: the file a write really changes."""

    path: Path  # the link, as named
    target: Path  # the file it ends at, every link on the way followed
    inside: bool  # the target lies in the folder holding the link (or below it)

    def describe(self) -> str:
        """`seal.toml → /real/path/seal.toml (a symlink)`."""
        return f"{self.path.name} → {self.target} (a symlink)"


def config_link(path: Path) -> ConfigLink | None:
    """The link `path` is, or None for a plain file (or nothing) there."""
    try:
        if not path.is_symlink():
            return None
    except (OSError, ValueError):
        return None
    target = Path(os.path.realpath(path))
    folder = Path(os.path.realpath(path.parent))
    return ConfigLink(path, target, target.is_relative_to(folder))


def _name_it(target: Path) -> str:
    return f"to write that file, name it: {join(['--config', str(target)])}"


def checked_link(path: Path) -> Path | None:
    """Without a person to show it to (non-interactive): the target of a link that stays
    in its folder, None for a plain file; a link leaving the folder is a ConfigError."""
    link = config_link(path)
    if link is None:
        return None
    if not link.inside:
        raise ConfigError(
            f"{path} is a symbolic link to {link.target}, outside the project's folder "
            f"{Path(os.path.realpath(path.parent))}; nothing was written",
            _name_it(link.target),
        )
    return link.target


def write_target(path: Path, shown: Path | None) -> Path:
    """The file saving `path` writes: `path` itself, or the target of the link it is when
    that target is `shown` (the one Review showed, or `checked_link` allowed). Any other
    link (none shown, or re-pointed since) is a ConfigError: nothing is written."""
    link = config_link(path)
    if link is None:
        return path
    if shown is not None and link.target == shown:
        return link.target
    why = "it now points elsewhere than shown" if shown is not None else "it was not shown"
    raise ConfigError(
        f"refusing to write {path}: it is a symbolic link to {link.target} ({why}); "
        "nothing was written",
        _name_it(link.target),
    )


def lock_path(path: Path) -> Path:
    """The hidden lock file next to the config (`.seal.toml.lock`)."""
    return path.with_name(f".{path.name}.lock")


def read_config_bytes(path: Path) -> bytes | None:
    """The file's bytes, None when it does not exist; ConfigError when it cannot be read.

    Only a regular file (or a symlink to one) is read: a FIFO would block and a device
    such as /dev/null would be replaced by the atomic save.
    """
    try:
        found = read_regular(path, MAX_CONFIG_BYTES, follow_symlinks=True)
    except ValueError:  # an embedded NUL byte
        raise ConfigError(
            f"cannot read {str(path)!r}: a path cannot contain a NUL byte", "check --config"
        ) from None
    except NotRegularFile as exc:
        if exc.kind == "a directory":
            raise ConfigError(
                f"cannot read {path}: it is a directory", "pass the path of a file"
            ) from None
        raise ConfigError(
            f"cannot use {path}: it is not a regular file but {exc.kind}",
            "pass the path of a seal.toml file",
        ) from None
    except FileTooLarge as exc:
        if exc.size is None:
            raise ConfigError(
                f"cannot read {path}: it grew past {MAX_CONFIG_BYTES} bytes"
            ) from None
        raise ConfigError(
            f"cannot read {path}: it is {exc.size} bytes, more than a seal.toml should be "
            f"({MAX_CONFIG_BYTES} bytes at most)",
            "check that --config points at the right file",
        ) from None
    except PermissionError as exc:
        raise ConfigError(
            f"cannot read {path}: {exc.strerror or exc}", "check the file's permissions"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if found is None:
        if path.is_symlink():
            raise ConfigError(
                f"cannot read {path}: it is a symbolic link to {os.readlink(path)}, "
                "which does not exist",
                "fix or remove the link",
            )
        return None
    return found.data


def decode_config(data: bytes, path: Path) -> str:
    """UTF-8 text of the file; anything else is a ConfigError that names what it is and
    where: UTF-16 or UTF-32 text (with the command that converts it), a NUL byte, a byte
    that is not UTF-8."""
    wide = wide_encoding(data)
    if wide is not None:
        converted = path.with_name(path.name + ".utf8")
        command = join(["iconv", "-f", wide.name, "-t", "UTF-8", str(path)])
        raise ConfigError(
            f"cannot read {path}: it is {wide.describe()}, but seal.toml must be UTF-8",
            f"convert it: {command} > {join([str(converted)])} && "
            f"{join(['mv', str(converted), str(path)])}",
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, col = position(data, nul)
        raise ConfigError(
            f"cannot read {path}: it holds a NUL byte at line {line}, column {col}, which "
            "TOML text cannot (is it a binary file?)",
            "remove that byte, or check that --config points at the right file",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = position(data, exc.start)
        raise ConfigError(
            f"cannot read {path}: not UTF-8 text at line {line}, column {col} "
            f"(byte 0x{data[exc.start]:02x})",
            "save the file as UTF-8",
        ) from None


def read_toml(text: str, path: Path) -> tuple[dict[str, Any], TOMLDocument]:
    """Check `text` (strict TOML 1.0, as the runtime reads it) and parse it with tomlkit.

    Returns the stdlib parser's values, which reuse that check's work, with the document.
    """
    return check_toml(text, path), parse_tomlkit(text, path)


def check_toml(text: str, path: Path) -> dict[str, Any]:
    """Parse with the stdlib parser; a syntax error names the 1-based line and column,
    and the TOML 1.1 construct found there, if any.

    It is strict TOML 1.0 (as the runtime reads it) and reports 1-based positions;
    tomlkit accepts some files it refuses, and its own columns are 0-based.
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _STDLIB_POSITION_RE.search(str(exc))
        line, col = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
        detail = _POSITION_RE.sub("", str(exc))
        where = f"line {line}, column {col}" if found else "syntax error"
        lines = text.split("\n")
        if not found and "(at end of document)" in detail:
            # e.g. an unclosed array: the position is the end of the file.
            line, col = len(lines), len(lines[-1]) + 1
            detail = detail.replace(" (at end of document)", "")
            where = f"line {line}, column {col} (end of file)"
        hint = _PARSE_HINT
        newer = None
        if found and 0 < line <= len(lines):
            following = "\n".join(lines[line:])
            newer = toml11(lines[line - 1].removesuffix("\r"), col, following)
        if newer is not None:
            detail += f"; this is TOML 1.1 syntax ({newer.construct}), and Seal reads TOML 1.0 only"
            hint = f"{newer.fix}; seal-setup never overwrites a file it cannot read"
        raise ConfigParseError(f"{path.name} {where}: {detail}", hint, line=line, col=col) from None


def parse_tomlkit(text: str, path: Path) -> TOMLDocument:
    """Parse with tomlkit alone: for text `check_toml` already accepted."""
    try:
        return tomlkit.parse(text)
    except ParseError as exc:
        detail = _POSITION_RE.sub("", str(exc))
        raise ConfigParseError(
            f"{path.name} line {exc.line}, column {exc.col + 1}: {detail}",
            _PARSE_HINT,
            line=exc.line,
            col=exc.col + 1,
        ) from None
    except (TOMLKitError, ValueError) as exc:
        raise ConfigParseError(f"{path.name}: {exc}", _PARSE_HINT) from None


def check_written_text(text: str, path: Path) -> dict[str, Any]:
    """Refuse to write a document that would not read back (a bug, never the user's);
    its values as the runtime will read them."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"refusing to write {path}: the edited document is not valid TOML ({exc})",
            "nothing was written; please report this",
        ) from None


def save_bytes(
    path: Path,
    data: bytes,
    expected: bytes | None,
    *,
    lock_timeout: float,
    link_target: Path | None = None,
) -> SaveResult:
    """Write `data` to `path` if the file still holds `expected` (None: still absent).

    A symlinked seal.toml is written through when its target is `link_target` (see
    `write_target`): the target is replaced (and its versions kept next to it), never the
    link. Bytes equal to those on disk write nothing (no backup either).
    """
    path = write_target(path, link_target)
    folder = path.parent
    newest = backups.slots(path)[0]
    try:
        with file_lock(lock_path(path), timeout=lock_timeout):
            # Under the lock no other writer is mid-save: every temp is a killed writer's.
            remove_stale_temps(folder, path.name, older_than=0)
            remove_stale_temps(folder, newest.name, older_than=0)
            if path.exists() and not path.is_file():
                # os.replace would swap a device (/dev/null) or a folder for a plain file.
                raise ConfigError(f"refusing to write {path}: it is not a regular file")
            try:
                current: bytes | None = path.read_bytes()
            except FileNotFoundError:
                current = None
            except OSError as exc:
                raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
            if current != expected:
                what = (
                    "was created"
                    if expected is None
                    else "was deleted"
                    if current is None
                    else "changed"
                )
                raise ConfigConflictError(
                    f"{path} {what} on disk since it was read; nothing was written",
                    "reload it and apply the changes again",
                )
            if current == data:
                return SaveResult(path=path, backup=None, created=False, written=False)
            kept: backups.Kept | None = None
            if current is not None:
                mode = path.stat().st_mode & 0o7777
                kept = _keep_previous(path, current, mode)
                atomic_write(path, data, mode)
            else:
                atomic_write(path, data, 0o644)
    except LockTimeout:
        raise ConfigLockedError(
            f"{path} is being written by another program (lock {lock_path(path).name} held "
            f"for more than {lock_timeout:g} s); nothing was written",
            "close the other seal-setup and try again",
        ) from None
    except NotRegularFile as exc:  # the lock: seal.toml itself is checked under it
        raise ConfigError(
            f"cannot write {path}: its lock file {exc.path.name} is {exc.kind}, not a regular "
            "file; nothing was written",
            f"remove {exc.path} (it holds no data) and try again",
        ) from None
    except OSError as exc:  # no permission, folder gone, disk full, read-only file system
        raise ConfigError(
            f"cannot write {path}: {exc.strerror or exc}", "nothing was written"
        ) from None
    if kept is None:
        return SaveResult(path=path, backup=None, created=True)
    return SaveResult(path=path, backup=kept.newest, created=False, older=kept.older)


def _keep_previous(path: Path, current: bytes, mode: int) -> backups.Kept:
    """backups.keep_previous; a kept version's name taken by a link, FIFO, folder or
    device is a ConfigError before anything is written."""
    try:
        return backups.keep_previous(path, current, mode)
    except NotRegularFile as exc:
        raise ConfigError(
            f"refusing to write {path}: {exc.path.name}, where its previous version is "
            f"kept, is {exc.kind}, not a regular file; nothing was written",
            f"move {exc.path} aside or remove it: seal-setup keeps its backups there as "
            "plain files",
        ) from None
