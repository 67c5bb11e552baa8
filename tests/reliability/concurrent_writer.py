"""Concurrency helper: one process applying many small updates to a shared file.

  python -m tests.reliability.concurrent_writer toml PATH AGENT COUNT
      COUNT role updates to [agents.AGENT]: each loads seal.toml, appends one selector to
      the agent's fallbacks and saves; on "changed on disk" or "locked" it reloads and
      applies the update again (what the wizard tells a person to do).
  python -m tests.reliability.concurrent_writer cred PATH PREFIX COUNT
      COUNT puts of profiles PREFIX-0 … into the FileStore at PATH.

It prints "ready", waits for a line on stdin (so both processes start together), works,
then prints one JSON line: {"applied", "conflicts", "locked", "messages"}.

`run_together` is the other side: it starts such helpers, releases them at once and
returns what each printed last.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from backend.config.document import load_config
from backend.credentials.record import CredentialRecord
from backend.credentials.stores import FileStore
from backend.errors import ConfigConflictError, ConfigLockedError

ROOT = Path(__file__).resolve().parents[2]


def run_together(
    commands: list[list[str]], env: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Start every helper, wait until each says "ready", release them together; the
    JSON line each prints at the end, in order (a helper failing fails the test)."""
    procs = [
        subprocess.Popen(
            command,
            cwd=ROOT,
            env=None if env is None else dict(env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    for proc in procs:  # all imported and waiting
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, out + err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def selector(agent: str, index: int) -> str:
    return f"openrouter:vendor/model-{agent}-{index:03d}"


def toml_updates(path: Path, agent: str, count: int) -> dict[str, object]:
    conflicts = locked = 0
    messages: list[str] = []
    for index in range(count):
        while True:
            config = load_config(path)
            fallbacks = list(config.own_roles(agent).get("fallbacks") or [])
            config.set_role("fallbacks", [*fallbacks, selector(agent, index)], agent)
            try:
                config.save(lock_timeout=10.0)
                break
            except ConfigConflictError as exc:
                conflicts += 1
                messages.append(str(exc))
            except ConfigLockedError as exc:
                locked += 1
                messages.append(str(exc))
    return {"applied": count, "conflicts": conflicts, "locked": locked, "messages": messages[:3]}


def cred_puts(path: Path, prefix: str, count: int) -> dict[str, object]:
    store = FileStore(path)
    for index in range(count):
        secret = f"sk-ant-api03-{prefix}-{index:03d}-" + "k" * 80
        store.put(CredentialRecord("anthropic", f"{prefix}-{index}", "api_key", secret=secret))
    return {"applied": count, "conflicts": 0, "locked": 0, "messages": []}


def main(argv: list[str]) -> int:
    kind, path, name, count = argv[0], Path(argv[1]), argv[2], int(argv[3])
    print("ready", flush=True)
    sys.stdin.readline()
    work = toml_updates if kind == "toml" else cred_puts
    result = work(path, name, count)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
