"""`make bench`: run every benchmark and print its figure next to its goal."""

from __future__ import annotations

from tests.bench import (
    bench_concurrency,
    bench_paste,
    bench_picker,
    bench_save,
    bench_startup,
    bench_status,
    bench_typeahead,
)
from tests.bench.common import GOALS


def main() -> None:
    """Figures only: benchmarks never fail the build; the lines say which goals are met."""
    for bench in (
        bench_startup,
        bench_picker,
        bench_concurrency,
        bench_save,
        bench_paste,
        bench_status,
        bench_typeahead,
    ):
        bench.main()
    print(f"\n{sum(GOALS)} of {len(GOALS)} goals met")


if __name__ == "__main__":
    main()
