"""Starting the wizard stays light: httpx, keyring, tomlkit and shtab load only when needed."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("httpx", "keyring", "tomlkit", "shtab")


def _loaded_after(statement: str) -> list[str]:
    code = f"import json, sys\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return [name for name in HEAVY if name in json.loads(out)]


def test_importing_the_app_loads_no_heavy_module() -> None:
    assert _loaded_after("import tui.app") == []


def test_the_console_script_and_first_step_load_no_heavy_module() -> None:
    # What `seal-setup` imports before its first paint: the CLI, the App, the Welcome step.
    assert _loaded_after("import tui.cli, tui.app, screens.welcome") == []


def test_building_the_app_loads_no_heavy_module() -> None:
    statement = (
        "from tui.app import SealSetupApp\n"
        "SealSetupApp.from_cli(config=None, mode='onboard', env={})"
    )
    assert _loaded_after(statement) == []


def test_the_heavy_modules_do_load_when_a_check_runs() -> None:
    # Guards the test above against passing because the probe itself is broken.
    assert _loaded_after("import backend.providers.anthropic") == ["httpx"]


def test_building_the_parser_loads_no_heavy_module() -> None:
    # `--help` and every command build the whole parser; only `completion` needs shtab.
    assert _loaded_after("import tui.cli\ntui.cli.build_parser()") == []
