"""Facts about where we run: SSH, a display, WSL, and whether opening a browser makes sense."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Environment:
    """What the Welcome screen reports and what decides browser auto-open."""

    ssh: bool
    display: bool
    wsl: bool
    no_browser_env: bool

    @property
    def can_open_browser(self) -> bool:
        """Auto-open only where a browser can appear on the person's own screen."""
        return not (self.no_browser_env or self.ssh or not self.display)

    @property
    def browser_reason(self) -> str:
        """Why the URL will not be opened automatically ("" when it will)."""
        if self.no_browser_env:
            return "SEAL_NO_BROWSER is set"
        if self.ssh:
            return "this is an SSH session"
        if not self.display:
            return "no graphical display was found"
        return ""

    def describe(self) -> str:
        """One line for the Welcome screen."""
        parts = []
        if self.ssh:
            parts.append("SSH session")
        if self.wsl:
            parts.append("WSL")
        if not self.display:
            parts.append("no display")
        return ", ".join(parts) if parts else "local desktop"


def detect(env: Mapping[str, str] | None = None, platform: str | None = None) -> Environment:
    """Read the environment (defaults: os.environ and sys.platform)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    ssh = bool(env.get("SSH_CONNECTION") or env.get("SSH_TTY") or env.get("SSH_CLIENT"))
    wsl = bool(env.get("WSL_DISTRO_NAME") or env.get("WSL_INTEROP"))
    if platform.startswith("linux") and not wsl:
        display = bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    else:
        # macOS, Windows and WSL open browsers through the host, without DISPLAY.
        display = True
    no_browser = env.get("SEAL_NO_BROWSER", "").strip().lower() not in ("", "0", "false", "no")
    return Environment(ssh=ssh, display=display, wsl=wsl, no_browser_env=no_browser)
