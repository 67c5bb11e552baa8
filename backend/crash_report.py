"""Crash reports without secrets: an unexpected error, redacted, in a private file.

Python's and Textual's own reports do not suit a program that holds API keys: Textual's
prints every frame's local variables, and any exception message may quote a secret. A
report here keeps what a bug needs (each frame's file, line, function and source line; the
exception types, causes and messages) and nothing of the frames' variables. The text goes
through `backend.system.http.scrub` (the secrets passed in, and anything key-shaped) and its
control characters are escaped, so showing the file cannot drive the terminal.

Reports go to `<state dir>/crash-<UTC time>.txt` (folder 0700, file 0600, created new,
never through a symlink); only the last `KEEP` are kept. Nothing here raises: when no
report can be saved, the result says why.
"""

from __future__ import annotations

import contextlib
import os
import platform
import sys
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend.credentials.record import CredentialRecord

KEEP = 5
PREFIX = "crash-"
SUFFIX = ".txt"
# A traceback is a few KB; a message of megabytes (a whole response quoted) is cut.
MAX_LINE = 2_000
MAX_CHARS = 200_000


@dataclass(frozen=True)
class CrashReport:
    """Where the report went, or (`path` None) why it could not be saved."""

    path: Path | None
    problem: str = ""


def known_secrets(
    env: Mapping[str, str], records: Iterable[CredentialRecord | None] = ()
) -> tuple[str, ...]:
    """The secrets a process knows of: credential env variables and the records' values."""
    from backend.credentials.stores import _secrets_of
    from backend.vocabulary.registry import ENV_VARS

    found = [env.get(name, "").strip() for names in ENV_VARS.values() for name in names]
    for record in records:
        found.extend(_secrets_of(record))
    return tuple(dict.fromkeys(value for value in found if value))


def save_crash_report(
    error: BaseException,
    *,
    env: Mapping[str, str] | None = None,
    records: Iterable[CredentialRecord | None] = (),
    secrets: Iterable[str] = (),
    about: Iterable[str] = (),
    now: datetime | None = None,
    keep: int = KEEP,
) -> CrashReport:
    """Write the redacted report of `error`; never raises.

    Removed from it: `secrets`, the credential env variables of `env` (os.environ when
    None), the secrets of `records`, and anything key-shaped. `about` are header lines
    (the program and its version); `env` also gives XDG_STATE_HOME and HOME.
    """
    when = now or datetime.now(UTC)
    source = os.environ if env is None else env
    try:
        hidden = (*secrets, *known_secrets(source, records))
        text = report_text(error, secrets=hidden, about=about, now=when)
    except Exception as exc:  # no scrubber, no report: nothing is written unscrubbed
        return CrashReport(None, f"the report could not be prepared ({type(exc).__name__})")
    try:
        from backend.credentials.writes import state_dir

        folder = state_dir(source)
    except Exception as exc:
        return CrashReport(None, f"the state folder is unknown ({type(exc).__name__})")
    try:
        return CrashReport(_write(folder, text, when, keep))
    except OSError as exc:
        return CrashReport(None, f"{folder}: {exc.strerror or type(exc).__name__}")
    except Exception as exc:
        return CrashReport(None, f"{folder}: {type(exc).__name__}")


def report_text(
    error: BaseException,
    *,
    secrets: Iterable[str] = (),
    about: Iterable[str] = (),
    now: datetime | None = None,
) -> str:
    """The report: a header, then the traceback with its causes, without frame locals."""
    from backend.system.http import scrub

    when = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S UTC")
    header = [
        "seal-setup crash report",
        f"Time: {when}",
        *about,
        f"Python {platform.python_version()} on {sys.platform} ({platform.machine()})",
        "Frame variables are left out; secrets are removed from messages.",
        "",
    ]
    # capture_locals=False is the default: named here because it is the point.
    trace = traceback.TracebackException.from_exception(error, capture_locals=False)
    body = "".join(trace.format())
    # Scrubbed whole, before any cut: a cut could leave part of a secret unrecognised.
    text = scrub("\n".join(header) + "\n" + body, tuple(secrets))
    cut = len(text) > MAX_CHARS
    # Cut before escaping too, so a huge message costs little time.
    lines = printable(text[:MAX_CHARS]).rstrip("\n").split("\n")
    out = "\n".join(_cut(line) for line in lines) + "\n"
    if cut or len(out) > MAX_CHARS:
        out = out[:MAX_CHARS] + "\n[report cut]\n"
    return out


def stopped_message(
    error: BaseException, report: CrashReport, changes: str, env: Mapping[str, str]
) -> str:
    """The few lines a person sees: what stopped, what was changed, where the report is."""
    lines = [f"seal-setup stopped on an unexpected error ({type(error).__name__})."]
    if changes:
        lines.append(changes)
    if report.path is not None:
        where = str(report.path)
        with contextlib.suppress(Exception):
            from backend.credentials.claude_code import display_path

            where = display_path(report.path, env)
        lines.append(f"A report without secrets is at {where}")
    else:
        lines.append(f"Could not save a report: {report.problem}.")
    return printable("\n".join(lines))


def printable(text: str) -> str:
    """Controls, bidi and other invisible characters as visible escapes (`\\x1b`,
    `\\u202e`), the one rule of `backend.system.display`; line breaks stay."""
    from backend.system.display import visible

    return visible(text, lines=True)


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"


def _write(folder: Path, text: str, when: datetime, keep: int) -> Path:
    """Create the report file in `folder` (made 0700); the path written."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    # The folder is opened without following a symlink, and the file made inside it by
    # name with O_EXCL | O_NOFOLLOW: a link planted at either place is refused.
    dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        info = os.fstat(dir_fd)
        if info.st_uid != os.getuid():
            raise PermissionError(0, "the folder belongs to another user")
        if info.st_mode & 0o077:
            os.fchmod(dir_fd, 0o700)
        name, fd = _create(dir_fd, when.strftime("%Y%m%dT%H%M%SZ"))
        try:
            os.fchmod(fd, 0o600)  # whatever the umask
            data = memoryview(text.encode("utf-8"))
            while data:
                data = data[os.write(fd, data) :]
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=dir_fd)
            raise
        finally:
            os.close(fd)
        _prune(dir_fd, keep, name)
    finally:
        os.close(dir_fd)
    return folder / name


def _create(dir_fd: int, stamp: str) -> tuple[str, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for n in range(100):
        name = f"{PREFIX}{stamp}{f'-{n}' if n else ''}{SUFFIX}"
        try:
            return name, os.open(name, flags, 0o600, dir_fd=dir_fd)
        except FileExistsError:
            continue
    raise FileExistsError(0, "too many reports in the same second")


def _prune(dir_fd: int, keep: int, current: str) -> None:
    """Remove all but the newest `keep` reports (the one just written always stays)."""
    try:
        names = sorted(n for n in os.listdir(dir_fd) if n.startswith(PREFIX) and n.endswith(SUFFIX))
    except OSError:
        return
    older = [n for n in names if n != current]
    for name in older[: max(0, len(older) - max(keep - 1, 0))]:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
