"""The reliability suite's tally: every case tried is counted per category, and the end
of the run prints a table of cases tried and held.

A test records each case with `tally.record(category, held)`; it still asserts, so a
case that does not hold fails the test as well as showing in the table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pytest


class Tally:
    """Counts per category: cases tried, cases held."""

    def __init__(self) -> None:
        self.tried: dict[str, int] = defaultdict(int)
        self.held: dict[str, int] = defaultdict(int)

    def record(self, category: str, held: bool) -> None:
        """Count one case of `category`."""
        self.tried[category] += 1
        if held:
            self.held[category] += 1


TALLY = Tally()


@pytest.fixture
def tally() -> Iterator[Tally]:
    """The session-wide tally."""
    yield TALLY


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not TALLY.tried:
        return
    write = terminalreporter.write_line
    write("")
    write("reliability summary: cases tried / held")
    width = max(len(name) for name in TALLY.tried)
    for name in sorted(TALLY.tried):
        tried, held = TALLY.tried[name], TALLY.held[name]
        mark = "ok" if tried == held else "FAILED"
        write(f"  {name:<{width}}  {tried:>5} tried  {held:>5} held  {mark}")
    total_tried, total_held = sum(TALLY.tried.values()), sum(TALLY.held.values())
    write(f"  {'total':<{width}}  {total_tried:>5} tried  {total_held:>5} held")
