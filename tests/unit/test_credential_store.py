"""Credential stores: round trips for every record kind, file modes, corruption, the
keyring index and its rollback, keyring failures turned into hints, and choose_store."""

from __future__ import annotations

import json
import multiprocessing
import os
import shlex
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import keyring.errors as kerr
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from backend.credentials.record import CredentialRecord, CredentialStore
from backend.credentials.stores import (
    INDEX_USERNAME,
    SERVICE,
    FileStore,
    KeyringStore,
    MemoryStore,
    StoreChoice,
    choose_store,
    keyring_usable,
)
from backend.errors import CredentialStoreError, InputError

NOW = datetime(2026, 5, 1, 12, 0, 0, tzinfo=UTC)
API = "sk-ant-api03-" + "Q" * 93 + "AA"
TOKEN = "sk-ant-oat01-" + "t" * 95


class MemoryKeyring(KeyringBackend):
    """An in-process keyring backend, with failure injection per operation and username."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}
        # (operation, username or "*") -> exception to raise
        self.failures: dict[tuple[str, str], BaseException] = {}

    def _maybe_fail(self, op: str, username: str) -> None:
        for key in ((op, username), (op, "*")):
            if key in self.failures:
                raise self.failures[key]

    def get_password(self, service: str, username: str) -> str | None:
        self._maybe_fail("get", username)
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._maybe_fail("set", username)
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._maybe_fail("delete", username)
        if (service, username) not in self.data:
            raise kerr.PasswordDeleteError("not found")
        del self.data[(service, username)]


def all_records() -> list[CredentialRecord]:
    """One record per kind and state the store must keep exactly."""
    return [
        CredentialRecord(
            "anthropic", "default", "api_key", secret=API, created_at=NOW, verified_at=NOW
        ),
        CredentialRecord(
            "anthropic",
            "work",
            "setup_token",
            secret=TOKEN,
            created_at=NOW,
            expires_at=NOW + timedelta(days=365),
        ),
        CredentialRecord(
            "anthropic",
            "pro",
            "oauth",
            access_token="sk-ant-oat01-acc",
            refresh_token="sk-ant-ort01-ref",
            expires_at=NOW + timedelta(hours=8),
            created_at=NOW,
            verified_at=NOW,
            account={"uuid": "u-1", "email_address": "a@example.com"},
        ),
        CredentialRecord(
            "anthropic",
            "bare",
            "oauth",
            access_token="sk-ant-oat01-x",
            refresh_token=None,
            expires_at=None,
            created_at=NOW,
        ),
        CredentialRecord(
            "openrouter",
            "default",
            "api_key",
            secret="sk-or-v1-" + "a" * 64,
            created_at=NOW,
            verified_at=NOW,
            stale=True,
        ),
        CredentialRecord(
            "openai",
            "default",
            "api_key",
            secret="sk-proj-" + "z" * 150,
            created_at=NOW,
            verified_at=None,
        ),
    ]


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture(params=["file", "memory", "keyring"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> CredentialStore:
    if request.param == "file":
        return FileStore(tmp_path / "cfg" / "credentials.json")
    if request.param == "memory":
        return MemoryStore()
    return KeyringStore(MemoryKeyring(), lock_dir=tmp_path / "locks")


@pytest.fixture
def global_keyring() -> Iterator[Callable[[KeyringBackend], None]]:
    """Swap keyring's process-wide backend for a test, and put the old one back."""
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


# --------------------------------------------------------------------------- all stores


def test_every_kind_round_trips(store: CredentialStore) -> None:
    records = all_records()
    for record in records:
        store.put(record)
    for record in records:
        assert store.get(record.provider, record.profile) == record
    assert [r.key for r in store.list()] == sorted(r.key for r in records)
    assert store.list() == sorted(records, key=lambda r: r.key)


def test_missing_and_delete(store: CredentialStore) -> None:
    assert store.get("anthropic", "default") is None
    assert store.list() == []
    assert store.delete("anthropic", "default") is False
    record = all_records()[0]
    store.put(record)
    assert store.delete("anthropic", "default") is True
    assert store.get("anthropic", "default") is None
    assert store.delete("anthropic", "default") is False
    assert store.list() == []


def test_overwrite_keeps_one_entry(store: CredentialStore) -> None:
    first = all_records()[0]
    second = first.with_changes(secret=API.replace("Q", "R"), verified_at=None)
    store.put(first)
    store.put(second)
    assert store.get("anthropic", "default") == second
    assert len(store.list()) == 1


def test_location_and_name(store: CredentialStore) -> None:
    assert store.name in ("file", "memory", "keyring")
    assert isinstance(store.location, str) and store.location


# --------------------------------------------------------------------------- file store


def test_file_default_path_modes_and_layout(isolated_env: Path) -> None:
    store = FileStore()
    assert store.path == isolated_env / ".config" / "seal" / "credentials.json"
    store.put(all_records()[0])
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    doc = json.loads(store.path.read_text())
    assert doc["version"] == 1
    assert list(doc["credentials"]) == ["anthropic:default"]
    assert doc["credentials"]["anthropic:default"]["secret"] == API
    assert store.location == "~/.config/seal/credentials.json (0600)"
    assert not list(store.path.parent.glob(".seal-tmp-*"))


def test_file_tightens_open_modes(isolated_env: Path) -> None:
    store = FileStore()
    store.put(all_records()[0])
    os.chmod(store.path, 0o644)
    os.chmod(store.path.parent, 0o755)
    assert store.get("anthropic", "default") is not None
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    store.put(all_records()[1])
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"{not json", "is not valid JSON (line 1, column 2)"),
        (b"\xff\xfe", "is not UTF-8 text"),
        (b"[]", "is not a JSON object"),
        (b'{"version": 2, "credentials": {}}', "has version 2"),
        (b'{"version": 1}', "has no 'credentials' object"),
        (
            b'{"version": 1, "credentials": {"anthropic:default": {"kind": "x"}}}',
            "has a bad entry 'anthropic:default'",
        ),
    ],
)
def test_file_corrupt_is_never_overwritten(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "credentials.json"
    path.write_bytes(content)
    store = FileStore(path)
    for call in (store.list, lambda: store.put(all_records()[0])):
        with pytest.raises(CredentialStoreError) as info:
            call()
        assert fragment in info.value.message
        assert str(path) in info.value.message
        assert "move it aside" in info.value.hint
    assert path.read_bytes() == content


def test_file_bad_entry_error_has_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    entry = {
        "kind": "api_key",
        "provider": "anthropic",
        "profile": "default",
        "secret": API,
        "created_at": 5,
    }
    path.write_text(json.dumps({"version": 1, "credentials": {"anthropic:default": entry}}))
    with pytest.raises(CredentialStoreError) as info:
        FileStore(path).get("anthropic", "default")
    assert API[13:40] not in str(info.value)


def test_file_unreadable(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("a file, not a folder\n")
    path = tmp_path / "afile" / "credentials.json"  # reading fails with an OSError
    with pytest.raises(CredentialStoreError, match="cannot read the credentials file"):
        FileStore(path).list()


def test_folder_in_place_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.mkdir()
    with pytest.raises(CredentialStoreError, match="is a directory, not a regular file"):
        FileStore(path).list()


def _put_many(path: str, prefix: str, count: int) -> None:
    store = FileStore(Path(path))
    for i in range(count):
        store.put(CredentialRecord("openai", f"{prefix}{i}", "api_key", secret=f"sk-{i}"))


def test_file_concurrent_puts_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_put_many, args=(str(path), p, 25)) for p in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    keys = {r.profile for r in FileStore(path).list()}
    assert keys == {f"{p}{i}" for p in ("a", "b") for i in range(25)}


def test_file_delete_without_file_creates_nothing(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "sub" / "credentials.json")
    assert store.delete("anthropic", "default") is False
    assert not (tmp_path / "sub").exists()


# --------------------------------------------------------------------------- keyring store


def test_keyring_layout_and_index(memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    store = KeyringStore(memory_keyring, lock_dir=tmp_path)
    record = all_records()[0]
    store.put(record)
    assert memory_keyring.data[(SERVICE, "anthropic:default")] == record.to_json()
    assert json.loads(memory_keyring.data[(SERVICE, INDEX_USERNAME)]) == ["anthropic:default"]
    store.put(all_records()[4])
    assert json.loads(memory_keyring.data[(SERVICE, INDEX_USERNAME)]) == [
        "anthropic:default",
        "openrouter:default",
    ]
    store.delete("anthropic", "default")
    assert json.loads(memory_keyring.data[(SERVICE, INDEX_USERNAME)]) == ["openrouter:default"]
    assert store.location == "system keyring (test_credential_store)"


def test_keyring_list_skips_dangling_index(memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    store = KeyringStore(memory_keyring, lock_dir=tmp_path)
    store.put(all_records()[0])
    memory_keyring.data[(SERVICE, INDEX_USERNAME)] = json.dumps(["anthropic:default", "x:y"])
    assert [r.key for r in store.list()] == ["anthropic:default"]


def test_keyring_damaged_index(memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    memory_keyring.data[(SERVICE, INDEX_USERNAME)] = "{oops"
    store = KeyringStore(memory_keyring, lock_dir=tmp_path)
    with pytest.raises(CredentialStoreError, match="damaged") as info:
        store.list()
    assert "secret-tool clear" in info.value.hint


def test_keyring_damaged_record(memory_keyring: MemoryKeyring, tmp_path: Path) -> None:
    memory_keyring.data[(SERVICE, "anthropic:default")] = '{"kind": "api_key", "secret": 1}'
    store = KeyringStore(memory_keyring, lock_dir=tmp_path)
    with pytest.raises(CredentialStoreError, match="not a valid seal credential") as info:
        store.get("anthropic", "default")
    assert "seal-setup logout --provider anthropic --profile default" in info.value.hint


def test_keyring_damaged_record_hint_quotes_a_hostile_name(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    memory_keyring.data[(SERVICE, "anthropic:x; rm -rf ~")] = "{}"
    store = KeyringStore(memory_keyring, lock_dir=tmp_path)
    with pytest.raises(CredentialStoreError) as info:
        store.get("anthropic", "x; rm -rf ~")
    command = info.value.hint.split("`")[1]
    assert shlex.split(command) == [
        "seal-setup",
        "logout",
        "--provider",
        "anthropic",
        "--profile",
        "x; rm -rf ~",
    ]


@pytest.mark.parametrize("value", ["false", "true", 0, 1, "", None, [], {}, False])
def test_only_json_true_is_stale(value: object) -> None:
    data = CredentialRecord("openai", "default", "api_key", secret="sk-proj-x").to_dict()
    data["stale"] = value
    assert CredentialRecord.from_dict(data).stale is False
    data["stale"] = True
    assert CredentialRecord.from_dict(data).stale is True


LOCKED_HINT = "unlock your login keyring"
NO_SERVICE_HINT = "no Secret Service on this session"


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (kerr.KeyringLocked("Failed to unlock the collection!"), LOCKED_HINT),
        (kerr.NoKeyringError("No recommended backend"), NO_SERVICE_HINT),
        (kerr.InitError("Failed to create the collection"), NO_SERVICE_HINT),
        (RuntimeError("Cannot autolaunch D-Bus without X11 $DISPLAY"), NO_SERVICE_HINT),
        (OSError("something odd"), "check that the keyring service is running"),
    ],
    ids=["locked", "no-keyring", "init", "dbus", "generic"],
)
@pytest.mark.parametrize("op", ["get", "set"])
def test_keyring_failures_become_hints(
    memory_keyring: MemoryKeyring, tmp_path: Path, error: Exception, hint: str, op: str
) -> None:
    memory_keyring.failures[(op, "*")] = error
    store = KeyringStore(memory_keyring, lock_dir=tmp_path)
    with pytest.raises(CredentialStoreError) as info:
        store.put(all_records()[0]) if op == "set" else store.get("anthropic", "default")
    assert hint in info.value.hint
    assert "SEAL_CREDENTIAL_STORE=file" in info.value.hint
    assert info.value.__cause__ is None  # the backend's exception is not chained into tracebacks
    assert memory_keyring.data == {}


def test_keyring_set_error_never_echoes_the_secret(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    record = all_records()[0]
    memory_keyring.failures[("set", "*")] = kerr.PasswordSetError(
        f"cannot store {record.to_json()}"
    )
    with pytest.raises(CredentialStoreError) as info:
        KeyringStore(memory_keyring, lock_dir=tmp_path).put(record)
    assert API not in str(info.value)
    assert API[13:30] not in str(info.value)
    assert "refused to store" in info.value.message


def test_keyring_index_failure_rolls_back_new_record(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    store = KeyringStore(memory_keyring, lock_dir=tmp_path)
    store.put(all_records()[4])
    before = dict(memory_keyring.data)
    memory_keyring.failures[("set", INDEX_USERNAME)] = kerr.PasswordSetError("index write failed")
    with pytest.raises(CredentialStoreError):
        store.put(all_records()[0])
    assert memory_keyring.data == before
    assert store.get("anthropic", "default") is None


def test_keyring_index_failure_restores_previous_value(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    # A record present but missing from the index (e.g. written by hand): a failed put
    # must leave the old value, not the new one.
    old = all_records()[0]
    memory_keyring.data[(SERVICE, old.key)] = old.to_json()
    memory_keyring.failures[("set", INDEX_USERNAME)] = kerr.KeyringLocked("locked")
    store = KeyringStore(memory_keyring, lock_dir=tmp_path)
    with pytest.raises(CredentialStoreError, match="locked"):
        store.put(old.with_changes(secret=API.replace("Q", "W")))
    assert memory_keyring.data == {(SERVICE, old.key): old.to_json()}


def test_keyring_existing_key_does_not_rewrite_index(
    memory_keyring: MemoryKeyring, tmp_path: Path
) -> None:
    store = KeyringStore(memory_keyring, lock_dir=tmp_path)
    record = all_records()[0]
    store.put(record)
    memory_keyring.failures[("set", INDEX_USERNAME)] = kerr.PasswordSetError("no")
    store.put(record.with_changes(verified_at=None))
    got = store.get("anthropic", "default")
    assert got is not None and got.verified_at is None


def test_keyring_lazy_backend(
    global_keyring: Callable[[KeyringBackend], None], tmp_path: Path
) -> None:
    backend = MemoryKeyring()
    global_keyring(backend)
    store = KeyringStore(lock_dir=tmp_path)
    store.put(all_records()[0])
    assert (SERVICE, "anthropic:default") in backend.data


def test_keyring_fail_backend_gives_hint(
    global_keyring: Callable[[KeyringBackend], None], tmp_path: Path
) -> None:
    global_keyring(fail.Keyring())
    with pytest.raises(CredentialStoreError) as info:
        KeyringStore(lock_dir=tmp_path).get("anthropic", "default")
    assert NO_SERVICE_HINT in info.value.hint


# --------------------------------------------------------------------------- memory store


def test_memory_store_error_injection() -> None:
    store = MemoryStore(all_records()[:2])
    assert len(store.list()) == 2
    store.error = CredentialStoreError("keyring locked", "unlock it")
    with pytest.raises(CredentialStoreError, match="keyring locked"):
        store.get("anthropic", "default")


# --------------------------------------------------------------------------- choose_store


def test_choose_store_env_file(isolated_env: Path) -> None:
    choice = choose_store({"SEAL_CREDENTIAL_STORE": "file"})
    assert isinstance(choice, StoreChoice)
    assert choice.kind == "file" and isinstance(choice.store, FileStore)
    assert choice.reason == (
        "SEAL_CREDENTIAL_STORE=file; secrets go to ~/.config/seal/credentials.json (0600)"
    )


def test_choose_store_env_keyring() -> None:
    choice = choose_store({"SEAL_CREDENTIAL_STORE": " Keyring "})
    assert choice.kind == "keyring" and isinstance(choice.store, KeyringStore)
    assert choice.reason == "SEAL_CREDENTIAL_STORE=keyring"


def test_choose_store_invalid() -> None:
    with pytest.raises(InputError) as info:
        choose_store({"SEAL_CREDENTIAL_STORE": "s3"})
    assert "'s3'" in info.value.message
    assert "keyring, file, vault" in info.value.hint


def test_choose_store_vault_needs_an_address() -> None:
    with pytest.raises(CredentialStoreError, match="needs VAULT_ADDR"):
        choose_store({"SEAL_CREDENTIAL_STORE": "vault"})


def test_choose_store_auto_without_keyring(
    global_keyring: Callable[[KeyringBackend], None],
) -> None:
    global_keyring(fail.Keyring())
    choice = choose_store({})
    assert choice.kind == "file"
    assert choice.reason.startswith("no usable keyring (no keyring backend found")
    assert choice.reason.endswith("secrets go to ~/.config/seal/credentials.json (0600)")


def test_choose_store_auto_null_keyring(
    global_keyring: Callable[[KeyringBackend], None],
) -> None:
    global_keyring(null.Keyring())
    assert keyring_usable() == (False, "keyring is disabled (null backend)")
    assert choose_store({}).kind == "file"


def test_choose_store_auto_with_keyring(
    global_keyring: Callable[[KeyringBackend], None],
) -> None:
    backend = MemoryKeyring()
    global_keyring(backend)
    choice = choose_store({"SEAL_CREDENTIAL_STORE": ""})
    assert choice.kind == "keyring"
    assert choice.reason == "system keyring (test_credential_store)"
    assert isinstance(choice.store, KeyringStore) and choice.store.backend is backend


def test_choose_store_reads_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAL_CREDENTIAL_STORE", "file")
    assert choose_store().kind == "file"


# --------------------------------------------------------------------------- file: one read


@pytest.fixture
def file_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every time a FileStore reads its file (opens and parses it), that file's path."""
    import backend.credentials.stores as stores

    seen: list[Path] = []
    real = stores.read_json_file

    def counting(path: Path, *args: object, **kwargs: object) -> object:
        seen.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stores, "read_json_file", counting)
    return seen


def test_file_status_over_many_keys_reads_the_file_once(
    tmp_path: Path, file_reads: list[Path]
) -> None:
    from backend.status import build_report

    store = FileStore(tmp_path / "credentials.json")
    for i in range(40):
        store.put(CredentialRecord("anthropic", f"p{i}", "api_key", secret=f"sk-ant-api03-{i:04}"))
    file_reads.clear()
    report = build_report(None, store, {"HOME": str(tmp_path)})
    assert len([e for e in report.entries if e.source == "file"]) == 40
    assert file_reads == [store.path]


def test_file_sees_another_writer_between_reads(tmp_path: Path, file_reads: list[Path]) -> None:
    path = tmp_path / "credentials.json"
    ours, theirs = FileStore(path), FileStore(path)
    theirs.put(CredentialRecord("anthropic", "default", "api_key", secret="sk-ant-api03-one"))
    assert [r.secret for r in ours.list()] == ["sk-ant-api03-one"]
    theirs.put(CredentialRecord("anthropic", "default", "api_key", secret="sk-ant-api03-two"))
    theirs.put(CredentialRecord("openai", "default", "api_key", secret="sk-proj-three"))
    found = ours.get("anthropic", "default")
    assert found is not None and found.secret == "sk-ant-api03-two"
    assert [r.provider for r in ours.list()] == ["anthropic", "openai"]
    assert theirs.delete("openai", "default")
    assert ours.get("openai", "default") is None


def test_file_read_again_when_loosened_or_replaced_by_a_link(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    store = FileStore(path)
    store.put(CredentialRecord("anthropic", "default", "api_key", secret="sk-ant-api03-one"))
    assert store.get("anthropic", "default") is not None
    os.chmod(path, 0o644)
    assert store.get("anthropic", "default") is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # tightened by that read
    real = tmp_path / "elsewhere.json"
    os.replace(path, real)
    path.symlink_to(real)
    with pytest.raises(CredentialStoreError, match="not a regular file"):
        store.get("anthropic", "default")
