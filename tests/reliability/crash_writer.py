"""Crash-trial helper: a fork server whose children save alternating versions forever.

Spawning a fresh Python per trial costs a few hundred ms; forking this already-imported
process costs a few ms, so hundreds of SIGKILL trials fit in seconds.

Commands, one per line on stdin (answers on stdout):
  spawn toml PATH   fork a child that loads seal.toml at PATH and saves version 0, 1, 0, …
  spawn cred PATH   fork a child that puts the flip record version 0, 1, 0, … into the
                    FileStore at PATH
  reap PID          wait for that (killed) child; answers its wait status
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path

from backend.config.document import load_config
from backend.credentials.record import CredentialRecord
from backend.credentials.stores import FileStore

# (effort, fast role, padding): the padding makes each save rewrite a sizeable file.
TOML_VERSIONS = (("high", "claude-haiku-4-5", "a" * 4000), ("low", "claude-sonnet-4-6", "b" * 4000))
# A fixed created_at: each version's bytes are then always the same.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
BASE_PROFILES = 40  # records that never change: each put rewrites a ~20 KB JSON file


def base_record(index: int) -> CredentialRecord:
    secret = f"sk-ant-api03-base-{index:03d}-" + "z" * 400
    return CredentialRecord(
        "anthropic", f"p{index:03d}", "api_key", secret=secret, created_at=EPOCH
    )


def flip_record(version: int) -> CredentialRecord:
    """The record the writers flip: version 0 or 1, the whole secret differs."""
    secret = f"sk-ant-api03-v{version}-" + ("x" if version else "y") * 400
    return CredentialRecord("anthropic", "flip", "api_key", secret=secret, created_at=EPOCH)


def save_toml(path: Path, version: int) -> None:
    effort, fast, pad = TOML_VERSIONS[version]
    config = load_config(path)
    config.set("effort", effort)
    config.set_role("fast", fast)
    config.set_header("X-Pad", pad)
    config.save()


def save_cred(path: Path, version: int) -> None:
    FileStore(path).put(flip_record(version))


def save_forever(kind: str, path: Path) -> None:
    save = save_toml if kind == "toml" else save_cred
    turn = 0
    while True:
        save(path, turn % 2)
        turn += 1


def main() -> int:
    for line in sys.stdin:
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "spawn":
            kind, path = parts[1], Path(parts[2])
            pid = os.fork()
            if pid == 0:  # the child: save until killed
                try:
                    save_forever(kind, path)
                except BaseException:
                    traceback.print_exc()
                finally:
                    os._exit(1)  # only reached by an error: the parent sees status 256
            print(pid, flush=True)
        elif parts[0] == "reap":
            _, status = os.waitpid(int(parts[1]), 0)
            print(status, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
