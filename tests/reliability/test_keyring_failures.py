"""The keyring failing under the wizard and the CLI: locked, absent, failing mid-write.

Each failure must give a clear message with the fallback named (SEAL_CREDENTIAL_STORE=file),
exit non-zero on the command line, and leave nothing half-stored: no record without its
index entry, no index entry without its record, and seal.toml untouched (commit() stores
first and writes seal.toml only after the store succeeded).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from backend.credentials.record import CredentialRecord
from backend.credentials.stores import INDEX_USERNAME, KeyringStore, StoreChoice
from backend.errors import CredentialStoreError
from backend.wizard.answers import Answers
from backend.wizard.onboarding import commit
from tests.cli.helpers import SEAL_SETUP, subprocess_env
from tests.conftest import require_tools
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.reliability.conftest import Tally
from tests.reliability.flaky_keyring import FlakyKeyring
from tests.support.steps import start_at
from tests.tui.harness import SIZE, build, goto, press_next, text_of, wait_for

REPO = Path(__file__).resolve().parents[2]
EXISTING_TOML = (
    '# my project\n[model]\nprovider = "openai"  # keep me\nname = "gpt-5"\nauth = "env"\n'
)
FALLBACK = "SEAL_CREDENTIAL_STORE=file"
CLI_ARGS = [
    "onboard",
    "--non-interactive",
    "--config",
    "seal.toml",
    "--provider",
    "anthropic",
    "--auth",
    "api_key",
    "--model",
    "claude-sonnet-4-6",
]


def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "seal.toml").write_text(EXISTING_TOML, encoding="utf-8")
    return folder


def untouched(folder: Path) -> bool:
    config = folder / "seal.toml"
    return (
        config.read_text(encoding="utf-8") == EXISTING_TOML
        and not (folder / "seal.toml.bak").exists()
    )


async def wizard_write(
    fake: FakeProvider, tmp_path: Path, stores: list[KeyringStore]
) -> tuple[list[str], bool]:
    """Walk to Review with a valid key and press Write once per store (each failing);
    return the statuses shown and whether seal.toml is untouched."""
    h = build(fake, tmp_path, config_text=EXISTING_TOML)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    statuses: list[str] = []
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "review", secret=ANTHROPIC_KEY, model="claude-sonnet-4-6")
        for store in stores:
            h.services._store_choice = StoreChoice(store, "keyring", "system keyring (test)")
            before = text_of(pilot, "#write-status")
            await press_next(pilot)  # Write

            def failed_anew(before: str = before) -> bool:
                # The previous Write's ✗ stays until this Write's worker starts: a new one.
                status = text_of(pilot, "#write-status")
                return status.startswith("✗") and status != before

            await wait_for(pilot, failed_anew, "a new ✗")
            statuses.append(text_of(pilot, "#write-status"))
            # Still on Review, nothing written: the person can switch store and retry.
            assert type(pilot.app.screen).__name__ == "ReviewScreen"
    config = h.config_path
    same = config.read_text(encoding="utf-8") == EXISTING_TOML
    return statuses, same and not config.with_name("seal.toml.bak").exists()


# --- mid-write failure (a backend that fails a chosen set_password) ----------------------


def _record(profile: str = "default") -> CredentialRecord:
    return CredentialRecord("anthropic", profile, "api_key", secret=ANTHROPIC_KEY)


@pytest.mark.parametrize(
    ("fail_on_set", "existing"),
    [(1, False), (2, False), (1, True), (2, True)],
    ids=["record-write-fresh", "index-write-fresh", "record-write-beside", "index-write-beside"],
)
def test_put_failing_mid_write_leaves_nothing_half_stored(
    fail_on_set: int, existing: bool, tmp_path: Path, tally: Tally
) -> None:
    backend = FlakyKeyring(tmp_path / "kr.json", fail_on_set=0)
    store = KeyringStore(backend, lock_dir=tmp_path / "locks")
    if existing:  # another profile already stored: record + index entry
        store.put(_record("work"))
    before = backend.entries()
    backend.fail_on_set = backend._load()["sets"] + fail_on_set
    folder = project(tmp_path)
    from backend.config.document import load_config

    config = load_config(folder / "seal.toml")
    answers = Answers(provider="anthropic", method="api_key", model="claude-sonnet-4-6")
    answers.record = _record()
    answers.check_outcome = "verified"
    from backend.wizard.onboarding import apply_answers

    apply_answers(config, answers)
    with pytest.raises(CredentialStoreError) as caught:
        commit(answers, config, store)
    after = backend.entries()
    index = json.loads(after.get(INDEX_USERNAME, "[]"))
    records = {k for k in after if k != INDEX_USERNAME}
    held = (
        after == before
        and records == set(index)
        and FALLBACK in caught.value.hint
        and untouched(folder)
        and ANTHROPIC_KEY not in str(caught.value)
    )
    tally.record("keyring: mid-write failure", held)
    assert after == before, "the keyring holds exactly what it held before"
    assert records == set(index), "no record without index, no index without record"
    assert "refused to store" in caught.value.message
    assert FALLBACK in caught.value.hint
    assert untouched(folder), "seal.toml is not written when the store fails"


def test_cli_mid_write_failure(fake_provider: FakeProvider, tmp_path: Path, tally: Tally) -> None:
    folder = project(tmp_path)
    kr = tmp_path / "kr.json"
    env = subprocess_env(
        tmp_path / "home",
        fake_provider,
        SEAL_CREDENTIAL_STORE="keyring",
        PYTHON_KEYRING_BACKEND="tests.reliability.flaky_keyring.FlakyKeyring",
        PYTHONPATH=str(REPO),
        SEAL_TEST_KEYRING_FILE=str(kr),
        SEAL_TEST_KEYRING_FAIL_SET="2",
    )
    done = subprocess.run(
        [str(SEAL_SETUP), *CLI_ARGS],
        input=ANTHROPIC_KEY + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=60,
    )
    entries = FlakyKeyring(kr).entries()
    sets = json.loads(kr.read_text())["sets"]
    held = done.returncode != 0 and FALLBACK in done.stderr and entries == {} and untouched(folder)
    tally.record("keyring: mid-write failure", held and sets == 2)
    assert done.returncode == 1, done.stderr
    assert "refused to store the credential" in done.stderr
    assert FALLBACK in done.stderr
    assert sets == 2, "the record was written, then the index write failed"
    assert entries == {}, "the record was rolled back"
    assert untouched(folder)
    assert not (tmp_path / "home" / ".config" / "seal" / "credentials.json").exists()


# --- absent Secret Service (no D-Bus session) ----------------------------------------------


def _no_bus_env(tmp_path: Path) -> dict[str, str]:
    runtime = tmp_path / "no-bus-run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return {"XDG_RUNTIME_DIR": str(runtime)}


async def test_wizard_mid_write_then_absent(
    fake_provider: FakeProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tally: Tally
) -> None:
    """One Review, two failing Writes: the keyring failing mid-write, then no D-Bus."""
    pytest.importorskip("secretstorage")
    from keyring.backends import SecretService

    for name in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in _no_bus_env(tmp_path).items():
        monkeypatch.setenv(name, value)
    backend = FlakyKeyring(tmp_path / "kr.json", fail_on_set=2)
    flaky = KeyringStore(backend, lock_dir=tmp_path / "locks")
    keyring_backend = SecretService.Keyring()  # type: ignore[no-untyped-call]
    absent = KeyringStore(keyring_backend, lock_dir=tmp_path / "locks")
    (mid_write, no_bus), clean = await wizard_write(fake_provider, tmp_path, [flaky, absent])

    held = "refused to store" in mid_write and FALLBACK in mid_write and clean
    tally.record("keyring: mid-write failure", held and backend.entries() == {})
    held = "no Secret Service on this session" in no_bus and FALLBACK in no_bus and clean
    tally.record("keyring: absent", held)
    assert "refused to store the credential" in mid_write, mid_write
    assert FALLBACK in mid_write, mid_write
    assert backend._load()["sets"] == 2, "record written, index write failed"
    assert backend.entries() == {}, "the record was rolled back"
    assert "no Secret Service on this session" in no_bus, no_bus
    assert FALLBACK in no_bus
    assert clean, "seal.toml untouched"


def test_cli_absent_secret_service(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    pytest.importorskip("secretstorage")
    folder = project(tmp_path)
    env = subprocess_env(
        tmp_path / "home",
        fake_provider,
        SEAL_CREDENTIAL_STORE="keyring",
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
        **_no_bus_env(tmp_path),
    )
    assert "DBUS_SESSION_BUS_ADDRESS" not in env and "DISPLAY" not in env
    done = subprocess.run(
        [str(SEAL_SETUP), *CLI_ARGS],
        input=ANTHROPIC_KEY + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=folder,
        timeout=60,
    )
    held = done.returncode != 0 and FALLBACK in done.stderr and untouched(folder)
    tally.record("keyring: absent", held)
    assert done.returncode == 1, done.stderr
    assert "no Secret Service on this session" in done.stderr, done.stderr
    assert FALLBACK in done.stderr
    assert untouched(folder)
    assert not (tmp_path / "home" / ".config" / "seal" / "credentials.json").exists()


# --- locked Secret Service (real gnome-keyring in a private D-Bus session) -------------------

SHELL = (
    'eval "$(printf %s "$SEAL_TEST_KEYRING_PW" | '
    'gnome-keyring-daemon --unlock --components=secrets)" && '
    'export GNOME_KEYRING_CONTROL; exec "$SEAL_TEST_PYTHON" "$SEAL_TEST_CHILD"'
)

CHILD = textwrap.dedent(
    """
    import asyncio, json, os, subprocess, sys
    from pathlib import Path

    import secretstorage
    from keyring.backends import SecretService

    from backend.credentials.stores import KeyringStore
    from backend.system.http import RetryPolicy, set_retry_policy
    from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
    from tests.reliability.test_keyring_failures import CLI_ARGS, project, untouched, wizard_write

    out = {}
    tmp = Path(os.environ["SEAL_TEST_TMP"])
    bus = secretstorage.dbus_init()
    collection = secretstorage.get_default_collection(bus)
    collection.lock()
    out["locked"] = collection.is_locked()
    set_retry_policy(RetryPolicy(tries=1, max_total_wait=0.0, base_delay=0.0, max_delay=0.0))

    with FakeProvider() as fake:
        store = KeyringStore(SecretService.Keyring(), lock_dir=tmp / "locks")
        statuses, clean = asyncio.run(wizard_write(fake, tmp / "wizard", [store]))
        out["wizard"] = {"status": statuses[0], "clean": clean}
        folder = project(tmp / "cli")
        env = {**os.environ, **fake.env(), "SEAL_CREDENTIAL_STORE": "keyring",
               "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring"}
        done = subprocess.run(
            [os.environ["SEAL_TEST_SEAL_SETUP"], *CLI_ARGS], input=ANTHROPIC_KEY + "\\n",
            capture_output=True, text=True, env=env, cwd=folder, timeout=60,
        )
        out["cli"] = {"code": done.returncode, "stderr": done.stderr,
                      "untouched": untouched(folder)}
    out["still_locked"] = collection.is_locked()
    # Attributes are not secret: a locked collection still answers a search.
    items = list(collection.search_items({"service": "seal"}))
    out["seal_items"] = len(items)
    print("RESULT " + json.dumps(out))
    """
)


@pytest.mark.system
def test_locked_secret_service(tmp_path: Path, tally: Tally) -> None:
    require_tools("dbus-run-session", "gnome-keyring-daemon")
    pytest.importorskip("secretstorage")
    home = tmp_path / "kr-home"
    runtime = tmp_path / "kr-run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    (tmp_path / "wizard").mkdir()
    child = tmp_path / "child.py"
    child.write_text(CHILD)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
        and not key.startswith(("GNOME_KEYRING", "XDG_", "SEAL_"))
    }
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PYTHONPATH=str(REPO),
        SEAL_TEST_KEYRING_PW="seal-test-password",
        SEAL_TEST_PYTHON=sys.executable,
        SEAL_TEST_CHILD=str(child),
        SEAL_TEST_TMP=str(tmp_path),
        SEAL_TEST_SEAL_SETUP=str(SEAL_SETUP),
    )
    proc = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", SHELL],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"Secret Service session timed out\n{stderr[-2000:]}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, f"child failed (rc {proc.returncode}):\n{stderr[-3000:]}"
    out = json.loads(lines[-1][len("RESULT ") :])
    assert out["locked"] is True
    wizard, cli = out["wizard"], out["cli"]
    wizard_held = (
        "the system keyring is locked" in wizard["status"]
        and FALLBACK in wizard["status"]
        and wizard["clean"]
        and out["seal_items"] == 0
    )
    cli_held = (
        cli["code"] != 0
        and "the system keyring is locked" in cli["stderr"]
        and FALLBACK in cli["stderr"]
        and cli["untouched"]
        and out["seal_items"] == 0
    )
    tally.record("keyring: locked", wizard_held)
    tally.record("keyring: locked", cli_held)
    assert "the system keyring is locked" in wizard["status"], wizard["status"]
    assert "unlock your login keyring" in wizard["status"]
    assert FALLBACK in wizard["status"]
    assert wizard["clean"], "seal.toml untouched"
    assert cli["code"] == 1, cli["stderr"]
    assert "the system keyring is locked" in cli["stderr"], cli["stderr"]
    assert FALLBACK in cli["stderr"]
    assert cli["untouched"]
    assert out["still_locked"] is True
    assert out["seal_items"] == 0, "nothing of seal's in the keyring"
