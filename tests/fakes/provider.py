"""A loopback fake of every provider endpoint the wizard talks to, with fault injection.

One stdlib ThreadingHTTPServer on 127.0.0.1 serves:
- Anthropic API at the root: GET /v1/models, POST /api/oauth/claude_cli/create_api_key
- Anthropic OAuth at the root: GET /oauth/authorize, GET /oauth/code/callback,
  POST /v1/oauth/token
- OpenRouter under /openrouter/api/v1: GET /key, GET /models
- OpenAI under /openai/v1: GET /models

Run it by hand: `python -m tests.fakes.provider --port 8765` (prints the env to export).
`--port 0` picks a free port; the first line printed, `fake provider listening on URL`,
says which (tests/e2e reads it).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import functools
import hashlib
import itertools
import json
import re
import secrets
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

if TYPE_CHECKING:
    from backend.credentials.record import CredentialRecord

CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
OAUTH_BETA = "oauth-2025-04-20"
OPENROUTER_PREFIX = "/openrouter/api/v1"
OPENAI_PREFIX = "/openai/v1"
MODELS_DEV_PATH = "/models.dev/api.json"

# Keys every fake accepts out of the box (lengths like the real ones).
ANTHROPIC_KEY = "sk-ant-api03-" + "FakeAnthropicKey0" * 5 + "xYz9" + "A" * 6  # 108 chars
SETUP_TOKEN = "sk-ant-oat01-" + "FakeSetupToken00" * 5 + "q1w2e3r4e5"  # 103 chars
OPENROUTER_KEY = "sk-or-v1-" + "0123456789abcdef" * 4
OPENAI_KEY = "sk-proj-" + "FakeOpenAIKey000" * 10 + "T3BlbkFJ"

CALLBACK_PATH = "/oauth/code/callback"
_LOOPBACK_REDIRECT = re.compile(r"http://localhost:[1-9][0-9]{0,4}/callback")
SECRET_HEADERS = ("authorization", "x-api-key", "cookie")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _rand(prefix: str, length: int) -> str:
    body = secrets.token_urlsafe(length)
    return (prefix + body.replace("_", "x").replace("-", "y"))[:length]


def new_api_key() -> str:
    return _rand("sk-ant-api03-", 104) + "AAAA"  # 108 chars, like real keys


# --- model data -------------------------------------------------------------------------

_CAPS_ADAPTIVE_ONLY = {"adaptive": True, "enabled": False}
_CAPS_BOTH = {"adaptive": True, "enabled": True}
_CAPS_BUDGET = {"adaptive": False, "enabled": True}
ANTHROPIC_MODELS: list[tuple[str, str, str, int, int, dict[str, bool], tuple[str, ...]]] = [
    # id, display name, created, context, max output, thinking types, effort levels
    (
        "claude-opus-4-8",
        "Claude Opus 4.8",
        "2026-05-28T00:00:00Z",
        1_000_000,
        128_000,
        _CAPS_ADAPTIVE_ONLY,
        ("low", "medium", "high", "xhigh", "max"),
    ),
    (
        "claude-opus-4-7",
        "Claude Opus 4.7",
        "2026-04-16T00:00:00Z",
        1_000_000,
        128_000,
        _CAPS_ADAPTIVE_ONLY,
        ("low", "medium", "high", "xhigh", "max"),
    ),
    (
        "claude-sonnet-4-6",
        "Claude Sonnet 4.6",
        "2026-02-17T00:00:00Z",
        1_000_000,
        128_000,
        _CAPS_BOTH,
        ("low", "medium", "high"),
    ),
    (
        "claude-opus-4-6",
        "Claude Opus 4.6",
        "2026-02-05T00:00:00Z",
        1_000_000,
        128_000,
        _CAPS_BOTH,
        ("low", "medium", "high", "max"),
    ),
    (
        "claude-opus-4-5-20251101",
        "Claude Opus 4.5",
        "2025-11-24T00:00:00Z",
        200_000,
        64_000,
        _CAPS_BUDGET,
        ("low", "medium", "high"),
    ),
    (
        "claude-haiku-4-5-20251001",
        "Claude Haiku 4.5",
        "2025-10-15T00:00:00Z",
        200_000,
        64_000,
        _CAPS_BUDGET,
        (),
    ),
    (
        "claude-sonnet-4-5-20250929",
        "Claude Sonnet 4.5",
        "2025-09-29T00:00:00Z",
        200_000,
        64_000,
        _CAPS_BUDGET,
        (),
    ),
]


def anthropic_model(
    model_id: str,
    name: str,
    created: str,
    context: int,
    max_out: int,
    thinking: Mapping[str, bool],
    effort: tuple[str, ...],
) -> dict[str, Any]:
    levels = ("low", "medium", "high", "xhigh", "max")
    return {
        "type": "model",
        "id": model_id,
        "display_name": name,
        "created_at": created,
        "max_input_tokens": context,
        "max_tokens": max_out,
        "capabilities": {
            "batch": {"supported": True},
            "citations": {"supported": True},
            "image_input": {"supported": True},
            "pdf_input": {"supported": True},
            "thinking": {
                "supported": True,
                "types": {k: {"supported": v} for k, v in thinking.items()},
            },
            "effort": {
                "supported": bool(effort),
                **{k: {"supported": k in effort} for k in levels},
            },
        },
    }


def anthropic_models(count: int | None) -> list[dict[str, Any]]:
    real = [anthropic_model(*row) for row in ANTHROPIC_MODELS]
    if count is None:
        return real
    extra = [
        anthropic_model(
            f"claude-test-{i:04d}",
            f"Claude Test {i}",
            f"2024-01-01T00:00:{i % 60:02d}Z",
            200_000,
            64_000,
            _CAPS_BUDGET,
            (),
        )
        for i in range(max(0, count - len(real)))
    ]
    return (real + extra)[:count]


def openrouter_model(
    model_id: str, name: str, context: int, max_out: int | None, prompt: str, completion: str
) -> dict[str, Any]:
    return {
        "id": model_id,
        "canonical_slug": model_id,
        "name": name,
        "created": 1_760_000_000,
        "description": f"{name} (fake)",
        "context_length": context,
        "architecture": {
            "input_modalities": ["text", "image"],
            "output_modalities": ["text"],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {"prompt": prompt, "completion": completion, "request": "0", "image": "0"},
        "top_provider": {
            "context_length": context,
            "max_completion_tokens": max_out,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": ["max_tokens", "temperature", "tools", "reasoning"],
        "default_parameters": {},
    }


OPENROUTER_MODELS: list[tuple[str, str, int, int | None, str, str]] = [
    (
        "anthropic/claude-sonnet-4.6",
        "Anthropic: Claude Sonnet 4.6",
        1_000_000,
        128_000,
        "0.000003",
        "0.000015",
    ),
    (
        "anthropic/claude-opus-4.7",
        "Anthropic: Claude Opus 4.7",
        1_000_000,
        128_000,
        "0.000005",
        "0.000025",
    ),
    ("openai/gpt-5", "OpenAI: GPT-5", 400_000, 128_000, "0.00000125", "0.00001"),
    ("google/gemini-2.5-pro", "Google: Gemini 2.5 Pro", 1_048_576, 65_536, "0.00000125", "0.00001"),
    (
        "meta-llama/llama-3.3-70b-instruct",
        "Meta: Llama 3.3 70B Instruct",
        131_072,
        None,
        "0.0000001",
        "0.0000003",
    ),
]


def openrouter_models(count: int | None) -> list[dict[str, Any]]:
    real = [openrouter_model(*row) for row in OPENROUTER_MODELS]
    if count is None:
        return real
    extra = [
        openrouter_model(f"vendor{i % 17}/model-{i:04d}", f"Model {i}", 32_000, 4096, "0", "0")
        for i in range(max(0, count - len(real)))
    ]
    return (real + extra)[:count]


OPENAI_MODELS = [
    ("gpt-5", 1_754_500_000),
    ("gpt-5-mini", 1_754_500_000),
    ("gpt-4.1", 1_744_600_000),
    ("o3", 1_744_800_000),
    ("o4-mini", 1_744_800_000),
    ("text-embedding-3-large", 1_705_953_180),
    ("whisper-1", 1_677_532_384),
]


def openai_models(count: int | None) -> list[dict[str, Any]]:
    real = [
        {"id": mid, "object": "model", "created": created, "owned_by": "openai"}
        for mid, created in OPENAI_MODELS
    ]
    if count is None:
        return real
    extra = [
        {"id": f"gpt-test-{i:04d}", "object": "model", "created": 1_600_000_000, "owned_by": "x"}
        for i in range(max(0, count - len(real)))
    ]
    return (real + extra)[:count]


# --- records ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedRequest:
    """One request the fake saw. Headers and body hold raw secrets: assert, never print."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)

    def json(self) -> Any:
        return json.loads(self.body or b"null")


@dataclass
class Fault:
    """What to do instead of the normal answer, `times` times (None = until cleared)."""

    kind: str  # status | malformed | drop | stall | trickle | huge | deep
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    times: int | None = 1
    rate: int = 0  # trickle: bytes per second
    size: int = 0  # huge: body bytes (before gzip); deep: levels of nesting
    flag: bool = False  # trickle: the headers trickle too; huge: send content-length
    gzip: bool = False  # huge: a small gzip body that inflates to `size` bytes


@dataclass
class _Code:
    challenge: str
    redirect_uri: str
    state: str
    scope: str
    used: bool = False


@dataclass
class _OpenRouterKey:
    label: str
    limit: float | None
    is_free_tier: bool
    usage: float


# --- the server -------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    fake: FakeProvider


class FakeProvider:
    """The fake. `with FakeProvider() as fake:` starts it; `fake.env()` points Seal at it."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        model_count: int | None = None,
        latency: float = 0.0,
        token_lifetime: int = 8 * 3600,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self._lock = threading.RLock()
        # A server-side TLS context: the fake then answers https (a certificate a test made).
        self._tls = tls
        self._host, self._port = host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self.model_count = model_count
        # Anthropic pages never hold more than this, whatever `limit` says (to test paging).
        self.anthropic_page_cap = 1000
        self.token_lifetime = token_lifetime
        self.authorize_error: tuple[str, str] | None = None
        self.anthropic_keys: set[str] = {ANTHROPIC_KEY}
        self.bearer_tokens: set[str] = {SETUP_TOKEN}
        self.openai_keys: set[str] = {OPENAI_KEY}
        self.openrouter_keys: dict[str, _OpenRouterKey] = {}
        self.add_key("openrouter", OPENROUTER_KEY)
        self._codes: dict[str, _Code] = {}
        self._refresh_tokens: dict[str, str] = {}  # refresh token -> scope
        self._access_scopes: dict[str, str] = {}
        self._faults: dict[str, list[Fault]] = {}
        self._sent: dict[str, int] = {}
        self._latency: dict[str, float] = {"*": latency} if latency else {}
        self._log: list[LoggedRequest] = []
        # Handed out before any random ones, in order (leak tests issue marked canaries):
        # (access, refresh) pairs for the token endpoint, raw keys for create_api_key.
        self.next_tokens: list[tuple[str, str]] = []
        self.next_api_keys: list[str] = []
        # Served after the usual models, per provider ("anthropic", "openrouter", "openai"):
        # entries in that provider's own shape (see anthropic_model, openrouter_model).
        self.extra_models: dict[str, list[dict[str, Any]]] = {}
        # Served instead of the usual models, per provider: a whole list in the provider's
        # shape (tests/fakes/real_lists.py has real-shaped ones).
        self.model_lists: dict[str, list[dict[str, Any]]] = {}
        # models.dev's api.json as MODELS_DEV_PATH serves it (every provider, its shape);
        # None: 404, as a models.dev that moved would.
        self.models_dev: dict[str, Any] | None = None
        # When set, the token endpoint's `account` and `organization` objects.
        self.token_account: dict[str, Any] | None = None
        self._hooks: dict[str, list[Callable[[], None]]] = {}

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeProvider:
        if self._server is not None:
            return self
        server = _Server((self._host, self._port), _Handler)
        if self._tls is not None:
            server.socket = self._tls.wrap_socket(server.socket, server_side=True)
        server.fake = self
        self._server = server
        self._stopping.clear()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()  # wakes stalled handlers
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self._host in ("", "0.0.0.0") else self._host
        scheme = "http" if self._tls is None else "https"
        return f"{scheme}://{host}:{self.port}"

    @property
    def anthropic_url(self) -> str:
        return self.base_url

    @property
    def oauth_url(self) -> str:
        return self.base_url

    @property
    def openrouter_url(self) -> str:
        return self.base_url + OPENROUTER_PREFIX

    @property
    def openai_url(self) -> str:
        return self.base_url + OPENAI_PREFIX

    @property
    def redirect_uri(self) -> str:
        return self.base_url + CALLBACK_PATH

    def env(self) -> dict[str, str]:
        """The SEAL_* variables that point every provider at this fake."""
        return {
            "SEAL_ANTHROPIC_BASE_URL": self.anthropic_url,
            "SEAL_ANTHROPIC_OAUTH_URL": self.oauth_url,
            "SEAL_OPENROUTER_BASE_URL": self.openrouter_url,
            "SEAL_OPENAI_BASE_URL": self.openai_url,
            "SEAL_MODELS_DEV_URL": self.base_url + MODELS_DEV_PATH,
        }

    # -- keys --------------------------------------------------------------------------

    def usual_models(
        self, provider: str, usual: Callable[[int | None], list[dict[str, Any]]]
    ) -> list[dict[str, Any]]:
        """What `provider`'s list serves: `model_lists`' list when set, else the usual
        models, then `extra_models`."""
        with self._lock:
            whole = self.model_lists.get(provider)
            base = list(whole) if whole is not None else usual(self.model_count)
            return base + self.extra_models.get(provider, [])

    def add_key(
        self,
        provider: str,
        key: str,
        *,
        label: str | None = None,
        limit: float | None = 10.0,
        is_free_tier: bool = True,
        usage: float = 0.0,
    ) -> str:
        """Accept `key` for `provider` ("anthropic", "anthropic-bearer", "openrouter", "openai")."""
        with self._lock:
            if provider == "anthropic":
                self.anthropic_keys.add(key)
            elif provider == "anthropic-bearer":
                self.bearer_tokens.add(key)
            elif provider == "openai":
                self.openai_keys.add(key)
            elif provider == "openrouter":
                masked = label or f"{key[:12]}...{key[-3:]}"
                self.openrouter_keys[key] = _OpenRouterKey(masked, limit, is_free_tier, usage)
            else:
                raise ValueError(f"unknown provider {provider!r}")
        return key

    def revoke(self, key: str) -> None:
        with self._lock:
            self.anthropic_keys.discard(key)
            self.bearer_tokens.discard(key)
            self.openai_keys.discard(key)
            self.openrouter_keys.pop(key, None)
            self._refresh_tokens.pop(key, None)

    def issue_tokens(self, scope: str = "user:inference user:profile") -> dict[str, Any]:
        """Tokens as if a sign-in just happened (skips the browser steps)."""
        with self._lock:
            return self._issue(scope)

    def signed_in(self, lifetime: float = 3600.0, verified_at: Any = None) -> CredentialRecord:
        """A Pro/Max sign-in record as this fake's token endpoint issued it, expiring in
        `lifetime` seconds (5: inside the 60 s refresh window, so the next read refreshes)."""
        from datetime import timedelta

        from backend.credentials.record import CredentialRecord, utcnow

        tokens = self.issue_tokens()
        return CredentialRecord(
            "anthropic",
            "default",
            "oauth",
            access_token=tokens["access_token"],
            refresh_token=tokens["refresh_token"],
            expires_at=utcnow() + timedelta(seconds=lifetime),
            verified_at=verified_at,
        )

    def live_refresh_tokens(self) -> set[str]:
        with self._lock:
            return set(self._refresh_tokens)

    # -- faults ------------------------------------------------------------------------

    def _add_fault(self, path: str, fault: Fault) -> None:
        with self._lock:
            self._faults.setdefault(path, []).append(fault)

    def fail(
        self,
        path: str,
        status: int = 500,
        body: Any = None,
        *,
        retry_after: float | None = None,
        retry_after_ms: float | None = None,
        headers: Mapping[str, str] | None = None,
        times: int | None = 1,
    ) -> None:
        """Answer `path` with `status` (a provider-shaped error body unless `body` given)."""
        extra = dict(headers or {})
        if retry_after is not None:
            extra["retry-after"] = f"{retry_after:g}"
        if retry_after_ms is not None:
            extra["retry-after-ms"] = f"{retry_after_ms:g}"
        self._add_fault(path, Fault("status", status=status, body=body, headers=extra, times=times))

    def malformed(self, path: str, *, times: int | None = 1) -> None:
        """Answer 200 with a body that is not JSON."""
        self._add_fault(path, Fault("malformed", status=200, times=times))

    def drop(self, path: str, *, times: int | None = 1) -> None:
        """Close the connection without any response."""
        self._add_fault(path, Fault("drop", times=times))

    def stall(self, path: str, seconds: float = 30.0, *, times: int | None = 1) -> None:
        """Say nothing for `seconds` (or until stop), then close: a client read timeout."""
        self._add_fault(path, Fault("stall", seconds=seconds, times=times))

    def trickle(
        self, path: str, rate: int = 1, *, headers_too: bool = False, times: int | None = 1
    ) -> None:
        """Answer 200, then send the body one byte at a time, `rate` bytes a second, never
        ending (until stop or the client hangs up); with `headers_too`, the status line
        and headers too. Every byte comes well inside any read timeout: only an overall
        deadline ends it."""
        self._add_fault(
            path, Fault("trickle", status=200, rate=rate, flag=headers_too, times=times)
        )

    def huge(
        self,
        path: str,
        size: int = 1 << 30,
        *,
        content_length: bool = False,
        gzip: bool = False,
        times: int | None = 1,
    ) -> None:
        """Answer 200 with a `size`-byte body (as fast as the client reads it), declared in
        content-length or not; with `gzip`, as a small gzip body that inflates to `size`.
        `body_bytes_sent(path)` says how much of it went out."""
        self._add_fault(
            path,
            Fault("huge", status=200, size=size, flag=content_length, gzip=gzip, times=times),
        )

    def deep(self, path: str, levels: int = 100_000, *, times: int | None = 1) -> None:
        """Answer 200 with valid JSON nested `levels` deep: {"data": [[[…]]]}."""
        self._add_fault(path, Fault("deep", status=200, size=levels, times=times))

    def body_bytes_sent(self, path: str) -> int:
        """Body bytes the trickle and huge faults wrote on `path` (what left this process:
        the client may have read less, never more)."""
        with self._lock:
            return self._sent.get(path, 0)

    def _count_sent(self, path: str, count: int) -> None:
        with self._lock:
            self._sent[path] = self._sent.get(path, 0) + count

    def latency(self, path: str, seconds: float) -> None:
        """Delay every answer on `path` ("*" = all paths) by `seconds`."""
        with self._lock:
            self._latency[path] = seconds

    def on_request(self, path: str, action: Callable[[], None]) -> None:
        """Run `action` once, in the server, when `path` is next asked for, before it is
        answered: something a test makes happen while a client waits for its answer."""
        with self._lock:
            self._hooks.setdefault(path, []).append(action)

    def _take_hook(self, path: str) -> Callable[[], None] | None:
        with self._lock:
            queue = self._hooks.get(path)
            return queue.pop(0) if queue else None

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._latency.clear()

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(path) or self._faults.get("*")
            if not queue:
                return None
            fault = queue[0]
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    queue.pop(0)
            return fault

    def _delay_for(self, path: str) -> float:
        with self._lock:
            return self._latency.get(path, self._latency.get("*", 0.0))

    # -- request log -------------------------------------------------------------------

    def requests(self, path: str | None = None, method: str | None = None) -> list[LoggedRequest]:
        with self._lock:
            return [
                r
                for r in self._log
                if (path is None or r.path == path) and (method is None or r.method == method)
            ]

    def count(self, path: str, method: str | None = None) -> int:
        return len(self.requests(path, method))

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()

    def _record(self, request: LoggedRequest) -> None:
        with self._lock:
            self._log.append(request)

    # -- OAuth internals ---------------------------------------------------------------

    def _issue(self, scope: str) -> dict[str, Any]:
        if self.next_tokens:
            access, refresh = self.next_tokens.pop(0)
        else:
            access = _rand("sk-ant-oat01-", 108)
            refresh = _rand("sk-ant-ort01-", 108)
        self.bearer_tokens.add(access)
        self._access_scopes[access] = scope
        self._refresh_tokens[refresh] = scope
        identity = self.token_account or {
            "account": {"uuid": "acc-0000-fake", "email_address": "person@example.com"},
            "organization": {"uuid": "org-0000-fake", "name": "Fake Org"},
        }
        return {
            "token_type": "Bearer",
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": self.token_lifetime,
            "scope": scope,
            **identity,
        }


@functools.lru_cache(maxsize=2)
def _gzip_of_spaces(size: int) -> bytes:
    """gzip of `size` spaces, made a MiB at a time (never `size` bytes at once)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b" " * (1 << 20)
    parts = [
        packer.compress(block[: min(len(block), size - done)])
        for done in range(0, size, len(block))
    ]
    return b"".join(parts) + packer.flush()


def _anthropic_error(status: int, message: str | None = None) -> dict[str, Any]:
    kinds = {
        400: "invalid_request_error",
        401: "authentication_error",
        403: "permission_error",
        404: "not_found_error",
        413: "request_too_large",
        429: "rate_limit_error",
        500: "api_error",
        529: "overloaded_error",
    }
    default = {
        401: "invalid x-api-key",
        403: "Your API key does not have permission to use the specified resource.",
        404: "Not found",
        429: "Number of requests has exceeded your rate limit",
        529: "Overloaded",
    }
    return {
        "type": "error",
        "error": {
            "type": kinds.get(status, "api_error"),
            "message": message or default.get(status, "Internal server error"),
        },
        "request_id": "req_fake" + secrets.token_hex(6),
    }


def _openrouter_error(status: int, message: str | None = None) -> dict[str, Any]:
    default = {401: "No auth credentials found", 402: "Insufficient credits", 429: "Rate limited"}
    return {"error": {"code": status, "message": message or default.get(status, "Server error")}}


def _openai_error(status: int, message: str | None = None) -> dict[str, Any]:
    default = {401: "Incorrect API key provided.", 429: "Rate limit reached", 404: "Not found"}
    return {
        "error": {
            "message": message or default.get(status, "The server had an error"),
            "type": "invalid_request_error" if status < 500 else "server_error",
            "param": None,
            "code": "invalid_api_key" if status == 401 else None,
        }
    }


def _oauth_error(error: str, description: str) -> dict[str, Any]:
    return {"error": error, "error_description": description}


def default_error(path: str, status: int) -> dict[str, Any]:
    """A provider-shaped error body for `path`."""
    if path.startswith(OPENROUTER_PREFIX):
        return _openrouter_error(status)
    if path.startswith(OPENAI_PREFIX):
        return _openai_error(status)
    if path == "/v1/oauth/token":
        return _oauth_error(
            "server_error" if status >= 500 else "invalid_request", f"HTTP {status}"
        )
    return _anthropic_error(status)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"
    error_content_type = "application/json"

    def log_message(self, format: str, *args: Any) -> None:
        return  # quiet: the request log is in memory; stderr noise helps nobody

    @property
    def fake(self) -> FakeProvider:
        return self.server.fake

    # -- plumbing ----------------------------------------------------------------------

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.fake._record(LoggedRequest(method, path, query, headers, body))
        hook = self.fake._take_hook(path)
        if hook is not None:
            hook()
        delay = self.fake._delay_for(path)
        if delay and self.fake._stopping.wait(delay):
            return
        fault = self.fake._take_fault(path)
        if fault is not None:
            self._fault(path, fault)
            return
        route = _ROUTES.get((method, path))
        if route is None:
            self._json(404, default_error(path, 404))
            return
        route(self, query, headers, body)

    def _fault(self, path: str, fault: Fault) -> None:
        if fault.kind == "drop":
            self._close_now()
        elif fault.kind == "stall":
            self.fake._stopping.wait(fault.seconds)
            self._close_now()
        elif fault.kind == "malformed":
            self._send(200, b'{"data": [{"id": "claude-', "application/json")
        elif fault.kind == "trickle":
            self._trickle(path, fault)
        elif fault.kind == "huge":
            self._huge(path, fault)
        elif fault.kind == "deep":
            raw = b'{"data": ' + b"[" * fault.size + b"]" * fault.size + b"}"
            self._send(200, raw, "application/json")
        else:
            body = fault.body if fault.body is not None else default_error(path, fault.status)
            if isinstance(body, bytes | str):
                raw = body.encode() if isinstance(body, str) else body
                self._send(fault.status, raw, "text/plain", fault.headers)
            else:
                self._json(fault.status, body, fault.headers)

    def _trickle(self, path: str, fault: Fault) -> None:
        head = b"HTTP/1.0 200 OK\r\ncontent-type: application/json\r\n\r\n"
        if not fault.flag:
            if not self._write(head):
                return
            head = b""
        # Endless: an opening that never closes, then spaces (JSON whitespace).
        body = itertools.chain(b'{"data": [', itertools.repeat(ord(" ")))
        stream = itertools.chain(head, body)
        for index, byte in enumerate(stream):
            if not self._write(bytes((byte,))):
                return
            if index >= len(head):
                self.fake._count_sent(path, 1)
            if self.fake._stopping.wait(1.0 / fault.rate):
                return

    def _huge(self, path: str, fault: Fault) -> None:
        body = _gzip_of_spaces(fault.size) if fault.gzip else None
        length = len(body) if body is not None else fault.size
        lines = ["HTTP/1.0 200 OK", "content-type: application/json"]
        if fault.gzip:
            lines.append("content-encoding: gzip")
        if fault.flag or fault.gzip:
            lines.append(f"content-length: {length}")
        if not self._write(("\r\n".join(lines) + "\r\n\r\n").encode()):
            return
        block = memoryview(body) if body is not None else memoryview(b'{"data": [' + b" " * 65526)
        sent = 0
        while sent < length and not self.fake._stopping.is_set():
            piece = block[sent : sent + 65536] if body is not None else block[: length - sent]
            if not self._write(piece):
                return
            sent += len(piece)
            self.fake._count_sent(path, len(piece))
            if body is None:
                block = memoryview(b" " * 65536)

    def _write(self, data: bytes | memoryview) -> bool:
        """Write straight to the socket; False once the client has gone."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
            return False
        return True

    def _close_now(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True
        # Nothing is written: the client sees the connection end with no response.
        self.wfile = _NullWriter()  # type: ignore[assignment]

    def _send(
        self,
        status: int,
        raw: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(raw)))
            self.send_header("request-id", "req_fake" + secrets.token_hex(6))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _json(self, status: int, data: Any, headers: Mapping[str, str] | None = None) -> None:
        self._send(status, json.dumps(data).encode(), "application/json", headers)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/plain", {"location": location})

    def _html(self, status: int, text: str) -> None:
        page = f"<!doctype html><html><body>{text}</body></html>"
        self._send(status, page.encode(), "text/html; charset=utf-8")

    # -- Anthropic ---------------------------------------------------------------------

    def _anthropic_auth(self, headers: Mapping[str, str]) -> str | None:
        """None if authorised, else the error message to send with a 401."""
        if headers.get("x-api-key"):
            with self.fake._lock:
                ok = headers["x-api-key"] in self.fake.anthropic_keys
            return None if ok else "invalid x-api-key"
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer "):
            betas = [b.strip() for b in headers.get("anthropic-beta", "").split(",")]
            if OAUTH_BETA not in betas:
                return "OAuth authentication is currently not supported."
            with self.fake._lock:
                ok = auth[7:] in self.fake.bearer_tokens
            return None if ok else "Invalid bearer token"
        return "x-api-key header is required"

    def anthropic_models(
        self, query: dict[str, list[str]], headers: dict[str, str], _: bytes
    ) -> None:
        problem = self._anthropic_auth(headers)
        if problem:
            self._json(401, _anthropic_error(401, problem))
            return
        if not headers.get("anthropic-version"):
            self._json(400, _anthropic_error(400, "anthropic-version: header is required"))
            return
        models = self.fake.usual_models("anthropic", anthropic_models)
        try:
            limit = int(query.get("limit", ["20"])[0])
        except ValueError:
            limit = 0
        if not 1 <= limit <= 1000:
            self._json(400, _anthropic_error(400, "limit: must be between 1 and 1000"))
            return
        limit = min(limit, self.fake.anthropic_page_cap)
        start = 0
        after = query.get("after_id", [None])[0]
        if after:
            ids = [m["id"] for m in models]
            if after not in ids:
                self._json(400, _anthropic_error(400, "after_id: not found"))
                return
            start = ids.index(after) + 1
        page = models[start : start + limit]
        self._json(
            200,
            {
                "data": page,
                "has_more": start + limit < len(models),
                "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None,
            },
            {"anthropic-organization-id": "org-0000-fake"},
        )

    def create_api_key(self, _q: dict[str, list[str]], headers: dict[str, str], _b: bytes) -> None:
        auth = headers.get("authorization", "")
        token = auth[7:] if auth.startswith("Bearer ") else ""
        with self.fake._lock:
            scope = self.fake._access_scopes.get(token)
        if scope is None:
            self._json(401, _anthropic_error(401, "Invalid bearer token"))
            return
        if "org:create_api_key" not in scope.split():
            self._json(403, _anthropic_error(403, "Token lacks the org:create_api_key scope"))
            return
        with self.fake._lock:
            queued = self.fake.next_api_keys.pop(0) if self.fake.next_api_keys else None
        key = self.fake.add_key("anthropic", queued or new_api_key())
        self._json(200, {"raw_key": key})

    # -- OAuth -------------------------------------------------------------------------

    def authorize(self, query: dict[str, list[str]], _h: dict[str, str], _b: bytes) -> None:
        q = {k: v[0] for k, v in query.items()}
        problems = []
        if q.get("code") != "true":
            problems.append("Invalid request format")
        if q.get("client_id") != CLIENT_ID:
            problems.append("Invalid client_id")
        if q.get("response_type") != "code":
            problems.append("Invalid response_type")
        # The hosted callback, or a loopback one as Claude Code's (host literally localhost).
        redirect = q.get("redirect_uri", "")
        if redirect != self.fake.redirect_uri and not _LOOPBACK_REDIRECT.fullmatch(redirect):
            problems.append("Invalid redirect_uri")
        if q.get("code_challenge_method") != "S256" or len(q.get("code_challenge", "")) != 43:
            problems.append("Invalid code_challenge")
        if len(q.get("state", "")) < 43:
            problems.append("Invalid state")
        if "user:inference" not in q.get("scope", "").split():
            problems.append("Invalid scope")
        if problems:
            self._html(400, "; ".join(problems))
            return
        if self.fake.authorize_error:
            error, description = self.fake.authorize_error
            params = {"error": error, "error_description": description, "state": q["state"]}
            self._redirect(f"{q['redirect_uri']}?{urlencode(params)}")
            return
        code = secrets.token_urlsafe(32)
        with self.fake._lock:
            self.fake._codes[code] = _Code(
                q["code_challenge"], q["redirect_uri"], q["state"], q["scope"]
            )
        self._redirect(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}")

    def callback(self, query: dict[str, list[str]], _h: dict[str, str], _b: bytes) -> None:
        q = {k: v[0] for k, v in query.items()}
        if "error" in q:
            self._html(200, f"<p>Error: {q['error']}: {q.get('error_description', '')}</p>")
            return
        text = f"{q.get('code', '')}#{q.get('state', '')}"
        self._html(200, f"<p>Paste this into Claude Code:</p><code id='code'>{text}</code>")

    def token(self, _q: dict[str, list[str]], headers: dict[str, str], body: bytes) -> None:
        if "json" not in headers.get("content-type", ""):
            self._json(400, _oauth_error("invalid_request", "Content-Type must be JSON"))
            return
        try:
            data = json.loads(body)
        except ValueError:
            self._json(400, _oauth_error("invalid_request", "Invalid JSON body"))
            return
        if not isinstance(data, dict) or data.get("client_id") != CLIENT_ID:
            self._json(400, _oauth_error("invalid_client", "Invalid client_id"))
            return
        grant = data.get("grant_type")
        if grant == "authorization_code":
            self._code_grant(data)
        elif grant == "refresh_token":
            self._refresh_grant(data)
        else:
            self._json(400, _oauth_error("unsupported_grant_type", f"Unsupported: {grant}"))

    def _code_grant(self, data: dict[str, Any]) -> None:
        if not data.get("state"):
            self._json(400, _oauth_error("invalid_request", "state is required"))
            return
        with self.fake._lock:
            entry = self.fake._codes.get(str(data.get("code")))
            if entry is None or entry.used:
                self._json(400, _oauth_error("invalid_grant", "Invalid code"))
                return
            if data.get("redirect_uri") != entry.redirect_uri:
                self._json(400, _oauth_error("invalid_grant", "Invalid 'redirect_uri' in request"))
                return
            if data.get("state") != entry.state:
                self._json(400, _oauth_error("invalid_grant", "Invalid state"))
                return
            verifier = str(data.get("code_verifier") or "")
            if _b64url(hashlib.sha256(verifier.encode()).digest()) != entry.challenge:
                self._json(400, _oauth_error("invalid_grant", "Invalid code_verifier"))
                return
            entry.used = True
            tokens = self.fake._issue(entry.scope)
        self._json(200, tokens)

    def _refresh_grant(self, data: dict[str, Any]) -> None:
        if "scope" in data:
            self._json(400, _oauth_error("invalid_scope", "scope may not be sent on refresh"))
            return
        with self.fake._lock:
            scope = self.fake._refresh_tokens.pop(str(data.get("refresh_token")), None)
            if scope is None:
                self._json(400, _oauth_error("invalid_grant", "Refresh token not found or invalid"))
                return
            tokens = self.fake._issue(scope)
        self._json(200, tokens)

    # -- OpenRouter --------------------------------------------------------------------

    def openrouter_key(self, _q: dict[str, list[str]], headers: dict[str, str], _b: bytes) -> None:
        auth = headers.get("authorization", "")
        with self.fake._lock:
            info = self.fake.openrouter_keys.get(auth[7:]) if auth.startswith("Bearer ") else None
        if info is None:
            message = "No auth credentials found" if not auth else "User not found."
            self._json(401, _openrouter_error(401, message))
            return
        remaining = None if info.limit is None else info.limit - info.usage
        self._json(
            200,
            {
                "data": {
                    "label": info.label,
                    "limit": info.limit,
                    "limit_remaining": remaining,
                    "limit_reset": "monthly" if info.limit is not None else None,
                    "include_byok_in_limit": False,
                    "usage": info.usage,
                    "usage_daily": info.usage,
                    "usage_weekly": info.usage,
                    "usage_monthly": info.usage,
                    "is_free_tier": info.is_free_tier,
                    "is_provisioning_key": False,
                    "is_management_key": False,
                    "expires_at": None,
                }
            },
        )

    def openrouter_list(self, _q: dict[str, list[str]], _h: dict[str, str], _b: bytes) -> None:
        self._json(200, {"data": self.fake.usual_models("openrouter", openrouter_models)})

    # -- OpenAI ------------------------------------------------------------------------

    def openai_list(self, _q: dict[str, list[str]], headers: dict[str, str], _b: bytes) -> None:
        auth = headers.get("authorization", "")
        with self.fake._lock:
            ok = auth.startswith("Bearer ") and auth[7:] in self.fake.openai_keys
        if not ok:
            tail = auth[-4:] if len(auth) > 20 else "****"
            self._json(
                401,
                _openai_error(
                    401,
                    f"Incorrect API key provided: sk-****{tail}. You can find your API key at "
                    "https://platform.openai.com/account/api-keys.",
                ),
            )
            return
        models = self.fake.usual_models("openai", openai_models)
        self._json(200, {"object": "list", "data": models})


def _models_dev(handler: _Handler, query: Any, headers: Any, body: bytes) -> None:
    catalog = handler.fake.models_dev
    if catalog is None:
        handler._json(404, default_error(MODELS_DEV_PATH, 404))
    else:
        handler._json(200, catalog)


class _NullWriter:
    closed = False

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        return

    def close(self) -> None:
        return


_ROUTES = {
    ("GET", "/v1/models"): _Handler.anthropic_models,
    ("POST", "/api/oauth/claude_cli/create_api_key"): _Handler.create_api_key,
    ("GET", "/oauth/authorize"): _Handler.authorize,
    ("GET", CALLBACK_PATH): _Handler.callback,
    ("POST", "/v1/oauth/token"): _Handler.token,
    ("GET", OPENROUTER_PREFIX + "/key"): _Handler.openrouter_key,
    ("GET", OPENROUTER_PREFIX + "/auth/key"): _Handler.openrouter_key,
    ("GET", OPENROUTER_PREFIX + "/models"): _Handler.openrouter_list,
    ("GET", OPENAI_PREFIX + "/models"): _Handler.openai_list,
    ("GET", MODELS_DEV_PATH): _models_dev,
}


def banner(fake: FakeProvider) -> Iterator[str]:
    yield f"fake provider listening on {fake.base_url}"
    yield "export these to point seal-setup at it:"
    for key, value in fake.env().items():
        yield f"  export {key}={value}"
    yield "valid test credentials:"
    yield f"  anthropic api key:   {ANTHROPIC_KEY}"
    yield f"  anthropic setup-tok: {SETUP_TOKEN}"
    yield f"  openrouter key:      {OPENROUTER_KEY}"
    yield f"  openai key:          {OPENAI_KEY}"
    yield "press Ctrl-C to stop"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.provider", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    parser.add_argument("--model-count", type=int, default=None, help="serve this many models")
    parser.add_argument(
        "--token-lifetime", type=int, default=8 * 3600, help="OAuth expires_in seconds"
    )
    args = parser.parse_args(argv)
    fake = FakeProvider(
        args.host,
        args.port,
        model_count=args.model_count,
        latency=args.latency,
        token_lifetime=args.token_lifetime,
    )
    fake.start()
    for line in banner(fake):
        print(line, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
