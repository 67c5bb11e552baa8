"""The one-shot loopback callback of a browser sign-in (issue 19).

A listener on 127.0.0.1, an ephemeral port, serving only `/callback`. It accepts exactly
one callback whose `state` is its sign-in's; anything else gets 400 and it keeps
waiting. It gives up at the sign-in's expiry and is closed by its owner on Back, Cancel,
success or crash (`close`, idempotent). No Textual here: the screen polls `result`.
"""

from __future__ import annotations

import contextlib
import hmac
import select
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from backend.credentials.record import utcnow

CALLBACK_PATH = "/callback"
# Bounds on what a client may send before it is answered 400 and dropped.
MAX_REQUEST_LINE = 8 * 1024
MAX_HEADERS = 16 * 1024
READ_TIMEOUT = 5.0
MAX_PARAM = 4 * 1024

DONE_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>seal-setup</title></head>"
    "<body><p>Signed in. You can close this tab and go back to seal-setup.</p></body></html>"
)
ERROR_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>seal-setup</title></head>"
    "<body><p>The sign-in was not completed; seal-setup says why. "
    "You can close this tab.</p></body></html>"
)
BAD_PAGE = "<!doctype html><html><body><p>Bad request.</p></body></html>"


@dataclass(frozen=True)
class Callback:
    """What the browser brought back: a code, or the provider's error (shown verbatim)."""

    code: str = ""
    error: str = ""
    description: str = ""

    def as_paste(self, state: str) -> str:
        """The same text a pasted callback URL would be, for the one parser of callbacks."""
        from urllib.parse import urlencode

        if self.error:
            fields = {"error": self.error, "error_description": self.description, "state": state}
            return urlencode({k: v for k, v in fields.items() if v})
        return urlencode({"code": self.code, "state": state})


class LoopbackUnavailable(OSError):
    """The port could not be bound: the paste path is used, and the screen says why."""


class LoopbackListener:
    """Listen for one callback of `state` until `deadline` (thread; `close` ends it)."""

    def __init__(
        self,
        state: str,
        deadline: datetime,
        *,
        port: int = 0,
        on_result: Callable[[Callback], None] | None = None,
    ) -> None:
        self.state = state
        self.deadline = deadline
        self._on_result = on_result
        self._result: Callback | None = None
        self._closed = threading.Event()
        self._lock = threading.Lock()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.bind(("127.0.0.1", port))
            sock.listen(8)
        except OSError as exc:
            sock.close()
            raise LoopbackUnavailable(
                f"the port could not be bound ({exc.strerror or type(exc).__name__})"
            ) from None
        self._sock = sock
        self.port: int = sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="sign-in-callback", daemon=True)
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        # Host literally `localhost`: the form the provider accepts (Claude Code's).
        return f"http://localhost:{self.port}{CALLBACK_PATH}"

    @property
    def result(self) -> Callback | None:
        with self._lock:
            return self._result

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """Stop listening (idempotent); a callback arriving after this is never taken."""
        self._closed.set()
        with contextlib.suppress(OSError):
            self._sock.close()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=2)

    def wait(self, timeout: float) -> Callback | None:
        """For tests and callers without a loop: the result once it came, else None."""
        self._thread.join(timeout)
        return self.result

    # -- the thread ----------------------------------------------------------------

    def _serve(self) -> None:
        while not self._closed.is_set():
            left = (self.deadline - utcnow()).total_seconds()
            if left <= 0:
                break
            try:
                ready, _, _ = select.select([self._sock], [], [], min(left, 0.2))
            except (OSError, ValueError):
                break
            if not ready or self._closed.is_set():
                continue
            try:
                conn, _addr = self._sock.accept()
            except OSError:
                continue
            with conn:
                if self._answer(conn):
                    break
        self._closed.set()
        with contextlib.suppress(OSError):
            self._sock.close()

    def _answer(self, conn: socket.socket) -> bool:
        """Answer one request; True when it was this sign-in's callback."""
        conn.settimeout(READ_TIMEOUT)
        try:
            head = _read_head(conn)
        except (OSError, ValueError):
            _send(conn, 400, BAD_PAGE)
            return False
        callback = self._callback_of(head)
        if callback is None:
            _send(conn, 400, BAD_PAGE)
            return False
        with self._lock:
            if self._closed.is_set() or self._result is not None:
                _send(conn, 400, BAD_PAGE)
                return False
            self._result = callback
        _send(conn, 200, ERROR_PAGE if callback.error else DONE_PAGE)
        if self._on_result is not None:
            self._on_result(callback)
        return True

    def _callback_of(self, head: bytes) -> Callback | None:
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "GET" or not parts[2].startswith("HTTP/1."):
            return None
        target = urlsplit(parts[1])
        if target.path != CALLBACK_PATH:
            return None
        params = parse_qs(target.query, max_num_fields=8)
        state = _only(params, "state")
        if state is None or not hmac.compare_digest(state.encode(), self.state.encode()):
            return None
        error = _only(params, "error")
        if error:
            return Callback(error=error, description=_only(params, "error_description") or "")
        code = _only(params, "code")
        if not code:
            return None
        return Callback(code=code)


def _only(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    if not values or len(values) != 1 or len(values[0]) > MAX_PARAM:
        return None
    return values[0]


def _read_head(conn: socket.socket) -> bytes:
    """The request line and headers, refused past their limits (ValueError)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise ValueError("the request ended early")
        data += chunk
        line_end = data.find(b"\r\n")
        if (line_end < 0 and len(data) > MAX_REQUEST_LINE) or line_end > MAX_REQUEST_LINE:
            raise ValueError("request line too long")
        if len(data) > MAX_REQUEST_LINE + MAX_HEADERS:
            raise ValueError("headers too large")
    return data.split(b"\r\n\r\n", 1)[0]


def _send(conn: socket.socket, status: int, page: str) -> None:
    body = page.encode("utf-8")
    reason = "OK" if status == 200 else "Bad Request"
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    with contextlib.suppress(OSError):
        conn.sendall(head + body)


__all__ = [
    "CALLBACK_PATH",
    "Callback",
    "LoopbackListener",
    "LoopbackUnavailable",
]
