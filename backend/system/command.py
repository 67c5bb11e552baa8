"""Run a helper program (e.g. macOS `security`) with a deadline and bounded output.

No shell: `argv` goes to the program as it is. Stdin is closed, so a program that would
ask a question reads end-of-file instead of waiting on a person who is not asked. Both
pipes are drained together (one full pipe cannot stall the other) and each is capped: a
program that prints more than `max_bytes`, or runs past `timeout` seconds, is killed and
reaped. POSIX pipes only (the one caller runs on macOS).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Completed:
    """What a program printed and how it exited."""

    returncode: int
    stdout: bytes
    stderr: bytes


class CommandTimeout(Exception):
    """The program was still running at the deadline; it was killed."""


class CommandOutputTooLarge(Exception):
    """The program printed more than the limit on stdout or stderr; it was killed."""


def run_bounded(argv: Sequence[str], *, timeout: float, max_bytes: int) -> Completed:
    """Run `argv` and collect its output. OSError (FileNotFoundError…) when it cannot
    start; CommandTimeout past `timeout` s; CommandOutputTooLarge past `max_bytes`."""
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        close_fds=True,
        start_new_session=True,  # no terminal to read a password from, no signals from ours
    )
    assert process.stdout is not None and process.stderr is not None  # both are PIPE
    out_fd, err_fd = process.stdout.fileno(), process.stderr.fileno()
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    sizes = dict.fromkeys(chunks, 0)
    end = time.monotonic() + timeout
    try:
        with selectors.DefaultSelector() as selector:
            for fd in chunks:
                selector.register(fd, selectors.EVENT_READ)
            while selector.get_map():
                left = end - time.monotonic()
                if left <= 0:
                    raise CommandTimeout(f"{argv[0]} did not finish in {timeout:g} s")
                for key, _ in selector.select(left):
                    fd = int(key.fd)
                    data = os.read(fd, 65536)
                    if not data:
                        selector.unregister(fd)
                        continue
                    sizes[fd] += len(data)
                    if sizes[fd] > max_bytes:
                        raise CommandOutputTooLarge(
                            f"{argv[0]} printed more than {max_bytes} bytes"
                        )
                    chunks[fd].append(data)
        # Both pipes closed: the program has exited or is about to.
        returncode = process.wait(max(0.0, end - time.monotonic()))
    except subprocess.TimeoutExpired:
        _kill(process)
        raise CommandTimeout(f"{argv[0]} did not finish in {timeout:g} s") from None
    except BaseException:
        _kill(process)
        raise
    finally:
        process.stdout.close()
        process.stderr.close()
    return Completed(returncode, b"".join(chunks[out_fd]), b"".join(chunks[err_fd]))


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the program and anything it started (its own session), then reap it."""
    with contextlib.suppress(ProcessLookupError):  # already gone, and its group with it
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
