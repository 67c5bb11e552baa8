"""Writes of a stored credential record, each under that credential's lock.

OAuth refresh tokens rotate: the provider spends the old one when it hands out a new
one. A write made from a record read earlier can put a spent refresh token back, and the
next refresh fails with invalid_grant, which signs the person out. So every write of a
record (a refresh, the verified stamp, the stale mark, storing a new sign-in, removing
one) takes the lock the refresh takes, reads the record again under it, and applies its
change to what is stored now. The lock is a thread lock plus the file lock
`refresh-<provider>-<profile>.lock` in the user state dir, shared by every seal-setup
process of this user.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

import platformdirs

from backend.credentials.record import CredentialRecord, CredentialStore
from backend.errors import CredentialStoreError, StoreConflict
from backend.system.atomic import LockTimeout, file_lock

# What the store should hold, from what it holds now (None: no record). Returning the
# record it was given writes nothing; returning None removes the record.
Change = Callable[[CredentialRecord | None], CredentialRecord | None]

LOCK_TIMEOUT = 30.0  # seconds; a refresh holding the lock is one bounded request
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}")


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """<user_state_dir("seal")>; XDG_STATE_HOME from `env` wins when given (tests, CLI)."""
    if env is not None and env.get("XDG_STATE_HOME"):
        return Path(env["XDG_STATE_HOME"]) / "seal"
    return Path(platformdirs.user_state_dir("seal"))


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def lock_path(
    provider: str,
    profile: str,
    env: Mapping[str, str] | None = None,
    lock_dir: Path | None = None,
) -> Path:
    """The file lock of provider:profile (a profile from the store may hold any character:
    such a name becomes a digest, never a path of its own)."""
    key = f"{provider}-{profile}"
    if not _SAFE_NAME.fullmatch(key):
        key = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return (lock_dir or state_dir(env)) / f"refresh-{key}.lock"


_thread_locks: dict[str, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


def _thread_lock(key: str) -> threading.Lock:
    with _thread_locks_guard:
        return _thread_locks.setdefault(key, threading.Lock())


def _busy(provider: str, profile: str) -> CredentialStoreError:
    return CredentialStoreError(
        f"another seal-setup has been updating the {provider}:{profile} credential for more "
        f"than {LOCK_TIMEOUT:g} s",
        "wait for it to finish, then try again",
    )


@contextlib.contextmanager
def record_lock(
    provider: str,
    profile: str,
    *,
    env: Mapping[str, str] | None = None,
    lock_dir: Path | None = None,
) -> Iterator[None]:
    """Hold provider:profile's lock across threads and processes (CredentialStoreError
    when another holder keeps it longer than LOCK_TIMEOUT)."""
    path = lock_path(provider, profile, env, lock_dir)
    thread_lock = _thread_lock(str(path))
    if not thread_lock.acquire(timeout=LOCK_TIMEOUT):
        raise _busy(provider, profile)
    try:
        with contextlib.ExitStack() as held:
            try:
                ensure_dir(path.parent)
                held.enter_context(file_lock(path, timeout=LOCK_TIMEOUT))
            except LockTimeout:
                raise _busy(provider, profile) from None
            except OSError as exc:
                raise CredentialStoreError(
                    f"cannot create the credential lock {path}: {exc.strerror or exc}",
                    "check that the folder is yours and writable",
                ) from None
            yield
    finally:
        thread_lock.release()


def update_record(
    store: CredentialStore,
    provider: str,
    profile: str,
    change: Change,
    *,
    env: Mapping[str, str] | None = None,
    lock_dir: Path | None = None,
) -> CredentialRecord | None:
    """Under the lock: read provider:profile, apply `change`, write what it returns.

    Returns what the store holds afterwards. `change` runs under the lock (a refresh's
    request included), so it must not take this lock again.
    """
    # A store shared by machines (Vault) brings a lock of its own that spans them.
    shared: Callable[[str, str], contextlib.AbstractContextManager[None]] | None = getattr(
        store, "shared_lock", None
    )
    with contextlib.ExitStack() as held:
        held.enter_context(record_lock(provider, profile, env=env, lock_dir=lock_dir))
        if shared is not None:
            held.enter_context(shared(provider, profile))
        for attempt in range(3):
            current = store.get(provider, profile)
            wanted = change(current)
            if wanted == current:
                return current
            if wanted is not None and (wanted.provider, wanted.profile) != (provider, profile):
                raise ValueError(f"a change of {provider}:{profile} returned {wanted.key}")
            try:
                if wanted is None:
                    store.delete(provider, profile)
                else:
                    store.put(wanted)
            except StoreConflict:
                # Another machine wrote first (check-and-set): read its record again and
                # apply the change to that, so a refresh adopts the winner's token.
                if attempt == 2:
                    raise
                continue
            return wanted
    raise AssertionError("unreachable")


def same_token(a: CredentialRecord, b: CredentialRecord) -> bool:
    """Whether two records carry the same credential (a refresh makes a new one)."""
    return a.kind == b.kind and a.token == b.token


def stamp_verified(
    store: CredentialStore,
    checked: CredentialRecord,
    when: datetime,
    *,
    env: Mapping[str, str] | None = None,
    lock_dir: Path | None = None,
) -> CredentialRecord | None:
    """After a successful check of `checked`: stamp it verified, if the store still holds it.

    A record whose token changed since (a refresh, a new sign-in) was not the one checked
    and keeps its own stamps.
    """

    def stamp(current: CredentialRecord | None) -> CredentialRecord | None:
        if current is None or not same_token(current, checked):
            return current
        return current.with_changes(verified_at=when, stale=False)

    return update_record(
        store, checked.provider, checked.profile, stamp, env=env, lock_dir=lock_dir
    )


def mark_stale(
    store: CredentialStore,
    rejected: CredentialRecord,
    *,
    env: Mapping[str, str] | None = None,
    lock_dir: Path | None = None,
) -> CredentialRecord | None:
    """After a 401 to `rejected`: mark it stale (the next use refreshes an OAuth sign-in,
    status reports it rejected), if the store still holds it. A new token (a refresh
    happened meanwhile) did not get the 401 and is left alone."""

    def mark(current: CredentialRecord | None) -> CredentialRecord | None:
        if current is None or current.stale or not same_token(current, rejected):
            return current
        return current.with_changes(stale=True)

    return update_record(
        store, rejected.provider, rejected.profile, mark, env=env, lock_dir=lock_dir
    )


def remove_record(
    store: CredentialStore,
    provider: str,
    profile: str,
    *,
    env: Mapping[str, str] | None = None,
    lock_dir: Path | None = None,
) -> bool:
    """Delete provider:profile (a refresh running now cannot write it back afterwards);
    False when nothing was stored."""
    removed = False

    def remove(current: CredentialRecord | None) -> None:
        nonlocal removed
        removed = current is not None
        return None

    update_record(store, provider, profile, remove, env=env, lock_dir=lock_dir)
    return removed


__all__ = [
    "LOCK_TIMEOUT",
    "Change",
    "lock_path",
    "mark_stale",
    "record_lock",
    "remove_record",
    "same_token",
    "stamp_verified",
    "state_dir",
    "update_record",
]
