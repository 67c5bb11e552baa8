"""An unexpected error in any command of the real console script: a short message, a report
without secrets, exit 1, and core dumps off.

The console script runs as a subprocess with `crash_hook/` on PYTHONPATH: its
sitecustomize replaces one backend call with a failure that carries canary secrets (the
stored key, an env key without key shape, the key piped in) in its message and frame.
`reauth` and `roles` need a terminal before they read seal.toml: they get a pty. One run
of the wizard in a real terminal (tmux) shows the message after the screen is restored.
"""

from __future__ import annotations

import ast
import os
import pty
import re
import resource
import select
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.credentials.record import CredentialRecord
from backend.credentials.stores import FileStore
from tests.cli.helpers import SEAL_SETUP, subprocess_env
from tests.conftest import require_tools
from tests.e2e.tmux_driver import TmuxSession
from tests.fakes.provider import FakeProvider
from tests.reliability.conftest import Tally
from tests.reliability.crashcheck import (
    CATEGORY,
    PASTED_KEY,
    STORE_KEY,
    check_disk,
    check_message,
    check_no_canary,
    check_report,
    stored_record,
)
from tests.reliability.leakcheck import canary

REPO = Path(__file__).resolve().parents[2]
HOOK = Path(__file__).with_name("crash_hook")
ENV_KEY = canary("", 64, "Ce")  # ANTHROPIC_API_KEY, no key shape: hidden as a known secret
SECRETS = (STORE_KEY, ENV_KEY, PASTED_KEY)
SEAL_TOML = '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "api_key"\n'


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    fail_at: str  # module:attribute path replaced by the failing stand-in
    stdin: str = ""
    terminal: bool = False


CASES = [
    Case("status", ("status",), "backend.status:build_report"),
    Case("status --probe", ("status", "--probe"), "backend.providers.live:check"),
    Case("status --json", ("status", "--json"), "backend.status:build_report"),
    Case("logout", ("logout", "--yes"), "backend.credentials.stores:FileStore.delete"),
    Case(
        "onboard --non-interactive",
        (
            "onboard",
            "--non-interactive",
            "--provider",
            "anthropic",
            "--auth",
            "api_key",
            "--model",
            "claude-sonnet-4-6",
        ),
        "backend.providers.live:check",
        stdin=PASTED_KEY + "\n",
    ),
    Case("reauth", ("reauth",), "backend.services:Services.load_config", terminal=True),
    Case("roles", ("roles",), "backend.services:Services.load_config", terminal=True),
]


def _env(home: Path, fake: FakeProvider, fail_at: str) -> dict[str, str]:
    return subprocess_env(
        home,
        fake,
        ANTHROPIC_API_KEY=ENV_KEY,
        PYTHONPATH=str(HOOK),
        PYTHONDONTWRITEBYTECODE="1",
        TMPDIR=str(home.parent / "tmp"),
        SEAL_TEST_FAIL_AT=fail_at,
        SEAL_TEST_FAIL_SECRETS=" ".join(SECRETS),
    )


def _setup(tmp_path: Path, home: Path) -> tuple[Path, Path, CredentialRecord]:
    """seal.toml in a project folder, the canary key in the file store; (project, store file)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "seal.toml").write_text(SEAL_TOML, encoding="utf-8")
    (tmp_path / "tmp").mkdir()
    record = stored_record()
    FileStore().put(record)  # the per-test XDG dirs the subprocess gets too
    store_file = home / ".config" / "seal" / "credentials.json"
    assert STORE_KEY in store_file.read_text(encoding="utf-8")
    return project, store_file, record


def _run_in_terminal(
    args: list[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """The console script with a pty as stdin and stdout (it checks for a terminal)."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            [str(SEAL_SETUP), *args],
            stdin=slave,
            stdout=slave,
            stderr=subprocess.PIPE,
            env=env,
            cwd=cwd,
        )
        os.close(slave)
        slave = -1
        _, err = proc.communicate(timeout=60)
        out = b""
        while select.select([master], [], [], 0)[0]:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child's side is closed: nothing more to read
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(master)
        if slave >= 0:
            os.close(slave)
    return subprocess.CompletedProcess(
        args, proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_an_unexpected_error_in_a_command_gives_a_clean_report(
    case: Case, fake_provider: FakeProvider, tmp_path: Path, isolated_env: Path, tally: Tally
) -> None:
    home = isolated_env
    project, store_file, record = _setup(tmp_path, home)
    env = _env(home, fake_provider, case.fail_at)
    if case.terminal:
        done = _run_in_terminal(list(case.args), env, project)
    else:
        done = subprocess.run(
            [str(SEAL_SETUP), *case.args],
            input=case.stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=project,
            timeout=60,
        )

    tally.record(f"{CATEGORY}: exit code 1", done.returncode == 1)
    assert done.returncode == 1, done
    check_message(tally, done.stderr, done.stdout)
    check_no_canary(tally, "stdout/stderr", done.stdout + done.stderr)
    check_report(tally, home / ".local" / "state")
    check_disk(tally, [tmp_path], allowed=[store_file])
    assert FileStore().get("anthropic", "default") == record  # logout removed nothing


@pytest.mark.system
def test_the_wizard_restores_the_terminal_then_says_where_the_report_is(
    fake_provider: FakeProvider, tmp_path: Path, isolated_env: Path, tally: Tally
) -> None:
    require_tools("tmux")
    home = isolated_env
    project, store_file, _ = _setup(tmp_path, home)
    env = _env(home, fake_provider, "backend.services:Services.environment")  # the survey's
    env["TERM"] = "xterm-256color"
    with TmuxSession(f"{SEAL_SETUP}; echo EXIT=$?", cwd=project, env=env) as term:
        screen = term.wait_for(re.compile(r"EXIT=\d+"), what="seal-setup to exit")
        seen = "\n".join(term.screens)
    message = screen.split("EXIT=")[0]
    restored = "Welcome to seal-setup" not in screen  # the wizard's screen is gone
    tally.record(f"{CATEGORY}: exit code 1", "EXIT=1" in screen)
    assert "EXIT=1" in screen, screen
    tally.record(f"{CATEGORY}: terminal restored", restored)
    assert restored, screen
    check_message(tally, "".join(line.strip() for line in message.splitlines()))
    check_no_canary(tally, "screen", seen)
    check_report(tally, home / ".local" / "state")
    check_disk(tally, [tmp_path], allowed=[store_file])


def test_a_typed_error_nothing_caught_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], isolated_env: Path
) -> None:
    import tui.cli
    from backend.errors import ConfigError

    def main(argv: object = None) -> int:
        raise ConfigError("seal.toml is broken", "fix it by hand")

    monkeypatch.setattr(tui.cli, "main", main)
    with pytest.raises(SystemExit) as exited:
        tui.cli.run()
    err = capsys.readouterr().err
    assert exited.value.code == 3
    assert err == "seal-setup: seal.toml is broken\n  fix it by hand\n"
    assert not (isolated_env / ".local" / "state" / "seal").exists()  # not a crash


PRINT_CORE_LIMIT = """
import resource
import tui.cli

def main(argv=None):
    print(resource.getrlimit(resource.RLIMIT_CORE), flush=True)
    return 0

print(resource.getrlimit(resource.RLIMIT_CORE), flush=True)
tui.cli.main = main
tui.cli.run()
"""


def test_core_dumps_are_off_in_a_running_seal_setup(tally: Tally) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)

    def allow_cores() -> None:
        # As a shell with `ulimit -c unlimited` would start it (up to the hard limit).
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))

    done = subprocess.run(
        [sys.executable, "-c", PRINT_CORE_LIMIT],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        preexec_fn=allow_cores,
    )
    assert done.returncode == 0, done.stderr
    before, during = (ast.literal_eval(line) for line in done.stdout.split("\n")[:2])
    held = before == (hard, hard) and during == (0, hard)
    tally.record(f"{CATEGORY}: core dumps off", held)
    assert held, (before, during)


def test_a_reader_that_goes_away_is_a_quiet_exit(tmp_path: Path) -> None:
    """`seal-setup status | head -0`: no report, no traceback, no "unexpected error"."""
    home = tmp_path / "user"
    home.mkdir()
    (tmp_path / "seal.toml").write_text(SEAL_TOML)
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [str(SEAL_SETUP), "status"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(home),
            cwd=tmp_path,
            timeout=60,
        )
    finally:
        os.close(write)
    assert result.returncode == 1
    assert result.stderr == ""
    assert not list(home.rglob("crash-*"))
