"""Core dumps off while seal-setup runs, and back as they were for a program it starts.

A core file would hold every secret in memory, so the process never writes one. Only the
soft limit is lowered: the hard limit stays, so the limit can be given back to a program
that `seal-setup run` execs (Seal decides about its own core files, as it would when
started from the shell).
"""

from __future__ import annotations

import contextlib

_at_start: tuple[int, int] | None = None


def disable() -> None:
    """Lower the soft core-file limit to 0, remembering what it was."""
    global _at_start
    with contextlib.suppress(ImportError, OSError, ValueError):  # no such limit (Windows)
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
        if _at_start is None:
            _at_start = (soft, hard)


def restore() -> None:
    """Give back the limit seal-setup started with (before exec'ing another program)."""
    if _at_start is None:
        return
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, _at_start)
