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


GROWTH_GOAL = 12.0  # per 10× input: linear, allowing a constant start-up


def growth_per_10x(sizes: Sequence[int], seconds: Sequence[float]) -> float:
    """How much the time grows per 10× input, from the smallest size to the largest."""
    import math

    decades = math.log10(sizes[-1] / sizes[0])
    return float((seconds[-1] / seconds[0]) ** (1 / decades)) if decades > 0 else float("nan")


def curve(name: str, unit: str, sizes: Sequence[int], seconds: Sequence[float]) -> bool:
    """One line per size (total and time per item) and one for the growth per 10×
    against GROWTH_GOAL; True when the growth meets it."""
    for size, took in zip(sizes, seconds, strict=True):
        figure = f"{took * 1000:.1f} ms, {took / size * 1e6:.0f} us per {unit}"
        report(f"{name}, {size} {unit}s", figure, "(figure)", True)
    growth = growth_per_10x(sizes, seconds)
    met = growth <= GROWTH_GOAL
    span = f"{sizes[0]}..{sizes[-1]} {unit}s"
    report(f"{name}, growth", f"{growth:.1f}x per 10x ({span})", f"<= {GROWTH_GOAL:g}x", met)
    return met
