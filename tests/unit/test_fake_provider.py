"""The fake provider itself: shapes, auth rules, OAuth validation, faults, log, CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from backend.auth.oauth import CLIENT_ID, start_sign_in
from tests.fakes import fixtures
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SETUP_TOKEN,
    FakeProvider,
)

fake_provider = fixtures.fake_provider
fake_provider_env = fixtures.fake_provider_env
fast_retries = fixtures.fast_retries
ROOT = Path(__file__).resolve().parents[2]
API = {"x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01"}


def test_urls_and_env(fake_provider: FakeProvider) -> None:
    base = fake_provider.base_url
    assert base.startswith("http://127.0.0.1:")
    assert fake_provider.env() == {
        "SEAL_ANTHROPIC_BASE_URL": base,
        "SEAL_ANTHROPIC_OAUTH_URL": base,
        "SEAL_OPENROUTER_BASE_URL": base + "/openrouter/api/v1",
        "SEAL_OPENAI_BASE_URL": base + "/openai/v1",
        "SEAL_MODELS_DEV_URL": base + "/models.dev/api.json",
    }


def test_env_fixture_exports(fake_provider_env: FakeProvider) -> None:
    assert os.environ["SEAL_OPENAI_BASE_URL"] == fake_provider_env.openai_url


def test_anthropic_models_shape_and_auth(fake_provider: FakeProvider) -> None:
    with httpx.Client(base_url=fake_provider.anthropic_url) as client:
        page = client.get("/v1/models", params={"limit": 2}, headers=API).json()
        assert page["has_more"] is True
        assert page["first_id"] == page["data"][0]["id"]
        assert page["last_id"] == page["data"][1]["id"]
        model = page["data"][0]
        assert {"id", "display_name", "created_at", "max_input_tokens", "max_tokens"} <= set(model)
        assert model["capabilities"]["thinking"]["types"]["adaptive"] == {"supported": True}
        rest = client.get(
            "/v1/models", params={"limit": 1000, "after_id": page["last_id"]}, headers=API
        ).json()
        assert rest["has_more"] is False
        assert len(rest["data"]) == 5
        bad = client.get("/v1/models", headers={"x-api-key": "sk-ant-api03-wrong"})
        assert bad.status_code == 401
        body = bad.json()
        assert body["type"] == "error"
        assert body["error"] == {"type": "authentication_error", "message": "invalid x-api-key"}
        assert body["request_id"].startswith("req_")
        assert bad.headers["request-id"]
        assert client.get("/v1/models", params={"limit": 0}, headers=API).status_code == 400
        bearer = {"authorization": f"Bearer {SETUP_TOKEN}", "anthropic-version": "2023-06-01"}
        assert client.get("/v1/models", headers=bearer).status_code == 401
        bearer["anthropic-beta"] = "other-beta, oauth-2025-04-20"
        assert client.get("/v1/models", headers=bearer).status_code == 200
        assert client.get("/v1/nothing", headers=API).status_code == 404


def test_model_count_knob(fake_provider: FakeProvider) -> None:
    fake_provider.model_count = 600
    with httpx.Client(base_url=fake_provider.base_url) as client:
        anthropic = client.get("/v1/models", params={"limit": 1000}, headers=API).json()
        assert len(anthropic["data"]) == 600
        assert len({m["id"] for m in anthropic["data"]}) == 600
        openrouter = client.get("/openrouter/api/v1/models").json()["data"]
        assert len(openrouter) == 600
        auth = {"authorization": f"Bearer {OPENAI_KEY}"}
        assert len(client.get("/openai/v1/models", headers=auth).json()["data"]) == 600
    fake_provider.model_count = 3
    with httpx.Client(base_url=fake_provider.base_url) as client:
        assert len(client.get("/v1/models", headers=API, params={"limit": 9}).json()["data"]) == 3


def test_openrouter_and_openai_shapes(fake_provider: FakeProvider) -> None:
    with httpx.Client(base_url=fake_provider.base_url) as client:
        key = client.get(
            "/openrouter/api/v1/key", headers={"authorization": f"Bearer {OPENROUTER_KEY}"}
        ).json()["data"]
        assert {"label", "limit", "limit_remaining", "usage", "is_free_tier"} <= set(key)
        assert OPENROUTER_KEY not in key["label"]
        missing = client.get("/openrouter/api/v1/key")
        assert missing.status_code == 401
        assert missing.json() == {"error": {"code": 401, "message": "No auth credentials found"}}
        model = client.get("/openrouter/api/v1/models").json()["data"][0]
        assert isinstance(model["pricing"]["prompt"], str)
        assert "max_completion_tokens" in model["top_provider"]
        assert "supported_parameters" in model
        openai = client.get("/openai/v1/models", headers={"authorization": "Bearer sk-nope"})
        assert openai.status_code == 401
        assert openai.json()["error"]["code"] == "invalid_api_key"


def test_authorize_validates_params(fake_provider: FakeProvider, tmp_path: Path) -> None:
    pending = start_sign_in("max", fake_provider.env(), pending_dir=tmp_path)
    with httpx.Client() as client:
        ok = client.get(pending.url)
        assert ok.status_code == 302
        assert ok.headers["location"].startswith(fake_provider.redirect_uri + "?code=")
        broken = pending.url.replace("code=true", "code=false")
        assert "Invalid request format" in client.get(broken).text
        wrong = pending.url.replace(CLIENT_ID, "someone-else")
        assert client.get(wrong).status_code == 400


def test_token_endpoint_rules(fake_provider: FakeProvider) -> None:
    url = fake_provider.oauth_url + "/v1/oauth/token"
    with httpx.Client() as client:
        form = client.post(url, data={"grant_type": "refresh_token", "client_id": CLIENT_ID})
        assert form.status_code == 400
        assert form.json()["error"] == "invalid_request"
        tokens = fake_provider.issue_tokens()
        scoped = client.post(
            url,
            json={
                "grant_type": "refresh_token",
                "client_id": CLIENT_ID,
                "refresh_token": tokens["refresh_token"],
                "scope": "x",
            },
        )
        assert scoped.json()["error"] == "invalid_scope"
        missing_state = client.post(
            url, json={"grant_type": "authorization_code", "client_id": CLIENT_ID, "code": "c"}
        )
        assert missing_state.json()["error_description"] == "state is required"
        dead = client.post(
            url,
            json={
                "grant_type": "refresh_token",
                "client_id": CLIENT_ID,
                "refresh_token": "sk-ant-ort01-dead",
            },
        )
        assert dead.status_code == 400
        assert dead.json() == {
            "error": "invalid_grant",
            "error_description": "Refresh token not found or invalid",
        }


def test_faults_and_log(fake_provider: FakeProvider) -> None:
    fake_provider.fail("/v1/models", 503, retry_after=7, times=2)
    with httpx.Client(base_url=fake_provider.base_url) as client:
        first = client.get("/v1/models", headers=API)
        assert first.status_code == 503
        assert first.headers["retry-after"] == "7"
        assert first.json()["error"]["type"] == "api_error"
        assert client.get("/v1/models", headers=API).status_code == 503
        assert client.get("/v1/models", headers=API).status_code == 200
        fake_provider.fail("/openai/v1/models", 500, "plain text", times=1)
        assert client.get("/openai/v1/models").text == "plain text"
        fake_provider.malformed("/openrouter/api/v1/models")
        with pytest.raises(ValueError):
            client.get("/openrouter/api/v1/models").json()
        fake_provider.drop("/v1/models")
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/v1/models", headers=API)
        fake_provider.fail("*", 418, times=1)
        assert client.get("/anything").status_code == 418
    assert fake_provider.count("/v1/models") == 4
    assert fake_provider.count("/v1/models", "POST") == 0
    logged = fake_provider.requests("/v1/models")[0]
    assert logged.headers["x-api-key"] == ANTHROPIC_KEY  # raw, for assertions
    assert ANTHROPIC_KEY not in repr(logged)  # but never printed
    fake_provider.clear_log()
    assert fake_provider.count("/v1/models") == 0


def test_latency_and_stall(fake_provider: FakeProvider) -> None:
    fake_provider.latency("/openrouter/api/v1/models", 0.2)
    with httpx.Client(base_url=fake_provider.base_url, timeout=1.0) as client:
        started = time.perf_counter()
        client.get("/openrouter/api/v1/models")
        assert time.perf_counter() - started >= 0.2
        fake_provider.clear_faults()
        fake_provider.stall("/openrouter/api/v1/models", 10)
        with pytest.raises(httpx.ReadTimeout):
            client.get("/openrouter/api/v1/models", timeout=0.2)


def test_stop_is_fast_even_with_a_stalled_request() -> None:
    fake = FakeProvider().start()
    fake.stall("/v1/models", 30)
    with httpx.Client(timeout=0.2) as client, pytest.raises(httpx.ReadTimeout):
        client.get(fake.base_url + "/v1/models")
    started = time.perf_counter()
    fake.stop()
    # Far below the 30 s stall it did not wait for, and far above any machine's load.
    assert time.perf_counter() - started < 10.0
    fake.stop()  # idempotent


def test_add_and_revoke_keys(fake_provider: FakeProvider) -> None:
    with pytest.raises(ValueError):
        fake_provider.add_key("nope", "x")
    key = fake_provider.add_key("openai", "sk-proj-extra")
    auth = {"authorization": f"Bearer {key}"}
    with httpx.Client(base_url=fake_provider.openai_url) as client:
        assert client.get("/models", headers=auth).status_code == 200
        fake_provider.revoke(key)
        assert client.get("/models", headers=auth).status_code == 401


def test_standalone_cli_prints_and_stops() -> None:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.provider", "--port", "0", "--latency", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.startswith("fake provider listening on http://127.0.0.1:")
        base = first.rsplit(" ", 1)[1].strip()
        lines = [child.stdout.readline() for _ in range(10)]
        text = "".join(lines)
        assert f"export SEAL_ANTHROPIC_BASE_URL={base}" in text
        assert ANTHROPIC_KEY in text
        assert httpx.get(base + "/v1/models", headers=API).status_code == 200
    finally:
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=5)
    assert child.returncode == 0
