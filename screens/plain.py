"""Text that may hold data, for widgets: never markup, every control shown escaped.

Model ids, agent names, profiles, labels, paths and error messages come from seal.toml,
the store, a provider or the network. Rendered as markup, `[@click=app.quit]` would run
an app action and `[/]` would crash the screen; rendered raw, an escape sequence would
reach the terminal. `plain()` gives a Content, which Textual never parses as markup,
with `backend.system.display.visible()` applied (the one escaping rule).
"""

from __future__ import annotations

from textual.content import Content

from backend.system.display import visible


def plain(*lines: str) -> Content:
    """One line per argument; a newline inside an argument is shown escaped too, so a
    value cannot fake a line of its own."""
    return Content("\n".join(visible(line) for line in lines))


def plain_block(text: str) -> Content:
    """Text whose line breaks are its own (a message, a file's content): kept."""
    return Content(visible(text, lines=True))
