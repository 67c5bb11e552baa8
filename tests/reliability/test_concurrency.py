"""Two processes updating the same file at once: no update is silently lost.

seal.toml: each process applies 50 role updates to its own agent (load → append one
fallback → save). A save that finds the file changed since it was read is refused with
a "changed on disk — reload" error, and the process reloads and applies its update again,
as a person told so would. In the end all 100 updates are there, each exactly once.

Credential file: each process puts 50 profiles into the same FileStore; all 100 stored.
"""

from __future__ import annotations

import sys
import time
import tomllib
from pathlib import Path
from typing import Any

from backend.credentials.stores import FileStore
from backend.vocabulary.selectors import parse_selector
from tests.reliability.concurrent_writer import run_together, selector
from tests.reliability.conftest import Tally

ROOT = Path(__file__).resolve().parents[2]
UPDATES = 50
WRITER = (sys.executable, "-m", "tests.reliability.concurrent_writer")
SEAL_TOML = (
    "# shared by two writers\n"
    '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\n\n'
    '[agents.alpha.model]\nname = "claude-opus-4-7"  # alpha\n\n'
    '[agents.beta.model]\nname = "claude-haiku-4-5"  # beta\n'
)


def run_pair(kind: str, path: Path, names: tuple[str, str]) -> list[dict[str, Any]]:
    """Start both writers, release them together, return their JSON reports."""
    return run_together([[*WRITER, kind, str(path), name, str(UPDATES)] for name in names])


def test_two_processes_update_roles_of_different_agents(tmp_path: Path, tally: Tally) -> None:
    path = tmp_path / "seal.toml"
    path.write_text(SEAL_TOML, encoding="utf-8")
    started = time.monotonic()
    reports = run_pair("toml", path, ("alpha", "beta"))
    elapsed = time.monotonic() - started
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    missing: list[str] = []
    for agent in ("alpha", "beta"):
        got = data["agents"][agent]["model"].get("roles", {}).get("fallbacks", [])
        want = [str(parse_selector(selector(agent, i))) for i in range(UPDATES)]
        for wanted in want:
            present = got.count(wanted) == 1  # there, and not applied twice
            tally.record("concurrency: seal.toml", present)
            if not present:
                missing.append(f"{agent}: {wanted} x{got.count(wanted)}")
        assert missing or got == want, got  # in order, nothing extra
    # The rest of the file survived every save.
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# shared by two writers\n")
    assert "# alpha" in text and "# beta" in text
    conflicts = sum(r["conflicts"] for r in reports)
    locked = sum(r["locked"] for r in reports)
    messages = [m for r in reports for m in r["messages"]]
    print(
        f"seal.toml: {2 * UPDATES} updates in {elapsed:.1f} s; {conflicts} refused as changed "
        f"on disk and {locked} as locked, each reloaded and applied again"
    )
    for message in messages:  # the error a person would see is clear about what to do
        assert "nothing was written" in message, message
        assert "reload" in message or "another program" in message, message
    assert not missing, missing


def test_two_processes_put_credentials(tmp_path: Path, tally: Tally) -> None:
    path = tmp_path / "config" / "credentials.json"
    path.parent.mkdir()
    run_pair("cred", path, ("a", "b"))
    stored = {r.profile: r for r in FileStore(path).list()}
    missing = []
    for prefix in ("a", "b"):
        for index in range(UPDATES):
            record = stored.get(f"{prefix}-{index}")
            present = record is not None and (record.secret or "").startswith(
                f"sk-ant-api03-{prefix}-{index:03d}-"
            )
            tally.record("concurrency: credential file", present)
            if not present:
                missing.append(f"{prefix}-{index}")
    assert len(stored) == 2 * UPDATES
    assert path.stat().st_mode & 0o777 == 0o600
    assert not missing, missing
