"""SIGKILL during saves: seal.toml and the credential file are always the old or the new
bytes, every kept version (.bak, .bak.1, .bak.2) is a whole version and the one being
replaced is never lost, and a killed writer's temp files are gone after the next save.

Writers are forked from a pre-imported helper (crash_writer.py), each saving two versions
in turn on its own file; the test kills it at a random moment, checks the files, then
saves once itself (the "next run") and checks that no temp file is left. Several files
are worked in parallel to keep the wall time down.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from backend.config import backups
from backend.credentials.stores import FileStore
from backend.system.atomic import TEMP_PREFIX
from tests.reliability.conftest import Tally
from tests.reliability.crash_writer import BASE_PROFILES, base_record, save_cred, save_toml

ROOT = Path(__file__).resolve().parents[2]
TRIALS = 200  # per kind of file
WRITERS = 4  # files (and fork servers) per kind, worked in parallel
KILL_WINDOW = 0.05  # seconds after the fork; saves run back to back from the start
CATEGORY = {"toml": "crash: seal.toml save", "cred": "crash: credential file save"}
SEAL_TOML = (
    "# seal.toml under crash test\n"
    '[model]\nprovider = "anthropic"  # keep me\nname = "claude-sonnet-4-6"\n\n'
    '[model.roles]\nfast = "claude-haiku-4-5"\n\n'
    + "".join(f'[agents.a{i}.model]\nname = "claude-opus-4-7"\n\n' for i in range(30))
)


@dataclass
class Outcome:
    kind: str
    trials: int = 0
    held: int = 0
    temps_after_kill: int = 0  # trials whose kill left a temp file behind
    failures: list[str] = field(default_factory=list)


class ForkServer:
    """One crash_writer.py process; forks writer children on request."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_writer"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )

    def ask(self, line: str) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def temps(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(TEMP_PREFIX)]


def versions(kind: str, path: Path) -> tuple[bytes, bytes]:
    """Write the file's two versions in process; return their bytes (stable on repeat)."""
    path.parent.mkdir(parents=True)
    if kind == "toml":
        path.write_text(SEAL_TOML, encoding="utf-8")
        save = save_toml
    else:
        store = FileStore(path)
        for index in range(BASE_PROFILES):
            store.put(base_record(index))
        save = save_cred
    save(path, 1)
    save(path, 0)
    a = path.read_bytes()
    save(path, 1)
    b = path.read_bytes()
    save(path, 0)
    assert path.read_bytes() == a and a != b, "a version's bytes must not drift"
    return a, b


def check_files(kind: str, path: Path, a: bytes, b: bytes) -> str:
    """'' when the file and each kept version hold one whole version, and both versions
    are still there (seal.toml, .bak or .bak.1); else what is wrong."""
    data = path.read_bytes()
    if kind == "toml":
        tomllib.loads(data.decode("utf-8"))
        slots = backups.slots(path)
        if not slots[0].exists():
            return "seal.toml.bak is missing"
        kept = [slot.read_bytes() for slot in slots if slot.exists()]
        for slot, backup in zip(slots, kept, strict=False):
            tomllib.loads(backup.decode("utf-8"))
            if backup not in (a, b):
                return f"{slot.name} holds neither version"
        # Alternating a and b, the version a save replaces is the other one: a kill
        # mid-save must leave it in seal.toml or in one of the two newest backups.
        if {a, b} - {data, *kept[:2]}:
            return "the version before the last save is lost"
    else:
        json.loads(data)
    if data not in (a, b):
        return f"{path.name} holds neither the old nor the new version"
    return ""


def trials(kind: str, folder: Path, count: int, seed: int) -> Outcome:
    name = "seal.toml" if kind == "toml" else "credentials.json"
    path = folder / name
    a, b = versions(kind, path)
    rng = random.Random(seed)
    outcome = Outcome(kind)
    server = ForkServer()
    try:
        for trial in range(count):
            pid = server.ask(f"spawn {kind} {path}")
            time.sleep(rng.uniform(0, KILL_WINDOW))
            os.kill(pid, signal.SIGKILL)
            status = server.ask(f"reap {pid}")
            outcome.trials += 1
            problems: list[str] = []
            if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
                problems.append(f"the writer died on its own (status {status})")
            try:
                wrong = check_files(kind, path, a, b)
            except (ValueError, UnicodeDecodeError) as exc:  # TOML/JSON errors are ValueErrors
                wrong = f"does not parse: {exc}"
            if wrong:
                problems.append(wrong)
            if temps(folder):
                outcome.temps_after_kill += 1
            # The next run: one save (ours); it must leave no killed writer's temp behind.
            (save_toml if kind == "toml" else save_cred)(path, rng.randrange(2))
            left = temps(folder)
            if left:
                problems.append(f"temp files left after the next save: {left}")
            if problems:
                outcome.failures.append(f"{folder.name} trial {trial}: {'; '.join(problems)}")
            else:
                outcome.held += 1
    finally:
        server.close()
    return outcome


def test_sigkill_during_saves(tmp_path: Path, tally: Tally) -> None:
    started = time.monotonic()
    jobs = [
        (kind, tmp_path / f"{kind}{i}", TRIALS // WRITERS, i)
        for kind in ("toml", "cred")
        for i in range(WRITERS)
    ]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        outcomes = list(pool.map(lambda job: trials(*job), jobs))
    elapsed = time.monotonic() - started
    failures: list[str] = []
    for kind in ("toml", "cred"):
        mine = [o for o in outcomes if o.kind == kind]
        for o in mine:
            for _ in range(o.held):
                tally.record(CATEGORY[kind], True)
            for _ in range(o.trials - o.held):
                tally.record(CATEGORY[kind], False)
            failures += o.failures
        killed_with_temp = sum(o.temps_after_kill for o in mine)
        print(
            f"{CATEGORY[kind]}: {sum(o.trials for o in mine)} kills, "
            f"{killed_with_temp} left a temp file (all removed by the next save)"
        )
    print(f"crash trials took {elapsed:.1f} s")
    assert sum(o.trials for o in outcomes if o.kind == "toml") >= 200
    assert sum(o.trials for o in outcomes if o.kind == "cred") >= 200
    assert not failures, failures[:10]
