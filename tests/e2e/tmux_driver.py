"""Drive a program in a real terminal: a detached tmux session on a private socket.

Every `TmuxSession` runs its own tmux server (`tmux -L <unique>`), so tests never see or
touch the developer's tmux. Keys go in with `send-keys`, pastes as a terminal would send
them (`paste-buffer -p`: bracketed when the program asked for it), and the screen comes
back as plain text from `capture-pane -p`.
"""

from __future__ import annotations

import contextlib
import re
import shlex
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

DEFAULT_TIMEOUT = 15.0
POLL = 0.05
# An escape sequence (CSI … final byte) or one plain character of a `capture-pane -e` row.
_SGR_OR_CHAR = re.compile(r"\x1b\[[0-9;:?]*[ -/]*[@-~]|\x1b[^\[]|.", re.S)


class ScreenTimeout(AssertionError):
    """What was waited for never appeared; the message holds the last screen."""


def _tmux_env(env: Mapping[str, str]) -> dict[str, str]:
    # The server inherits the environment of the client that starts it; TMUX must not be
    # set or tmux refuses to nest (when the tests themselves run inside tmux).
    return {k: v for k, v in env.items() if k not in ("TMUX", "TMUX_PANE")}


class TmuxSession:
    """One detached session of `width`×`height` running `command` (a shell line) in `cwd`."""

    def __init__(
        self,
        command: str,
        *,
        cwd: Path,
        env: Mapping[str, str],
        width: int = 80,
        height: int = 24,
    ) -> None:
        self.socket = f"seal-e2e-{uuid.uuid4().hex[:12]}"
        # The socket lives in a folder of its own (TMUX_TMPDIR), removed on close: tmux
        # leaves the socket file behind when its server exits.
        self._socket_dir = tempfile.mkdtemp(prefix="seal-tmux-")
        self.name = "wizard"
        self.env = _tmux_env(env)
        self.last_screen = ""
        self.screens: list[str] = []  # every distinct screen seen, in order
        # `env -i` makes the program's environment exactly `env`, whatever the tmux
        # server's global environment holds; the trailing sleep keeps the pane (and the
        # EXIT= line) on screen after the program ends.
        assignments = " ".join(shlex.quote(f"{k}={v}") for k, v in sorted(self.env.items()))
        line = f"env -i {assignments} sh -c {shlex.quote(command)}; sleep 600"
        # No status line (the program gets every row) and nothing from ~/.tmux.conf.
        conf = Path(self._socket_dir) / "tmux.conf"
        conf.write_text("set-option -g status off\n", encoding="utf-8")
        size = ("-x", str(width), "-y", str(height))
        try:
            self._tmux(
                "-f", str(conf), "new-session", "-d", "-s", self.name, *size, "-c", str(cwd), line
            )
        except BaseException:
            self.close()
            raise

    # -- plumbing ----------------------------------------------------------------------

    def _tmux(self, *args: str, input: bytes | None = None) -> str:
        done = subprocess.run(
            ["tmux", "-u", "-L", self.socket, *args],
            input=input,
            capture_output=True,
            env={**self.env, "TMUX_TMPDIR": self._socket_dir},
            timeout=10,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"tmux {args[0]} failed ({done.returncode}): "
                f"{done.stderr.decode('utf-8', 'replace').strip()}"
            )
        return done.stdout.decode("utf-8", "replace")

    @property
    def target(self) -> str:
        return f"{self.name}:0.0"

    def close(self) -> None:
        """Stop this session's private tmux server (and the program in it)."""
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._tmux("kill-server")
        shutil.rmtree(self._socket_dir, ignore_errors=True)

    def __enter__(self) -> TmuxSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- input -------------------------------------------------------------------------

    def keys(self, *keys: str) -> None:
        """tmux key names, one by one as a person would type them (Enter, Tab, C-n, Down…)."""
        for key in keys:
            self._tmux("send-keys", "-t", self.target, key)

    def type(self, text: str) -> None:
        """Literal text, as typed."""
        self._tmux("send-keys", "-t", self.target, "-l", text)

    def paste(self, text: str) -> None:
        """Paste like a terminal: bracketed (ESC[200~…ESC[201~) when the program enabled it."""
        buffer = f"paste-{uuid.uuid4().hex[:8]}"
        self._tmux("load-buffer", "-b", buffer, "-", input=text.encode("utf-8"))
        self._tmux("paste-buffer", "-p", "-d", "-b", buffer, "-t", self.target)

    # -- output ------------------------------------------------------------------------

    def screen(self) -> str:
        """The visible screen as text, one line per row, trailing spaces dropped."""
        text = self._tmux("capture-pane", "-p", "-t", self.target)
        screen = "\n".join(line.rstrip() for line in text.splitlines())
        if screen != self.last_screen:
            self.screens.append(screen)
        self.last_screen = screen
        return screen

    def background_at(self, text: str) -> str | None:
        """The background colour (its SGR parameters, None for the default) under the first
        character of `text` on the screen: a highlighted row stands out from its siblings.
        Fails when `text` is not on screen."""
        raw = self._tmux("capture-pane", "-p", "-e", "-t", self.target)
        for line in raw.splitlines():
            chars: list[str] = []
            backgrounds: list[str | None] = []
            background: str | None = None
            for token in _SGR_OR_CHAR.findall(line):
                if not token.startswith("\x1b"):
                    chars.append(token)
                    backgrounds.append(background)
                    continue
                params = token[2:-1].split(";") if token.endswith("m") else []
                i = 0
                while i < len(params):
                    code = params[i] or "0"
                    if code in ("0", "49"):
                        background = None
                    elif code == "48" and i + 1 < len(params):
                        width = 3 if params[i + 1] == "5" else 5
                        background = ";".join(params[i : i + width])
                        i += width - 1
                    elif code == "38" and i + 1 < len(params):
                        i += 2 if params[i + 1] == "5" else 4
                    i += 1
            at = "".join(chars).find(text)
            if at >= 0:
                return backgrounds[at]
        raise AssertionError(f"{text!r} is not on screen:\n{self.screen()}")

    def joined_lines(self) -> list[str]:
        """The screen's lines as the terminal holds them (`capture-pane -J`): a line the
        terminal wrapped itself comes back whole, trailing spaces dropped."""
        text = self._tmux("capture-pane", "-p", "-J", "-t", self.target)
        return [line.rstrip() for line in text.splitlines()]

    def wait_for(
        self,
        expected: str | re.Pattern[str] | Callable[[str], bool],
        *,
        timeout: float = DEFAULT_TIMEOUT,
        what: str | None = None,
    ) -> str:
        """Poll the screen until `expected` shows; on timeout fail with the last screen."""
        check: Callable[[str], bool]
        if isinstance(expected, str):
            text = expected
            check, label = (lambda screen: text in screen), repr(text)
        elif isinstance(expected, re.Pattern):
            pattern = expected
            check, label = (lambda screen: pattern.search(screen) is not None), pattern.pattern
        else:
            check, label = expected, "condition"
        label = what or label
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() >= deadline:
                raise ScreenTimeout(
                    f"waited {timeout:g}s for {label}; the screen was:\n"
                    + "-" * 80
                    + "\n"
                    + screen
                    + "\n"
                    + "-" * 80
                )
            time.sleep(POLL)
