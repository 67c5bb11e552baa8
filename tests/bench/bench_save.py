"""seal.toml save with 300 agents, against tomlkit's own parse + dump of the same file.

Our save does more (lock, on-disk check, backup, fsync, rename): the goal bounds what
that costs over the bare round trip.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import tomlkit

from backend.config.document import load_config
from tests.bench.common import median, report


def make_document(agents: int = 300, *, own_profiles: bool = False) -> str:
    """A realistic seal.toml: a commented [model], roles, and many agents (each with a
    profile of its own when `own_profiles`, so each is a credential of its own)."""
    lines = [
        "# Project seal.toml",
        "[model]",
        'provider = "anthropic"  # main provider',
        'name = "claude-sonnet-4-6"',
        'auth = "api_key"',
        "",
        "[model.roles]",
        'fast = "claude-haiku-4-5"',
        "",
    ]
    for i in range(agents):
        lines += [
            f"# agent {i}",
            f"[agents.agent{i}.model]",
            f'name = "claude-opus-4-{i % 3 + 6}"',
            *([f'profile = "team{i}"'] if own_profiles else []),
            f"max_tokens = {1000 + i}",
            "",
            f"[agents.agent{i}.model.roles]",
            f'fast = "claude-haiku-4-5"  # agent {i} fast',
            "",
        ]
    return "\n".join(lines)


def _ours(path: Path, i: int) -> float:
    start = time.perf_counter()
    config = load_config(path)
    config.set("max_tokens", 2000 + i, agent="agent150")
    config.save()
    return time.perf_counter() - start


def _tomlkit(path: Path, i: int) -> float:
    start = time.perf_counter()
    doc = tomlkit.parse(path.read_text())
    doc["agents"]["agent150"]["model"]["max_tokens"] = 2000 + i  # type: ignore[index]
    path.write_text(tomlkit.dumps(doc))
    return time.perf_counter() - start


def main(runs: int = 25) -> bool:
    """Alternate both; goal: median ratio at most 1.5."""
    text = make_document()
    with tempfile.TemporaryDirectory() as folder:
        ours_path = Path(folder) / "seal.toml"
        bare_path = Path(folder) / "bare.toml"
        ours_path.write_text(text)
        bare_path.write_text(text)
        ours, bare = [], []
        for i in range(runs):
            ours.append(_ours(ours_path, i))
            bare.append(_tomlkit(bare_path, i))
    # Each save against the tomlkit round trip right after it (as in bench_startup).
    ratio = median([o / b for o, b in zip(ours, bare, strict=True)])
    figure = f"{median(ours) * 1000:.0f} ms vs tomlkit {median(bare) * 1000:.0f} ms = {ratio:.2f}x"
    report("seal.toml save, 300 agents", figure, "<= 1.5x", ratio <= 1.5)
    return ratio <= 1.5


if __name__ == "__main__":
    main()
