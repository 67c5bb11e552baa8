"""Canary secrets through the wizard's walks: the cases, and the checks that they leak nowhere.

Each case is one auth method with canaries (tests/reliability/leakcheck.py) that the fake
provider accepts or hands out (`arm`). A walk run with `run_test(message_hook=walk.hook)`
keeps the screen at every button press (every Next, Sign in, Write, Finish: each step as
answered) and the pending sign-in file while it exists; `walk.verify()` then finds the
canaries nowhere but the store: not on screen, in logs at any level (tracebacks too), in
Textual's log file, in the pending file, in the repr of what holds them, in seal.toml or its
backups or any other file under the project and HOME (Claude Code's own file aside).

The `canaries` fixture (logs at DEBUG, Textual's log to a file, the tally) is what a test
takes; this module is a plugin of the root conftest, so tests/tui and tests/reliability both
have it. The tally's categories ("leaks: screen", …) are README's Reliability table.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import textual.constants
from textual import events
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Button

from tests.fakes.provider import FakeProvider
from tests.reliability.leakcheck import RecordingHandler, canary, files_holding, leaks_in, svg_text
from tests.support.tally import Tally
from tests.tui.harness import Harness

# seal.toml as a project has it before the walk: the walk's write leaves a backup to check.
EXISTING_TOML = (
    '# my project\n[model]\nprovider = "openai"  # keep me\nname = "gpt-5"\nauth = "env"\n'
)
SIGN_INS = ("oauth", "console_oauth")
SECRET_FIELDS = ("api_key", "setup_token", *SIGN_INS)  # a masked field the person fills


@dataclass(frozen=True)
class Case:
    """One method and the canaries it carries (the first is what the person supplies)."""

    id: str
    provider: str
    method: str
    canaries: tuple[str, ...]
    stored: bool  # kept in seal's store (else read from the env / Claude Code at run time)
    model: str


def make_cases() -> list[Case]:
    """Fresh canaries for every method (and each API-key provider)."""
    return [
        Case(
            "api_key-anthropic",
            "anthropic",
            "api_key",
            (canary("sk-ant-api03-", 108, "Ak"),),
            True,
            "claude-sonnet-4-6",
        ),
        Case(
            "api_key-openrouter",
            "openrouter",
            "api_key",
            (canary("sk-or-v1-", 73, "Or"),),
            True,
            "anthropic/claude-sonnet-4.6",
        ),
        Case(
            "api_key-openai",
            "openai",
            "api_key",
            (canary("sk-proj-", 176, "Oa"),),
            True,
            "gpt-5",
        ),
        Case(
            "setup_token",
            "anthropic",
            "setup_token",
            (canary("sk-ant-oat01-", 108, "St"),),
            True,
            "claude-sonnet-4-6",
        ),
        Case(
            "oauth",
            "anthropic",
            "oauth",
            (canary("sk-ant-oat01-", 108, "Ac"), canary("sk-ant-ort01-", 108, "Rf")),
            True,
            "claude-sonnet-4-6",
        ),
        Case(
            "console_oauth",
            "anthropic",
            "console_oauth",
            # the minted key is stored; the sign-in's own tokens are used once and dropped
            (
                canary("sk-ant-api03-", 108, "Mk"),
                canary("sk-ant-oat01-", 108, "Ca"),
                canary("sk-ant-ort01-", 108, "Cr"),
            ),
            True,
            "claude-sonnet-4-6",
        ),
        Case(
            "claude_code",
            "anthropic",
            "claude_code",
            (canary("sk-ant-oat01-", 108, "Cc"), canary("sk-ant-ort01-", 108, "Cd")),
            False,
            "claude-sonnet-4-6",
        ),
        Case(
            "env",
            "anthropic",
            "env",
            (canary("sk-ant-api03-", 108, "Ev"),),
            False,
            "claude-sonnet-4-6",
        ),
    ]


CASES = make_cases()
CASE_IDS = [c.id for c in CASES]


def case_for(case_id: str) -> Case:
    """The case `case_id` with canaries of its own (no two tests share one)."""
    return next(c for c in make_cases() if c.id == case_id)


def arm(fake: FakeProvider, case: Case) -> None:
    """Make the fake accept (or hand out) the case's canaries."""
    first = case.canaries[0]
    if case.method == "api_key":
        fake.add_key(case.provider, first)
    elif case.method == "setup_token":
        fake.add_key("anthropic-bearer", first)
    elif case.method == "oauth":
        fake.next_tokens.append((case.canaries[0], case.canaries[1]))
    elif case.method == "console_oauth":
        fake.next_api_keys.append(first)
        fake.next_tokens.append((case.canaries[1], case.canaries[2]))
    elif case.method == "claude_code":
        fake.add_key("anthropic-bearer", first)
    elif case.method == "env":
        fake.add_key("anthropic", first)


def write_claude_code(
    path: Path,
    access: str,
    refresh: str,
    expires: datetime | None = None,
) -> Path:
    """Claude Code's credentials file at `path` (0600), valid 5 h 30 min unless told."""
    path.parent.mkdir(parents=True, exist_ok=True)
    when = expires or datetime.now(UTC) + timedelta(hours=5, minutes=30)
    body = {
        "claudeAiOauth": {
            "accessToken": access,
            "refreshToken": refresh,
            "expiresAt": int(when.timestamp() * 1000),
            "scopes": ["user:inference", "user:profile"],
            "subscriptionType": "max",
        }
    }
    path.write_text(json.dumps(body), encoding="utf-8")
    path.chmod(0o600)
    return path


def check(tally: Tally, where: str, text: str, secrets: tuple[str, ...], what: str = "") -> None:
    """Record and assert: no needle of `secrets` in `text`."""
    found = leaks_in(text, secrets)
    tally.record(f"leaks: {where}", not found)
    assert not found, f"a secret leaked into {where} {what}: {found[0][:6]}…"


def check_files(
    tally: Tally, roots: list[Path], secrets: tuple[str, ...], allowed: set[Path]
) -> None:
    """Every file under `roots` but the `allowed` ones (the store, Claude Code's file)."""
    for root in roots:
        holding = files_holding(root, secrets)
        stray = sorted(str(p) for p in holding if p not in allowed)
        for name in ("seal.toml", "seal.toml.bak"):
            # seal.toml.bak and the older versions kept beside it (.bak.1, .bak.2).
            here = [p for p in root.rglob(name + ("*" if name.endswith(".bak") else ""))]
            for path in here:
                check(tally, name, path.read_text(encoding="utf-8"), secrets, str(path))
        tally.record("leaks: other files", not stray)
        assert not stray, f"a secret was written to {stray}"


@dataclass
class Shots:
    """Screen text taken when a test says (from export_screenshot), checked at the end."""

    pilot: Pilot[Any]
    texts: list[tuple[str, str]] = field(default_factory=list)

    async def take(self, label: str) -> None:
        await self.pilot.pause()
        svg = self.pilot.app.export_screenshot()
        self.texts.append((label, svg_text(svg)))


@dataclass
class Walk:
    """One wizard walk of a case, watched through `hook` (run_test's message_hook)."""

    case: Case
    h: Harness
    canaries: Canaries
    claude_code_file: Path | None = None
    shots: list[tuple[str, str]] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)  # the screens with a secret field
    _pressed: list[Message] = field(default_factory=list)

    def hook(self, message: Message) -> None:
        """Every button press: the screen as answered. A bubbling message reaches the hook
        once per widget it passes, so each press is kept once."""
        if isinstance(message, (Button.Pressed, events.ScreenResume)):
            self._read_pending()
        if not isinstance(message, Button.Pressed):
            return
        if any(seen is message for seen in self._pressed):
            return
        self._pressed.append(message)
        from screens.authorize import AuthorizeScreen
        from screens.secret_entry import SecretEntryScreen

        app = self.h.app
        label = f"{type(app.screen).__name__} #{message.button.id}"
        text = svg_text(app.export_screenshot())
        self.shots.append((label, text))
        if isinstance(app.screen, (SecretEntryScreen, AuthorizeScreen)):
            self.masked.append(text)

    def _read_pending(self) -> None:
        if self.case.method not in SIGN_INS:
            return
        from backend.auth.oauth import pending_path

        mode = "max" if self.case.method == "oauth" else "console"
        path = pending_path(mode, self.h.services.env)
        # Not written yet, or the exchange is done with it (removed between any two reads).
        with contextlib.suppress(FileNotFoundError):
            self.pending.append(path.read_text(encoding="utf-8"))

    def verify(self) -> None:
        """The store holds the first canary (else the walk proves nothing); nothing else
        holds any: screens, logs, Textual's log, the pending file, reprs, files."""
        case, h, tally, secrets = self.case, self.h, self.canaries.tally, self.case.canaries
        stored = h.stored(case.provider)
        if case.stored:
            assert stored is not None
            assert case.canaries[0] in (stored.secret, stored.access_token)
            assert case.canaries[0] in stored.to_json()
        else:
            assert stored is None
        assert len(self.shots) >= 6, f"a screen at every step: {[s for s, _ in self.shots]}"
        for label, text in self.shots:
            check(tally, "screen", text, secrets, f"(step {label})")
        if case.method in SECRET_FIELDS:
            assert any("•" in text for text in self.masked), "the masked field shows bullets"
        logs, caplog = self.canaries.logs, self.canaries.caplog
        log_text = logs.text + "\n" + caplog.text
        log_text += "\n".join(r.getMessage() for r in caplog.records)
        check(tally, "logs", log_text, secrets)
        textual_log = self.canaries.textual_log
        textual_text = textual_log.read_text(encoding="utf-8") if textual_log.exists() else ""
        check(tally, "textual log", textual_text, secrets)
        if case.method in SIGN_INS:
            assert self.pending, "the pending sign-in file was there during the exchange"
            check(tally, "pending sign-in file", "\n".join(self.pending), secrets)
        answers = h.app.answers
        reprs = [repr(answers), str(answers), repr(answers.record), str(answers.record)]
        if answers.record is not None:
            from backend.providers.base import Auth

            report = h.services.check(case.provider, answers.record)
            reprs += [repr(report), repr(report.result), str(report.result.message)]
            reprs.append(repr(Auth.from_record(answers.record)))
        check(tally, "repr", "\n".join(reprs), secrets)
        roots = [h.config_path.parent, self.canaries.home]
        allowed = set()
        if self.claude_code_file is not None:
            allowed.add(self.claude_code_file)
            roots.append(self.claude_code_file.parent)
        check_files(tally, sorted(set(roots)), secrets, allowed)
        assert h.config_path.with_name("seal.toml.bak").exists()


@dataclass
class Canaries:
    """What the `canaries` fixture gives: a case armed at the fake, and walks to watch."""

    fake: FakeProvider
    tally: Tally
    logs: RecordingHandler
    caplog: pytest.LogCaptureFixture
    textual_log: Path
    home: Path

    def case(self, case_id: str) -> Case:
        """The case with fresh canaries, the fake accepting (or handing out) them."""
        case = case_for(case_id)
        arm(self.fake, case)
        return case

    def watch(self, case: Case, h: Harness, claude_code_file: Path | None = None) -> Walk:
        return Walk(case, h, self, claude_code_file)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[RecordingHandler]:
    """Everything logged at DEBUG and up: caplog plus a handler on the root logger."""
    caplog.set_level(logging.DEBUG)
    handler = RecordingHandler()
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


@pytest.fixture
def textual_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Textual's own log (TEXTUAL_LOG) written to a file for the test."""
    path = tmp_path / "textual.log"
    monkeypatch.setattr(textual.constants, "LOG_FILE", str(path))
    return path


@pytest.fixture
def canaries(
    fake_provider: FakeProvider,
    tally: Tally,
    logs: RecordingHandler,
    caplog: pytest.LogCaptureFixture,
    textual_log: Path,
    isolated_env: Path,
) -> Canaries:
    """Canary cases for the fake, and walks checked for them at every level."""
    return Canaries(fake_provider, tally, logs, caplog, textual_log, isolated_env)
