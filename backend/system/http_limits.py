"""Bounds on one HTTP exchange: an overall deadline and a cap on the response body.

httpx's timeouts are per socket operation, so a server that sends a byte every few
seconds holds a request open forever. Here every connect, TLS handshake, write and read
a request makes is given at most the time left until its deadline (a network backend
under httpcore: headers and body alike), and reading stops there with DeadlineExceeded.

The body is read in chunks and refused past the cap with ResponseTooLarge, before
more than the cap is held. gzip and deflate are decoded here with a bound on each step's
output, so a small compressed answer cannot inflate to gigabytes in one step.
"""

from __future__ import annotations

import contextlib
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import httpcore
import httpx

# What we ask for; also what we can decode with a bound (br and zstd could not be).
ACCEPT_ENCODING = "gzip, deflate"


class DeadlineExceeded(httpx.TimeoutException):
    """The exchange (connect, send, the whole answer) took longer than its deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


class ResponseTooLarge(httpx.HTTPError):
    """The answer's body is larger than the cap; the rest of it was never read."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {limit} bytes")
        self.limit = limit

    @property
    def size_text(self) -> str:
        """The cap for a message: `8 MB`."""
        return f"{self.limit / 2**20:g} MB"


# --- the deadline -----------------------------------------------------------------------

_local = threading.local()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every socket operation of this thread inside the block ends `seconds` from now.

    httpx does its sync I/O on the calling thread, so a request sent inside the block,
    body included, is bounded; other threads sharing the client have their own deadline.
    """
    previous = getattr(_local, "deadline", None)
    _local.deadline = (time.monotonic() + seconds, seconds)
    try:
        yield
    finally:
        _local.deadline = previous


def check_deadline() -> None:
    """DeadlineExceeded when this thread's deadline has passed."""
    _time_left(None)


def _time_left(timeout: float | None) -> float | None:
    """`timeout` cut to what is left of the deadline; DeadlineExceeded when none is left."""
    current: tuple[float, float] | None = getattr(_local, "deadline", None)
    if current is None:
        return timeout
    at, seconds = current
    left = at - time.monotonic()
    if left <= 0:
        raise DeadlineExceeded(seconds)
    return left if timeout is None else min(timeout, left)


@contextlib.contextmanager
def _as_deadline() -> Iterator[None]:
    """A socket timeout that ran into the deadline is the deadline, not a read timeout."""
    try:
        yield
    except httpcore.TimeoutException:
        check_deadline()
        raise


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        with _as_deadline():
            return self._stream.read(max_bytes, _time_left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        with _as_deadline():
            self._stream.write(buffer, _time_left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: Any,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        with _as_deadline():
            tls = self._stream.start_tls(ssl_context, server_hostname, _time_left(timeout))
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every operation cut to the thread's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        with _as_deadline():
            stream = self._inner.connect_tcp(
                host, port, _time_left(timeout), local_address, socket_options
            )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        with _as_deadline():
            stream = self._inner.connect_unix_socket(path, _time_left(timeout), socket_options)
        return _DeadlineStream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bound_transports(client: httpx.Client) -> None:
    """Put DeadlineBackend under every httpx transport of `client` (proxies included).

    httpx does not expose httpcore's `network_backend`, so this reaches into the client
    and its connection pools. A caller's own transport that is not an HTTPTransport (a
    test's MockTransport) is left alone. Raises RuntimeError when httpx is laid out
    differently: a client without its deadline must not go unnoticed.
    """
    try:
        transports = [client._transport, *client._mounts.values()]
        for transport in transports:
            if not isinstance(transport, httpx.HTTPTransport):
                continue
            pool = transport._pool
            inner = pool._network_backend
            if not isinstance(inner, DeadlineBackend):
                pool._network_backend = DeadlineBackend(inner)
    except AttributeError as exc:
        raise RuntimeError(
            f"this httpx ({httpx.__version__}) is laid out differently: cannot bound "
            f"request time ({exc})"
        ) from None


# --- the body ---------------------------------------------------------------------------


class _Inflate:
    """One gzip or deflate layer, decoded at most `room` + 1 bytes at a time."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._first = True
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)

    def decode(self, data: bytes, room: int) -> bytes:
        first, self._first = self._first, False
        try:
            # Past room + 1 the caller refuses the body; the rest is never inflated.
            return self._zlib.decompress(data, room + 1)
        except zlib.error as exc:
            if first and not self._gzip:
                # Like httpx: "deflate" is zlib-wrapped by the standard, raw by many servers.
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.decode(data, room)
            raise httpx.DecodingError(f"bad {'gzip' if self._gzip else 'deflate'} data") from exc

    def flush(self) -> bytes:
        # Every decode consumed all its input (or the body was refused): little is left.
        return self._zlib.flush()


def _layers(content_encoding: str) -> list[_Inflate]:
    """Decoders for the encodings we can bound, innermost last (identity and the rest
    pass through, as httpx does for an encoding it cannot decode)."""
    names = [part.strip().lower() for part in content_encoding.split(",")]
    return [_Inflate(n) for n in reversed(names) if n in ("gzip", "x-gzip", "deflate")]


def read_capped(response: httpx.Response, limit: int) -> bytes:
    """The decoded body of a streamed response, at most `limit` bytes; closes it.

    ResponseTooLarge as soon as the body (by its content-length, or as it arrives)
    passes `limit`; DeadlineExceeded between chunks when the deadline passes.
    """
    try:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ResponseTooLarge(limit)
        layers = _layers(response.headers.get("content-encoding", ""))
        parts: list[bytes] = []
        size = 0
        for raw in response.iter_raw():
            check_deadline()
            chunk = raw
            for layer in layers:
                chunk = layer.decode(chunk, limit - size)
            size += len(chunk)
            if size > limit:
                raise ResponseTooLarge(limit)
            parts.append(chunk)
        for index, layer in enumerate(layers):
            tail = layer.flush()
            for later in layers[index + 1 :]:
                tail = later.decode(tail, limit - size)
            size += len(tail)
            if size > limit:
                raise ResponseTooLarge(limit)
            parts.append(tail)
        return b"".join(parts)
    finally:
        response.close()


def decoded_response(response: httpx.Response, body: bytes) -> httpx.Response:
    """`response` with its body read: `body`, already decoded (so no content-encoding)."""
    headers = [(k, v) for k, v in response.headers.multi_items() if k.lower() != "content-encoding"]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions=response.extensions,
    )
