"""Concurrency with 300 ms injected latency at the fake provider.

Figures, each against one round trip (a single authenticated check) measured the same way:
- the wizard: from pressing Next on the key step to the Check step showing Verified
  (OpenRouter, whose check and model list are two requests);
- `status --probe` over 10 profiles (backend.status.probe, as the command runs it).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from backend.config.document import load_config
from backend.credentials.record import CredentialRecord
from backend.credentials.stores import MemoryStore
from backend.providers import live as providers
from backend.providers.base import Auth
from backend.status import build_report, probe
from tests.bench.common import median, report
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, FakeProvider

LATENCY = 0.3
GOAL = 1.3


def _round_trip(fake: FakeProvider) -> float:
    start = time.perf_counter()
    result = providers.check("anthropic", Auth("api_key", ANTHROPIC_KEY), env=fake.env())
    assert result.outcome == "verified", result.message
    return time.perf_counter() - start


async def _wizard_check(fake: FakeProvider, folder: Path) -> float:
    """From the Next action on the key step to the Check step showing its outcome.

    Timed inside the app (the step's action and the Check step's display), so Pilot's own
    polling between keys does not count.
    """
    from screens.base import StepScreen
    from screens.check import CheckScreen
    from tests.tui.harness import build, goto, wait_for

    marks: dict[str, float] = {}
    next_action, show = StepScreen.action_next, CheckScreen._show

    def timed_next(self: StepScreen) -> None:
        marks.setdefault("next", time.perf_counter())
        next_action(self)

    def timed_show(self: CheckScreen, *args: Any, **kwargs: Any) -> None:
        show(self, *args, **kwargs)
        if self.answers.check_outcome == "verified":
            marks.setdefault("verified", time.perf_counter())

    h = build(fake, folder)
    async with h.app.run_test(size=(100, 30)) as pilot:
        await goto(pilot, "credential", provider="openrouter", secret=OPENROUTER_KEY)
        await wait_for(pilot, lambda: h.services._http is not None, "warm-up done")
        StepScreen.action_next = timed_next  # type: ignore[method-assign]
        CheckScreen._show = timed_show  # type: ignore[method-assign]
        try:
            await pilot.press("ctrl+n")
            await wait_for(pilot, lambda: "verified" in marks, "verified", timeout=20)
        finally:
            StepScreen.action_next = next_action  # type: ignore[method-assign]
            CheckScreen._show = show  # type: ignore[method-assign]
    return marks["verified"] - marks["next"]


def _probe_ten(fake: FakeProvider, folder: Path) -> float:
    lines = ['[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "api_key"\n']
    store = MemoryStore()
    store.put(CredentialRecord("anthropic", "default", "api_key", secret=ANTHROPIC_KEY))
    for i in range(1, 10):
        key = ANTHROPIC_KEY[:-6] + f"{i:06d}"
        fake.add_key("anthropic", key)
        store.put(CredentialRecord("anthropic", f"p{i}", "api_key", secret=key))
        lines.append(f'[agents.a{i}.model]\nprofile = "p{i}"\n')
    path = folder / "seal.toml"
    path.write_text("\n".join(lines))
    built = build_report(load_config(path), store, fake.env())
    assert len(built.entries) == 10, [e.profile for e in built.entries]
    start = time.perf_counter()
    probed = probe(built, fake.env(), store)
    elapsed = time.perf_counter() - start
    assert all(e.state == "ok" for e in probed.entries), [e.state for e in probed.entries]
    return elapsed


def main(runs: int = 3) -> bool:
    """Goal: each at most 1.3 x one round trip."""
    fake = FakeProvider(latency=LATENCY)
    fake.start()
    try:
        rtt = median([_round_trip(fake) for _ in range(runs)])
        with tempfile.TemporaryDirectory() as folder:
            wizard = median(
                [asyncio.run(_wizard_check(fake, Path(folder) / f"w{i}")) for i in range(runs)]
            )
            status = median([_probe_ten(fake, Path(folder)) for _ in range(runs)])
    finally:
        fake.stop()
    ok = True
    for name, value in (
        ("wizard Next -> Verified", wizard),
        ("status --probe, 10 profiles", status),
    ):
        ratio = value / rtt
        ok &= ratio <= GOAL
        figure = f"{value * 1000:.0f} ms vs round trip {rtt * 1000:.0f} ms = {ratio:.2f}x"
        report(name, figure, f"<= {GOAL}x", ratio <= GOAL)
    return ok


if __name__ == "__main__":
    main()
