"""A real forwarding proxy for the network tests: proxy.py (from PyPI) in its own process.

It listens on 127.0.0.1 (a port of its own) and forwards plain-HTTP requests and CONNECT
tunnels, as a company proxy does. What it forwarded is read from its access log, one
line per request: `GET 127.0.0.1:PORT/v1/models - 200 OK …` for plain HTTP, and only
`CONNECT 127.0.0.1:PORT` for https (it never sees inside the tunnel).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

STARTUP_DEADLINE = 60.0


class ForwardProxy:
    """`with ForwardProxy(tmp_path) as proxy:` runs it; `proxy.url` goes in HTTP(S)_PROXY."""

    def __init__(self, workdir: Path) -> None:
        self._dir = workdir
        self._log = workdir / "proxy.log"
        self._port_file = workdir / "proxy.port"
        self._process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self) -> ForwardProxy:
        self._dir.mkdir(parents=True, exist_ok=True)
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(
                [
                    sys.executable,
                    *("-m", "proxy", "--hostname", "127.0.0.1", "--port", "0"),
                    *("--port-file", str(self._port_file)),
                    *("--num-acceptors", "1", "--num-workers", "1", "--log-level", "INFO"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self._dir,
                # proxy.py keeps a folder in HOME (~/.proxy): this run's stays in the test's.
                env={**os.environ, "HOME": str(self._dir)},
            )
        text = self._wait(lambda: self._port_text(), STARTUP_DEADLINE, "to listen")
        self.port = int(text)
        return self

    def _port_text(self) -> str:
        assert self._process is not None
        if self._process.poll() is not None:
            raise RuntimeError(f"proxy.py exited: {self._log.read_text(errors='replace')}")
        text = self._port_file.read_text().strip() if self._port_file.exists() else ""
        return text if text.isdigit() else ""

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def __enter__(self) -> ForwardProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def lines(self) -> list[str]:
        """What it forwarded so far: the request part of each access-log line."""
        text = self._log.read_text(errors="replace") if self._log.exists() else ""
        return [line.split(" - ", 3)[-1] for line in text.splitlines() if "access_log" in line]

    def wait_for(self, needle: str, deadline: float = 30.0) -> list[str]:
        """The access-log lines once one of them holds `needle` (a line is written when
        its request ends: after the client closed a kept-alive connection or tunnel)."""
        self._wait(lambda: any(needle in line for line in self.lines()), deadline, needle)
        return self.lines()

    def log_text(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def _wait(self, ready: Callable[[], object], deadline: float, what: str) -> str:
        end = time.monotonic() + deadline
        while True:
            value = ready()
            if value:
                return str(value)
            if time.monotonic() > end:
                raise TimeoutError(f"proxy.py: nothing for {what!r}:\n{self.log_text()}")
            time.sleep(0.02)
