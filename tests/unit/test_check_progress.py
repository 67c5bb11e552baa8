"""backend.providers.waiting: the progress a Check screen polls (time so far, last wait)."""

from __future__ import annotations

from backend.providers.waiting import CheckProgress
from backend.system.http import Wait


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_elapsed_and_the_last_wait_with_when_it_began() -> None:
    clock = Clock()
    progress = CheckProgress(clock)
    assert progress.elapsed() == 0.0 and progress.last_wait() is None
    clock.now = 101.5
    progress.waiting(Wait(429, 10.0, asked=True, attempt=2))
    clock.now = 104.0
    seen = progress.last_wait()
    assert seen is not None
    assert seen.wait == Wait(429, 10.0, asked=True, attempt=2) and seen.since == 101.5
    assert progress.elapsed() == 4.0
    progress.waiting(Wait(503, 1.0, asked=False, attempt=3))
    latest = progress.last_wait()
    assert latest is not None and latest.wait.status == 503
