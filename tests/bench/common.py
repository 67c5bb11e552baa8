"""Shared helpers for the benchmarks: medians, percentiles, and the report line."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (fraction in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    """The median, or nan for no values."""
    return statistics.median(values) if values else float("nan")


# One entry per goal reported in this process (figures without a goal are not counted).
GOALS: list[bool] = []
# Every line reported in this process: (benchmark, figure, goal, met), for README.
ROWS: list[tuple[str, str, str, bool]] = []


def report(name: str, figure: str, goal: str, met: bool) -> str:
    """One line per benchmark: the figure, the goal, and whether it was met."""
    if goal != "(figure)":
        GOALS.append(met)
    ROWS.append((name, figure, goal, met))
    mark = "met" if met else "NOT MET"
    line = f"{name:<34} {figure:<44} goal {goal:<12} {mark}"
    print(line, flush=True)
    return line
