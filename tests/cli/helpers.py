"""Shared helpers for the CLI tests: the store, seal.toml, in-process runs, subprocess runs."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.stores import FileStore
from backend.services import Services
from tests.fakes.provider import FakeProvider
from tui.cli import main

SEAL_SETUP = Path(sys.executable).with_name("seal-setup")


class TTYInput(io.StringIO):
    """A stdin that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def store() -> FileStore:
    """The file store the command under test uses (XDG dirs are per test)."""
    return FileStore()


def put(
    provider: str = "anthropic",
    profile: str = "default",
    kind: str = "api_key",
    secret: str | None = None,
    *,
    verified: bool = True,
    **changes: object,
) -> CredentialRecord:
    """Store a record; oauth records take access_token/refresh_token/expires_at via changes."""
    if kind == "oauth":
        record = CredentialRecord(provider, profile, "oauth", access_token=secret or "tok")
    else:
        record = CredentialRecord(provider, profile, kind, secret=secret or "sk-x")  # type: ignore[arg-type]
    record = record.with_changes(verified_at=utcnow() - timedelta(minutes=3) if verified else None)
    record = record.with_changes(**changes)
    store().put(record)
    return record


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def run(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str | io.StringIO = "",
    services: Services | None = None,
) -> tuple[int, str, str]:
    """main(argv) in-process with stdin, returning (code, stdout, stderr); on `services`
    when given (else the command builds them from os.environ, as the console script does)."""
    monkeypatch.setattr(
        sys, "stdin", stdin if isinstance(stdin, io.StringIO) else io.StringIO(stdin)
    )
    try:
        code = main(argv, services)
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def subprocess_env(home: Path, fake: FakeProvider | None = None, **extra: str) -> dict[str, str]:
    """An explicit environment for the console script: dirs in tmp, file store, the fake."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "SEAL_CREDENTIAL_STORE": "file",
        "LANG": "C.UTF-8",
    }
    if fake is not None:
        env.update(fake.env())
    env.update(extra)
    return env


def run_script(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user would run it."""
    return subprocess.run(
        [str(SEAL_SETUP), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )
