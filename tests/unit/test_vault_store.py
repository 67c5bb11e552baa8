"""The Vault store against a real OpenBao dev server (tests/fakes/openbao.py)."""

from __future__ import annotations

import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.stores import choose_store, store_where
from backend.credentials.vault import VaultStore
from backend.credentials.writes import remove_record, update_record
from backend.errors import CredentialStoreError
from tests.fakes.openbao import OpenBao

KEY = "sk-ant-api03-vault-canary-0123456789abcdef"


def _record(secret: str = KEY, profile: str = "default") -> CredentialRecord:
    return CredentialRecord(provider="anthropic", profile=profile, kind="api_key", secret=secret)


def _store(vault: OpenBao, **extra: str) -> VaultStore:
    return VaultStore({**os.environ, **extra})


def test_round_trip_at_the_documented_path(vault: OpenBao) -> None:
    choice = choose_store(dict(os.environ))
    assert choice.kind == "vault"
    store = choice.store
    update_record(store, "anthropic", "default", lambda _: _record())
    assert vault.kv(f"{vault.prefix}/anthropic/default")["secret"] == KEY  # type: ignore[attr-defined]
    got = store.get("anthropic", "default")
    assert got is not None and got.secret == KEY
    assert [r.key for r in store.list()] == ["anthropic:default"]
    assert store_where(store, "anthropic", "default") == (
        f"Vault at {vault.addr}, secret/{vault.prefix}/anthropic/default"  # type: ignore[attr-defined]
    )
    assert vault.addr in choice.reason


def test_approle_login(vault: OpenBao) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    vault.ok(
        "PUT",
        "sys/policies/acl/seal-ci",
        {"policy": f'path "secret/data/{prefix}/*" {{ capabilities = ["read"] }}'},
    )
    role, secret_id = vault.approle("seal-ci", "seal-ci")
    vault.ok("POST", f"secret/data/{prefix}/anthropic/default", {"data": _record().to_dict()})
    store = VaultStore(
        {
            "VAULT_ADDR": vault.addr,
            "VAULT_ROLE_ID": role,
            "VAULT_SECRET_ID": secret_id,
            "SEAL_VAULT_PREFIX": prefix,
            "HOME": os.environ["HOME"],
        }
    )
    got = store.get("anthropic", "default")
    assert got is not None and got.secret == KEY


def test_unreachable(vault: OpenBao) -> None:
    from tests.fakes.openbao import free_port

    store = _store(vault, VAULT_ADDR=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(CredentialStoreError, match="unreachable"):
        store.get("anthropic", "default")


def test_permission_denied_names_path_and_capability(vault: OpenBao) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    token = vault.policy_token(
        "seal-read-only", f'path "secret/data/{prefix}/*" {{ capabilities = ["read"] }}'
    )
    store = _store(vault, VAULT_TOKEN=token)
    with pytest.raises(CredentialStoreError) as err:
        update_record(store, "anthropic", "default", lambda _: _record())
    assert f"secret/data/{prefix}/anthropic/default" in err.value.message
    assert "'create'" in err.value.message
    assert token not in err.value.message + (err.value.hint or "")
    assert vault.kv(f"{prefix}/anthropic/default") is None


def test_expired_token(vault: OpenBao) -> None:
    token = vault.policy_token("seal-any", 'path "secret/*" { capabilities = ["read"] }')
    vault.ok("POST", "auth/token/revoke", {"token": token})
    store = _store(vault, VAULT_TOKEN=token)
    with pytest.raises(CredentialStoreError, match="expired or invalid"):
        store.get("anthropic", "default")


def test_kv_version_1_mount_is_refused(vault: OpenBao) -> None:
    mount = f"kv1-{vault.prefix}"  # type: ignore[attr-defined]
    vault.ok("POST", f"sys/mounts/{mount}", {"type": "kv", "options": {"version": "1"}})
    store = _store(vault, SEAL_VAULT_MOUNT=mount)
    with pytest.raises(CredentialStoreError, match="KV version 1"):
        update_record(store, "anthropic", "default", lambda _: _record())
    status, answer = vault.api("LIST", f"{mount}")
    assert status == 404, answer  # nothing written


def test_foreign_data_is_not_overwritten(vault: OpenBao) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    vault.ok("POST", f"secret/data/{prefix}/anthropic/default", {"data": {"password": "hunter2"}})
    store = _store(vault)
    with pytest.raises(CredentialStoreError, match="not a seal credential"):
        update_record(store, "anthropic", "default", lambda _: _record())
    assert vault.kv(f"{prefix}/anthropic/default") == {"password": "hunter2"}


def test_check_and_set_conflict_reapplies_the_change(vault: OpenBao) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    store = _store(vault)
    update_record(store, "anthropic", "default", lambda _: _record("sk-first-0000"))
    store.get("anthropic", "default")  # this thread saw version 1
    # Another machine writes version 2 behind its back.
    vault.ok(
        "POST",
        f"secret/data/{prefix}/anthropic/default",
        {"data": _record("sk-other-0000").to_dict()},
    )
    seen: list[str | None] = []

    def change(current: CredentialRecord | None) -> CredentialRecord | None:
        seen.append(current.secret if current else None)
        return current.with_changes(verified_at=utcnow()) if current else None

    update_record(store, "anthropic", "default", change)
    assert seen[-1] == "sk-other-0000"
    assert vault.kv(f"{prefix}/anthropic/default")["secret"] == "sk-other-0000"


@pytest.mark.parametrize("all_versions", [True, False])
def test_delete_all_versions_or_latest(vault: OpenBao, all_versions: bool) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    store = _store(vault)
    update_record(store, "anthropic", "default", lambda _: _record("sk-first-0000"))
    update_record(store, "anthropic", "default", lambda _: _record("sk-second-000"))
    assert store.delete("anthropic", "default", all_versions=all_versions)
    assert store.get("anthropic", "default") is None
    status, _ = vault.api("GET", f"secret/metadata/{prefix}/anthropic/default")
    assert status == (404 if all_versions else 200)
    status, _ = vault.api("GET", f"secret/data/{prefix}/anthropic/default?version=1")
    assert (status == 200) is (not all_versions)


def test_remove_record_then_store_again(vault: OpenBao) -> None:
    store = _store(vault)
    update_record(store, "anthropic", "default", lambda _: _record())
    assert remove_record(store, "anthropic", "default")
    assert store.list() == []
    update_record(store, "anthropic", "work", lambda _: _record(profile="work"))
    assert [r.key for r in store.list()] == ["anthropic:work"]


def test_shared_lock_is_taken_over_after_its_lease(vault: OpenBao) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    vault.ok(
        "POST",
        f"secret/data/{prefix}/anthropic/default/refresh-lock",
        {"data": {"owner": "dead", "until": (utcnow() - timedelta(seconds=5)).timestamp()}},
    )
    store = _store(vault)
    with store.shared_lock("anthropic", "default"):
        assert vault.kv(f"{prefix}/anthropic/default/refresh-lock")["owner"] != "dead"
    assert vault.kv(f"{prefix}/anthropic/default/refresh-lock")["until"] == 0


def test_sealed(openbao_server: OpenBao, tmp_path_factory: pytest.TempPathFactory) -> None:
    # A second dev server of its own, sealed: the shared one stays usable for other tests.
    sealed = OpenBao(openbao_server.binary, tmp_path_factory.mktemp("sealed"))
    sealed.start()
    try:
        sealed.ok("PUT", "sys/seal")
        store = VaultStore({**sealed.env("seal"), "HOME": str(sealed.workdir)})
        with pytest.raises(CredentialStoreError, match="is sealed") as err:
            update_record(store, "anthropic", "default", lambda _: _record())
        assert "unseal" in (err.value.hint or "")
    finally:
        sealed.stop()


def test_vault_token_file_and_request_deadline(
    vault: OpenBao, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from backend.credentials.vault import TIMEOUT
    from tests.fakes.openbao import ROOT_TOKEN

    home = tmp_path_factory.mktemp("tokenhome")
    (home / ".vault-token").write_text(ROOT_TOKEN + "\n")
    env = {k: v for k, v in os.environ.items() if k != "VAULT_TOKEN"}
    store = VaultStore({**env, "HOME": str(home)})
    assert store.get("anthropic", "default") is None
    assert store.client().adapter._kwargs["timeout"] == TIMEOUT
    with pytest.raises(CredentialStoreError, match="no Vault token"):
        VaultStore({**env, "HOME": str(tmp_path_factory.mktemp("empty"))}).get(
            "anthropic", "default"
        )


def test_tls_with_vault_cacert(
    openbao_server: OpenBao, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tls = OpenBao(openbao_server.binary, tmp_path_factory.mktemp("tls"), tls=True)
    tls.start()
    try:
        env = {**tls.env("seal"), "HOME": str(tls.workdir)}
        with pytest.raises(CredentialStoreError, match="unreachable"):
            VaultStore(env).get("anthropic", "default")  # its CA is not trusted by default
        with pytest.raises(CredentialStoreError, match="unreachable"):  # never unchecked
            VaultStore({**env, "VAULT_SKIP_VERIFY": "1"}).get("anthropic", "default")
        store = VaultStore({**env, "VAULT_CACERT": str(tls.ca)})
        update_record(store, "anthropic", "default", lambda _: _record())
        got = store.get("anthropic", "default")
        assert got is not None and got.secret == KEY
        # Without VAULT_CACERT, the trust the provider calls use.
        got = VaultStore({**env, "SSL_CERT_FILE": str(tls.ca)}).get("anthropic", "default")
        assert got is not None and got.secret == KEY
        # VAULT_CAPATH: a directory of hashed CA certificates, as `openssl rehash` makes.
        capath = tmp_path_factory.mktemp("capath")
        subject_hash = subprocess.run(
            ["openssl", "x509", "-hash", "-noout", "-in", str(tls.ca)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        (capath / f"{subject_hash}.0").write_bytes(Path(tls.ca).read_bytes())
        got = VaultStore({**env, "VAULT_CAPATH": str(capath)}).get("anthropic", "default")
        assert got is not None and got.secret == KEY
    finally:
        tls.stop()


def test_namespace(vault: OpenBao) -> None:
    namespace = f"ns-{vault.prefix}"  # type: ignore[attr-defined]
    vault.ok("POST", f"sys/namespaces/{namespace}", {})
    status, answer = vault.api(
        "POST", f"{namespace}/sys/mounts/secret", {"type": "kv", "options": {"version": "2"}}
    )
    assert status in (200, 204), answer
    store = _store(vault, VAULT_NAMESPACE=namespace)
    update_record(store, "anthropic", "default", lambda _: _record())
    status, answer = vault.api("GET", f"{namespace}/secret/data/{vault.prefix}/anthropic/default")  # type: ignore[attr-defined]
    assert status == 200 and answer["data"]["data"]["secret"] == KEY
    assert vault.kv(f"{vault.prefix}/anthropic/default") is None  # type: ignore[attr-defined]


def test_read_denied_names_the_record_path(vault: OpenBao) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    token = vault.policy_token(
        "seal-list-only", 'path "secret/metadata/*" { capabilities = ["list"] }'
    )
    with pytest.raises(CredentialStoreError) as err:
        _store(vault, VAULT_TOKEN=token).get("anthropic", "default")
    assert f"lacks 'read' on secret/data/{prefix}/anthropic/default" in err.value.message, (
        err.value.message
    )


class _Impostor:
    """Whatever answers at VAULT_ADDR: one too large an answer, or one that trickles."""

    def __init__(self, mode: str) -> None:
        import http.server
        import threading

        mode_ = mode

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                import time

                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                if mode_ == "huge":
                    self.wfile.write(b'{"data": "' + b"x" * (2 * 1024 * 1024) + b'"}')
                    return
                try:  # a byte every 0.2 s, for far longer than the deadline
                    for _ in range(100):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                        time.sleep(0.2)
                except OSError:
                    return

            def log_message(self, *args: object) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("huge", "sent an answer larger than 1,048,576 bytes"),
        ("trickle", "did not answer within 1 s"),
    ],
)
def test_an_answer_too_large_or_too_slow_is_cut_off(
    mode: str, said: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever is at VAULT_ADDR is data from outside: its answer is read within a size
    limit and an overall deadline, not only a per-read timeout a trickle never trips."""
    import time

    from backend.credentials import vault

    monkeypatch.setattr(vault, "DEADLINE", 1.0)
    impostor = _Impostor(mode)
    try:
        store = VaultStore(
            {"VAULT_ADDR": impostor.url, "VAULT_TOKEN": "t" * 20, "HOME": "/nonexistent"}
        )
        started = time.monotonic()
        with pytest.raises(CredentialStoreError, match=said):
            store.get("anthropic", "default")
        assert time.monotonic() - started < 10
    finally:
        impostor.close()
