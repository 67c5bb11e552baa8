"""Copy a text for the person: the system clipboard first, else the terminal's (OSC 52).

The sign-in link and Done's command to start Seal are copied the same way, and the line
under the button says which way worked and what to do when pasting gives nothing.
"""

from __future__ import annotations

import asyncio

from textual.widgets import Static

from backend.services import Services
from screens.plain import plain


async def copy_text(
    services: Services, status: Static, text: str, what: str, note: str = ""
) -> None:
    """Copy `text` (called `what` in the status line, after `note`) and say how it went."""
    result = await asyncio.to_thread(services.copy_native, text)
    if result.ok:
        status.update(plain(f"{note}{what} copied to the system clipboard."))
        status.set_classes("ok")
        return
    status.app.copy_to_clipboard(text)
    status.update(
        plain(
            f"{note}Sent the {what.lower()} to your terminal's clipboard (OSC 52); "
            f"{result.message}. If pasting gives nothing, select the {what.lower()} above with "
            "Shift+drag."
        )
    )
    status.set_classes("warning")
