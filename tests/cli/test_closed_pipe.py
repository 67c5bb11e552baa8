"""`seal-setup … | head`: every command whose reader has gone away exits quietly — no
traceback, no "Exception ignored", no crash report (one place: `tui.cli.run`)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.cli.helpers import SEAL_SETUP, put, subprocess_env
from tests.fakes.provider import ANTHROPIC_KEY
from tui.cli import SUMMARIES

SEAL_TOML = '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "api_key"\n'


def to_closed_pipe(args: list[str], env: dict[str, str], cwd: Path, stdin: str = "") -> str:
    """Run the console script with a stdout nobody reads any more; its stderr."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first byte
    try:
        result = subprocess.run(
            [str(SEAL_SETUP), *args],
            stdout=write,
            stderr=subprocess.PIPE,
            input=stdin,
            text=True,
            env=env,
            cwd=cwd,
            timeout=60,
        )
    finally:
        os.close(write)
    return result.stderr


COMMANDS = [
    ["--help"],
    ["--version"],
    *([name, "--help"] for name in SUMMARIES),
    ["status"],
    ["status", "--json"],
    ["status", "--probe"],
    ["token"],
    ["env"],
    ["trust", "--list"],
    ["logout", "--provider", "openai", "--yes"],
    ["completion", "bash"],
    ["completion", "--names", "profiles"],
    ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_reader_that_goes_away_is_a_quiet_exit(tmp_path, fake_provider, args) -> None:
    home = tmp_path / "home"
    (tmp_path / "seal.toml").write_text(SEAL_TOML)
    put(secret=ANTHROPIC_KEY)  # the test's XDG dirs are the script's (subprocess_env)
    stdin = ANTHROPIC_KEY if "--non-interactive" in args else ""
    err = to_closed_pipe(args, subprocess_env(home, fake_provider), tmp_path, stdin)
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception" not in err, err
    assert "unexpected" not in err.lower(), err
    assert not list(home.rglob("crash-*"))
