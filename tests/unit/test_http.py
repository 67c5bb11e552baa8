"""backend.http: client timeouts, retry/backoff honouring retry-after, error body parsing,
and the bounds on each exchange (body cap, bounded decoding, deadline)."""

from __future__ import annotations

import time
import tracemalloc
import zlib
from collections.abc import Iterator

import httpx
import pytest
import respx

from backend.errors import InputError
from backend.providers import endpoints
from backend.system.http import (
    CONNECT_TIMEOUT,
    MAX_BODY_BYTES,
    READ_TIMEOUT,
    RetryPolicy,
    Wait,
    make_client,
    parse_error,
    parse_json,
    reporting_waits,
    request_deadline,
    retry_after_seconds,
    retry_policy,
    scrub,
    send,
    set_retry_policy,
    using_retry_policy,
)
from backend.system.http_limits import DeadlineBackend, DeadlineExceeded, ResponseTooLarge

URL = "https://api.example.test/v1/models"
POLICY = RetryPolicy(tries=3, max_total_wait=10.0, base_delay=0.01, max_delay=0.05)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def test_client_timeouts_and_no_redirects() -> None:
    with make_client() as client:
        assert client.timeout.connect == CONNECT_TIMEOUT == 5.0
        assert client.timeout.read == READ_TIMEOUT == 15.0
        assert client.follow_redirects is False
        assert client.headers["user-agent"].startswith("seal-setup/")


@respx.mock
def test_retry_honours_retry_after_then_succeeds() -> None:
    route = respx.get(URL).mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after": "2"}),
            httpx.Response(529, headers={"retry-after-ms": "1500"}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    sleeps = Sleeps()
    with make_client() as client:
        response = send(client, "GET", URL, policy=POLICY, sleep=sleeps)
    assert response.status_code == 200
    assert route.call_count == 3
    assert sleeps.calls == [2.0, 1.5]


@respx.mock
def test_each_wait_is_reported_before_it_is_slept() -> None:
    respx.get(URL).mock(
        side_effect=[
            httpx.Response(429, headers={"retry-after": "2"}),
            httpx.Response(503),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    heard: list[Wait] = []
    sleeps = Sleeps()

    def sleep(seconds: float) -> None:
        assert len(heard) == len(sleeps.calls) + 1  # told first, then slept
        sleeps(seconds)

    with make_client() as client, reporting_waits(heard.append):
        send(client, "GET", URL, policy=POLICY, sleep=sleep)
    assert heard[0] == Wait(429, 2.0, asked=True, attempt=2)
    assert (heard[1].status, heard[1].asked, heard[1].attempt) == (503, False, 3)
    assert [wait.seconds for wait in heard] == sleeps.calls


@respx.mock
@pytest.mark.parametrize("hint", ["90", "1e308", "inf"], ids=["90s", "huge", "inf"])
def test_an_untrusted_long_retry_after_is_neither_waited_nor_reported(hint: str) -> None:
    respx.get(URL).mock(return_value=httpx.Response(429, headers={"retry-after": hint}))
    heard: list[Wait] = []
    sleeps = Sleeps()
    with make_client() as client, reporting_waits(heard.append):
        assert send(client, "GET", URL, policy=POLICY, sleep=sleeps).status_code == 429
    assert heard == [] and sleeps.calls == []


@respx.mock
def test_retry_stops_after_max_tries() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(503))
    sleeps = Sleeps()
    with make_client() as client:
        response = send(client, "GET", URL, policy=POLICY, sleep=sleeps)
    assert response.status_code == 503
    assert route.call_count == 3
    assert len(sleeps.calls) == 2


@respx.mock
def test_retry_after_beyond_budget_is_reported_not_waited() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(429, headers={"retry-after": "9"}))
    sleeps = Sleeps()
    policy = RetryPolicy(tries=3, max_total_wait=5.0)
    with make_client() as client:
        response = send(client, "GET", URL, policy=policy, sleep=sleeps)
    assert response.status_code == 429
    assert route.call_count == 1
    assert sleeps.calls == []


@respx.mock
def test_total_wait_is_capped() -> None:
    respx.get(URL).mock(return_value=httpx.Response(429, headers={"retry-after": "4"}))
    sleeps = Sleeps()
    with make_client() as client:
        send(client, "GET", URL, policy=RetryPolicy(tries=5, max_total_wait=10.0), sleep=sleeps)
    assert sum(sleeps.calls) <= 10.0
    assert sleeps.calls == [4.0, 4.0]


@respx.mock
def test_x_should_retry_false_and_400_are_not_retried() -> None:
    respx.get(URL).mock(return_value=httpx.Response(500, headers={"x-should-retry": "false"}))
    with make_client() as client:
        assert send(client, "GET", URL, policy=POLICY, sleep=Sleeps()).status_code == 500
    assert respx.calls.call_count == 1
    respx.get(URL).mock(return_value=httpx.Response(400))
    with make_client() as client:
        send(client, "GET", URL, policy=POLICY, sleep=Sleeps())
    assert respx.calls.call_count == 2


@respx.mock
def test_post_retries_only_not_processed_statuses() -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(500))
    with make_client() as client:
        assert send(client, "POST", URL, policy=POLICY, sleep=Sleeps()).status_code == 500
    assert route.call_count == 1
    other = URL + "/other"
    route = respx.post(other).mock(side_effect=[httpx.Response(529), httpx.Response(200)])
    with make_client() as client:
        assert send(client, "POST", other, policy=POLICY, sleep=Sleeps()).status_code == 200
    assert route.call_count == 2


@respx.mock
def test_connect_error_retried_for_get_not_post() -> None:
    route = respx.get(URL).mock(side_effect=[httpx.ConnectError("refused"), httpx.Response(200)])
    with make_client() as client:
        assert send(client, "GET", URL, policy=POLICY, sleep=Sleeps()).status_code == 200
    assert route.call_count == 2
    post = respx.post(URL).mock(side_effect=httpx.ConnectError("refused"))
    with make_client() as client, pytest.raises(httpx.ConnectError):
        send(client, "POST", URL, policy=POLICY, sleep=Sleeps())
    assert post.call_count == 1


@respx.mock
def test_timeout_is_not_retried() -> None:
    route = respx.get(URL).mock(side_effect=httpx.ReadTimeout("slow"))
    with make_client() as client, pytest.raises(httpx.ReadTimeout):
        send(client, "GET", URL, policy=POLICY, sleep=Sleeps())
    assert route.call_count == 1


def test_retry_after_parsing() -> None:
    assert retry_after_seconds(httpx.Response(429, headers={"retry-after": "3"})) == 3.0
    assert retry_after_seconds(httpx.Response(429, headers={"retry-after-ms": "250"})) == 0.25
    both = httpx.Response(429, headers={"retry-after": "9", "retry-after-ms": "100"})
    assert retry_after_seconds(both) == 0.1
    date = httpx.Response(429, headers={"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert retry_after_seconds(date) == 0.0
    assert retry_after_seconds(httpx.Response(429, headers={"retry-after": "soon"})) is None
    assert retry_after_seconds(httpx.Response(429)) is None


def test_policy_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    set_retry_policy(None)
    assert retry_policy({}) == RetryPolicy()
    env = {"SEAL_HTTP_TRIES": "1", "SEAL_HTTP_MAX_WAIT": "0.2"}
    assert retry_policy(env).tries == 1
    assert retry_policy(env).max_total_wait == 0.2
    assert retry_policy({"SEAL_HTTP_TRIES": "x"}) == RetryPolicy()
    with using_retry_policy(POLICY):
        assert retry_policy(env) is POLICY
    assert retry_policy({}) == RetryPolicy()


@pytest.mark.parametrize(
    ("body", "etype", "message", "code"),
    [
        (
            {
                "type": "error",
                "error": {"type": "authentication_error", "message": "invalid x-api-key"},
                "request_id": "req_1",
            },
            "authentication_error",
            "invalid x-api-key",
            None,
        ),
        ({"error": {"code": 401, "message": "User not found."}}, "", "User not found.", "401"),
        (
            {
                "error": {
                    "message": "Bad key",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                }
            },
            "invalid_request_error",
            "Bad key",
            "invalid_api_key",
        ),
        (
            {"error": "invalid_grant", "error_description": "Refresh token not found or invalid"},
            "invalid_grant",
            "Refresh token not found or invalid",
            "invalid_grant",
        ),
    ],
)
def test_parse_error_shapes(body: object, etype: str, message: str, code: str | None) -> None:
    info = parse_error(httpx.Response(400, json=body))
    assert (info.type, info.message, info.code) == (etype, message, code)


def test_parse_error_plain_and_html_and_request_id() -> None:
    info = parse_error(
        httpx.Response(502, text="Bad gateway\n  upstream", headers={"request-id": "r"})
    )
    assert info.message == "Bad gateway upstream"
    assert info.request_id == "r"
    html = parse_error(httpx.Response(502, text="<html><body>nginx</body></html>"))
    assert html.message == ""
    assert html.text == "HTTP 502"
    anthropic = parse_error(
        httpx.Response(401, json={"type": "error", "error": {"type": "x"}, "request_id": "req_9"})
    )
    assert anthropic.request_id == "req_9"


def test_scrub_removes_known_and_key_shaped_secrets() -> None:
    secret = "sk-ant-api03-" + "Q" * 95
    text = f"bad key {secret} and sk-or-v1-{'a' * 64} and hunter2hunter2"
    cleaned = scrub(text, ("hunter2hunter2",))
    assert secret not in cleaned
    assert "a" * 20 not in cleaned
    assert "hunter2" not in cleaned
    info = parse_error(httpx.Response(401, json={"error": {"message": f"key {secret} bad"}}))
    assert secret not in info.message


def test_endpoints_env_and_override() -> None:
    assert endpoints.api_base("anthropic", {}) == "https://api.anthropic.com"
    assert endpoints.api_base("openrouter", {}) == "https://openrouter.ai/api/v1"
    assert endpoints.api_base("openai", {}) == "https://api.openai.com/v1"
    env = {"SEAL_ANTHROPIC_BASE_URL": "http://127.0.0.1:1/", "SEAL_OPENAI_BASE_URL": "  "}
    assert endpoints.api_base("anthropic", env) == "http://127.0.0.1:1"
    assert endpoints.api_base("openai", env) == "https://api.openai.com/v1"
    real = endpoints.oauth_endpoints({})
    assert real.authorize("max") == "https://claude.ai/oauth/authorize"
    assert real.authorize("console") == "https://platform.claude.com/oauth/authorize"
    assert real.token == "https://platform.claude.com/v1/oauth/token"
    assert real.redirect_uri == "https://platform.claude.com/oauth/code/callback"
    fake = endpoints.oauth_endpoints({"SEAL_ANTHROPIC_OAUTH_URL": "http://localhost:2"})
    assert (
        fake.authorize("max") == fake.authorize("console") == "http://localhost:2/oauth/authorize"
    )
    assert fake.token == "http://localhost:2/v1/oauth/token"
    assert fake.redirect_uri == "http://localhost:2/oauth/code/callback"
    assert (
        endpoints.create_api_key_url(env)
        == "http://127.0.0.1:1/api/oauth/claude_cli/create_api_key"
    )
    with pytest.raises(ValueError):
        endpoints.api_base("nope", {})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SEAL_ANTHROPIC_BASE_URL", "http://proxy.example.com"),
        ("SEAL_OPENAI_BASE_URL", "http://10.0.0.5:8080/v1"),
        ("SEAL_ANTHROPIC_OAUTH_URL", "http://[fe80::1]:9"),
        ("SEAL_OPENROUTER_BASE_URL", "ftp://127.0.0.1/"),
        ("SEAL_OPENROUTER_BASE_URL", "https://"),
    ],
)
def test_env_bases_refuse_plain_http_off_this_machine(name: str, value: str) -> None:
    """A key over plain http to another machine can be read on the way: never sent."""
    with pytest.raises(InputError, match=name):
        if name == "SEAL_ANTHROPIC_OAUTH_URL":
            endpoints.oauth_endpoints({name: value})
        else:
            endpoints.api_base(name.split("_")[1].lower(), {name: value})


@pytest.mark.parametrize(
    "value", ["http://127.0.0.1:9", "http://127.8.9.10", "http://[::1]:9", "http://LOCALHOST:1"]
)
def test_plain_http_to_loopback_is_allowed(value: str) -> None:
    assert endpoints.api_base("anthropic", {"SEAL_ANTHROPIC_BASE_URL": value}) == value


# --- bounds: body cap, decoding, deadline -----------------------------------------------


def _packed(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


@respx.mock
@pytest.mark.parametrize(
    ("encoding", "wbits"),
    [("gzip", zlib.MAX_WBITS | 16), ("deflate", zlib.MAX_WBITS), ("deflate", -zlib.MAX_WBITS)],
    ids=["gzip", "deflate-zlib", "deflate-raw"],
)
def test_compressed_answers_are_decoded(encoding: str, wbits: int) -> None:
    body = b'{"data": [' + b'{"id": "m"},' * 5000 + b'{"id": "last"}]}'
    headers = {"content-encoding": encoding}
    respx.get(URL).mock(
        return_value=httpx.Response(200, content=_packed(body, wbits), headers=headers)
    )
    with make_client() as client:
        response = send(client, "GET", URL, policy=POLICY)
    assert response.content == body
    assert parse_json(response)["data"][-1] == {"id": "last"}
    assert "content-encoding" not in response.headers  # decoded: nothing decodes it again


@respx.mock
def test_we_ask_only_for_encodings_we_can_bound() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(200, json={}))
    with make_client() as client:
        send(client, "GET", URL, policy=POLICY)
    assert route.calls.last.request.headers["accept-encoding"] == "gzip, deflate"


class _Endless(httpx.SyncByteStream):
    """A body that never ends; counts what was taken from it."""

    def __init__(self, chunk: bytes) -> None:
        self.chunk = chunk
        self.taken = 0

    def __iter__(self) -> Iterator[bytes]:
        while True:
            self.taken += len(self.chunk)
            yield self.chunk


class _Chunks(httpx.SyncByteStream):
    """`data` in network-sized chunks (respx reads an httpx.ByteStream whole, decoding it)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.data), 65536):
            yield self.data[start : start + 65536]


@respx.mock
def test_body_over_the_cap_is_refused_as_it_arrives() -> None:
    stream = _Endless(b" " * 65536)
    respx.get(URL).mock(return_value=httpx.Response(200, stream=stream))
    with make_client() as client, pytest.raises(ResponseTooLarge) as info:
        send(client, "GET", URL, policy=POLICY)
    assert MAX_BODY_BYTES < stream.taken <= MAX_BODY_BYTES + 65536
    assert info.value.size_text == "8 MB"


@respx.mock
def test_declared_length_over_the_cap_is_refused_unread() -> None:
    stream = _Endless(b" ")
    headers = {"content-length": str(MAX_BODY_BYTES + 1)}
    respx.get(URL).mock(return_value=httpx.Response(200, stream=stream, headers=headers))
    with make_client() as client, pytest.raises(ResponseTooLarge):
        send(client, "GET", URL, policy=POLICY)
    assert stream.taken == 0


@respx.mock
def test_gzip_bomb_stops_at_the_cap() -> None:
    bomb = _packed(b"\0" * (64 << 20), zlib.MAX_WBITS | 16)  # 64 MiB in about 64 KB
    headers = {"content-encoding": "gzip"}
    respx.get(URL).mock(return_value=httpx.Response(200, stream=_Chunks(bomb), headers=headers))
    tracemalloc.start()
    try:
        with make_client() as client, pytest.raises(ResponseTooLarge):
            send(client, "GET", URL, policy=POLICY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_BODY_BYTES  # never the whole 64 MiB at once


class _Slow(httpx.SyncByteStream):
    def __iter__(self) -> Iterator[bytes]:
        while True:
            time.sleep(0.05)
            yield b" "


def test_deadline_is_checked_between_chunks_on_any_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A transport under which no socket is ours (here a MockTransport) still stops.
    monkeypatch.setenv("SEAL_HTTP_DEADLINE", "0.3")
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=_Slow()))
    with httpx.Client(transport=transport) as client, pytest.raises(DeadlineExceeded) as info:
        send(client, "GET", URL, policy=POLICY)
    assert str(info.value) == "no complete answer within 0.3 s"


def test_every_transport_gets_the_deadline_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    with make_client() as client:
        transports = [client._transport, *client._mounts.values()]
        pools = [t._pool for t in transports if isinstance(t, httpx.HTTPTransport)]
        assert len(pools) == 3  # direct, and the two proxies
        assert all(isinstance(p._network_backend, DeadlineBackend) for p in pools)


def test_deadline_knob() -> None:
    assert request_deadline({}) == 30.0
    assert request_deadline({"SEAL_HTTP_DEADLINE": "1.5"}) == 1.5
    for bad in ("0", "-1", "x", "inf", "nan"):
        assert request_deadline({"SEAL_HTTP_DEADLINE": bad}) == 30.0


def test_deep_json_is_not_json() -> None:
    deep = httpx.Response(200, content=b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_json(deep)
    assert parse_json(httpx.Response(200, content=b"[" * 64 + b"]" * 64)) is not None
