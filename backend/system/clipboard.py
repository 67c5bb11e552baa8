"""Copy text to the person's clipboard natively (pyperclip), reporting what happened.

The terminal fallback (OSC 52) belongs to the UI, which owns the terminal; this module
only tries the native way and says whether it worked.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CopyResult:
    """Whether a native copy worked, and a sentence saying so."""

    ok: bool
    message: str


def copy_native(text: str) -> CopyResult:
    """Copy with the OS clipboard tool (pbcopy, xclip, xsel, wl-copy, clip.exe)."""
    try:
        import pyperclip
    except ImportError:  # pragma: no cover - pyperclip is a hard dependency
        return CopyResult(False, "no clipboard library available")
    try:
        pyperclip.copy(text)
    except Exception as exc:  # pyperclip raises its own error classes, or OSError
        reason = type(exc).__name__
        return CopyResult(False, f"no system clipboard ({reason})")
    return CopyResult(True, "copied to the system clipboard")
