"""The wizard onboarding into Vault (a real OpenBao dev server): Welcome and Review say the
secret goes to Vault at its address and path, and it lands there, nowhere on disk."""

from __future__ import annotations

import os
from pathlib import Path

from backend.credentials.stores import choose_store
from screens.welcome import WelcomeScreen
from tests.fakes.openbao import OpenBao
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.tui.harness import (
    SIZE,
    build,
    enter_secret,
    finish_from_model,
    press_next,
    to_method,
    wait_check,
    wait_screen,
    wait_text,
)


async def test_onboard_into_vault(
    vault: OpenBao, fake_provider: FakeProvider, tmp_path: Path
) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    choice = choose_store(dict(os.environ))
    h = build(fake_provider, tmp_path, store_choice=choice)
    path = f"Vault at {vault.addr}, secret/{prefix}/anthropic/default"
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, WelcomeScreen)
        await wait_text(
            pilot, "#survey", f"secrets go to Vault at {vault.addr} (secret/{prefix}/…)"
        )
        await to_method(pilot, "anthropic", "api_key")
        await enter_secret(pilot, ANTHROPIC_KEY)
        await press_next(pilot)
        await wait_check(pilot, "✓")
        await press_next(pilot)

        async def on_review() -> None:
            await wait_text(pilot, "#secret-dest", f"The credential goes to: {path}")

        await finish_from_model(pilot, "claude-sonnet-4-6", on_review=on_review)
    assert h.app.return_code == 0
    stored = vault.kv(f"{prefix}/anthropic/default")
    assert stored["secret"] == ANTHROPIC_KEY and stored["verified_at"]
    on_disk = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert ANTHROPIC_KEY.encode() not in on_disk
