"""A canary secret never shows up in exception text, log records or reprs, on any path."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from backend.auth.oauth import (
    PendingSignIn,
    TokenSet,
    ensure_fresh,
    exchange,
    mint_api_key,
    parse_paste,
    refresh,
    start_sign_in,
)
from backend.credentials.record import CredentialRecord, utcnow
from backend.errors import OAuthError, ProviderError
from backend.providers import live as providers
from backend.providers.live import Auth, CheckResult
from backend.providers.trust import Endpoint
from backend.vocabulary import registry
from tests.fakes import fixtures
from tests.fakes.provider import FakeProvider

fake_provider = fixtures.fake_provider
fast_retries = fixtures.fast_retries

CANARY = "sk-ant-api03-CANARY" + "c4n4ry" * 14 + "ZZZZ"
TOKEN_CANARY = "sk-ant-oat01-CANARY" + "t0k3n" * 16
REFRESH_CANARY = "sk-ant-ort01-CANARY" + "r3fr3sh" * 12
CODE_CANARY = "CANARYcode" + "x" * 30


class Store:
    name = "memory"
    location = "memory"

    def __init__(self, record: CredentialRecord) -> None:
        self.record: CredentialRecord | None = record

    def get(self, provider: str, profile: str) -> CredentialRecord | None:
        return self.record

    def put(self, record: CredentialRecord) -> None:
        self.record = record

    def delete(self, provider: str, profile: str) -> bool:
        return True

    def list(self) -> list[CredentialRecord]:
        return []


def assert_clean(*texts: object) -> None:
    for text in texts:
        for canary in (CANARY, TOKEN_CANARY, REFRESH_CANARY, CODE_CANARY, "CANARY"):
            assert canary not in str(text), f"secret leaked into: {str(text)[:200]}"


def result_texts(result: CheckResult) -> list[object]:
    return [result, result.message, result.cause, result.identity]


@pytest.mark.parametrize("fault", ["401", "403", "400", "500", "529", "429", "bad", "drop", "echo"])
@pytest.mark.parametrize("provider", registry.ids())
def test_check_paths_never_leak(
    fake_provider: FakeProvider, caplog: pytest.LogCaptureFixture, fault: str, provider: str
) -> None:
    caplog.set_level(logging.DEBUG)
    path = {
        "anthropic": "/v1/models",
        "openrouter": "/openrouter/api/v1/key",
        "openai": "/openai/v1/models",
    }[provider]
    if fault == "bad":
        fake_provider.malformed(path)
    elif fault == "drop":
        fake_provider.drop(path, times=None)
    elif fault == "echo":  # a provider that quotes the key back in its error
        body = {"error": {"message": f"Incorrect API key provided: {CANARY}", "type": "x"}}
        fake_provider.fail(path, 401, body)
    elif fault != "401":
        fake_provider.fail(path, int(fault), times=None)
    for kind in ("api_key", "bearer"):
        auth = Auth(kind, CANARY)  # type: ignore[arg-type]
        result = providers.check(provider, auth, env=fake_provider.env())
        assert result.outcome != "verified"
        assert_clean(*result_texts(result), repr(auth))
        try:
            providers.list_models(provider, auth, env=fake_provider.env())
        except ProviderError as exc:
            assert_clean(exc, repr(exc), exc.hint)
    assert_clean(caplog.text, *[r.getMessage() for r in caplog.records])


def test_refused_and_timeout_never_leak(
    fast_retries: object, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for base in ("http://127.0.0.1:1", "http://[::1]:1"):
        result = providers.check(
            "openai", Auth("api_key", CANARY), endpoint=Endpoint("openai", base)
        )
        assert_clean(*result_texts(result))

    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout(f"timed out sending {request.headers}", request=request)

    with httpx.Client(transport=httpx.MockTransport(slow)) as client:
        result = providers.check("anthropic", Auth("api_key", CANARY), env={}, client=client)
    assert_clean(*result_texts(result), caplog.text)


def test_oauth_paths_never_leak(
    fake_provider: FakeProvider, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    env = fake_provider.env()
    pending = start_sign_in("max", env, pending_dir=tmp_path)
    errors: list[OAuthError] = []
    for text in (CODE_CANARY, f"{CODE_CANARY}#other-state", f"{CODE_CANARY}#{pending.state}x"):
        with pytest.raises(OAuthError) as info:
            parse_paste(text, pending.state)
        errors.append(info.value)
    with pytest.raises(OAuthError) as info:
        exchange(pending, CODE_CANARY, env=env)  # unknown code: 400 from the server
    errors.append(info.value)
    fake_provider.fail(
        "/v1/oauth/token",
        400,
        {"error": "invalid_grant", "error_description": f"bad {CODE_CANARY}"},
    )
    with pytest.raises(OAuthError) as info:
        exchange(pending, CODE_CANARY, env=env)
    errors.append(info.value)
    record = CredentialRecord(
        "anthropic",
        "default",
        "oauth",
        access_token=TOKEN_CANARY,
        refresh_token=REFRESH_CANARY,
        expires_at=utcnow() - timedelta(seconds=1),
    )
    with pytest.raises(OAuthError) as info:
        refresh(record, env=env)
    errors.append(info.value)
    with pytest.raises(OAuthError) as info:
        ensure_fresh(Store(record), "anthropic", "default", env=env, lock_dir=tmp_path)
    errors.append(info.value)
    with pytest.raises(OAuthError) as info:
        mint_api_key(TOKEN_CANARY, env=env)
    errors.append(info.value)
    fake_provider.drop("/v1/oauth/token")
    with pytest.raises(OAuthError) as info:
        refresh(record, env=env)
    errors.append(info.value)
    for error in errors:
        assert_clean(error, repr(error), error.hint, error.args)
    assert_clean(caplog.text, *[r.getMessage() for r in caplog.records])


def test_reprs_never_leak() -> None:
    tokens = TokenSet(TOKEN_CANARY, REFRESH_CANARY, utcnow(), None)
    pending = PendingSignIn("max", "state", CODE_CANARY, "https://x", utcnow(), utcnow())
    record = CredentialRecord("anthropic", "default", "api_key", secret=CANARY)
    assert_clean(repr(tokens), repr(pending), repr(Auth("api_key", CANARY)), repr(record))
