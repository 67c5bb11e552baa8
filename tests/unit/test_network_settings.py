"""Proxy and CA-bundle variables are read from the program's env mapping, not os.environ."""

from __future__ import annotations

import httpx
import pytest

from backend.providers import live
from backend.providers.base import Auth
from backend.system.http import environment_proxies, make_client
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider


def test_each_scheme_and_the_all_proxy():
    env = {
        "HTTPS_PROXY": "proxy.corp:3128",
        "HTTP_PROXY": "http://plain.corp:80",
        "ALL_PROXY": "socks5://socks.corp:1080",
    }
    assert environment_proxies(env) == {
        "https://": ("HTTPS_PROXY", "http://proxy.corp:3128"),
        "http://": ("HTTP_PROXY", "http://plain.corp:80"),
        "all://": ("ALL_PROXY", "socks5://socks.corp:1080"),
    }


def test_lower_case_wins_even_when_empty():
    env = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:2"}
    assert environment_proxies(env) == {"https://": ("https_proxy", "http://lower:2")}
    assert environment_proxies({"HTTPS_PROXY": "http://upper:1", "https_proxy": ""}) == {}


def test_no_proxy_hosts_go_directly():
    env = {"HTTPS_PROXY": "http://p:1", "NO_PROXY": "localhost, 127.0.0.1,::1,.corp,api.x.com"}
    mounts = environment_proxies(env)
    assert mounts["all://localhost"] is None and mounts["all://127.0.0.1"] is None
    assert mounts["all://[::1]"] is None and mounts["all://*.corp"] is None
    assert mounts["all://*api.x.com"] is None
    assert environment_proxies({**env, "no_proxy": "*"}) == {}


def test_http_proxy_ignored_under_cgi():
    # httpoxy: a request's `Proxy:` header becomes HTTP_PROXY in a CGI environment.
    assert environment_proxies({"HTTP_PROXY": "http://evil:1", "REQUEST_METHOD": "GET"}) == {}


def test_os_environ_is_not_what_decides(monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    with make_client(env={}) as client:
        transport = client._transport_for_url(httpx.URL("https://api.anthropic.com/v1/models"))
        assert transport is client._transport  # direct: the env mapping names no proxy
    with make_client(env={"HTTPS_PROXY": "http://127.0.0.1:9"}) as client:
        transport = client._transport_for_url(httpx.URL("https://api.anthropic.com/v1/models"))
        assert transport is not client._transport


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HTTP_PROXY": "ftp://user:hunter2pass@127.0.0.1:21"}, "HTTP_PROXY"),
        ({"SSL_CERT_FILE": "/nonexistent/ca.pem"}, "SSL_CERT_FILE"),
    ],
)
def test_an_unusable_setting_sends_nothing_and_says_which(fake_provider: FakeProvider, env, named):
    result = live.check(
        "anthropic", Auth("api_key", ANTHROPIC_KEY), env={**fake_provider.env(), **env}
    )
    assert result.outcome == "unverifiable"
    assert named in result.message and "Nothing was sent" in result.message
    assert "hunter2pass" not in result.message
    assert fake_provider.requests() == []


def test_a_socks_proxy_is_a_proxy_not_a_refusal():
    from backend.system.http import _Refusing

    with make_client(env={"ALL_PROXY": "socks5://127.0.0.1:1080"}) as client:
        transport = client._transport_for_url(httpx.URL("https://api.openai.com/v1/models"))
        assert isinstance(transport, httpx.HTTPTransport)
    with make_client(env={"ALL_PROXY": "gopher://127.0.0.1:70"}) as client:
        transport = client._transport_for_url(httpx.URL("https://api.openai.com/v1/models"))
        assert isinstance(transport, _Refusing)
