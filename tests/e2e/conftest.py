"""Shared end-to-end fixtures: the standalone fake provider in its own process."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import require_tools
from tests.fakes.provider import OPENAI_PREFIX, OPENROUTER_PREFIX

REPO = Path(__file__).resolve().parents[2]
BANNER = re.compile(r"listening on (http://\S+)")


@dataclass(frozen=True)
class Fake:
    """Where the fake provider process listens."""

    url: str

    def env(self) -> dict[str, str]:
        return {
            "SEAL_ANTHROPIC_BASE_URL": self.url,
            "SEAL_ANTHROPIC_OAUTH_URL": self.url,
            "SEAL_OPENROUTER_BASE_URL": self.url + OPENROUTER_PREFIX,
            "SEAL_OPENAI_BASE_URL": self.url + OPENAI_PREFIX,
        }


@pytest.fixture(scope="session")
def fake() -> Iterator[Fake]:
    """The standalone fake: `--port 0` picks a free port, the first line says which."""
    require_tools("tmux")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.provider", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        found = BANNER.search(first)
        assert found, f"the fake provider did not say where it listens: {first!r}"
        yield Fake(found.group(1))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
