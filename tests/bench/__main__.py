"""`make bench`: run every benchmark and print its figure next to its goal.

`--readme PATH` (`make bench-figures`) also writes this run's table into PATH's
Performance section, between the markers below, so README quotes the last run.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.bench import (
    bench_concurrency,
    bench_paste,
    bench_picker,
    bench_save,
    bench_scale,
    bench_startup,
    bench_status,
    bench_typeahead,
)
from tests.bench.common import GOALS, ROWS

BEGIN = "<!-- performance figures: written by `make bench-figures`, do not edit -->"
END = "<!-- end of performance figures -->"


def figures(rows: list[tuple[str, str, str, bool]]) -> str:
    """README's headline and table for `rows`, markers included."""
    goals = [met for _, _, goal, met in rows if goal != "(figure)"]
    lines = [
        BEGIN,
        f"Last run: **{sum(goals)} of {len(goals)} goals met**.",
        "",
        "| benchmark | figure | goal |",
        "|---|---|---|",
    ]
    for name, figure, goal, met in rows:
        said = "" if goal == "(figure)" else f"{goal}: {'met' if met else 'NOT MET'}"
        cell = figure.replace("|", "/")
        lines.append(f"| {name} | {cell} | {said} |")
    lines.append(END)
    return "\n".join(lines)


def write_figures(readme: Path, rows: list[tuple[str, str, str, bool]]) -> None:
    text = readme.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{readme} has no performance figures markers")
    readme.write_text(text[:start] + figures(rows) + text[end + len(END) :], encoding="utf-8")


def main() -> None:
    """Figures only: benchmarks never fail the build; the lines say which goals are met."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench")
    parser.add_argument("--readme", type=Path, help="write the figures into this README")
    args = parser.parse_args()
    for bench in (
        bench_startup,
        bench_picker,
        bench_concurrency,
        bench_save,
        bench_paste,
        bench_status,
        bench_scale,
        bench_typeahead,
    ):
        bench.main()
    print(f"\n{sum(GOALS)} of {len(GOALS)} goals met")
    if args.readme is not None:
        write_figures(args.readme, ROWS)
        print(f"(written into {args.readme})")


if __name__ == "__main__":
    main()
