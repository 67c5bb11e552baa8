"""An unexpected error's way out, for the command line and the wizard alike.

`report_unexpected` saves a report without secrets (backend.crash_report) and gives the
lines to show instead of a traceback; `version` is the installed version it names (and
what `--version` prints). Both stay here, below `tui.cli`, so the App can use them
without importing the command line.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend.credentials.record import CredentialRecord


def version() -> str:
    """The installed package's version."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("seal-setup")
    except PackageNotFoundError:
        return "0.0.0+unknown"


def report_unexpected(
    error: BaseException,
    env: Mapping[str, str],
    records: Sequence[CredentialRecord | None] = (),
    changes: str = "",
) -> str:
    """Save the redacted report of an unexpected error; the message to show for it.

    `records` hold secrets to keep out of the report (the wizard's current credential);
    `changes` says what was written before the error, if that is known.
    """
    from backend.crash_report import save_crash_report, stopped_message

    about: tuple[str, ...] = ()
    with contextlib.suppress(Exception):  # a broken install's metadata: no version line
        about = (f"seal-setup {version()}",)
    report = save_crash_report(error, env=env, records=records, about=about)
    return stopped_message(error, report, changes, env)
