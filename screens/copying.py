"""Copy a text for the person, only when they ask: the system's clipboard tool first, else
the terminal's (OSC 52), and the line under the button says in words which way it went.

The sign-in link and Done's command to start Seal are copied the same way. Never an
exception's name: "Copied to the clipboard (xclip).", "Copied with OSC 52 — …", or
"Could not copy: no clipboard tool; select the link above."
"""

from __future__ import annotations

import asyncio

from textual.widgets import Static

from backend.services import Services
from screens.plain import plain


async def copy_text(
    services: Services, status: Static, text: str, what: str, note: str = ""
) -> None:
    """Copy `text` (called `what`, lower case, in the status line, after `note`)."""
    result = await asyncio.to_thread(services.copy_native, text)
    if result.ok:
        tool = f" ({result.tool})" if result.tool else ""
        status.update(plain(f"{note}Copied to the clipboard{tool}."))
        status.set_classes("ok")
        return
    if services.osc52_known_unsupported():
        status.update(plain(f"{note}Could not copy: {result.message}; select the {what} above."))
        status.set_classes("warning")
        return
    status.app.copy_to_clipboard(text)
    status.update(
        plain(
            f"{note}Copied with OSC 52 — your terminal may not support it; if pasting gives "
            f"nothing, select the {what} above."
        )
    )
    status.set_classes("warning")
