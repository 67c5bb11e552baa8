"""What every crash test checks: the report file, the short message, and where canaries are.

The canaries: one in the credential store (an API key), two in the wizard's current
credential (an OAuth record whose refresh token has no key shape, so only the app's
list of known secrets can hide it), and one pasted or piped in where a case needs it.
A forced failure carries them in its message and in a local variable: all of them where
the app holds the current credential, else the key-shaped ones (a secret the app does not
hold and that has no key shape cannot be recognised).
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

from backend.credentials.record import CredentialRecord, utcnow
from tests.reliability.conftest import Tally
from tests.reliability.leakcheck import canary, files_holding, leaks_in

CATEGORY = "crash reports"
STORE_KEY = canary("sk-ant-api03-", 108, "Cs")
ACCESS_TOKEN = canary("sk-ant-oat01-", 108, "Ca")
PLAIN_TOKEN = canary("", 64, "Cp")  # no known key shape
PASTED_KEY = canary("sk-ant-api03-", 108, "Ck")
CANARIES = (STORE_KEY, ACCESS_TOKEN, PLAIN_TOKEN, PASTED_KEY)

STOPPED = "seal-setup stopped on an unexpected error"
FRAME_LINE = re.compile(r'File "[^"]+\.py", line \d+, in \w+')


def crashed(output: str) -> bool:
    """The console script's output shows a crash: a traceback, or the short message."""
    return "Traceback" in output or STOPPED in output


def stored_record() -> CredentialRecord:
    return CredentialRecord("anthropic", "default", "api_key", secret=STORE_KEY)


def current_record() -> CredentialRecord:
    return CredentialRecord(
        "anthropic",
        "default",
        "oauth",
        access_token=ACCESS_TOKEN,
        refresh_token=PLAIN_TOKEN,
        expires_at=utcnow() + timedelta(hours=5),
    )


def failing(*secrets: str) -> Callable[..., None]:
    """A stand-in for a backend call that raises with `secrets` in its message and frame."""

    def forced_failure(*args: object, **kwargs: object) -> None:
        held = list(secrets)
        raise ValueError("forced failure holding " + " and ".join(held))

    return forced_failure


def reports(state_home: Path) -> list[Path]:
    return sorted((state_home / "seal").glob("crash-*.txt"))


def check_report(tally: Tally, state_home: Path, function: str = "forced_failure") -> str:
    """Exactly one report, 0600 in a 0700 folder, naming the error and where it happened."""
    found = reports(state_home)
    tally.record(f"{CATEGORY}: report saved", len(found) == 1)
    assert len(found) == 1, found
    path = found[0]
    text = path.read_text(encoding="utf-8")
    mode = stat.S_IMODE(path.stat().st_mode)
    folder = stat.S_IMODE(path.parent.stat().st_mode)
    named = "ValueError: forced failure holding" in text and f", in {function}" in text
    held = mode == 0o600 and folder == 0o700 and named and bool(FRAME_LINE.search(text))
    tally.record(f"{CATEGORY}: report content and mode", held)
    assert mode == 0o600 and folder == 0o700, (oct(mode), oct(folder))
    assert named and FRAME_LINE.search(text), text
    return text


def check_message(tally: Tally, err: str, out: str = "") -> None:
    """The few lines on stderr, and no traceback anywhere."""
    said = f"{STOPPED} (ValueError)." in err
    pointed = "A report without secrets is at " in err
    quiet = "Traceback" not in err + out and "forced failure" not in err + out
    tally.record(f"{CATEGORY}: short message", said and pointed and quiet)
    assert said and pointed, err
    assert quiet, err + out


def check_no_canary(tally: Tally, where: str, text: str) -> None:
    found = leaks_in(text, CANARIES)
    tally.record(f"{CATEGORY}: no secret on {where}", not found)
    assert not found, f"a canary reached {where}: {found[0][:8]}…"


def check_disk(tally: Tally, roots: Iterable[Path], allowed: Iterable[Path] = ()) -> None:
    """No file under `roots` but the `allowed` ones (the store) holds a canary."""
    keep = set(allowed)
    stray = sorted(
        str(path) for root in roots for path in files_holding(root, CANARIES) if path not in keep
    )
    tally.record(f"{CATEGORY}: no secret on disk", not stray)
    assert not stray, f"a canary was written to {stray}"
