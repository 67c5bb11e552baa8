"""Canary secrets and the search for them: where a secret may be, and where it must not.

A canary is a well-shaped secret (the provider's prefix and length) whose hidden part
carries the marker `LEAKCANARY`. The fingerprint the UI shows (the public prefix, three
body characters, the last four) is allowed to appear; anything else of it is a leak.
`needles(canary)` is the full value plus every 12-character window of the part the
fingerprint never shows, so a truncated, wrapped or partly echoed secret is found too.
"""

from __future__ import annotations

import html
import logging
import os
import re
import secrets
import string
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from backend.auth.paste import known_prefix

MARKER = "LEAKCANARY"
WINDOW = 12
_ALPHABET = string.ascii_letters + string.digits


def canary(prefix: str, length: int, tag: str) -> str:
    """A secret of `length` chars starting with `prefix`, its hidden part marked."""
    head = "".join(secrets.choice(_ALPHABET) for _ in range(3))
    middle = f"{MARKER}{tag}"
    filler = length - len(prefix) - len(head) - len(middle) - 4
    assert filler >= 12, (prefix, length, tag)
    body = "".join(secrets.choice(_ALPHABET) for _ in range(filler))
    value = prefix + head + middle + body + "AAAA"
    assert len(value) == length
    return value


def hidden_part(secret: str) -> str:
    """What the fingerprint never shows: the body without its first 3 and last 4 chars."""
    prefix = known_prefix(secret)
    return secret[len(prefix) + 3 : -4]


def needles(secret: str) -> list[str]:
    """The full secret and every WINDOW-char window of its hidden part."""
    hidden = hidden_part(secret)
    windows = {hidden[i : i + WINDOW] for i in range(len(hidden) - WINDOW + 1)}
    return [secret, *sorted(windows)]


def leaks_in(text: str, secrets_: Iterable[str]) -> list[str]:
    """Which needles of which secrets occur in `text` (empty: no leak). Also tried with
    the text's line breaks and padding removed, since a screen wraps long values."""
    flat = "".join(line.strip() for line in text.splitlines())
    found = []
    for secret in secrets_:
        for needle in needles(secret):
            if needle in text or needle in flat:
                found.append(needle)
                break
    return found


def svg_text(svg: str) -> str:
    """The characters of a Textual/Rich SVG screenshot, one line per row as far as the
    SVG keeps rows apart (each row's text elements share a `y`)."""
    rows: dict[str, list[str]] = {}
    for y, body in re.findall(r"<text[^>]*\by=\"([\d.]+)\"[^>]*>(.*?)</text>", svg, re.S):
        rows.setdefault(y, []).append(html.unescape(re.sub(r"<[^>]+>", "", body)))
    ordered = sorted(rows.items(), key=lambda item: float(item[0]))
    return "\n".join("".join(parts).replace("\xa0", " ") for _, parts in ordered)


class RecordingHandler(logging.Handler):
    """Every record at every level, formatted with its traceback (what a log file gets)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record) + " " + repr(record.args))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def files_holding(root: Path, secrets_: Iterable[str]) -> dict[Path, list[str]]:
    """Every file under `root` whose bytes contain a needle of the secrets."""
    wanted = list(secrets_)
    out: dict[Path, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        try:
            text = path.read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        found = leaks_in(text, wanted)
        if found:
            out[path] = found
    return out


# --- argv of a running process tree ---------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    task_dir = Path(f"/proc/{pid}/task")
    try:
        tasks = list(task_dir.iterdir())
    except OSError:
        return kids
    for task in tasks:
        try:
            kids += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return kids


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants alive right now."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(_children(current))
    return out


def cmdline(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode("utf-8", "replace")


@dataclass
class ArgvSamples:
    """argv of a process tree sampled while it runs: /proc cmdlines and `ps -eo args`."""

    cmdlines: list[str] = field(default_factory=list)
    ps_outputs: list[str] = field(default_factory=list)

    def sample(self, pid: int) -> bool:
        """One sample; False when the process is gone."""
        alive = False
        for each in tree(pid):
            line = cmdline(each)
            if line:
                alive = True
                self.cmdlines.append(line)
        if alive:
            done = subprocess.run(
                ["ps", "-eww", "-o", "pid,args"],
                capture_output=True,
                text=True,
                timeout=10,
                env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "COLUMNS": "100000"},
            )
            self.ps_outputs.append(done.stdout)
        return alive

    @property
    def text(self) -> str:
        return "\n".join(self.cmdlines + self.ps_outputs)
