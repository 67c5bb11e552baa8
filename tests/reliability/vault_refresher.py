"""Concurrency helper: one machine's seal-setup refreshing a sign-in kept in Vault.

  python -m tests.reliability.vault_refresher

The environment says where Vault is (VAULT_ADDR, VAULT_TOKEN, SEAL_VAULT_PREFIX), its own
HOME and XDG dirs (so no file lock is shared with the others), and the fake's SEAL_* URLs.
It prints "ready", waits for a line on stdin (so all start together), runs
`ensure_fresh`, then prints one JSON line: {"token": sha256 of the access token it ends with}.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys

from backend.auth.oauth import ensure_fresh
from backend.credentials.stores import choose_store


def main() -> int:
    env = dict(os.environ)
    store = choose_store(env).store
    print("ready", flush=True)
    sys.stdin.readline()
    record = ensure_fresh(store, "anthropic", "default", env=env)
    digest = hashlib.sha256(record.token.encode()).hexdigest()
    print(json.dumps({"token": digest}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
