"""Start to first paint: `seal-setup` headless against a bare Textual app with one Static.

`seal-setup` starts the way its console script does (tui.cli.launch_wizard), headless.

Both run as fresh processes, alternating, so machine noise hits both alike. Each child
prints the wall-clock time at which its first screen has painted (paint time - spawn
time is one run); the figure is the median of each pair's ratio, with both medians.
"""

from __future__ import annotations

import subprocess
import sys
import time

from tests.bench.common import median, report

BARE = """
import asyncio
import time
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello")

async def pilot(p):
    painted = asyncio.get_running_loop().create_future()
    p.app.screen.call_after_refresh(lambda: painted.set_result(time.time()))
    print(await painted, flush=True)
    p.app.exit()

Bare().run(headless=True, size=(80, 24), auto_pilot=pilot)
"""

SEAL = """
import asyncio
import os
import time
from tui.cli import launch_wizard

async def pilot(p):
    from screens.base import StepScreen

    while not isinstance(p.app.screen, StepScreen):
        await asyncio.sleep(0.002)
    painted = asyncio.get_running_loop().create_future()
    p.app.screen.call_after_refresh(lambda: painted.set_result(time.time()))
    print(await painted, flush=True)
    p.app.exit()

launch_wizard(
    "onboard", config="bench-seal.toml", env=os.environ,
    headless=True, size=(80, 24), auto_pilot=pilot,
)
"""


def _run(code: str, cwd: str) -> float:
    start = time.time()
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=cwd, capture_output=True, text=True
    )
    return float(done.stdout.split()[0]) - start


def main(runs: int = 25) -> bool:
    """Alternate the two programs `runs` times each; goal: median ratio at most 1.15."""
    import tempfile

    with tempfile.TemporaryDirectory() as cwd:
        _run(BARE, cwd), _run(SEAL, cwd)  # warm the OS file cache for both
        bare, seal = [], []
        for _ in range(runs):
            bare.append(_run(BARE, cwd))
            seal.append(_run(SEAL, cwd))
    # Each seal-setup run against the bare run just before it: slow spells of the machine
    # then weigh on both sides of a ratio, not on one median.
    ratio = median([s / b for s, b in zip(seal, bare, strict=True)])
    figure = f"{median(seal) * 1000:.0f} ms vs bare {median(bare) * 1000:.0f} ms = {ratio:.2f}x"
    report("start to first paint", figure, "<= 1.15x", ratio <= 1.15)
    return ratio <= 1.15


if __name__ == "__main__":
    main()
