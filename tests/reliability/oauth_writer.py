"""Concurrency helper: one process probing a stored sign-in again and again.

  python -m tests.reliability.oauth_writer COUNT

COUNT rounds of what `seal-setup status --probe` does for the stored anthropic:default
sign-in: refresh it when it is due (the fake's tokens live 30 s, inside the 60 s refresh
window, so every round refreshes), check it live, stamp it verified. The environment says
where the store, the lock and the fake are (XDG dirs, SEAL_CREDENTIAL_STORE=file, the
fake's SEAL_* URLs).

It prints "ready", waits for a line on stdin (so two processes start together), works,
then prints one JSON line: {"states": [...], "notes": [...]}, one per round.
"""

from __future__ import annotations

import json
import os
import sys

from backend.credentials.stores import choose_store
from backend.status import build_report, probe


def rounds(count: int) -> dict[str, list[str]]:
    env = dict(os.environ)
    store = choose_store(env).store
    states: list[str] = []
    notes: list[str] = []
    for _ in range(count):
        report = probe(build_report(None, store, env), env, store)
        states += [entry.state for entry in report.entries]
        notes += [entry.note for entry in report.entries]
    return {"states": states, "notes": notes}


def main(argv: list[str]) -> int:
    count = int(argv[0])
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(rounds(count)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
