"""Five machines (separate HOMEs, no shared file lock) refresh one expiring sign-in kept in
a real OpenBao at once: exactly one refresh reaches the OAuth endpoint, and all five end
with the winner's token, which the store holds and the provider still honours."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from backend.credentials.vault import VaultStore
from backend.credentials.writes import update_record
from tests.cli.helpers import subprocess_env
from tests.fakes.openbao import OpenBao
from tests.fakes.provider import FakeProvider

ROOT = Path(__file__).resolve().parents[2]
TOKEN_PATH = "/v1/oauth/token"
MACHINES = 5


def test_five_machines_refresh_once(
    vault: OpenBao, fake_provider: FakeProvider, tmp_path: Path
) -> None:
    expiring = fake_provider.signed_in(lifetime=5)
    vault_env = vault.env(vault.prefix)  # type: ignore[attr-defined]
    store = VaultStore({**vault_env, "HOME": str(tmp_path)})
    update_record(store, "anthropic", "default", lambda _: expiring, lock_dir=tmp_path)
    before = fake_provider.count(TOKEN_PATH)

    procs = []
    for n in range(MACHINES):
        home = tmp_path / f"machine-{n}"
        home.mkdir()
        env = subprocess_env(home, fake_provider, **vault_env)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.vault_refresher"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    digests = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, out + err
        digests.append(json.loads(out.strip().splitlines()[-1])["token"])

    assert fake_provider.count(TOKEN_PATH) - before == 1
    stored = store.get("anthropic", "default")
    assert stored is not None and stored.access_token != expiring.access_token
    assert stored.refresh_token in fake_provider.live_refresh_tokens()
    assert set(digests) == {hashlib.sha256(stored.token.encode()).hexdigest()}
