"""Provider checks and model lists against the loopback fake: every provider × outcome,
and every fault (401, 403, 404, 429, 500, 529, timeout, refused, malformed, dropped)."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from backend.credentials.record import CredentialRecord
from backend.errors import ProviderError
from backend.providers import live as providers
from backend.providers.live import Auth, CheckResult
from backend.providers.trust import Endpoint, UntrustedEndpoint
from backend.system.http import make_client
from backend.vocabulary import registry
from backend.vocabulary.registry import PROVIDER_LABELS
from tests.fakes import fixtures
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SETUP_TOKEN,
    FakeProvider,
)

# Until tests/conftest.py imports them for every test, register the fixtures here.
fake_provider = fixtures.fake_provider
fast_retries = fixtures.fast_retries

KEYS = {"anthropic": ANTHROPIC_KEY, "openrouter": OPENROUTER_KEY, "openai": OPENAI_KEY}
CHECK_PATHS = {
    "anthropic": "/v1/models",
    "openrouter": "/openrouter/api/v1/key",
    "openai": "/openai/v1/models",
}


def run(fake: FakeProvider, provider: str, key: str | None = None, **kw: object) -> CheckResult:
    auth = Auth("api_key", key if key is not None else KEYS[provider])
    return providers.check(provider, auth, env=fake.env(), **kw)  # type: ignore[arg-type]


PROVIDER_NAMES = registry.ids()


def test_names() -> None:
    assert PROVIDER_NAMES == ("anthropic", "openrouter", "openai")
    assert PROVIDER_LABELS == {
        "anthropic": "Anthropic",
        "openrouter": "OpenRouter",
        "openai": "OpenAI",
    }


def test_auth_from_record_and_repr() -> None:
    key = CredentialRecord("anthropic", "default", "api_key", secret="sk-ant-api03-secretvalue")
    assert Auth.from_record(key) == Auth("api_key", "sk-ant-api03-secretvalue")
    tok = CredentialRecord("anthropic", "default", "setup_token", secret="sk-ant-oat01-xyzxyz")
    assert Auth.from_record(tok).kind == "bearer"
    oauth = CredentialRecord("anthropic", "default", "oauth", access_token="sk-ant-oat01-acc")
    assert Auth.from_record(oauth) == Auth("bearer", "sk-ant-oat01-acc")
    assert "secretvalue" not in repr(Auth.from_record(key))


# --- verified ----------------------------------------------------------------------------


def test_anthropic_api_key_verified(fake_provider: FakeProvider) -> None:
    result = run(fake_provider, "anthropic")
    assert result.outcome == "verified"
    assert result.message.startswith("Verified: Anthropic accepted the API key")
    assert result.identity["organization_id"] == "org-0000-fake"
    assert [m.id for m in result.models][:2] == ["claude-opus-4-8", "claude-opus-4-7"]
    opus = result.models[1]
    assert opus.thinking == ("adaptive",)
    assert opus.effort == ("low", "medium", "high", "xhigh", "max")
    assert (opus.context, opus.max_output, opus.vision, opus.line) == (
        1_000_000,
        128_000,
        True,
        "opus",
    )
    assert opus.source == "live"
    request = fake_provider.requests("/v1/models")[0]
    assert request.headers["x-api-key"] == ANTHROPIC_KEY
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in request.headers
    assert request.query["limit"] == ["1000"]


def test_anthropic_bearer_verified_with_beta(fake_provider: FakeProvider) -> None:
    result = providers.check("anthropic", Auth("bearer", SETUP_TOKEN), env=fake_provider.env())
    assert result.outcome == "verified"
    assert "subscription token" in result.message
    request = fake_provider.requests("/v1/models")[0]
    assert request.headers["authorization"] == f"Bearer {SETUP_TOKEN}"
    assert request.headers["anthropic-beta"] == "oauth-2025-04-20"
    assert "x-api-key" not in request.headers


def test_anthropic_pagination_follows_has_more(fake_provider: FakeProvider) -> None:
    fake_provider.anthropic_page_cap = 3
    result = run(fake_provider, "anthropic")
    assert result.outcome == "verified"
    assert len(result.models) == 7
    pages = fake_provider.requests("/v1/models")
    assert len(pages) == 3
    assert "after_id" not in pages[0].query
    assert pages[1].query["after_id"] == [result.models[2].id]


def test_anthropic_many_models(fake_provider: FakeProvider) -> None:
    fake_provider.model_count = 600
    # CPU time of this process (the client and the in-process fake): the work the listing
    # does, not how long other programs on a shared machine kept it waiting.
    started = time.process_time()
    models = providers.list_models(
        "anthropic", Auth("api_key", ANTHROPIC_KEY), env=fake_provider.env()
    )
    assert len(models) == 600
    assert time.process_time() - started < 2.0


def test_openrouter_verified_identity(fake_provider: FakeProvider) -> None:
    result = run(fake_provider, "openrouter")
    assert result.outcome == "verified"
    assert (
        result.message == "Verified: OpenRouter key 'sk-or-v1-012...def', limit $10.00, free tier"
    )
    assert result.identity["is_free_tier"] is True
    assert result.identity["limit"] == 10.0
    assert result.models == []
    request = fake_provider.requests("/openrouter/api/v1/key")[0]
    assert request.headers["authorization"] == f"Bearer {OPENROUTER_KEY}"


def test_openrouter_unlimited_paid_key(fake_provider: FakeProvider) -> None:
    key = fake_provider.add_key(
        "openrouter",
        "sk-or-v1-" + "b" * 64,
        label="sk-or-v1-bbb...bbb",
        limit=None,
        is_free_tier=False,
    )
    result = run(fake_provider, "openrouter", key)
    assert result.message == (
        "Verified: OpenRouter key 'sk-or-v1-bbb...bbb', no spending limit, paid account"
    )


def test_openrouter_models_public_and_parsed(fake_provider: FakeProvider) -> None:
    models = providers.list_models("openrouter", None, env=fake_provider.env())
    sonnet = next(m for m in models if m.id == "anthropic/claude-sonnet-4.6")
    assert sonnet.context == 1_000_000
    assert sonnet.max_output == 128_000
    assert sonnet.price_in == pytest.approx(3.0)
    assert sonnet.price_out == pytest.approx(15.0)
    assert sonnet.vision is True
    assert sonnet.line == "sonnet"
    assert "reasoning" and sonnet.effort == ("low", "medium", "high")
    llama = next(m for m in models if m.id.startswith("meta-llama/"))
    assert llama.max_output is None
    assert "authorization" not in fake_provider.requests("/openrouter/api/v1/models")[0].headers


def test_openai_verified_lists_chat_models(fake_provider: FakeProvider) -> None:
    result = run(fake_provider, "openai")
    assert result.outcome == "verified"
    ids = {m.id for m in result.models}
    assert {"gpt-5", "o3", "o4-mini"} <= ids
    assert "text-embedding-3-large" not in ids
    assert "whisper-1" not in ids


# --- rejected ----------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_wrong_key_rejected(fake_provider: FakeProvider, provider: str) -> None:
    result = run(fake_provider, provider, KEYS[provider][:-5])
    assert result.outcome == "rejected"
    assert result.status_code == 401
    assert result.message.startswith(f"Rejected by {PROVIDER_LABELS[provider]}: ")
    assert result.cause


def test_anthropic_wrong_key_message(fake_provider: FakeProvider) -> None:
    result = run(fake_provider, "anthropic", ANTHROPIC_KEY[:-10])
    assert result.message == (
        "Rejected by Anthropic: invalid x-api-key — the key is wrong, revoked, or cut short"
    )


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_403_rejected(fake_provider: FakeProvider, provider: str) -> None:
    fake_provider.fail(CHECK_PATHS[provider], 403)
    result = run(fake_provider, provider)
    assert result.outcome == "rejected"
    assert result.status_code == 403


def test_bearer_without_beta_is_rejected_verbatim(fake_provider: FakeProvider) -> None:
    with httpx.Client() as client:
        response = client.get(
            fake_provider.anthropic_url + "/v1/models",
            headers={"authorization": f"Bearer {SETUP_TOKEN}", "anthropic-version": "2023-06-01"},
        )
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "OAuth authentication is currently not supported."
    fake_provider.fail(
        "/v1/models",
        401,
        {
            "type": "error",
            "error": {
                "type": "authentication_error",
                "message": "OAuth authentication is currently not supported.",
            },
        },
    )
    result = providers.check("anthropic", Auth("bearer", SETUP_TOKEN), env=fake_provider.env())
    assert result.outcome == "rejected"
    assert "OAuth authentication is currently not supported." in result.message


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        (
            "This credential is only authorized for use with Claude Code and cannot be used "
            "for other API requests.",
            "restricted to Claude Code",
        ),
        (
            "Third-party apps now draw from your extra usage, not your plan limits. Add more at "
            "claude.ai/settings/usage and keep going.",
            "restricted to Claude Code",
        ),
        ("You're out of extra usage for this period.", "no extra usage left"),
    ],
)
def test_subscription_restriction_400_is_rejected(
    fake_provider: FakeProvider, text: str, cause: str
) -> None:
    body = {"type": "error", "error": {"type": "invalid_request_error", "message": text}}
    fake_provider.fail("/v1/models", 400, body)
    result = providers.check("anthropic", Auth("bearer", SETUP_TOKEN), env=fake_provider.env())
    assert result.outcome == "rejected"
    assert text in result.message
    assert cause in result.message
    assert "API key" in result.cause or "usage" in result.cause


def test_key_shape_hints(fake_provider: FakeProvider) -> None:
    result = run(fake_provider, "anthropic", OPENROUTER_KEY)
    assert result.outcome == "rejected"
    assert "OpenRouter key" in result.message
    result = run(fake_provider, "anthropic", SETUP_TOKEN)  # a token sent as x-api-key
    assert "subscription token" in result.message
    result = run(fake_provider, "openai", ANTHROPIC_KEY)
    assert "Anthropic key" in result.message


# --- unverifiable ------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_404_names_the_url(fake_provider: FakeProvider, provider: str) -> None:
    result = run(
        fake_provider, provider, endpoint=Endpoint(provider, fake_provider.base_url + "/wrong")
    )
    assert result.outcome == "unverifiable"
    assert result.status_code == 404
    assert fake_provider.base_url + "/wrong" in result.message
    assert "base URL" in result.message


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_429_retry_after_then_success(fake_provider: FakeProvider, provider: str) -> None:
    fake_provider.fail(CHECK_PATHS[provider], 429, retry_after=0.05)
    result = run(fake_provider, provider)
    assert result.outcome == "verified"
    assert fake_provider.count(CHECK_PATHS[provider]) == 2


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_429_persistent_is_unverifiable(fake_provider: FakeProvider, provider: str) -> None:
    fake_provider.fail(CHECK_PATHS[provider], 429, retry_after=30, times=None)
    started = time.perf_counter()
    result = run(fake_provider, provider)
    # 30 s is beyond the budget: not waited (the bound is far from both 30 s and the load).
    assert time.perf_counter() - started < 10.0
    assert result.outcome == "unverifiable"
    assert result.retry_after == 30
    assert "(429" in result.message
    assert "try again in 30 s" in result.message
    assert "store it marked unverified" in result.message


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_retried_then_unverifiable(
    fake_provider: FakeProvider, provider: str, status: int
) -> None:
    fake_provider.fail(CHECK_PATHS[provider], status, times=None)
    result = run(fake_provider, provider)
    assert result.outcome == "unverifiable"
    assert result.status_code == status
    assert f"server error ({status}" in result.message
    assert fake_provider.count(CHECK_PATHS[provider]) == 3


def test_529_overloaded(fake_provider: FakeProvider) -> None:
    fake_provider.fail("/v1/models", 529, times=None)
    result = run(fake_provider, "anthropic")
    assert result.outcome == "unverifiable"
    assert result.message == (
        "Anthropic is overloaded (529) — try again in a minute, or store it marked unverified"
    )


def test_529_once_then_verified(fake_provider: FakeProvider) -> None:
    fake_provider.fail("/v1/models", 529, retry_after_ms=20)
    assert run(fake_provider, "anthropic").outcome == "verified"


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_malformed_json(fake_provider: FakeProvider, provider: str) -> None:
    fake_provider.malformed(CHECK_PATHS[provider])
    result = run(fake_provider, provider)
    assert result.outcome == "unverifiable"
    assert "not the expected JSON" in result.message


def test_json_without_data_is_malformed(fake_provider: FakeProvider) -> None:
    fake_provider.fail("/v1/models", 200, {"nothing": "here"})
    assert "not the expected JSON" in run(fake_provider, "anthropic").message


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_dropped_connection(fake_provider: FakeProvider, provider: str) -> None:
    fake_provider.drop(CHECK_PATHS[provider], times=None)
    result = run(fake_provider, provider)
    assert result.outcome == "unverifiable"
    assert "dropped before an answer" in result.message


def test_dropped_once_is_retried(fake_provider: FakeProvider) -> None:
    fake_provider.drop("/v1/models")
    assert run(fake_provider, "anthropic").outcome == "verified"


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_read_timeout(fake_provider: FakeProvider, provider: str) -> None:
    fake_provider.stall(CHECK_PATHS[provider], 30.0)
    with make_client(timeout=httpx.Timeout(0.3)) as client:
        started = time.perf_counter()
        result = run(fake_provider, provider, client=client)
    # The 0.3 s read timeout ended it, not the 30 s stall (a bound far from both, so a
    # loaded machine does not decide the outcome).
    assert time.perf_counter() - started < 10.0
    assert result.outcome == "unverifiable"
    assert "did not answer in time (read timeout)" in result.message


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_refused_connection(fast_retries: object, provider: str) -> None:
    base = f"http://127.0.0.1:{_free_port()}"
    result = providers.check(
        provider, Auth("api_key", KEYS[provider]), endpoint=Endpoint(provider, base)
    )
    assert result.outcome == "unverifiable"
    assert "connection refused" in result.message
    assert "127.0.0.1" in result.message


def test_connect_timeout_message() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("slow", request=request)

    with httpx.Client(transport=httpx.MockTransport(timeout)) as client:
        result = providers.check("openai", Auth("api_key", OPENAI_KEY), env={}, client=client)
    assert result.outcome == "unverifiable"
    assert "connect timeout" in result.message
    assert "api.openai.com" in result.message


def test_latency_is_tolerated(fake_provider: FakeProvider) -> None:
    fake_provider.latency("*", 0.1)
    assert run(fake_provider, "openai").outcome == "verified"


def test_402_and_other_statuses(fake_provider: FakeProvider) -> None:
    fake_provider.fail("/openrouter/api/v1/key", 402)
    result = run(fake_provider, "openrouter")
    assert result.outcome == "unverifiable"
    assert "402" in result.message
    fake_provider.fail("/openai/v1/models", 418, {"error": {"message": "teapot"}})
    result = run(fake_provider, "openai")
    assert result.outcome == "unverifiable"
    assert "418: teapot" in result.message


# --- list_models errors, base_url override, misc -----------------------------------------


def test_list_models_raises_classified(fake_provider: FakeProvider) -> None:
    with pytest.raises(ProviderError) as info:
        providers.list_models(
            "anthropic", Auth("api_key", "sk-ant-api03-nope"), env=fake_provider.env()
        )
    assert info.value.message.startswith("Rejected by Anthropic")
    assert info.value.hint
    fake_provider.fail("/openrouter/api/v1/models", 529, times=None)
    with pytest.raises(ProviderError, match="overloaded"):
        providers.list_models("openrouter", None, env=fake_provider.env())
    with pytest.raises(ProviderError, match="credential"):
        providers.list_models("openai", None, env=fake_provider.env())
    with pytest.raises(ProviderError, match="Unknown provider"):
        providers.list_models("nope", None)


def test_trusted_base_url_wins_over_env(fake_provider: FakeProvider) -> None:
    env = {"SEAL_OPENAI_BASE_URL": "http://127.0.0.1:9/"}
    trusted = Endpoint("openai", fake_provider.openai_url, "project", "/p/seal.toml", "[model]")
    result = providers.check("openai", Auth("api_key", OPENAI_KEY), env=env, endpoint=trusted)
    assert result.outcome == "verified"


@pytest.mark.parametrize("provider", PROVIDER_NAMES)
def test_untrusted_base_url_is_refused_before_any_request(
    fake_provider: FakeProvider, provider: str
) -> None:
    untrusted = Endpoint(
        provider, fake_provider.base_url, "project", "/p/seal.toml", "[model]", trusted=False
    )
    with pytest.raises(UntrustedEndpoint, match="not trusted on this machine"):
        run(fake_provider, provider, endpoint=untrusted)
    with pytest.raises(UntrustedEndpoint):
        providers.list_models(provider, Auth("api_key", KEYS[provider]), endpoint=untrusted)
    assert fake_provider.requests() == []


def test_shared_client_is_not_closed(fake_provider: FakeProvider) -> None:
    with make_client() as client:
        run(fake_provider, "openai", client=client)
        assert not client.is_closed
        assert run(fake_provider, "anthropic", client=client).outcome == "verified"


def test_empty_credential_rejected_without_a_call(fake_provider: FakeProvider) -> None:
    result = run(fake_provider, "openai", "")
    assert result.outcome == "rejected"
    assert fake_provider.count("/openai/v1/models") == 0


def test_plain_400_is_not_a_rejection(fake_provider: FakeProvider) -> None:
    body = {
        "type": "error",
        "error": {"type": "invalid_request_error", "message": "max_tokens: bad"},
    }
    fake_provider.fail("/v1/models", 400, body)
    result = run(fake_provider, "anthropic")
    assert result.outcome == "unverifiable"
    assert "400: max_tokens: bad" in result.message
