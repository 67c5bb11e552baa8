"""Credential stores of DESIGN §3: the system keyring, a 0600 JSON file, and memory (tests).

`choose_store` picks one from `SEAL_CREDENTIAL_STORE` or what the machine offers, and always
says which and why. Every store call may block (D-Bus, file locks): run it off the UI loop.
Errors are `CredentialStoreError` with a hint naming the fix; they never carry a secret.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import platformdirs

from backend.credentials.record import CredentialRecord, CredentialStore
from backend.errors import CredentialStoreError, InputError
from backend.system.atomic import LockTimeout, atomic_write, file_lock, remove_stale_temps
from backend.system.bounded import BadJSONFile, NotRegularFile, read_json_file
from backend.system.shell import logout_command

if TYPE_CHECKING:  # keyring loads on first use, keeping imports of this module light
    from keyring.backend import KeyringBackend

SERVICE = "seal"
INDEX_USERNAME = "__index__"
FILE_VERSION = 1
ENV_STORE = "SEAL_CREDENTIAL_STORE"
STORE_CHOICES = ("keyring", "file", "vault")

_T = TypeVar("_T")
# A record is under 2 KB (an API key's is about 350 bytes): four thousand of the largest,
# or twenty thousand API keys, still fit. Anything larger is not ours.
MAX_FILE_BYTES = 8 * 1024 * 1024

_FILE_HINT = "or set SEAL_CREDENTIAL_STORE=file to keep secrets in a 0600 file instead"
_NO_SERVICE_HINT = (
    "no Secret Service on this session: run inside a desktop session (or start "
    "gnome-keyring-daemon), or use SEAL_CREDENTIAL_STORE=file"
)


def seal_config_dir() -> Path:
    """seal's per-user config folder (`~/.config/seal` on Linux, XDG honoured)."""
    return Path(platformdirs.user_config_dir("seal"))


def _tilde(path: Path) -> str:
    """`~/…` for paths under HOME: shorter on screen, same meaning."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _key(provider: str, profile: str) -> str:
    return f"{provider}:{profile}"


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Backend messages are shown to the user: make sure none echoes what we passed in."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return text[:200]


def _secrets_of(record: CredentialRecord | None) -> tuple[str, ...]:
    if record is None:
        return ()
    values = (record.secret, record.access_token, record.refresh_token, record.to_json())
    return tuple(v for v in values if v)


# --------------------------------------------------------------------------- keyring


class KeyringStore:
    """Records in the system keyring: service `seal`, username `<provider>:<profile>`.

    The password is `record.to_json()`. Keyrings cannot enumerate by service portably, so
    an index entry (username `__index__`, a JSON list of keys) makes `list()` work; it is
    updated only after the record write succeeds, and a failed index write rolls the
    record back, so a failed `put` leaves nothing half-stored.

    Every call blocks (D-Bus round trips, maybe an unlock prompt) and must run off the UI
    event loop, e.g. in a thread worker.
    """

    name = "keyring"

    def __init__(self, backend: KeyringBackend | None = None, lock_dir: Path | None = None) -> None:
        # None: keyring.get_keyring() on first use, because that probe may block on D-Bus.
        self._backend = backend
        self._lock_dir = lock_dir

    @property
    def backend(self) -> KeyringBackend:
        """The keyring backend, found on first use (that probe may block on D-Bus)."""
        if self._backend is None:
            import keyring

            self._backend = self._call("open", keyring.get_keyring, ())
        return self._backend

    @property
    def location(self) -> str:
        return f"system keyring ({backend_label(self.backend)})"

    def _call(self, action: str, fn: Callable[[], _T], secrets: tuple[str, ...]) -> _T:
        """Run one keyring call, turning every failure into a CredentialStoreError."""
        import keyring.errors as kerr

        try:
            return fn()
        except kerr.KeyringLocked:
            raise CredentialStoreError(
                f"the system keyring is locked (could not {action} the credential)",
                f"unlock your login keyring (log in to the desktop, or open Passwords and "
                f"Keys and unlock 'Login'), then try again; {_FILE_HINT}",
            ) from None
        except kerr.NoKeyringError:
            raise CredentialStoreError(
                f"no system keyring is available (could not {action} the credential)",
                _NO_SERVICE_HINT,
            ) from None
        except kerr.InitError as exc:
            raise CredentialStoreError(
                f"the system keyring could not be opened: {_scrub(str(exc), secrets)}",
                _NO_SERVICE_HINT,
            ) from None
        except kerr.PasswordSetError as exc:
            raise CredentialStoreError(
                f"the system keyring refused to store the credential: {_scrub(str(exc), secrets)}",
                f"check that your login keyring is unlocked and writable; {_FILE_HINT}",
            ) from None
        except CredentialStoreError:
            raise
        except Exception as exc:
            # D-Bus (jeepney/secretstorage) and backend-specific errors land here.
            detail = _scrub(str(exc), secrets)
            hint = (
                _NO_SERVICE_HINT
                if _looks_like_no_dbus(detail)
                else (f"check that the keyring service is running and unlocked; {_FILE_HINT}")
            )
            raise CredentialStoreError(
                f"the system keyring failed to {action} the credential "
                f"({type(exc).__name__}: {detail})",
                hint,
            ) from None

    # --- raw keyring access (each wrapped in _call)

    def _get_raw(self, username: str) -> str | None:
        backend = self.backend
        value = self._call("read", lambda: backend.get_password(SERVICE, username), ())
        return value if isinstance(value, str) else None

    def _set_raw(self, username: str, value: str, secrets: tuple[str, ...]) -> None:
        backend = self.backend
        self._call("store", lambda: backend.set_password(SERVICE, username, value), secrets)

    def _delete_raw(self, username: str) -> bool:
        import keyring.errors as kerr

        backend = self.backend

        def delete() -> bool:
            try:
                backend.delete_password(SERVICE, username)
            except kerr.PasswordDeleteError:
                return False  # nothing stored under that name
            return True

        return self._call("delete", delete, ())

    def _read_index(self) -> list[str]:
        raw = self._get_raw(INDEX_USERNAME)
        return [] if raw is None else self._index_keys(raw)

    def _index_keys(self, raw: str) -> list[str]:
        try:
            keys = json.loads(raw)
        except json.JSONDecodeError:
            keys = None
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise CredentialStoreError(
                f"the keyring entry '{SERVICE}/{INDEX_USERNAME}' (seal's list of stored "
                "credentials) is damaged",
                "delete it (secret-tool clear service seal username __index__) and store "
                "your credentials again",
            )
        return keys

    def _write_index(self, keys: list[str]) -> None:
        self._set_raw(INDEX_USERNAME, json.dumps(sorted(set(keys))), ())

    @contextlib.contextmanager
    def _index_lock(self) -> Iterator[None]:
        """Serialise index read-modify-write across processes (two wizards, CLI + UI)."""
        folder = self._lock_dir or seal_config_dir()
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            with file_lock(folder / ".keyring-index.lock"):
                yield
        except LockTimeout:
            raise CredentialStoreError(
                "another seal-setup is updating the keyring right now",
                "wait for it to finish, then try again",
            ) from None
        except OSError as exc:
            raise CredentialStoreError(
                f"cannot create the keyring lock in {_tilde(folder)}: {exc.strerror}",
                "check that the folder is yours and writable",
            ) from None

    def _parse(self, username: str, raw: str) -> CredentialRecord:
        try:
            return CredentialRecord.from_json(raw)
        except ValueError as exc:
            provider, _, profile = username.partition(":")
            raise CredentialStoreError(
                f"the keyring entry '{SERVICE}/{username}' is not a valid seal credential ({exc})",
                f"run `{logout_command(provider, profile)}` and sign in again",
            ) from None

    # --- CredentialStore

    def get(self, provider: str, profile: str) -> CredentialRecord | None:
        username = _key(provider, profile)
        raw = self._get_raw(username)
        return None if raw is None else self._parse(username, raw)

    def put(self, record: CredentialRecord) -> None:
        username = record.key
        secrets = _secrets_of(record)
        with self._index_lock():
            keys = self._read_index()
            previous = self._get_raw(username)
            self._set_raw(username, record.to_json(), secrets)
            if username in keys:
                return
            try:
                self._write_index([*keys, username])
            except CredentialStoreError:
                # Roll back so the keyring holds exactly what it held before.
                with contextlib.suppress(CredentialStoreError):
                    if previous is None:
                        self._delete_raw(username)
                    else:
                        self._set_raw(username, previous, ())
                raise

    def delete(self, provider: str, profile: str) -> bool:
        username = _key(provider, profile)
        with self._index_lock():
            existed = self._delete_raw(username)
            keys = self._read_index()
            if username in keys:
                self._write_index([k for k in keys if k != username])
        return existed

    def _all_raw(self) -> dict[str, str] | None:
        """Every `seal` entry by username, over one D-Bus connection and one search, when
        the backend is the Secret Service; None for any other backend.

        keyring's Secret Service backend opens a new connection (and session) for every
        call: a thousand records were a thousand connections.
        """
        backend = self.backend
        try:
            from keyring.backends.SecretService import Keyring as SecretService
        except ImportError:  # no secretstorage: not the Secret Service either
            return None
        if type(backend) is not SecretService:
            return None

        def search() -> dict[str, str]:
            from secretstorage.util import open_session

            scheme = backend.schemes[backend.scheme]
            collection = backend.get_preferred_collection()  # type: ignore[no-untyped-call]
            with contextlib.closing(collection.connection):
                if collection.session is None:
                    collection.session = open_session(collection.connection)
                found: dict[str, str] = {}
                for item in collection.search_items(backend._query(SERVICE)):
                    username = item.get_attributes().get(scheme["username"])
                    if isinstance(username, str) and username not in found:
                        backend.unlock(item)  # type: ignore[no-untyped-call]
                        found[username] = item.get_secret().decode("utf-8")
                return found

        return self._call("read", search, ())

    def list(self) -> list[CredentialRecord]:
        every = self._all_raw()
        if every is not None:
            index = every.get(INDEX_USERNAME)
            keys = self._index_keys(index) if index is not None else []
            return [self._parse(u, every[u]) for u in sorted(set(keys)) if u in every]
        records = []
        for username in sorted(self._read_index()):
            raw = self._get_raw(username)
            if raw is not None:  # an index entry whose record went away: skip it
                records.append(self._parse(username, raw))
        return records


def _looks_like_no_dbus(detail: str) -> bool:
    lowered = detail.lower()
    return any(
        word in lowered
        for word in ("dbus", "d-bus", "autolaunch", "secret service", "org.freedesktop.secrets")
    )


def backend_label(backend: Any) -> str:
    """Short name of a keyring backend: `SecretService`, `kwallet`, `macOS`…"""
    module = type(backend).__module__.rsplit(".", 1)[-1]
    if module == "chainer":
        inner = getattr(backend, "backends", ()) or ()
        names = [type(b).__module__.rsplit(".", 1)[-1] for b in inner]
        return "chain of " + ", ".join(names) if names else "empty chain"
    return module


def keyring_usable() -> tuple[bool, str]:
    """Whether keyring found a real backend, and a sentence saying which or why not.

    Blocks: the probe talks to D-Bus.
    """
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception as exc:
        return False, f"keyring failed to load: {type(exc).__name__}"
    if isinstance(backend, fail.Keyring):
        return False, "no keyring backend found, e.g. no Secret Service on this session"
    if isinstance(backend, null.Keyring):
        return False, "keyring is disabled (null backend)"
    if isinstance(backend, chainer.ChainerBackend) and not list(backend.backends):
        return False, "no keyring backend found (empty chain)"
    try:
        priority = float(backend.priority)
    except Exception as exc:
        return False, f"the keyring backend is not usable ({type(exc).__name__})"
    if priority <= 0:
        return False, f"the keyring backend {backend_label(backend)} is not usable (priority 0)"
    return True, f"system keyring ({backend_label(backend)})"


# --------------------------------------------------------------------------- file


class FileStore:
    """Records in one JSON file, mode 0600 in a 0700 folder, written atomically under a lock.

    Content: `{"version": 1, "credentials": {"anthropic:default": {record}}}`. A file that
    does not parse is never overwritten: every call raises, naming the path and the fix.
    A file readable by others is tightened to 0600 when read or written. A file (or lock)
    that is not a regular file (a symlink, FIFO, device, directory) is refused: never read,
    chmodded, replaced or created through.
    """

    name = "file"

    def __init__(self, path: Path | None = None) -> None:
        self._own_dir = path is None  # only seal's own folder is ours to chmod
        self.path = path if path is not None else seal_config_dir() / "credentials.json"
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        # The last document read and the identity of the file it came from: a command
        # that reads many records (status over every stored key) reads the file once,
        # not once per record. Writes always replace the file (a new inode), so any
        # change by this or another process shows in the identity and is read again.
        self._cached: tuple[tuple[int, ...], dict[str, Any]] | None = None

    @property
    def location(self) -> str:
        return f"{_tilde(self.path)} (0600)"

    def _broken(self, what: str) -> CredentialStoreError:
        where = _tilde(self.path)
        return CredentialStoreError(
            f"the credentials file {where} {what}",
            f"fix it by hand or move it aside (mv {where} {where}.broken) and store your "
            "credentials again; seal-setup never overwrites it",
        )

    def _tighten(self, fd: int, info: os.stat_result) -> None:
        """Owner-only: the file holds secrets. On the open file, never through a path."""
        if not stat.S_IMODE(info.st_mode) & 0o077:
            return
        try:
            os.fchmod(fd, 0o600)
        except OSError as exc:
            raise CredentialStoreError(
                f"the credentials file {_tilde(self.path)} is readable by others and its "
                f"mode cannot be fixed ({exc.strerror})",
                f"run: chmod 600 {_tilde(self.path)}",
            ) from None

    def _not_a_file(self, path: Path, kind: str, what: str) -> CredentialStoreError:
        where = _tilde(path)
        if what == "lock file":
            remove = "rmdir" if kind == "a directory" else "rm"
            return CredentialStoreError(
                f"the credentials lock file {where} is {kind}, not a regular file "
                "(seal-setup did not use or change it): remove it and try again",
                f"{remove} {where} (it holds no data); seal-setup makes a new one",
            )
        return CredentialStoreError(
            f"the credentials file {where} is {kind}, not a regular file (seal-setup did "
            "not read or change it): move it aside and store your credentials again",
            f"seal-setup keeps secrets only in a regular file there: mv {where} {where}.broken",
        )

    @staticmethod
    def _identity(info: os.stat_result) -> tuple[int, ...]:
        return (
            info.st_dev,
            info.st_ino,
            info.st_size,
            info.st_mtime_ns,
            info.st_ctime_ns,
            info.st_mode,
        )

    def _read_shared(self) -> dict[str, Any]:
        """The document, read again only when the file changed since the last read.

        For reads only: callers must not change what it returns. The lstat sees the path
        itself, so a symlink or a mode made looser since differs and goes through the
        full read (which refuses the one and tightens the other).
        """
        cached = self._cached
        if cached is not None:
            try:
                now = self._identity(os.lstat(self.path))
            except OSError:
                now = None
            if now == cached[0]:
                return cached[1]
        return self._read(keep=True)

    def _read(self, *, keep: bool = False) -> dict[str, Any]:
        self._cached = None
        try:
            found = read_json_file(self.path, MAX_FILE_BYTES, before_read=self._tighten)
        except NotRegularFile as exc:
            raise self._not_a_file(self.path, exc.kind, "file") from None
        except BadJSONFile as exc:
            raise self._broken(exc.what) from None
        except OSError as exc:
            raise CredentialStoreError(
                f"cannot read the credentials file {_tilde(self.path)}: {exc.strerror}",
                "check that it is yours (owner-only, mode 0600)",
            ) from None
        if found is None:
            return {"version": FILE_VERSION, "credentials": {}}
        doc = found[0]
        if not isinstance(doc, dict):
            raise self._broken("is not a JSON object")
        if doc.get("version") != FILE_VERSION:
            raise self._broken(
                f"has version {doc.get('version')!r}; this seal-setup reads version {FILE_VERSION}"
            )
        creds = doc.get("credentials")
        if not isinstance(creds, dict):
            raise self._broken("has no 'credentials' object")
        if keep:
            self._cached = (self._identity(found[1]), doc)
        return doc

    def _records(self, doc: dict[str, Any]) -> dict[str, CredentialRecord]:
        out = {}
        for key, value in doc["credentials"].items():
            try:
                out[key] = CredentialRecord.from_dict(value)
            except ValueError as exc:
                raise self._broken(f"has a bad entry '{key}' ({exc})") from None
        return out

    def _prepare_dir(self) -> None:
        folder = self.path.parent
        try:
            if not folder.exists():
                folder.mkdir(mode=0o700, parents=True)
                os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
            elif self._own_dir and stat.S_IMODE(folder.stat().st_mode) & 0o077:
                os.chmod(folder, 0o700)
        except OSError as exc:
            raise CredentialStoreError(
                f"cannot prepare the folder {_tilde(folder)}: {exc.strerror}",
                "check that it is yours and writable",
            ) from None

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self._prepare_dir()
        try:
            with file_lock(self._lock_path):
                yield
        except LockTimeout:
            raise CredentialStoreError(
                f"another process holds the lock on {_tilde(self.path)}",
                "wait for the other seal-setup to finish, then try again",
            ) from None
        except NotRegularFile as exc:
            if exc.path != self._lock_path:
                raise
            raise self._not_a_file(self._lock_path, exc.kind, "lock file") from None

    def _write(self, doc: dict[str, Any]) -> None:
        body = json.dumps(doc, indent=2, sort_keys=True) + "\n"
        self._cached = None
        try:
            # Called under the file lock: any temp left is a killed writer's.
            remove_stale_temps(self.path.parent, self.path.name, older_than=0)
            atomic_write(self.path, body.encode("utf-8"), mode=0o600)
        except OSError as exc:
            raise CredentialStoreError(
                f"cannot write the credentials file {_tilde(self.path)}: {exc.strerror}",
                "check free space and that the folder is yours and writable",
            ) from None

    def get(self, provider: str, profile: str) -> CredentialRecord | None:
        key = _key(provider, profile)
        value = self._read_shared()["credentials"].get(key)
        if value is None:
            return None
        try:
            return CredentialRecord.from_dict(value)
        except ValueError as exc:
            raise self._broken(f"has a bad entry '{key}' ({exc})") from None

    def put(self, record: CredentialRecord) -> None:
        with self._locked():
            doc = self._read()
            self._records(doc)  # refuse to rewrite a file holding an entry we cannot read
            doc["credentials"][record.key] = record.to_dict()
            self._write(doc)

    def delete(self, provider: str, profile: str) -> bool:
        if not self.path.exists():
            return False
        with self._locked():
            doc = self._read()
            if doc["credentials"].pop(_key(provider, profile), None) is None:
                return False
            self._write(doc)
            return True

    def list(self) -> list[CredentialRecord]:
        records = self._records(self._read_shared())
        return [records[key] for key in sorted(records)]


# --------------------------------------------------------------------------- memory


class MemoryStore:
    """Records in a dict, serialised like the real stores (tests and UI tests).

    Set `error` to make every call raise it (to test how callers show store failures).
    """

    name = "memory"

    def __init__(self, records: list[CredentialRecord] | None = None) -> None:
        self._data: dict[str, str] = {}
        self.error: CredentialStoreError | None = None
        for record in records or []:
            self.put(record)

    @property
    def location(self) -> str:
        return "memory (not saved)"

    def _check(self) -> None:
        if self.error is not None:
            raise self.error

    def get(self, provider: str, profile: str) -> CredentialRecord | None:
        self._check()
        raw = self._data.get(_key(provider, profile))
        return None if raw is None else CredentialRecord.from_json(raw)

    def put(self, record: CredentialRecord) -> None:
        self._check()
        self._data[record.key] = record.to_json()

    def delete(self, provider: str, profile: str) -> bool:
        self._check()
        return self._data.pop(_key(provider, profile), None) is not None

    def list(self) -> list[CredentialRecord]:
        self._check()
        return [CredentialRecord.from_json(self._data[k]) for k in sorted(self._data)]


# --------------------------------------------------------------------------- choice


@dataclass(frozen=True)
class StoreChoice:
    """The store in use, its kind, and a sentence for the UI saying which and why."""

    store: CredentialStore
    kind: str  # "keyring" | "file" | "vault" | "memory"
    reason: str

    def goes_to(self, provider: str, profile: str) -> str:
        """Where provider:profile's secret goes, for Review: a shared store's own address and
        path (Vault), else the reason this store was chosen."""
        if getattr(self.store, "where", None) is not None:
            return store_where(self.store, provider, profile)
        return self.reason


def choose_store(env: Mapping[str, str] | None = None) -> StoreChoice:
    """`SEAL_CREDENTIAL_STORE=keyring|file|vault`, else the keyring when usable, else the file.

    Blocks (the keyring probe talks to D-Bus). Raises InputError for an unknown value.
    """
    environ: Mapping[str, str] = os.environ if env is None else env
    wanted = environ.get(ENV_STORE, "").strip().lower()
    if wanted == "file":
        store = FileStore()
        return StoreChoice(store, "file", f"{ENV_STORE}=file; secrets go to {store.location}")
    if wanted == "keyring":
        return StoreChoice(KeyringStore(), "keyring", f"{ENV_STORE}=keyring")
    if wanted == "vault":
        from backend.credentials.vault import VaultStore

        vault = VaultStore(environ)
        return StoreChoice(vault, "vault", f"{ENV_STORE}=vault; secrets go to {vault.location}")
    if wanted not in ("", "auto"):
        raise InputError(
            f"{ENV_STORE}={environ.get(ENV_STORE, '')!r} is not a credential store",
            f"use one of: {', '.join(STORE_CHOICES)} (or leave it unset to choose automatically)",
        )
    usable, why = keyring_usable()
    if usable:
        import keyring

        return StoreChoice(KeyringStore(keyring.get_keyring()), "keyring", why)
    file_store = FileStore()
    return StoreChoice(
        file_store, "file", f"no usable keyring ({why}); secrets go to {file_store.location}"
    )


def store_where(store: CredentialStore, provider: str, profile: str) -> str:
    """Where one credential lives: the store's own description of its path (Vault names the
    address and path), else the store's location."""
    where: Callable[[str, str], str] | None = getattr(store, "where", None)
    return where(provider, profile) if where is not None else store.location
