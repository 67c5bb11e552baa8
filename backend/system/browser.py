"""Open a URL in the person's browser, only where that makes sense, and say what happened."""

from __future__ import annotations

from dataclasses import dataclass

from backend.system.environment import Environment


@dataclass(frozen=True)
class BrowserResult:
    """Whether the browser was asked to open the page, and a sentence for the screen."""

    opened: bool
    message: str


def open_in_browser(url: str, environment: Environment) -> BrowserResult:
    """Blocking (a text browser may take the terminal): call it from a thread worker."""
    if not environment.can_open_browser:
        return BrowserResult(
            False,
            f"Not opening a browser: {environment.browser_reason}. "
            "Copy the link and open it on a machine with a browser.",
        )
    import webbrowser

    try:
        opened = webbrowser.open(url, new=2)
    except Exception as exc:  # webbrowser.Error, OSError from a broken launcher
        return BrowserResult(False, f"Could not start a browser ({type(exc).__name__}).")
    if not opened:
        return BrowserResult(False, "No browser could be started. Copy the link instead.")
    return BrowserResult(True, "Opened in your browser. Sign in there, then paste the code.")
