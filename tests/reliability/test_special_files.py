"""Files that are not files: credentials.json, its lock, Claude Code's credentials file,
seal.toml's lock and the names its previous versions are kept under (seal.toml.bak,
.bak.1, .bak.2) as a FIFO, a symlink (to a real file, or to nothing), a device or a
directory, through the installed command (a FIFO read would hang: the subprocess
timeout fails the case).

Each case must hold all of: the message names the file and what it is, the exit code,
no traceback, and the thing at the path, and whatever a link points at, is unchanged:
same type and mode, same bytes, a missing link target still missing (never chmodded,
created, replaced or read through).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.credentials.record import CredentialRecord
from tests.cli.helpers import run_script, subprocess_env, write_config
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.reliability.conftest import Tally

CATEGORY = "special files"
KINDS = ("fifo", "symlink", "dangling-symlink", "device", "directory")
WORDS = {
    "fifo": "is a FIFO (named pipe), not a regular file",
    "symlink": "is a symbolic link, not a regular file",
    "dangling-symlink": "is a symbolic link, not a regular file",
    "device": "is a character device, not a regular file",
    "directory": "is a directory, not a regular file",
}
SEAL_TOML = '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "{auth}"\n'
_RECORD = CredentialRecord("anthropic", "default", "api_key", secret=ANTHROPIC_KEY)
# What a link points at: valid content of the file it stands for (refused all the same).
STORE_FILE = json.dumps({"version": 1, "credentials": {_RECORD.key: _RECORD.to_dict()}})
CLAUDE_FILE = '{"claudeAiOauth": {"accessToken": "sk-ant-oat01-witness", "expiresAt": 1}}\n'


def arrange(tmp_path: Path, path: Path, kind: str, linked: str = STORE_FILE) -> Callable[[], bool]:
    """Put a `kind` at `path` (a link points into tmp/outside, at a 0644 file holding
    `linked`, or at nothing); returns a check that it and all it reaches are unchanged."""
    outside = tmp_path / "outside"
    outside.mkdir()
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "fifo":
        os.mkfifo(path, 0o644)
    elif kind == "symlink":
        target = outside / "linked-file"
        target.write_text(linked)
        target.chmod(0o644)  # what a chmod through the link would "fix"
        path.symlink_to(target)
    elif kind == "dangling-symlink":
        path.symlink_to(outside / "never-created")
    elif kind == "device":
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # /dev/null's twin
    elif kind == "directory":
        path.mkdir(mode=0o755)
    before = witness(path, outside)
    return lambda: witness(path, outside) == before


def witness(path: Path, outside: Path) -> tuple[object, ...]:
    """What must not change: the entry at `path` and everything a link could reach."""
    info = path.lstat()
    entry = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), info.st_rdev)
    link = os.readlink(path) if path.is_symlink() else None
    listing = sorted(p.name for p in path.iterdir()) if path.is_dir() and not link else None
    reached = {
        p.name: (stat.S_IMODE(p.stat().st_mode), p.read_bytes()) for p in sorted(outside.iterdir())
    }
    return entry, link, listing, reached


def project(tmp_path: Path, auth: str) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    write_config(folder / "seal.toml", SEAL_TOML.format(auth=auth))
    return folder


def config_dir(home: Path) -> Path:
    return home / ".config" / "seal"


def run(
    args: list[str], home: Path, fake: FakeProvider, cwd: Path, stdin: str = ""
) -> tuple[int, str]:
    env = subprocess_env(home, fake)
    try:
        done = run_script(args, env, cwd, stdin=stdin)
    except subprocess.TimeoutExpired:
        return -1, "hung"
    return done.returncode, done.stdout + done.stderr


def check_case(
    tally: Tally, unchanged: Callable[[], bool], got: tuple[int, str], code: int, words: list[str]
) -> None:
    returncode, output = got
    still = unchanged()
    held = returncode == code and all(w in output for w in words) and "Traceback" not in output
    tally.record(CATEGORY, held and still)
    assert held and still, (returncode, output, words, still)


ONBOARD_KEY = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]
ONBOARD_CLAUDE = [*ONBOARD_KEY[:-1], "claude_code", "--no-verify"]
KEY_IN = ANTHROPIC_KEY + "\n"


@dataclass(frozen=True)
class Read:
    """A file both `status` and `onboard --non-interactive` read."""

    where: str  # under HOME, as messages show it
    auth: str  # seal.toml's auth, and onboard's --auth
    linked: str  # what a link to it points at
    said: str  # how messages name it


READS = {
    "credentials.json": Read(
        ".config/seal/credentials.json",
        "api_key",
        STORE_FILE,
        "the credentials file ~/.config/seal/credentials.json",
    ),
    "claude-code": Read(
        ".claude/.credentials.json",
        "claude_code",
        CLAUDE_FILE,
        "Claude Code's credentials file ~/.claude/.credentials.json",
    ),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", ["status", "onboard"])
@pytest.mark.parametrize("file", READS)
def test_file_read_by_every_command(
    file: str,
    command: str,
    kind: str,
    tmp_path: Path,
    isolated_env: Path,
    fake_provider: FakeProvider,
    tally: Tally,
) -> None:
    read = READS[file]
    unchanged = arrange(tmp_path, isolated_env / read.where, kind, read.linked)
    cwd = project(tmp_path, read.auth)
    if command == "status":
        args, stdin = ["status"], ""
    elif read.auth == "api_key":
        args, stdin = ONBOARD_KEY, KEY_IN
    else:
        args, stdin = ONBOARD_CLAUDE, ""
    got = run(args, isolated_env, fake_provider, cwd, stdin)
    check_case(tally, unchanged, got, 1, [f"{read.said} {WORDS[kind]}", "move it aside"])


@pytest.mark.parametrize("kind", KINDS)
def test_credentials_lock(
    kind: str, tmp_path: Path, isolated_env: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    unchanged = arrange(tmp_path, config_dir(isolated_env) / "credentials.json.lock", kind)
    got = run(ONBOARD_KEY, isolated_env, fake_provider, project(tmp_path, "api_key"), KEY_IN)
    words = [f"the credentials lock file ~/.config/seal/credentials.json.lock {WORDS[kind]}"]
    check_case(tally, unchanged, got, 1, [*words, "remove it"])
    assert not (config_dir(isolated_env) / "credentials.json").exists()  # nothing stored


@pytest.mark.parametrize("kind", KINDS)
def test_seal_toml_lock(
    kind: str, tmp_path: Path, isolated_env: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    # The lock sits in the project folder, which a cloned repository controls.
    cwd = tmp_path / "project"
    unchanged = arrange(tmp_path, cwd / ".seal.toml.lock", kind)
    got = run(ONBOARD_KEY, isolated_env, fake_provider, cwd, KEY_IN)
    words = [f"its lock file .seal.toml.lock {WORDS[kind]}", "nothing was written"]
    check_case(tally, unchanged, got, 3, words)
    assert not (cwd / "seal.toml").exists()


BACKUP_CASES = [(".bak", kind) for kind in KINDS] + [
    (suffix, kind) for suffix in (".bak.1", ".bak.2") for kind in ("fifo", "symlink")
]


@pytest.mark.parametrize(("suffix", "kind"), BACKUP_CASES)
def test_seal_toml_backup(
    suffix: str,
    kind: str,
    tmp_path: Path,
    isolated_env: Path,
    fake_provider: FakeProvider,
    tally: Tally,
) -> None:
    """The backups sit in the project folder too: one that is not a plain file stops the
    write before anything changes (nothing written through a link, no FIFO opened)."""
    cwd = project(tmp_path, "api_key")
    before = (cwd / "seal.toml").read_bytes()
    unchanged = arrange(tmp_path, cwd / f"seal.toml{suffix}", kind, linked=before.decode())
    got = run([*ONBOARD_KEY, "--effort", "low"], isolated_env, fake_provider, cwd, KEY_IN)
    name = f"seal.toml{suffix}"
    words = [f"{name}, where its previous version is kept, {WORDS[kind]}", "nothing was written"]
    check_case(tally, unchanged, got, 3, [*words, "move"])
    assert (cwd / "seal.toml").read_bytes() == before
    assert sorted(p.name for p in cwd.iterdir()) == [".seal.toml.lock", "seal.toml", name]
    assert not (config_dir(isolated_env) / "credentials.json").exists() or (
        "anthropic:default" not in (config_dir(isolated_env) / "credentials.json").read_text()
    )  # the stored key was rolled back
