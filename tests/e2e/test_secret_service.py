"""A real Secret Service round trip: gnome-keyring in a private D-Bus session.

The parent test starts `dbus-run-session`, which runs a shell that unlocks a fresh login
keyring (password on stdin) and then a Python child that drives KeyringStore through
keyring's SecretService backend. HOME, XDG dirs and the runtime dir live in tmp_path, so
the developer's real keyring is never touched. No display: the unlock prompt for a locked
collection fails at once instead of waiting for a click.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import require_tools

pytestmark = pytest.mark.system

REPO = Path(__file__).resolve().parents[2]

# `--unlock` reads the login password from stdin, creates/unlocks the login collection and
# daemonizes; it prints GNOME_KEYRING_CONTROL=… lines for the shell to export.
SHELL = (
    'eval "$(printf %s "$SEAL_TEST_KEYRING_PW" | '
    'gnome-keyring-daemon --unlock --components=secrets)" && '
    'export GNOME_KEYRING_CONTROL; exec "$SEAL_TEST_PYTHON" "$SEAL_TEST_CHILD" "$1"'
)

CHILD = textwrap.dedent(
    """
    import json, shutil, subprocess, sys
    from pathlib import Path

    import secretstorage
    from keyring.backends import SecretService

    from backend.credentials.stores import KeyringStore, choose_store, keyring_usable
    from backend.credentials.record import CredentialRecord
    from backend.errors import CredentialStoreError

    out = {}
    lock_dir = Path(sys.argv[1])
    store = KeyringStore(SecretService.Keyring(), lock_dir=lock_dir)
    record = CredentialRecord(
        "anthropic", "default", "api_key", secret="sk-ant-api03-" + "e2e" * 31 + "AA"
    )
    oauth = CredentialRecord(
        "anthropic", "pro", "oauth", access_token="sk-ant-oat01-acc", refresh_token="r",
        account={"email_address": "a@example.com"},
    )
    store.put(record)
    store.put(oauth)
    out["get_equal"] = store.get("anthropic", "default") == record
    out["oauth_equal"] = store.get("anthropic", "pro") == oauth
    out["listed"] = [r.key for r in store.list()]
    if shutil.which("secret-tool"):
        found = subprocess.run(
            ["secret-tool", "lookup", "service", "seal", "username", "anthropic:default"],
            capture_output=True, text=True, timeout=10,
        )
        out["secret_tool_sees_it"] = found.stdout.strip() == record.to_json()
    out["deleted"] = store.delete("anthropic", "default")
    out["after_delete"] = store.get("anthropic", "default") is None
    out["listed_after"] = [r.key for r in store.list()]
    # list() reads every record over one D-Bus connection; what it lists is still what
    # the index names: an indexed entry that went away is skipped, one not in it left out.
    for i in range(5):
        store.put(CredentialRecord("openai", f"p{i}", "api_key", secret=f"sk-proj-{i:04}"))
    store.backend.set_password("seal", "openai:unindexed", record.to_json())
    index = json.loads(store.backend.get_password("seal", "__index__"))
    store.backend.set_password("seal", "__index__", json.dumps(index + ["openai:gone"]))
    opened = []
    real_init = secretstorage.dbus_init

    def counting_init(*args, **kwargs):
        opened.append(1)
        return real_init(*args, **kwargs)

    secretstorage.dbus_init = counting_init
    many = store.list()
    secretstorage.dbus_init = real_init
    out["list_connections"] = len(opened)
    out["listed_many"] = [r.key for r in many]
    out["listed_many_equal"] = many == [store.get(*r.key.split(":")) for r in many]
    for i in range(5):
        store.delete("openai", f"p{i}")
    out["usable"] = keyring_usable()
    out["auto_kind"] = choose_store({}).kind

    # Lock the login collection: reading now needs an unlock prompt, which cannot be
    # shown without a display, so keyring raises KeyringLocked.
    bus = secretstorage.dbus_init()
    collection = secretstorage.get_default_collection(bus)
    collection.lock()
    out["locked"] = collection.is_locked()
    try:
        store.get("anthropic", "pro")
        out["locked_error"] = None
    except CredentialStoreError as exc:
        out["locked_error"] = {"message": exc.message, "hint": exc.hint}
    print("RESULT " + json.dumps(out))
    """
)


def _run_in_session(tmp_path: Path, timeout: float = 30.0) -> dict[str, object]:
    home = tmp_path / "kr-home"
    runtime = tmp_path / "kr-run"
    home.mkdir()
    runtime.mkdir(mode=0o700)
    child = tmp_path / "child.py"
    child.write_text(CHILD)
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS")
        and not key.startswith(("GNOME_KEYRING", "XDG_"))
    }
    env.update(
        HOME=str(home),
        XDG_RUNTIME_DIR=str(runtime),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PYTHONPATH=str(REPO),
        SEAL_TEST_KEYRING_PW="seal-test-password",
        SEAL_TEST_PYTHON=sys.executable,
        SEAL_TEST_CHILD=str(child),
    )
    # "$1" of the shell (the lock folder) becomes the child's argv[1].
    argv = ["dbus-run-session", "--", "sh", "-c", SHELL, "sh", str(tmp_path / "locks")]
    proc = subprocess.Popen(
        argv,
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # one process group: a timeout kills daemon and all
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"Secret Service session timed out after {timeout}s\n{stderr[-2000:]}")
    finally:
        # gnome-keyring-daemon leaves with the bus; make sure nothing of ours lingers.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    lines = [line for line in stdout.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and lines, f"child failed (rc {proc.returncode}):\n{stderr[-3000:]}"
    result: dict[str, object] = json.loads(lines[-1][len("RESULT ") :])
    return result


def test_secret_service_round_trip(tmp_path: Path) -> None:
    require_tools("dbus-run-session", "gnome-keyring-daemon")
    pytest.importorskip("secretstorage")
    started = time.monotonic()
    out = _run_in_session(tmp_path)
    assert out["get_equal"] is True
    assert out["oauth_equal"] is True
    assert out["listed"] == ["anthropic:default", "anthropic:pro"]
    if "secret_tool_sees_it" in out:
        assert out["secret_tool_sees_it"] is True
    assert out["deleted"] is True
    assert out["after_delete"] is True
    assert out["listed_after"] == ["anthropic:pro"]
    assert out["list_connections"] == 1
    assert out["listed_many"] == ["anthropic:pro", *(f"openai:p{i}" for i in range(5))]
    assert out["listed_many_equal"] is True
    assert out["usable"] == [True, "system keyring (SecretService)"]
    assert out["auto_kind"] == "keyring"
    assert out["locked"] is True
    locked = out["locked_error"]
    assert isinstance(locked, dict)
    assert "the system keyring is locked" in locked["message"]
    assert "unlock your login keyring" in locked["hint"]
    assert time.monotonic() - started < 10
