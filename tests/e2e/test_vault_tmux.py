"""The installed wizard in a real terminal (tmux) onboarding into a real OpenBao dev
server: Review names the Vault path, the record lands there, `seal-setup run` hands it to
Seal, and the secret is nowhere on the client's disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Fake
from tests.e2e.test_wizard_tmux import (
    launch,
    paste_api_key,
    pick_model_and_write,
    runs_with,
    seal_authenticates,
)
from tests.fakes.openbao import ROOT_TOKEN, OpenBao
from tests.fakes.provider import ANTHROPIC_KEY

pytestmark = pytest.mark.system


def test_wizard_onboards_into_vault(vault: OpenBao, fake: Fake, tmp_path: Path) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    with launch(fake, tmp_path, **vault.env(prefix)) as w:
        paste_api_key(w)
        done = pick_model_and_write(
            w,
            "api_key",
            how=runs_with("ANTHROPIC_API_KEY"),
            stored_in=f"secret/{prefix}/anthropic/default",
        )
        assert f"Vault at {vault.addr}" in " ".join(done.split())
        assert w.wait_exit() == 0
        w.assert_never_shown(ANTHROPIC_KEY, ROOT_TOKEN)
        record = vault.kv(f"{prefix}/anthropic/default")
        assert record["secret"] == ANTHROPIC_KEY and record["verified_at"]
        assert not w.credentials.exists()
        seal_authenticates(w, "ANTHROPIC_API_KEY")
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert ANTHROPIC_KEY.encode() not in on_disk
