"""`make bench`: run every benchmark and print its figure next to its goal."""

from __future__ import annotations

from tests.bench import bench_concurrency, bench_picker, bench_save, bench_startup


def main() -> None:
    """Figures only: benchmarks never fail the build; the lines say which goals are met."""
    results = [
        bench_startup.main(),
        bench_picker.main(),
        bench_concurrency.main(),
        bench_save.main(),
    ]
    print(f"\n{sum(results)} of {len(results)} goals met")


if __name__ == "__main__":
    main()
