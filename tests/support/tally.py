"""The reliability suite's tally: every case tried is counted per category, and the end
of the run prints a table of cases tried and held (README's Reliability section quotes it).

A test records each case with `tally.record(category, held)` (the `tally` fixture here,
which every test folder has since this is a root plugin); it still asserts, so a case
that does not hold fails the test as well as showing in the table.

Under pytest-xdist each worker counts its own cases: at the end of its session a worker
sends its counts to the controller (`config.workeroutput`), which adds them up as each
worker goes down and prints the one table. This module is a plugin of the root conftest,
so the controller (which collects no test) has these hooks too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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

    def add(self, counts: dict[str, dict[str, int]]) -> None:
        """Add another process's counts (as `counts()` gave them)."""
        for name, tried in counts["tried"].items():
            self.tried[name] += tried
        for name, held in counts["held"].items():
            self.held[name] += held

    def counts(self) -> dict[str, dict[str, int]]:
        """The counts as plain data (what a worker sends to the controller)."""
        return {"tried": dict(self.tried), "held": dict(self.held)}


TALLY = Tally()

_KEY = "reliability_tally"
BEGIN = "<!-- reliability figures: written by `make reliability-figures`, do not edit -->"
END = "<!-- end of reliability figures -->"


def by_area(tally: Tally) -> dict[str, tuple[int, int]]:
    """(tried, held) per area: the part of each category before its first `:`."""
    areas: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for name, tried in tally.tried.items():
        area = areas[name.split(":", 1)[0].strip()]
        area[0] += tried
        area[1] += tally.held.get(name, 0)
    return {name: (tried, held) for name, (tried, held) in sorted(areas.items())}


def figures(tally: Tally) -> str:
    """README's headline and table for `tally`, markers included."""
    areas = by_area(tally)
    tried = sum(t for t, _ in areas.values())
    held = sum(h for _, h in areas.values())
    lines = [
        BEGIN,
        f"Last run: **{tried} tried, {held} held**.",
        "",
        "| area | tried | held |",
        "|---|---:|---:|",
        *(f"| {name} | {t} | {h} |" for name, (t, h) in areas.items()),
        f"| **total** | **{tried}** | **{held}** |",
        END,
    ]
    return "\n".join(lines)


def write_figures(readme: Path, tally: Tally) -> None:
    """Replace the figures between BEGIN and END in `readme` with `tally`'s."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{readme} has no reliability figures markers")
    readme.write_text(text[:start] + figures(tally) + text[end + len(END) :], encoding="utf-8")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--tally-readme",
        metavar="PATH",
        default=None,
        help="write this run's reliability figures into PATH's Reliability section",
    )


@pytest.fixture
def tally() -> Iterator[Tally]:
    """The session-wide tally."""
    yield TALLY


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller prints the table
        workeroutput[_KEY] = TALLY.counts()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """An xdist worker finished: add its counts (a crashed worker sends none)."""
    counts = getattr(node, "workeroutput", {}).get(_KEY)
    if counts is not None:
        TALLY.add(counts)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int) -> None:
    if hasattr(terminalreporter.config, "workeroutput"):
        # An xdist worker holds its own share only (and passes with another's failing):
        # the controller sums them, prints the table and writes README.
        return
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
    readme = terminalreporter.config.getoption("--tally-readme")
    if readme and exitstatus == 0:
        write_figures(Path(readme), TALLY)
        write(f"  (written into {readme})")
    elif readme:
        write(f"  (not written into {readme}: the run failed)")
