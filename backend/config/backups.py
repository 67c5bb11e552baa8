"""The previous versions of seal.toml: `seal.toml.bak` (the newest), `.bak.1`, `.bak.2`.

They sit next to the file, so `ls` shows them and `cp seal.toml.bak seal.toml` restores
the version before the last write; `.bak.1` is the one before that, `.bak.2` the oldest
kept. Each write that changes the file keeps the bytes it replaces: the kept versions
move one place down (the oldest goes) and the replaced bytes become `seal.toml.bak`.
A write that changes nothing keeps nothing, and bytes already in `seal.toml.bak` (say,
after restoring it) are not kept twice, so the versions before them are not pushed out.

A name that should hold a version but is a symbolic link, FIFO, directory or device
stops the write (`NotRegularFile`): nothing is written through a link, opened on a FIFO,
or moved over something seal-setup did not put there. The caller holds the seal.toml
lock; a kill at any moment leaves every kept name holding a whole version, and the
version being replaced in `seal.toml.bak` or in `seal.toml` itself.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backend.system.atomic import atomic_write
from backend.system.bounded import FileTooLarge, NotRegularFile, kind_of, read_regular

KEEP = 3  # versions kept: seal.toml.bak, .bak.1, .bak.2


def slots(path: Path) -> list[Path]:
    """The names of the kept versions of `path`, newest first."""
    newest = path.with_name(path.name + ".bak")
    return [newest] + [path.with_name(f"{newest.name}.{i}") for i in range(1, KEEP)]


@dataclass(frozen=True)
class Kept:
    """After a write: the version it replaced, and the older ones still kept."""

    newest: Path
    older: tuple[Path, ...]


def _existing(slot: Path) -> os.stat_result | None:
    """lstat of a slot; None when absent; NotRegularFile when it is not a plain file."""
    try:
        info = os.lstat(slot)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise NotRegularFile(slot, kind_of(info.st_mode))
    return info


def _holds(slot: Path, data: bytes) -> bool:
    """Whether the regular file `slot` holds exactly `data` (read without following links)."""
    try:
        found = read_regular(slot, len(data))
    except FileTooLarge:
        return False
    return found is not None and found.data == data


def keep_previous(path: Path, current: bytes, mode: int) -> Kept:
    """Keep `current` (the bytes about to be replaced in `path`) as the newest version.

    Call it under the lock every writer of `path` takes, before replacing `path`.
    """
    names = slots(path)
    infos = [_existing(slot) for slot in names]  # every name checked before any change
    newest, first = infos[0], infos[1]
    same_file = (
        newest is not None
        and first is not None
        and (newest.st_dev, newest.st_ino) == (first.st_dev, first.st_ino)
    )
    if newest is not None and not same_file:
        if _holds(names[0], current):
            return Kept(names[0], _present(names[1:]))
        # Move the kept versions down, filling the first free place (or dropping the
        # oldest): a version is dropped only when every place is taken.
        free = next((i for i, info in enumerate(infos) if info is None), KEEP - 1)
        for i in range(free, 1, -1):
            os.replace(names[i - 1], names[i])
        try:
            # A second name for the newest: `seal.toml.bak` never goes missing on the way.
            os.link(names[0], names[1], follow_symlinks=False)
        except OSError:  # a file system without hard links
            os.replace(names[0], names[1])
    # same_file: a writer was killed between that link and this write; .bak.1 holds it.
    atomic_write(names[0], current, mode)
    return Kept(names[0], _present(names[1:]))


def _present(names: Sequence[Path]) -> tuple[Path, ...]:
    return tuple(name for name in names if os.path.lexists(name))


def kept_as(path: Path) -> str:
    """Before a write, where the version it replaces goes (for Review)."""
    names = slots(path)
    return f"{names[0]} (older ones move to {', '.join(n.name for n in names[1:])})"


def describe(newest: str | Path, older: Sequence[str | Path]) -> str:
    """After a write, where the previous versions are: `seal.toml.bak; older: …`."""
    if not older:
        return str(newest)
    return f"{newest}; older: {', '.join(Path(o).name for o in older)}"
