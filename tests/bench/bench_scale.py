"""Curves over team sizes: `status` and `status --json` over stored keys in the file store
(10…10 000) and over a real Secret Service (10…1000, when gnome-keyring and D-Bus are
here), each printed as time per item and growth per 10× input (goal: at most 12×).

The commands run in this process (`tui.cli.main`, output discarded) in a temporary home
with no seal.toml: every stored key is a target. `SEAL_BENCH_SMALL=1` stops each curve
one size early (a quick look; the default spans 1000×).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from backend.credentials.record import CredentialRecord
from backend.credentials.stores import FileStore
from tests.bench.bench_status import _home
from tests.bench.common import curve, median

FILE_KEYS = (10, 100, 1000, 10_000)
KEYRING_KEYS = (10, 100, 1000)
SMALL = os.environ.get("SEAL_BENCH_SMALL") == "1"


def _sizes(sizes: tuple[int, ...]) -> tuple[int, ...]:
    return sizes[:-1] if SMALL else sizes


def _records(count: int) -> list[CredentialRecord]:
    key = "sk-ant-api03-" + "a" * 80
    return [
        CredentialRecord("anthropic", f"p{i:05}", "api_key", secret=f"{key}{i:05}")
        for i in range(count)
    ]


def _timed_status(*flags: str, runs: int) -> float:
    from tui.cli import main

    took = []
    for _ in range(runs):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            main(["status", *flags])
        took.append(time.perf_counter() - start)
    return median(took)


def _file_curves() -> bool:
    met = True
    sizes = _sizes(FILE_KEYS)
    for flags in ((), ("--json",)):
        seconds = []
        for count in sizes:
            with tempfile.TemporaryDirectory() as folder, _home(Path(folder)):
                os.chdir(folder)  # no seal.toml here
                store = FileStore()
                doc = {"version": 1, "credentials": {r.key: r.to_dict() for r in _records(count)}}
                store.path.parent.mkdir(mode=0o700, parents=True)
                store.path.write_text(json.dumps(doc), encoding="utf-8")
                os.chmod(store.path, 0o600)
                _timed_status(*flags, runs=1)  # warm
                seconds.append(_timed_status(*flags, runs=3 if count >= 1000 else 7))
        name = "status" + "".join(f" {f}" for f in flags) + ", file store"
        met = curve(name, "key", sizes, seconds) and met
    return met


# Run inside a private D-Bus session with a fresh, unlocked login keyring: fills it with
# N records and prints the median time of `status --json` over them.
_CHILD = """
import contextlib, io, json, statistics, sys, time
from keyring.backends import SecretService
from backend.credentials.stores import INDEX_USERNAME, SERVICE
from tests.bench.bench_scale import _records
from tui.cli import main

count = int(sys.argv[1])
backend = SecretService.Keyring()
collection = backend.get_preferred_collection()
for record in _records(count):
    collection.create_item(
        f"seal {record.key}", {"service": SERVICE, "username": record.key,
        "application": backend.appid}, record.to_json(), replace=True)
collection.create_item(
    "seal index", {"service": SERVICE, "username": INDEX_USERNAME,
    "application": backend.appid}, json.dumps([r.key for r in _records(count)]), replace=True)
collection.connection.close()
took = []
for _ in range(3):
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        main(["status", "--json"])
    took.append(time.perf_counter() - start)
print("RESULT", statistics.median(took))
"""


def _keyring_status(count: int, folder: Path) -> float | None:
    home = folder / f"home-{count}"
    runtime = folder / f"run-{count}"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
        and not k.startswith(("GNOME_KEYRING", "XDG_"))
    }
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(home / ".config"),
        SEAL_CREDENTIAL_STORE="keyring",
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    shell = (
        'eval "$(printf seal-bench | gnome-keyring-daemon --unlock --components=secrets)" '
        '&& export GNOME_KEYRING_CONTROL && exec "$0" -c "$1" "$2"'
    )
    argv = ["dbus-run-session", "--", "sh", "-c", shell, sys.executable, _CHILD, str(count)]
    done = subprocess.run(
        argv, env=env, cwd=home, capture_output=True, text=True, timeout=600, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    return float(lines[-1].split()[1]) if lines else None


def _keyring_curve() -> bool:
    if not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")):
        print("status --json, Secret Service: skipped (no dbus-run-session/gnome-keyring)")
        return True
    sizes = _sizes(KEYRING_KEYS)
    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        for count in sizes:
            took = _keyring_status(count, Path(folder))
            if took is None:
                print(f"status --json, Secret Service: no figure at {count} keys")
                return False
            seconds.append(took)
    return curve("status --json, Secret Service", "key", sizes, seconds)


def main() -> bool:
    cwd = os.getcwd()
    try:
        met = _file_curves()
    finally:
        os.chdir(cwd)
    return _keyring_curve() and met


if __name__ == "__main__":
    main()
