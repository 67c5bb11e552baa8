"""Copy text to the person's clipboard with the system's own tool, saying which one.

The tools, in the order they are tried where they can work: `pbcopy` (macOS), `clip.exe`
(Windows, WSL), `wl-copy` (a Wayland session), `xclip` then `xsel` (an X display). Each
runs with the text on its stdin, a size limit and a deadline: a tool that hangs (an X
server that never answers) cannot hold the wizard. The terminal's own clipboard (OSC 52)
belongs to the UI, which owns the terminal; `osc52_known_unsupported` says where it is
known not to work. Nothing here raises: the result says what happened in words.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass

# A sign-in link or a command is well under 1 KiB; anything near this is not ours to copy.
MAX_COPY_CHARS = 64 * 1024
# xclip and xsel answer in milliseconds, or never (an X server that does not respond).
COPY_DEADLINE = 3.0


@dataclass(frozen=True)
class CopyResult:
    """Whether a native copy worked, the tool that did it (or ""), and why not."""

    ok: bool
    message: str
    tool: str = ""


@dataclass(frozen=True)
class _Tool:
    name: str
    argv: tuple[str, ...]


def _candidates(env: Mapping[str, str], platform: str) -> list[_Tool]:
    tools: list[_Tool] = []
    if platform == "darwin":
        tools.append(_Tool("pbcopy", ("pbcopy",)))
    if platform == "win32" or env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"):
        tools.append(_Tool("clip.exe", ("clip.exe",)))
    if env.get("WAYLAND_DISPLAY"):
        tools.append(_Tool("wl-copy", ("wl-copy",)))
    if env.get("DISPLAY"):
        tools.append(_Tool("xclip", ("xclip", "-selection", "clipboard", "-in")))
        tools.append(_Tool("xsel", ("xsel", "--clipboard", "--input")))
    return tools


def copy_native(
    text: str, env: Mapping[str, str] | None = None, platform: str | None = None
) -> CopyResult:
    """Copy `text` with the first clipboard tool that is installed and works here."""
    env = os.environ if env is None else env
    if len(text) > MAX_COPY_CHARS:
        return CopyResult(False, "the text is too long to copy")
    search = env.get("PATH", "")
    tried: list[str] = []
    for tool in _candidates(env, platform or sys.platform):
        found = shutil.which(tool.argv[0], path=search)
        if found is None:
            continue
        tried.append(tool.name)
        try:
            done = subprocess.run(
                (found, *tool.argv[1:]),
                input=text.encode("utf-8"),
                # The tool may stay behind to serve the selection (xclip does): it must
                # not hold a pipe of ours open, or the wait would last until it exits.
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=COPY_DEADLINE,
                env=dict(env),
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if done.returncode == 0:
            return CopyResult(True, f"copied with {tool.name}", tool.name)
    if tried:
        return CopyResult(False, f"{' and '.join(tried)} did not work here")
    return CopyResult(False, "no clipboard tool")


def osc52_known_unsupported(env: Mapping[str, str] | None = None) -> bool:
    """The terminal is known to ignore OSC 52 (macOS Terminal), so sending it is pointless."""
    env = os.environ if env is None else env
    return env.get("TERM_PROGRAM") == "Apple_Terminal"
