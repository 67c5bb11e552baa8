"""`seal-setup status` on a seal.toml with 10 / 100 / 1000 / 5000 agents, against a tomlkit
parse of the same file.

The document is the save bench's, with a profile of its own for each agent, so every
agent is a target of its own (the case that was worse than cubic). The command runs in
this process (`tui.cli.main`, argument parsing and printing included, output discarded):
interpreter start-up and imports are the start-up bench's business and would hide the
per-agent cost. A file store with one credential and a Claude Code file are in a
temporary home, as on a real machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import tomlkit

from backend.credentials.record import CredentialRecord
from backend.credentials.stores import FileStore
from tests.bench.bench_save import make_document
from tests.bench.common import median, report
from tests.fakes.provider import ANTHROPIC_KEY

GOAL = 2.0
SIZES = ((10, 51), (100, 21), (1000, 5), (5000, 3))  # (agents, runs)


@contextlib.contextmanager
def _home(folder: Path) -> Iterator[None]:
    """HOME and the XDG dirs in `folder`, the file store; the old values come back after."""
    names = ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "SEAL_CREDENTIAL_STORE")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(
        HOME=str(folder),
        XDG_CONFIG_HOME=str(folder / ".config"),
        XDG_STATE_HOME=str(folder / ".state"),
        SEAL_CREDENTIAL_STORE="file",
    )
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _status(path: Path) -> float:
    from tui.cli import main

    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        main(["status", "--config", str(path)])
    return time.perf_counter() - start


def _tomlkit(path: Path) -> float:
    start = time.perf_counter()
    tomlkit.parse(path.read_text(encoding="utf-8"))
    return time.perf_counter() - start


def main() -> bool:
    """Alternate both at each size; goal: median paired ratio at most 2 at every size."""
    met_all = True
    with tempfile.TemporaryDirectory() as folder, _home(Path(folder)):
        home = Path(folder)
        FileStore().put(CredentialRecord("anthropic", "default", "api_key", secret=ANTHROPIC_KEY))
        claude = home / ".claude"
        claude.mkdir()
        (claude / ".credentials.json").write_text(
            json.dumps({"claudeAiOauth": {"accessToken": "sk-ant-oat01-" + "a" * 95}})
        )
        for agents, runs in SIZES:
            path = home / f"seal-{agents}.toml"
            path.write_text(make_document(agents, own_profiles=True), encoding="utf-8")
            _status(path), _tomlkit(path)  # warm both
            ours, bare = [], []
            for _ in range(runs):
                ours.append(_status(path))
                bare.append(_tomlkit(path))
            ratio = median([o / b for o, b in zip(ours, bare, strict=True)])
            figure = (
                f"{median(ours) * 1000:.0f} ms vs tomlkit {median(bare) * 1000:.0f} ms "
                f"= {ratio:.2f}x"
            )
            met = ratio <= GOAL
            met_all = met_all and met
            report(f"status, {agents} agents", figure, f"<= {GOAL:g}x", met)
    return met_all


if __name__ == "__main__":
    main()
