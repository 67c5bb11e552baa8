"""backend.crash_report: what a report holds, what it never holds, and how it is written.

A report keeps frames (file, line, function, source line), exception types, causes and
messages; never a frame's variables, a known secret, anything key-shaped, or a control
character. The file is new, 0600, in a 0700 folder, never reached through a symlink, and
only the last few are kept. Saving never raises.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backend.crash_report import (
    KEEP,
    MAX_CHARS,
    MAX_LINE,
    CrashReport,
    known_secrets,
    report_text,
    save_crash_report,
    stopped_message,
)
from backend.credentials.record import CredentialRecord
from tests.reliability.conftest import Tally
from tests.reliability.leakcheck import canary, leaks_in

CATEGORY = "crash reports: file"
KEY = canary("sk-or-v1-", 73, "Fk")
PLAIN = canary("", 60, "Fp")  # not key-shaped: only hidden because it is passed in
NOW = datetime(2026, 12, 1, 10, 15, 30, tzinfo=UTC)


def _failure(message: str) -> ValueError:
    def inner() -> None:
        token = KEY  # a frame local: Textual's report would print it
        plain = PLAIN
        raise ValueError(message.format(token=token, plain=plain))

    try:
        inner()
    except ValueError as exc:
        return exc
    raise AssertionError("inner() did not raise")


def _env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_STATE_HOME": str(tmp_path / "state"), "HOME": str(tmp_path)}


def _folder(tmp_path: Path) -> Path:
    return tmp_path / "state" / "seal"


def test_the_report_names_frames_and_the_error_but_no_local(tally: Tally) -> None:
    text = report_text(_failure("bad value"))
    held = (
        ", in inner" in text
        and "raise ValueError(message.format(token=token, plain=plain))" in text
        and "ValueError: bad value" in text
        and not leaks_in(text, (KEY, PLAIN))
    )
    tally.record(CATEGORY, held)
    assert held, text


def test_messages_causes_and_notes_are_scrubbed(tally: Tally) -> None:
    cause = _failure("upstream said {token} / {plain}")
    try:
        raise RuntimeError(f"while handling {KEY}") from cause
    except RuntimeError as exc:
        exc.add_note(f"note: {PLAIN}")
        text = report_text(exc, secrets=(PLAIN,))
    held = (
        "direct cause of the following exception" in text
        and "RuntimeError: while handling sk-or-v1-" in text
        and "[redacted]" in text
        and not leaks_in(text, (KEY, PLAIN))
    )
    tally.record(CATEGORY, held)
    assert held, text


def test_controls_are_escaped_and_sizes_bounded(tally: Tally) -> None:
    hostile = "title\x1b]0;pwned\x07 clip\x1b]52;c;ZWNobyBoaQ==\x07 \u202eevil\r\x9b2J"
    text = report_text(ValueError(hostile + "x" * 5_000_000 + "\n" * 300_000))
    controls = [ch for ch in text if (ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) < 0xA0]
    held = (
        not controls
        and "\u202e" not in text
        and "\\x1b]52;c;" in text
        and "\\u202e" in text
        and len(text) <= MAX_CHARS + 20
        and all(len(line) <= MAX_LINE for line in text.splitlines())
    )
    tally.record(CATEGORY, held)
    assert held, (controls[:5], len(text))


def test_an_exception_whose_str_fails_is_still_reported(tmp_path: Path, tally: Tally) -> None:
    class Awkward(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    report = save_crash_report(Awkward(), env=_env(tmp_path))
    held = report.path is not None and "Awkward" in report.path.read_text(encoding="utf-8")
    tally.record(CATEGORY, held)
    assert held, report


def test_the_file_is_private_in_a_private_folder(tmp_path: Path, tally: Tally) -> None:
    folder = _folder(tmp_path)
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)  # an existing folder others can read is closed
    old = os.umask(0)
    try:
        report = save_crash_report(_failure("x"), env=_env(tmp_path), now=NOW)
    finally:
        os.umask(old)
    assert report.path is not None, report
    mode = stat.S_IMODE(report.path.stat().st_mode)
    folder_mode = stat.S_IMODE(folder.stat().st_mode)
    held = (
        report.path == folder / "crash-20261201T101530Z.txt"
        and mode == 0o600
        and folder_mode == 0o700
    )
    tally.record(CATEGORY, held)
    assert held, (report, oct(mode), oct(folder_mode))


def test_a_new_folder_is_made_private(tmp_path: Path, tally: Tally) -> None:
    report = save_crash_report(_failure("x"), env=_env(tmp_path))
    folder_mode = stat.S_IMODE(_folder(tmp_path).stat().st_mode)
    tally.record(CATEGORY, report.path is not None and folder_mode == 0o700)
    assert report.path is not None and folder_mode == 0o700, (report, oct(folder_mode))


def test_a_symlinked_folder_is_refused(tmp_path: Path, tally: Tally) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _folder(tmp_path).parent.mkdir(parents=True)
    _folder(tmp_path).symlink_to(elsewhere, target_is_directory=True)
    report = save_crash_report(_failure("x"), env=_env(tmp_path))
    held = report.path is None and report.problem != "" and list(elsewhere.iterdir()) == []
    tally.record(CATEGORY, held)
    assert held, report


def test_a_planted_symlink_at_the_name_is_not_followed(tmp_path: Path, tally: Tally) -> None:
    folder = _folder(tmp_path)
    folder.mkdir(parents=True)
    target = tmp_path / "victim.txt"
    target.write_text("keep me", encoding="utf-8")
    (folder / "crash-20261201T101530Z.txt").symlink_to(target)
    report = save_crash_report(_failure("x"), env=_env(tmp_path), now=NOW)
    held = (
        report.path == folder / "crash-20261201T101530Z-1.txt"
        and report.path.is_file()
        and not report.path.is_symlink()
        and target.read_text(encoding="utf-8") == "keep me"
    )
    tally.record(CATEGORY, held)
    assert held, report


def test_only_the_last_reports_are_kept(tmp_path: Path, tally: Tally) -> None:
    saved = [
        save_crash_report(_failure("x"), env=_env(tmp_path), now=NOW + timedelta(minutes=i))
        for i in range(KEEP + 3)
    ]
    left = sorted(_folder(tmp_path).glob("crash-*.txt"))
    held = left == [r.path for r in saved[-KEEP:]]
    tally.record(CATEGORY, held)
    assert held, left


def test_saving_never_raises(tmp_path: Path, tally: Tally) -> None:
    (tmp_path / "state").mkdir()
    _folder(tmp_path).write_text("a file where the folder goes", encoding="utf-8")
    report = save_crash_report(_failure("x"), env=_env(tmp_path))
    message = stopped_message(ValueError(), report, "Nothing was written.", _env(tmp_path))
    held = report.path is None and "Could not save a report:" in message
    tally.record(CATEGORY, held)
    assert held, message


def test_known_secrets_come_from_the_env_and_the_records() -> None:
    record = CredentialRecord("anthropic", "work", "oauth", access_token=KEY, refresh_token=PLAIN)
    found = known_secrets({"OPENAI_API_KEY": " env-secret ", "PATH": "/bin"}, [record, None])
    assert {"env-secret", KEY, PLAIN} <= set(found)
    assert "/bin" not in found


def test_the_message_points_at_the_report_under_home(tmp_path: Path) -> None:
    report = CrashReport(tmp_path / ".local" / "state" / "seal" / "crash-1.txt")
    message = stopped_message(
        KeyError("x"), report, "Nothing was written.", {"HOME": str(tmp_path)}
    )
    assert message.splitlines() == [
        "seal-setup stopped on an unexpected error (KeyError).",
        "Nothing was written.",
        "A report without secrets is at ~/.local/state/seal/crash-1.txt",
    ]
