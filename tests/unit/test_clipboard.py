"""backend.system.clipboard: the system's clipboard tool, named; a deadline; words, never
an exception's name."""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import pytest

from backend.system import clipboard
from backend.system.clipboard import MAX_COPY_CHARS, copy_native, osc52_known_unsupported

URL = "https://claude.ai/oauth/authorize?code=true&state=abc"


def _path(bin_dir: Path) -> str:
    """The stand-ins, and beside them only the system commands they run (cat, sleep): a
    real clipboard tool on this machine (xsel, wl-copy) must not join the test."""
    system = bin_dir.parent / "system-bin"
    system.mkdir(exist_ok=True)
    for command in ("cat", "sleep"):
        found = shutil.which(command)
        assert found is not None, command
        link = system / command
        if not link.exists():
            link.symlink_to(found)
    return f"{bin_dir}{os.pathsep}{system}"


def _tool(folder: Path, name: str, body: str) -> Path:
    """A stand-in clipboard tool: a shell script that does `body` with the text on stdin."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_the_first_tool_that_works_copies_and_is_named(tmp_path: Path) -> None:
    got = tmp_path / "got"
    bin_dir = tmp_path / "bin"
    _tool(bin_dir, "xclip", f'cat > "{got}"')
    env = {"DISPLAY": ":0", "PATH": _path(bin_dir)}
    result = copy_native(URL, env, platform="linux")
    assert (result.ok, result.tool) == (True, "xclip")
    assert got.read_text(encoding="utf-8") == URL


def test_wayland_comes_before_x_and_a_failing_tool_falls_through(tmp_path: Path) -> None:
    got = tmp_path / "got"
    bin_dir = tmp_path / "bin"
    _tool(bin_dir, "wl-copy", "exit 1")
    _tool(bin_dir, "xclip", "exit 1")
    _tool(bin_dir, "xsel", f'cat > "{got}"')
    env = {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0", "PATH": _path(bin_dir)}
    result = copy_native(URL, env, platform="linux")
    assert (result.ok, result.tool) == (True, "xsel")


def test_no_tool_says_so(tmp_path: Path) -> None:
    # No display: xclip and xsel are not even tried (they could only fail).
    _tool(tmp_path / "bin", "xclip", "exit 0")
    result = copy_native(URL, {"PATH": _path(tmp_path / "bin")}, platform="linux")
    assert result == clipboard.CopyResult(False, "no clipboard tool")


def test_a_tool_that_hangs_is_given_up_within_the_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clipboard, "COPY_DEADLINE", 0.5)
    _tool(tmp_path / "bin", "xclip", "exec sleep 30")
    env = {"DISPLAY": ":0", "PATH": _path(tmp_path / "bin")}
    began = time.monotonic()
    result = copy_native(URL, env, platform="linux")
    # Given up at the deadline, far from the 30 s the tool would take.
    assert time.monotonic() - began < 20
    assert not result.ok
    assert result.message == "xclip did not work here"
    assert "Error" not in result.message and "Exception" not in result.message


def test_too_long_is_not_copied(tmp_path: Path) -> None:
    got = tmp_path / "got"
    _tool(tmp_path / "bin", "xclip", f'cat > "{got}"')
    env = {"DISPLAY": ":0", "PATH": _path(tmp_path / "bin")}
    result = copy_native("x" * (MAX_COPY_CHARS + 1), env, platform="linux")
    assert not result.ok and not got.exists()


def test_osc52_known_unsupported_only_for_macos_terminal() -> None:
    assert osc52_known_unsupported({"TERM_PROGRAM": "Apple_Terminal"})
    assert not osc52_known_unsupported({"TERM_PROGRAM": "iTerm.app"})
    assert not osc52_known_unsupported({})
