"""What a running check is doing, for a screen to poll: since when, and what it waits for.

A provider that answers 429 or 503 with `retry-after` makes a check pause before it
tries again (backend.system.http.send). The pause is reported here as data, so the UI
can say who asked to wait, how long, and how long the check has taken so far, without
the backend knowing anything about screens.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from backend.system.http import Wait

__all__ = ["CheckProgress", "Wait", "WaitSeen"]


@dataclass(frozen=True)
class WaitSeen:
    """The latest wait, and when (on the progress's clock) it began."""

    wait: Wait
    since: float


class CheckProgress:
    """Written by the check's threads, read by the UI: every access takes the lock."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.started = clock()
        self._latest: WaitSeen | None = None

    def waiting(self, wait: Wait) -> None:
        """A request is about to pause before its next try (the listener `send` calls)."""
        with self._lock:
            self._latest = WaitSeen(wait, self._clock())

    def elapsed(self) -> float:
        """Seconds since the check started."""
        return max(0.0, self._clock() - self.started)

    def last_wait(self) -> WaitSeen | None:
        """The latest wait (maybe over: the next try is then running), or None."""
        with self._lock:
            return self._latest
