"""The Vault / OpenBao credential store (KV version 2), for teams and CI runners.

The record is the same JSON object as in the other stores, kept as the KV data at
`<mount>/<prefix>/<provider>/<profile>` (SEAL_VAULT_MOUNT, SEAL_VAULT_PREFIX). Writes use
check-and-set on the version read, and `shared_lock` is a lease kept in Vault beside the
record, so one refresh at a time spans machines (the file lock spans one machine only).
The Vault token (VAULT_TOKEN, ~/.vault-token, or an AppRole login) is held in memory and
never printed or stored. hvac loads on first use, keeping start-up light.
"""

from __future__ import annotations

import contextlib
import re
import secrets as _secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from backend.credentials.record import CredentialRecord
from backend.errors import CredentialStoreError, StoreConflict

ENV_MOUNT = "SEAL_VAULT_MOUNT"
ENV_PREFIX = "SEAL_VAULT_PREFIX"
DEFAULT_MOUNT = "secret"
DEFAULT_PREFIX = "seal"
TIMEOUT = 10.0  # seconds per socket operation with Vault
DEADLINE = 30.0  # seconds for a whole request and its answer (a trickle ends here too)
MAX_ANSWER = 1024 * 1024  # bytes: a seal record and Vault's envelope are far smaller
LEASE_SECONDS = 60.0  # a refresh holding the shared lock is one bounded request
LOCK_WAIT = 30.0
LOCK_NAME = "refresh-lock"
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}")
_T = TypeVar("_T")


class AnswerRefused(Exception):
    """An answer from VAULT_ADDR cut off: larger than MAX_ANSWER, or slower than DEADLINE."""


def _socket_of(raw: Any) -> socket.socket | None:
    """The socket an urllib3 answer is read from: its connection's, or (once urllib3 has
    let the connection go, as for an answer that ends when the socket closes) the one
    under http.client's reader."""
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:
        reader = getattr(getattr(raw, "_fp", None), "fp", None)
        sock = getattr(getattr(reader, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _bounded_session() -> Any:
    """A requests Session whose every answer is read within DEADLINE and MAX_ANSWER bytes
    (Vault, or whatever answers at VAULT_ADDR, is data from outside): a longer or slower
    one is cut off (AnswerRefused) before any of it is parsed."""
    import requests
    from requests.adapters import HTTPAdapter

    class Bounded(HTTPAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            kwargs["stream"] = True
            response = super().send(request, *args, **kwargs)
            # A trickle keeps every socket read inside its timeout; shutting the socket
            # down from a timer ends the read that is blocked on it.
            late = threading.Event()
            sock = _socket_of(response.raw)

            def cut() -> None:
                late.set()
                with contextlib.suppress(OSError):
                    if sock is not None:
                        sock.shutdown(socket.SHUT_RDWR)

            watchdog = threading.Timer(DEADLINE, cut)
            watchdog.daemon = True
            watchdog.start()
            chunks: list[bytes] = []
            size = 0
            try:
                for chunk in response.raw.stream(64 * 1024, decode_content=True):
                    size += len(chunk)
                    if size > MAX_ANSWER:
                        raise AnswerRefused(f"sent an answer larger than {MAX_ANSWER:,} bytes")
                    chunks.append(chunk)
            except AnswerRefused:
                response.close()
                raise
            except Exception as exc:  # urllib3's errors, and a read the watchdog cut
                response.close()
                if late.is_set():
                    raise AnswerRefused(f"did not answer within {DEADLINE:g} s") from None
                raise requests.exceptions.ConnectionError(type(exc).__name__) from None
            finally:
                watchdog.cancel()
            if late.is_set():
                raise AnswerRefused(f"did not answer within {DEADLINE:g} s")
            response._content = b"".join(chunks)
            response._content_consumed = True
            return response

    session = requests.Session()
    adapter = Bounded()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _proxies_for(url: str, env: Mapping[str, str]) -> dict[str, str]:
    """requests' proxies for `url` from the program's environment (not os.environ)."""
    from urllib.parse import urlsplit

    from backend.system.http import environment_proxies

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    mounts = environment_proxies(env)
    for pattern, proxy in mounts.items():
        if proxy is not None:
            continue
        scheme, _, target = pattern.partition("://")
        target = target.strip("[]").lower().split(":")[0]
        if scheme not in ("all", parts.scheme):
            continue
        if target.startswith("*"):
            suffix = target[1:]
            if host == suffix.lstrip(".") and not suffix.startswith("."):
                return {}
            if host.endswith(suffix if suffix.startswith(".") else "." + suffix):
                return {}
        elif target in ("", host):
            return {}
    chosen = mounts.get(f"{parts.scheme}://") or mounts.get("all://")
    return {parts.scheme: chosen[1]} if chosen else {}


class VaultStore:
    """Records in a KV v2 secrets engine of Vault or OpenBao."""

    name = "vault"

    def __init__(self, env: Mapping[str, str]) -> None:
        self.env = dict(env)
        self.addr = env.get("VAULT_ADDR", "").strip().rstrip("/")
        if not self.addr:
            raise CredentialStoreError(
                "SEAL_CREDENTIAL_STORE=vault needs VAULT_ADDR (the Vault server's address)",
                "set VAULT_ADDR=https://vault.example:8200 and a token (VAULT_TOKEN or "
                "~/.vault-token) or AppRole (VAULT_ROLE_ID and VAULT_SECRET_ID)",
            )
        self.mount = env.get(ENV_MOUNT, "").strip().strip("/") or DEFAULT_MOUNT
        self.prefix = env.get(ENV_PREFIX, "").strip().strip("/") or DEFAULT_PREFIX
        self.namespace = env.get("VAULT_NAMESPACE", "").strip() or None
        self._client: Any = None
        self.keep_history = False  # logout --latest-only
        self._token = ""
        self._checked_mount = False
        self._guard = threading.RLock()
        self._versions = threading.local()

    # --- where

    @property
    def location(self) -> str:
        return f"Vault at {self.addr} ({self.mount}/{self.prefix}/…)"

    def where(self, provider: str, profile: str) -> str:
        """`Vault at <addr>, <mount>/<prefix>/<provider>/<profile>`."""
        return f"Vault at {self.addr}, {self.mount}/{self._path(provider, profile)}"

    def _path(self, provider: str, profile: str) -> str:
        for name in (provider, profile):
            if not _NAME.fullmatch(name):
                raise CredentialStoreError(
                    f"{name!r} cannot be part of a Vault path",
                    "use letters, digits, '.', '_' and '-' only",
                )
        return f"{self.prefix}/{provider}/{profile}"

    # --- the client

    def _read_token(self) -> str:
        token = self.env.get("VAULT_TOKEN", "").strip()
        if token:
            return token
        home = self.env.get("HOME") or str(Path.home())
        with (
            contextlib.suppress(OSError),
            open(Path(home) / ".vault-token", encoding="utf-8") as f,
        ):
            return f.read(4096).strip()
        return ""

    def client(self) -> Any:
        """The hvac client, logged in (AppRole when VAULT_ROLE_ID and VAULT_SECRET_ID)."""
        with self._guard:
            if self._client is not None:
                return self._client
            import hvac

            session = _bounded_session()
            session.trust_env = False  # proxies and CA come from the program's env
            session.proxies.update(_proxies_for(self.addr, self.env))
            # VAULT_CACERT as Vault's tools read it, else the trust the provider calls use
            # (SSL_CERT_FILE / SSL_CERT_DIR), else certifi's bundle. hvac takes the
            # session's own verify over its `verify` argument: set it here.
            cacert = next(
                (
                    self.env[name].strip()
                    for name in ("VAULT_CACERT", "VAULT_CAPATH", "SSL_CERT_FILE", "SSL_CERT_DIR")
                    if self.env.get(name, "").strip()
                ),
                "",
            )
            session.verify = cacert or True
            client = hvac.Client(
                url=self.addr,
                token="",
                verify=cacert or True,
                timeout=TIMEOUT,
                session=session,
                namespace=self.namespace,
                allow_redirects=False,
            )
            role = self.env.get("VAULT_ROLE_ID", "").strip()
            secret_id = self.env.get("VAULT_SECRET_ID", "").strip()
            if role and secret_id:
                mount = self.env.get("VAULT_APPROLE_MOUNT", "").strip() or "approle"
                answer = self._call(
                    "log in with AppRole",
                    f"auth/{mount}/login",
                    "update",
                    lambda: client.auth.approle.login(
                        role_id=role, secret_id=secret_id, mount_point=mount, use_token=False
                    ),
                    client=client,
                    secrets=(secret_id,),
                )
                self._token = str(answer["auth"]["client_token"])
            else:
                self._token = self._read_token()
                if not self._token:
                    raise CredentialStoreError(
                        f"no Vault token for {self.addr}",
                        "set VAULT_TOKEN, run `vault login` / `bao login` (~/.vault-token), "
                        "or set VAULT_ROLE_ID and VAULT_SECRET_ID for AppRole",
                    )
            client.token = self._token
            self._client = client
            self._check_mount(client)
            return client

    def close(self) -> None:
        """Close the connections to Vault (the next call opens new ones, logging in again)."""
        with self._guard:
            if self._client is not None:
                self._client.adapter.close()
                self._client = None

    def _check_mount(self, client: Any) -> None:
        """Refuse a KV version 1 mount: a v2 write there would land at a wrong path."""
        answer = self._call(
            "find the secrets engine",
            f"sys/internal/ui/mounts/{self.mount}",
            "read",
            lambda: client.adapter.get(f"/v1/sys/internal/ui/mounts/{self.mount}"),
            client=client,
        )
        data = answer.get("data", {}) if isinstance(answer, dict) else {}
        kind = data.get("type")
        version = str((data.get("options") or {}).get("version", "1"))
        if kind != "kv" or version != "2":
            what = f"KV version {version}" if kind == "kv" else f"a {kind!r} engine"
            raise CredentialStoreError(
                f"the Vault mount '{self.mount}/' at {self.addr} is {what}, not KV version 2 "
                "(nothing was written)",
                f"use a KV v2 mount (bao secrets enable -path=seal-kv kv-v2, then "
                f"{ENV_MOUNT}=seal-kv) or upgrade it (bao kv enable-versioning {self.mount})",
            )

    def _call(
        self,
        action: str,
        path: str,
        capability: str,
        fn: Callable[[], _T],
        *,
        client: Any = None,
        secrets: tuple[str, ...] = (),
    ) -> _T:
        """One request, each failure a CredentialStoreError naming the fix (no secret)."""
        import hvac.exceptions as hexc
        import requests

        hidden = (*secrets, self._token)

        def scrub(text: str) -> str:
            for s in hidden:
                if s and len(s) >= 4:
                    text = text.replace(s, "[redacted]")
            return text[:200]

        try:
            return fn()
        except AnswerRefused as exc:
            raise CredentialStoreError(
                f"Vault at {self.addr} {exc} (could not {action}); nothing was read from it",
                "check that VAULT_ADDR names your Vault or OpenBao server",
            ) from None
        except requests.exceptions.RequestException as exc:
            raise CredentialStoreError(
                f"Vault at {self.addr} is unreachable (could not {action}: "
                f"{type(exc).__name__}); nothing was changed",
                "check VAULT_ADDR, the network and any proxy (HTTPS_PROXY, NO_PROXY)",
            ) from None
        except hexc.VaultDown:
            raise CredentialStoreError(
                f"Vault at {self.addr} is sealed (could not {action}); nothing was changed",
                "ask its operators to unseal it (bao operator unseal), then try again",
            ) from None
        except hexc.Forbidden as exc:
            if self._token_dead(client or self._client):
                raise CredentialStoreError(
                    f"the Vault token for {self.addr} is expired or invalid (could not {action})",
                    "log in again (bao login / vault login, or a new VAULT_TOKEN), or use "
                    "AppRole (VAULT_ROLE_ID and VAULT_SECRET_ID)",
                ) from None
            if path.startswith("auth/"):
                raise CredentialStoreError(
                    f"Vault at {self.addr} refused the AppRole login: {scrub(str(exc))}",
                    "check VAULT_ROLE_ID and VAULT_SECRET_ID (a secret ID may be used up "
                    "or expired)",
                ) from None
            raise CredentialStoreError(
                f"Vault at {self.addr} denied permission to {action}: the token's policy "
                f"lacks '{capability}' on {path}; nothing was changed",
                f'add to its policy: path "{path}" {{ capabilities = ["{capability}"] }} '
                "(README: Teams and CI has the minimal policy)",
            ) from None
        except hexc.InvalidRequest as exc:
            text = str(exc)
            if "check-and-set" in text:
                raise StoreConflict(
                    f"the credential at {path} changed while it was being written",
                    "try again: the newer record is kept",
                ) from None
            raise CredentialStoreError(
                f"Vault at {self.addr} refused to {action}: {scrub(text)}",
                "check the mount (SEAL_VAULT_MOUNT) and path (SEAL_VAULT_PREFIX)",
            ) from None
        except hexc.VaultError as exc:
            raise CredentialStoreError(
                f"Vault at {self.addr} failed to {action} ({type(exc).__name__}: "
                f"{scrub(str(exc))}); nothing was changed",
                "check the server's state and try again",
            ) from None

    def _token_dead(self, client: Any) -> bool:
        if client is None or not self._token:
            return False
        try:
            client.auth.token.lookup_self()
        except Exception:
            return True
        return False

    # --- raw KV v2 access

    def _api(self, sub: str, rel: str) -> str:
        return f"{self.mount}/{sub}/{rel}"

    def _read(self, rel: str, action: str) -> tuple[dict[str, Any] | None, int]:
        """(data, version) of the latest version; (None, current version) when absent."""
        import hvac.exceptions as hexc

        client = self.client()
        kv = client.secrets.kv.v2

        def read() -> tuple[dict[str, Any] | None, int]:
            try:
                # A deleted latest version answers with its metadata (version, deletion
                # time) and no data: the version a check-and-set write must name.
                answer = kv.read_secret_version(
                    path=rel, mount_point=self.mount, raise_on_deleted_version=False
                )
            except hexc.InvalidPath:
                return None, 0
            body = answer.get("data") or {}
            version = int((body.get("metadata") or {}).get("version") or 0)
            data = body.get("data")
            return (data if isinstance(data, dict) else None), version

        return self._call(action, self._api("data", rel), "read", read)

    def _write(self, rel: str, data: dict[str, Any], cas: int, action: str) -> int:
        client = self.client()
        answer = self._call(
            action,
            self._api("data", rel),
            "create" if cas == 0 else "update",
            lambda: client.secrets.kv.v2.create_or_update_secret(
                path=rel, secret=data, cas=cas, mount_point=self.mount
            ),
            secrets=tuple(str(v) for v in data.values() if isinstance(v, str)),
        )
        return int(answer["data"]["version"])

    def _parse(self, rel: str, data: dict[str, Any]) -> CredentialRecord:
        try:
            return CredentialRecord.from_dict(data)
        except ValueError as exc:
            raise CredentialStoreError(
                f"{self.mount}/{rel} in Vault at {self.addr} holds something that is not a "
                f"seal credential ({exc}); seal-setup did not change it",
                f"move that secret, or choose another tree with {ENV_PREFIX}",
            ) from None

    def _erased(self) -> set[str]:
        """Records this thread deleted with their history: their lock goes with them."""
        erased: set[str] | None = getattr(self._versions, "erased", None)
        if erased is None:
            erased = self._versions.erased = set()
        return erased

    def _seen(self) -> dict[str, int]:
        seen: dict[str, int] | None = getattr(self._versions, "seen", None)
        if seen is None:
            seen = self._versions.seen = {}
        return seen

    # --- CredentialStore

    def get(self, provider: str, profile: str) -> CredentialRecord | None:
        rel = self._path(provider, profile)
        data, version = self._read(rel, "read the credential")
        self._seen()[rel] = version
        return None if data is None else self._parse(rel, data)

    def put(self, record: CredentialRecord) -> None:
        """Check-and-set on the version this thread read last (StoreConflict when it moved)."""
        rel = self._path(record.provider, record.profile)
        seen = self._seen()
        if rel not in seen:
            data, seen[rel] = self._read(rel, "read the credential")
            if data is not None:
                self._parse(rel, data)  # never overwrite something that is not ours
        seen[rel] = self._write(rel, record.to_dict(), seen[rel], "store the credential")

    def delete(self, provider: str, profile: str, *, all_versions: bool | None = None) -> bool:
        """Remove the record: every version and its history (default), or only the latest
        (soft delete, `keep_history`: older versions stay, `bao kv undelete` restores)."""
        if all_versions is None:
            all_versions = not self.keep_history
        rel = self._path(provider, profile)
        data, _ = self._read(rel, "read the credential")
        kv = self.client().secrets.kv.v2
        if all_versions:
            self._erased().add(rel)
            self._call(
                "delete the credential",
                self._api("metadata", rel),
                "delete",
                lambda: kv.delete_metadata_and_all_versions(path=rel, mount_point=self.mount),
            )
        elif data is not None:
            self._call(
                "delete the credential",
                self._api("data", rel),
                "delete",
                lambda: kv.delete_latest_version_of_secret(path=rel, mount_point=self.mount),
            )
        self._seen().pop(rel, None)
        return data is not None

    def _keys(self, rel: str) -> list[str]:
        import hvac.exceptions as hexc

        kv = self.client().secrets.kv.v2

        def listing() -> list[str]:
            try:
                answer = kv.list_secrets(path=rel, mount_point=self.mount)
            except hexc.InvalidPath:
                return []
            keys = answer.get("data", {}).get("keys", [])
            return [k for k in keys if isinstance(k, str)]

        return self._call("list the credentials", self._api("metadata", rel), "list", listing)

    def list(self) -> list[CredentialRecord]:
        records = []
        for provider in self._keys(self.prefix):
            if not provider.endswith("/") or not _NAME.fullmatch(provider[:-1]):
                continue
            for profile in self._keys(f"{self.prefix}/{provider}"):
                if profile.endswith("/") or not _NAME.fullmatch(profile):
                    continue  # a folder: the refresh lock beside a record
                record = self.get(provider[:-1], profile)
                if record is not None:
                    records.append(record)
        return records

    # --- the lock that spans machines

    @contextlib.contextmanager
    def shared_lock(self, provider: str, profile: str) -> Iterator[None]:
        """A lease at `<record path>/refresh-lock`, taken with check-and-set: one holder
        at a time across machines; a lease older than LEASE_SECONDS (a holder that died)
        is taken over."""
        rel = f"{self._path(provider, profile)}/{LOCK_NAME}"
        owner = _secrets.token_hex(8)
        deadline = time.monotonic() + LOCK_WAIT
        pause = 0.02
        while True:
            data, version = self._read(rel, "read the refresh lock")
            free = data is None or float(data.get("until", 0) or 0) < time.time()
            if free:
                try:
                    held = self._write(
                        rel,
                        {"owner": owner, "until": time.time() + LEASE_SECONDS},
                        version,
                        "take the refresh lock",
                    )
                    break
                except StoreConflict:
                    pass  # another machine took it first
            if time.monotonic() > deadline:
                raise CredentialStoreError(
                    f"another machine has held the refresh lock of {provider}:{profile} in "
                    f"Vault for more than {LOCK_WAIT:g} s",
                    "wait for it to finish, then try again",
                )
            time.sleep(pause)  # polling Vault: there is no notification to wait on
            pause = min(pause * 2, 0.5)
        record_rel = self._path(provider, profile)
        self._erased().discard(record_rel)
        try:
            yield
        finally:
            with contextlib.suppress(CredentialStoreError):
                if record_rel in self._erased():
                    # logout took the record and its history: leave no lock behind either.
                    kv = self.client().secrets.kv.v2
                    self._call(
                        "delete the refresh lock",
                        self._api("metadata", rel),
                        "delete",
                        lambda: kv.delete_metadata_and_all_versions(
                            path=rel, mount_point=self.mount
                        ),
                    )
                else:
                    self._write(rel, {"owner": "", "until": 0}, held, "release the refresh lock")
