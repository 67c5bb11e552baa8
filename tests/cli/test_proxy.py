"""Every request goes through the proxy the environment names: a real forwarding proxy
(proxy.py) between seal-setup and the fake provider, plain HTTP and https (CONNECT)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from backend.credentials.record import CredentialRecord
from backend.credentials.vault import VaultStore
from backend.providers import live
from backend.providers.base import Auth
from backend.services import Services
from tests.cli.helpers import run_script, subprocess_env
from tests.fakes.forward_proxy import ForwardProxy
from tests.fakes.openbao import OpenBao
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider

MODELS = "/v1/models"
RECORD = CredentialRecord("anthropic", "default", "api_key", secret=ANTHROPIC_KEY)


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[ForwardProxy]:
    with ForwardProxy(tmp_path / "proxy") as running:
        yield running


@pytest.fixture
def tls_fake(tmp_path: Path) -> Iterator[tuple[FakeProvider, Path]]:
    """The fake over https with a certificate of a CA made here; the CA's bundle file."""
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with FakeProvider(tls=context) as fake:
        yield fake, bundle


def test_the_check_goes_through_http_proxy(fake_provider: FakeProvider, proxy: ForwardProxy):
    env = {**fake_provider.env(), "HTTP_PROXY": proxy.url}
    result = live.check("anthropic", Auth("api_key", ANTHROPIC_KEY), env=env)
    assert result.outcome == "verified", result.message
    lines = proxy.wait_for(f"GET 127.0.0.1:{fake_provider.port}{MODELS}")
    assert any("200 OK" in line for line in lines)


def test_no_proxy_goes_directly(fake_provider: FakeProvider, proxy: ForwardProxy):
    env = {**fake_provider.env(), "HTTP_PROXY": proxy.url, "NO_PROXY": "localhost,127.0.0.1"}
    services = Services(env)
    try:
        report = services.check("anthropic", RECORD)
    finally:
        services.close()
    assert report.result.outcome == "verified"
    assert fake_provider.count(MODELS) >= 1
    # The proxy answers a request of its own; only then is "it saw nothing of ours" a fact.
    with httpx.Client(proxy=proxy.url, trust_env=False) as client:
        client.get(f"{fake_provider.base_url}/health-of-the-proxy")
    lines = proxy.wait_for("health-of-the-proxy")
    assert not any(MODELS in line for line in lines)


def test_https_through_the_proxy_is_a_tunnel(
    tls_fake: tuple[FakeProvider, Path], proxy: ForwardProxy
):
    fake, bundle = tls_fake
    env = {**fake.env(), "HTTPS_PROXY": proxy.url, "SSL_CERT_FILE": str(bundle)}
    result = live.check("anthropic", Auth("api_key", ANTHROPIC_KEY), env=env)
    assert result.outcome == "verified", result.message
    lines = proxy.wait_for(f"CONNECT 127.0.0.1:{fake.port}")
    # The proxy saw where to, never what: no path, no header, no key.
    assert not any(MODELS in line for line in lines)
    assert ANTHROPIC_KEY not in proxy.log_text()


def test_ssl_cert_file_is_the_trust(tls_fake: tuple[FakeProvider, Path], tmp_path: Path):
    fake, bundle = tls_fake
    auth = Auth("api_key", ANTHROPIC_KEY)
    trusted = live.check("anthropic", auth, env={**fake.env(), "SSL_CERT_FILE": str(bundle)})
    assert trusted.outcome == "verified", trusted.message
    # Without the bundle the certificate is nobody's: refused before the key is sent.
    unknown = live.check("anthropic", auth, env=fake.env())
    assert unknown.outcome == "unverifiable"
    assert fake.count(MODELS) == 1


def test_the_console_script_sends_through_the_proxy(
    tmp_path: Path, fake_provider: FakeProvider, proxy: ForwardProxy
):
    env = subprocess_env(tmp_path / "home", fake_provider, HTTP_PROXY=proxy.url)
    args = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]
    args += ["--model", "claude-sonnet-4-6", "--config", str(tmp_path / "seal.toml")]
    result = run_script(args, env, tmp_path, stdin=ANTHROPIC_KEY)
    assert result.returncode == 0, result.stderr
    proxy.wait_for(f"GET 127.0.0.1:{fake_provider.port}{MODELS}")
    probe = run_script(
        ["status", "--probe", "--config", str(tmp_path / "seal.toml")], env, tmp_path
    )
    assert probe.returncode == 0, probe.stdout + probe.stderr
    lines = proxy.wait_for(f"GET 127.0.0.1:{fake_provider.port}{MODELS}")
    assert sum(f"{fake_provider.port}{MODELS}" in line for line in lines) >= 2


def test_vault_goes_through_the_proxy_of_the_program_env(vault: OpenBao, proxy: ForwardProxy):
    """The Vault store's requests take the proxy of the program's environment (Services.env),
    not os.environ's, as the provider calls do."""
    env = {**vault.env(vault.prefix), "HTTP_PROXY": proxy.url}  # type: ignore[attr-defined]
    store = VaultStore(env)
    assert store.get("anthropic", "default") is None
    store.close()  # proxy.py logs a connection (its first request) when it closes
    proxy.wait_for(f"GET 127.0.0.1:{vault.port}/v1/sys/internal/ui/mounts/secret - 200 OK")


def test_vault_no_proxy_goes_directly(vault: OpenBao, proxy: ForwardProxy):
    env = {**vault.env(vault.prefix), "HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"}  # type: ignore[attr-defined]
    assert VaultStore(env).get("anthropic", "default") is None
    with httpx.Client(proxy=proxy.url, trust_env=False) as client:
        client.get(f"{vault.addr}/v1/sys/health")
    lines = proxy.wait_for("sys/health")
    assert not any("/v1/sys/internal/" in line or "/v1/secret/" in line for line in lines)
