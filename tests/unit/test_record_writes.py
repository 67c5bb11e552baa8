"""backend.record_writes: every record write under the credential's lock, re-read first."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from backend.credentials import writes as record_writes
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.stores import MemoryStore
from backend.credentials.writes import (
    lock_path,
    mark_stale,
    remove_record,
    stamp_verified,
    update_record,
)
from backend.errors import CredentialStoreError
from backend.system.atomic import LockTimeout, file_lock


def oauth(access: str, profile: str = "default") -> CredentialRecord:
    return CredentialRecord(
        "anthropic", profile, "oauth", access_token=access, refresh_token="r-" + access
    )


class CountingStore(MemoryStore):
    def __init__(self, records: list[CredentialRecord] | None = None) -> None:
        self.writes = 0
        super().__init__(records)

    def put(self, record: CredentialRecord) -> None:
        self.writes += 1
        super().put(record)

    def delete(self, provider: str, profile: str) -> bool:
        self.writes += 1
        return super().delete(provider, profile)


def test_update_applies_the_change_to_the_record_as_stored_now(tmp_path: Path) -> None:
    store = CountingStore([oauth("a1")])
    seen: list[CredentialRecord | None] = []

    def change(current: CredentialRecord | None) -> CredentialRecord | None:
        seen.append(current)
        assert current is not None
        return current.with_changes(access_token="a2")

    after = update_record(store, "anthropic", "default", change, lock_dir=tmp_path)
    assert seen and seen[0] is not None and seen[0].access_token == "a1"
    assert after is not None and after.access_token == "a2"
    got = store.get("anthropic", "default")
    assert got is not None and got.access_token == "a2"


def test_update_writes_nothing_when_nothing_changes_and_none_removes(tmp_path: Path) -> None:
    store = CountingStore([oauth("a1")])
    store.writes = 0
    update_record(store, "anthropic", "default", lambda c: c, lock_dir=tmp_path)
    update_record(store, "anthropic", "other", lambda c: c, lock_dir=tmp_path)
    assert store.writes == 0
    update_record(store, "anthropic", "default", lambda c: None, lock_dir=tmp_path)
    assert store.get("anthropic", "default") is None and store.writes == 1


def test_update_refuses_a_change_that_names_another_record(tmp_path: Path) -> None:
    store = MemoryStore([oauth("a1")])
    with pytest.raises(ValueError, match="returned anthropic:other"):
        update_record(
            store, "anthropic", "default", lambda c: oauth("x", "other"), lock_dir=tmp_path
        )


def test_the_change_runs_holding_the_file_lock(tmp_path: Path) -> None:
    store = MemoryStore([oauth("a1")])
    held: list[bool] = []

    def change(current: CredentialRecord | None) -> CredentialRecord | None:
        try:
            with file_lock(lock_path("anthropic", "default", lock_dir=tmp_path), timeout=0):
                held.append(False)
        except LockTimeout:
            held.append(True)
        return current

    update_record(store, "anthropic", "default", change, lock_dir=tmp_path)
    assert held == [True]


def test_a_lock_held_too_long_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(record_writes, "LOCK_TIMEOUT", 0.05)
    store = MemoryStore([oauth("a1")])
    # Held as another process would (a separate open file: flock conflicts here too).
    with (
        file_lock(lock_path("anthropic", "default", lock_dir=tmp_path)),
        pytest.raises(CredentialStoreError, match="another seal-setup"),
    ):
        update_record(store, "anthropic", "default", lambda c: None, lock_dir=tmp_path)
    assert store.get("anthropic", "default") is not None


def test_a_thread_waits_for_the_lock(tmp_path: Path) -> None:
    store = MemoryStore([oauth("a1")])
    inside, release = threading.Event(), threading.Event()
    order: list[str] = []

    def slow(current: CredentialRecord | None) -> CredentialRecord | None:
        inside.set()
        assert release.wait(10)
        order.append("first")
        return current

    def second() -> None:
        update_record(
            store, "anthropic", "default", lambda c: order.append("second") or c, lock_dir=tmp_path
        )

    first = threading.Thread(
        target=update_record,
        args=(store, "anthropic", "default", slow),
        kwargs={"lock_dir": tmp_path},
    )
    first.start()
    assert inside.wait(10)
    other = threading.Thread(target=second)
    other.start()
    release.set()
    first.join(10)
    other.join(10)
    assert order == ["first", "second"]


@pytest.mark.parametrize("profile", ["../../escape", "a/b", "x y", "", "é"])
def test_odd_profile_names_get_a_lock_file_of_their_own_in_the_folder(
    profile: str, tmp_path: Path
) -> None:
    path = lock_path("anthropic", profile, lock_dir=tmp_path)
    assert path.parent == tmp_path and path.name.startswith("refresh-")
    assert path != lock_path("anthropic", profile + "2", lock_dir=tmp_path)
    store = MemoryStore([oauth("a1", profile)])
    assert remove_record(store, "anthropic", profile, lock_dir=tmp_path)
    assert not remove_record(store, "anthropic", profile, lock_dir=tmp_path)


def test_stamp_and_stale_mark_only_the_token_that_was_checked(tmp_path: Path) -> None:
    checked = oauth("a1")
    store = MemoryStore([checked])
    now = utcnow()
    stamped = stamp_verified(store, checked, now, lock_dir=tmp_path)
    assert stamped is not None and stamped.verified_at == now
    marked = mark_stale(store, checked, lock_dir=tmp_path)
    assert marked is not None and marked.stale
    store.put(oauth("a2"))  # a refresh happened
    stamp_verified(store, checked, now, lock_dir=tmp_path)
    current = store.get("anthropic", "default")
    assert current is not None and current.access_token == "a2" and current.verified_at is None
    mark_stale(store, checked, lock_dir=tmp_path)
    current = store.get("anthropic", "default")
    assert current is not None and current.stale is False
    # A key is the same credential only with the same secret, too.
    key = CredentialRecord("openai", "default", "api_key", secret="sk-proj-1")
    store.put(key)
    mark_stale(store, key.with_changes(secret="sk-proj-2"), lock_dir=tmp_path)
    current = store.get("openai", "default")
    assert current is not None and not current.stale
