"""Crash-safe file writes and inter-process locks, shared by seal.toml and the credential file.

A write goes to a temp file in the same folder, is fsynced, then `os.replace`d over the
target, and the folder is fsynced: a reader sees the old or the new bytes, never a mix,
even if the writer is killed at any instant.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from backend.system.bounded import open_regular

TEMP_PREFIX = ".seal-tmp-"


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Replace `path` with `data` atomically; `mode` None keeps the current mode (or 0644)."""
    folder = path.parent
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=TEMP_PREFIX + path.name + ".", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    fsync_dir(folder)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (ignored where the OS cannot fsync a folder)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def remove_stale_temps(folder: Path, name: str, older_than: float = 60.0) -> int:
    """Delete temp files a killed writer of `name` left behind; returns how many went.

    A caller holding the lock every writer of `name` takes passes `older_than=0`: no live
    writer can own a temp file then, so every one left is a dead writer's. Without the
    lock, only temps older than `older_than` seconds are taken to be abandoned.
    """
    removed = 0
    cutoff = time.time() - older_than
    start = f"{TEMP_PREFIX}{name}."
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for entry_name in names:
        # mkstemp's random part has no dot: `name`'s own temps, not those of `name.bak`
        # (another file, maybe under another lock).
        suffix = entry_name[len(start) :]
        if not entry_name.startswith(start) or not suffix or "." in suffix:
            continue
        entry = folder / entry_name
        try:
            if older_than <= 0 or entry.stat().st_mtime < cutoff:
                entry.unlink()
                removed += 1
        except OSError:
            continue
    return removed


class LockTimeout(Exception):
    """The lock stayed held by another process for longer than the timeout."""


@contextlib.contextmanager
def file_lock(lock_path: Path, timeout: float = 10.0, poll: float = 0.02) -> Iterator[None]:
    """Hold an exclusive `flock` on `lock_path` (created 0600 if missing) for the block.

    Waits at most `timeout` seconds, then raises LockTimeout. The kernel drops the lock
    when the holder dies, so a killed writer never leaves it stuck. A lock path that is
    a symlink, FIFO, device or directory raises NotRegularFile: nothing is opened
    through a link, created at its target, or blocked on.
    """
    fd = open_regular(lock_path, os.O_RDWR | os.O_CREAT, mode=0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockTimeout(str(lock_path)) from None
                time.sleep(poll)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
