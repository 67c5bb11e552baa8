"""The one HTTP client setup every provider call uses: timeouts, retries, error bodies.

Retries follow DESIGN §2: 429/5xx/529 are retried with backoff that honours
`retry-after-ms` / `retry-after`, capped in tries and in total wait per call, so a
check never hangs for minutes; each pause is told first to the listener of
`reporting_waits` (a screen then says who asked to wait, and for how long). Each try
has an overall deadline and a body cap (http_limits), and `parse_json` refuses JSON
nested too deep. Log records carry method, URL and status only: never headers or
bodies, which hold secrets.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
import os
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from backend.system.bounded import load_json
from backend.system.http_limits import (
    ACCEPT_ENCODING,
    bound_transports,
    deadline,
    decoded_response,
    read_capped,
)

log = logging.getLogger("seal.http")

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
# Connect, send and the whole answer, per try: twice the read timeout, so a slow but
# steady answer still arrives, and a trickle of bytes cannot hold a check for longer.
DEADLINE = 30.0
# The largest real answer is OpenRouter's public /models, about 1-2 MB; 8 MiB leaves room
# for it to grow fourfold and still refuses a runaway or hostile body long before it hurts.
MAX_BODY_BYTES = 8 * 1024 * 1024
USER_AGENT = "seal-setup/0.1"
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504, 529})
# A POST (token exchange, refresh, key minting) is not idempotent: an authorization code
# is single-use and a refresh rotates the token. Only statuses that mean "not processed"
# are retried for it, and a network error never is.
POST_RETRY_STATUSES = frozenset({429, 529})
# Like the Anthropic SDK: a retry-after above a minute is not waited for, it is reported.
MAX_HONOURED_RETRY_AFTER = 60.0


@dataclass(frozen=True)
class RetryPolicy:
    """How hard one call tries: at most `tries` attempts and `max_total_wait` s of sleeping."""

    tries: int = 3
    max_total_wait: float = 10.0
    base_delay: float = 0.5
    max_delay: float = 8.0


DEFAULT_RETRY = RetryPolicy()


@dataclass(frozen=True)
class Wait:
    """A pause `send` is about to make before trying again, for whoever shows progress.

    `status` is the HTTP status that led to it (0: no answer, a refused or dropped
    connection); `asked` says the server named the wait (`retry-after`), rather than our
    own backoff. `seconds` is what is really slept: a server's hint is only honoured up to
    MAX_HONOURED_RETRY_AFTER and within the policy's budget, so it is never larger.
    """

    status: int
    seconds: float
    asked: bool
    attempt: int  # the try that follows the wait: 2, 3, …


# Who hears about waits in this context (a check's threads each carry their own copy).
_wait_listener: contextvars.ContextVar[Callable[[Wait], None] | None] = contextvars.ContextVar(
    "seal_wait_listener", default=None
)


@contextlib.contextmanager
def reporting_waits(listener: Callable[[Wait], None] | None) -> Iterator[None]:
    """Tell `listener` (called from the calling thread) about every retry wait inside."""
    token = _wait_listener.set(listener)
    try:
        yield
    finally:
        _wait_listener.reset(token)


def _announce(wait: Wait) -> None:
    listener = _wait_listener.get()
    if listener is not None:
        listener(wait)


_policy_lock = threading.Lock()
_policy: RetryPolicy | None = None


def retry_policy(env: Mapping[str, str] | None = None) -> RetryPolicy:
    """The active policy: set_retry_policy() > SEAL_HTTP_TRIES/SEAL_HTTP_MAX_WAIT > default.

    The env knobs let the installed binary run fast against the fake in e2e tests.
    """
    with _policy_lock:
        if _policy is not None:
            return _policy
    source = os.environ if env is None else env
    policy = DEFAULT_RETRY
    with contextlib.suppress(ValueError):
        if source.get("SEAL_HTTP_TRIES"):
            policy = replace(policy, tries=max(1, int(source["SEAL_HTTP_TRIES"])))
        if source.get("SEAL_HTTP_MAX_WAIT"):
            wait = max(0.0, float(source["SEAL_HTTP_MAX_WAIT"]))
            policy = replace(policy, max_total_wait=wait, base_delay=min(policy.base_delay, wait))
    return policy


def set_retry_policy(policy: RetryPolicy | None) -> None:
    """Replace the process-wide policy (None restores the default). Mainly for tests."""
    global _policy
    with _policy_lock:
        _policy = policy


@contextlib.contextmanager
def using_retry_policy(policy: RetryPolicy) -> Iterator[None]:
    """Use `policy` inside the block."""
    global _policy
    with _policy_lock:
        previous = _policy
        _policy = policy
    try:
        yield
    finally:
        with _policy_lock:
            _policy = previous


def make_timeout(connect: float = CONNECT_TIMEOUT, read: float = READ_TIMEOUT) -> httpx.Timeout:
    return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)


def read_timeout(env: Mapping[str, str] | None = None) -> float:
    """READ_TIMEOUT, or SEAL_HTTP_READ_TIMEOUT (seconds, > 0) when set.

    Like SEAL_HTTP_TRIES: a test knob, so stall/timeout tests (Pilot, e2e against the
    fake) need not wait 15 s. An unusable value is ignored.
    """
    return _seconds("SEAL_HTTP_READ_TIMEOUT", READ_TIMEOUT, env)


def request_deadline(env: Mapping[str, str] | None = None) -> float:
    """DEADLINE, or SEAL_HTTP_DEADLINE (seconds, > 0) when set: a test knob like the others."""
    return _seconds("SEAL_HTTP_DEADLINE", DEADLINE, env)


def _seconds(name: str, default: float, env: Mapping[str, str] | None) -> float:
    source = os.environ if env is None else env
    with contextlib.suppress(ValueError):
        value = float(source.get(name, "") or "nan")
        if 0 < value < float("inf"):
            return value
    return default


class NetworkSettingError(httpx.TransportError):
    """A proxy or CA-bundle variable of the environment cannot be used: nothing is sent
    (never directly instead of through the proxy the person asked for)."""


class _Refusing(httpx.BaseTransport):
    """A transport that sends nothing and says which setting is at fault."""

    def __init__(self, message: str) -> None:
        self._message = message

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise NetworkSettingError(self._message, request=request)


@functools.lru_cache(maxsize=4)
def _ssl_context(cafile: str, capath: str) -> ssl.SSLContext:
    # Loading the CA bundle takes ~50 ms; every check makes a client, so load it once.
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile or None, capath=capath or None)
    return httpx.create_ssl_context(trust_env=False)


def shared_ssl_context(env: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """The TLS context for provider calls: SSL_CERT_FILE / SSL_CERT_DIR of `env` (None:
    os.environ) as OpenSSL reads them, else certifi's bundle as httpx uses; cached.
    OSError / ssl.SSLError when the named bundle cannot be read."""
    source = os.environ if env is None else env
    return _ssl_context(source.get("SSL_CERT_FILE", ""), source.get("SSL_CERT_DIR", ""))


def _proxy_variable(env: Mapping[str, str], scheme: str) -> tuple[str, str]:
    """(name, value) of `scheme`_proxy: the lower-case name wins when set, as in curl and
    urllib; ("", "") when neither is set."""
    for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY"):
        if name in env:
            return name, env[name].strip()
    return "", ""


def environment_proxies(env: Mapping[str, str]) -> dict[str, tuple[str, str] | None]:
    """httpx mount patterns for the proxy variables of `env`: pattern -> (variable, URL),
    or None for a NO_PROXY host (sent directly).

    The same rules as httpx's own `trust_env` (httpx._utils.get_environment_proxies),
    which reads only os.environ; the program's environment is a mapping of its own
    (Services.env), so the rules are applied here to that. HTTP_PROXY is ignored under
    CGI (REQUEST_METHOD set), as urllib does. A proxy comes from the environment only,
    never from seal.toml.
    """
    mounts: dict[str, tuple[str, str] | None] = {}
    for scheme in ("http", "https", "all"):
        if scheme == "http" and "REQUEST_METHOD" in env:
            continue
        name, value = _proxy_variable(env, scheme)
        if value:
            mounts[f"{scheme}://"] = (name, value if "://" in value else f"http://{value}")
    _, no_proxy = _proxy_variable(env, "no")
    for raw in no_proxy.split(","):
        host = raw.strip()
        if host == "*":
            return {}
        if not host:
            continue
        if "://" in host:
            mounts[host] = None
        elif _is_ip(host, 4) or host.lower() == "localhost":
            mounts[f"all://{host}"] = None
        elif _is_ip(host, 6):
            mounts[f"all://[{host}]"] = None
        else:
            # As httpx: example.com covers it and its subdomains, .example.com only these.
            mounts[f"all://*{host}"] = None
    return mounts


def _is_ip(host: str, version: int) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).version == version
    except ValueError:
        return False


def _proxy_transport(name: str, url: str, verify: ssl.SSLContext) -> httpx.BaseTransport:
    try:
        return httpx.HTTPTransport(verify=verify, trust_env=False, proxy=httpx.Proxy(url))
    except ImportError:
        # socks5:// needs httpx's optional socksio, which is a dependency: only a broken
        # install lands here.
        return _Refusing(f"{name} names a SOCKS proxy, and SOCKS support is not installed")
    except (ValueError, TypeError, httpx.InvalidURL):
        # The value is not echoed: a proxy URL may carry a password.
        return _Refusing(
            f"{name} is not a proxy URL seal-setup can use (http://, https://, socks5://)"
        )


def make_client(
    *,
    timeout: httpx.Timeout | float | None = None,
    headers: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    env: Mapping[str, str] | None = None,
) -> httpx.Client:
    """A client with DESIGN's timeouts (connect 5 s, read 15 s, see read_timeout()); redirects
    are not followed. Requests made with `send` through it keep to the overall deadline
    at every socket operation, proxies included (http_limits.bound_transports).

    `env` (None: os.environ) chooses proxies (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY,
    NO_PROXY, see environment_proxies) and the CA bundle (SSL_CERT_FILE, SSL_CERT_DIR).
    With a `transport` of the caller's (a test's), no proxy is used, as in httpx. A
    setting that cannot be used fails every request with NetworkSettingError.
    """
    source = os.environ if env is None else env
    if timeout is None:
        timeout = make_timeout(read=read_timeout())
    elif isinstance(timeout, int | float):
        timeout = make_timeout(connect=float(timeout), read=float(timeout))
    merged = {"user-agent": USER_AGENT, "accept-encoding": ACCEPT_ENCODING}
    merged.update(headers or {})
    mounts: dict[str, httpx.BaseTransport | None] = {}
    try:
        verify: ssl.SSLContext | bool = shared_ssl_context(source)
    except (OSError, ssl.SSLError):
        named = "SSL_CERT_FILE" if source.get("SSL_CERT_FILE") else "SSL_CERT_DIR"
        transport = transport or _Refusing(f"{named} names no CA bundle that can be read")
        verify = True
    if transport is None and isinstance(verify, ssl.SSLContext):
        for pattern, proxy in environment_proxies(source).items():
            mounts[pattern] = None if proxy is None else _proxy_transport(*proxy, verify)
    client = httpx.Client(
        timeout=timeout,
        headers=merged,
        transport=transport,
        mounts=mounts,
        follow_redirects=False,
        verify=verify,
        # Proxies and the CA bundle come from `env` above, not from os.environ.
        trust_env=False,
    )
    bound_transports(client)
    return client


@contextlib.contextmanager
def client_or_new(
    client: httpx.Client | None, env: Mapping[str, str] | None = None
) -> Iterator[httpx.Client]:
    """Use the caller's client, or make one for this call (proxies and CA bundle from
    `env`, None: os.environ) and close it afterwards."""
    if client is not None:
        yield client
        return
    with make_client(env=env) as own:
        yield own


def retry_after_seconds(response: httpx.Response) -> float | None:
    """The server's wait hint: `retry-after-ms`, else `retry-after` (seconds or HTTP date)."""
    raw_ms = response.headers.get("retry-after-ms")
    if raw_ms:
        with contextlib.suppress(ValueError):
            return max(0.0, float(raw_ms) / 1000.0)
    raw = response.headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _backoff(policy: RetryPolicy, attempt: int) -> float:
    delay: float = min(policy.max_delay, policy.base_delay * (2**attempt))
    # Jitter spreads out clients that failed together (e.g. many threads on one 529).
    return delay * (0.75 + random.random() * 0.5)


def _should_retry(response: httpx.Response, method: str) -> bool:
    if response.headers.get("x-should-retry", "").lower() == "false":
        return False
    statuses = RETRY_STATUSES if method in ("GET", "HEAD") else POST_RETRY_STATUSES
    return response.status_code in statuses


def send(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    **kwargs: Any,
) -> httpx.Response:
    """One call with retries. Returns the last response (maybe an error status), its
    body read whole and decoded.

    Each try must end within request_deadline() (DeadlineExceeded, an
    httpx.TimeoutException) and answer at most MAX_BODY_BYTES (ResponseTooLarge, an
    httpx.HTTPError, raised before the rest is read). Raises httpx.TransportError
    (connect, timeout, dropped connection) when no response came; a GET retries a
    refused or dropped connection, never a timeout (which already took its whole time).
    """
    policy = policy or retry_policy()
    method = method.upper()
    seconds = request_deadline()
    waited = 0.0
    attempt = 0
    while True:
        attempt += 1
        try:
            response = _one_try(client, method, url, seconds, kwargs)
        except (httpx.ConnectError, httpx.RemoteProtocolError) as exc:
            log.debug(
                "%s %s failed: %s (try %d)", method, _loggable(url), type(exc).__name__, attempt
            )
            if method not in ("GET", "HEAD") or attempt >= policy.tries:
                raise
            delay = _backoff(policy, attempt - 1)
            if waited + delay > policy.max_total_wait:
                raise
            _announce(Wait(0, delay, asked=False, attempt=attempt + 1))
            sleep(delay)
            waited += delay
            continue
        log.debug("%s %s -> %d (try %d)", method, _loggable(url), response.status_code, attempt)
        if attempt >= policy.tries or not _should_retry(response, method):
            return response
        hint = retry_after_seconds(response)
        if hint is not None and hint > MAX_HONOURED_RETRY_AFTER:
            return response
        delay = hint if hint is not None else _backoff(policy, attempt - 1)
        if waited + delay > policy.max_total_wait:
            # Waiting longer than the budget would freeze a check: report it instead.
            return response
        response.close()
        _announce(Wait(response.status_code, delay, asked=hint is not None, attempt=attempt + 1))
        sleep(delay)
        waited += delay


def _one_try(
    client: httpx.Client, method: str, url: str, seconds: float, kwargs: dict[str, Any]
) -> httpx.Response:
    with deadline(seconds):
        request = client.build_request(method, url, **kwargs)
        streamed = client.send(request, stream=True)
        body = read_capped(streamed, MAX_BODY_BYTES)
    return decoded_response(streamed, body)


def _loggable(url: str) -> str:
    # Query strings here carry no secrets today, but cutting them keeps it that way.
    return url.split("?", 1)[0]


# --- error bodies -----------------------------------------------------------------------

_SECRETISH = re.compile(r"\b(sk-[A-Za-z0-9][A-Za-z0-9_\-]{6})[A-Za-z0-9_\-]{12,}")
_MAX_MESSAGE = 300


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove secrets from text that may be shown: known values, and anything key-shaped."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "[redacted]")
    return _SECRETISH.sub(lambda m: m.group(1) + "…", text)


def one_line(text: str, limit: int = _MAX_MESSAGE) -> str:
    """Collapse whitespace and cut to `limit` characters, for a one-line message."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


@dataclass(frozen=True)
class ErrorInfo:
    """What a provider said about a failure, from any of the known error body shapes."""

    status: int
    type: str = ""
    message: str = ""
    request_id: str | None = None
    code: str | None = None

    @property
    def text(self) -> str:
        """The provider's own words, or the error type, or the bare status."""
        return self.message or self.type or f"HTTP {self.status}"


def parse_json(response: httpx.Response) -> Any:
    """The JSON body; ValueError when it is not JSON, or nested too deep to be a real answer."""
    try:
        return load_json(response.content)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError too
        raise ValueError("response body is not valid JSON") from exc


def parse_error(response: httpx.Response, secrets: tuple[str, ...] = ()) -> ErrorInfo:
    """Read Anthropic, OpenRouter, OpenAI and OAuth error bodies (or plain text).

    Anthropic: {"type":"error","error":{"type","message"},"request_id"}
    OpenRouter: {"error":{"code":int,"message","metadata"}}
    OpenAI: {"error":{"message","type","param","code"}}
    OAuth: {"error":"invalid_grant","error_description":"…"}
    """
    status = response.status_code
    request_id = response.headers.get("request-id") or response.headers.get("x-request-id")
    try:
        body = parse_json(response)
    except ValueError:
        text = response.content[:2000].decode("utf-8", "replace")
        # An HTML error page says nothing useful in one line; the status says enough.
        if "<html" in text.lower() or "<!doctype" in text.lower():
            text = ""
        return ErrorInfo(status, message=one_line(scrub(text, secrets)), request_id=request_id)
    if not isinstance(body, dict):
        return ErrorInfo(status, request_id=request_id)
    err = body.get("error")
    etype = ""
    message = ""
    code: str | None = None
    if isinstance(err, dict):
        etype = str(err.get("type") or "")
        message = str(err.get("message") or "")
        if err.get("code") is not None:
            code = str(err["code"])
    elif isinstance(err, str):
        etype = err
        code = err
        message = str(body.get("error_description") or "")
    elif isinstance(body.get("message"), str):
        message = body["message"]
    if isinstance(body.get("request_id"), str):
        request_id = body["request_id"]
    return ErrorInfo(
        status,
        type=one_line(scrub(etype, secrets), 80),
        message=one_line(scrub(message, secrets)),
        request_id=request_id,
        code=code,
    )
