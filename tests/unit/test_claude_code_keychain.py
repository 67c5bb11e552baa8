"""Claude Code's sign-in on macOS: the keychain entry first, then the file, every outcome.

The darwin path is forced through `claude_code.on_macos`; `security` is the stand-in of
tests/fakes/keychain.py, first on PATH (the `fake_keychain` fixture).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from backend.credentials import claude_code
from backend.credentials.claude_code import find_claude_code, keychain_service
from backend.credentials.health import describe_source, judge
from backend.credentials.record import utcnow
from backend.credentials.resolution import resolve
from tests.fakes.fixtures import FAKE_KEYCHAIN_DEADLINE
from tests.fakes.keychain import SERVICE, FakeSecurity

KEYCHAIN_ACCESS = "sk-ant-oat01-" + "Kc0Kc1" * 16
FILE_ACCESS = "sk-ant-oat01-" + "F1le2F" * 16
REFRESH = "sk-ant-ort01-" + "z9Y8x7" * 16
LABEL = "macOS keychain (Claude Code-credentials)"


def doc(access: str, **extra: object) -> dict[str, object]:
    oauth: dict[str, object] = {
        "accessToken": access,
        "refreshToken": REFRESH,
        "expiresAt": int((time.time() + 3 * 3600) * 1000),
        "subscriptionType": "max",
    }
    oauth.update(extra)
    return {"claudeAiOauth": oauth}


def env() -> dict[str, str]:
    return {"HOME": os.environ["HOME"], "PATH": os.environ["PATH"]}


def write_file(home: Path, access: str = FILE_ACCESS) -> Path:
    path = home / ".claude" / ".credentials.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc(access)))
    return path


def test_found_comes_before_the_file(fake_keychain: FakeSecurity, isolated_env: Path) -> None:
    write_file(isolated_env)
    fake_keychain.holds(doc(KEYCHAIN_ACCESS))
    found = find_claude_code(env())
    assert found.record is not None and found.record.access_token == KEYCHAIN_ACCESS
    assert found.record.refresh_token == REFRESH
    assert found.record.account == {"subscription_type": "max"}
    assert found.where == LABEL and found.problems == ()
    # Exactly §4's read, no shell: the item's password, printed.
    assert fake_keychain.calls() == [["find-generic-password", "-s", SERVICE, "-w"]]


def test_not_found_falls_back_to_the_file_silently(
    fake_keychain: FakeSecurity, isolated_env: Path
) -> None:
    write_file(isolated_env)
    found = find_claude_code(env())
    assert found.record is not None and found.record.access_token == FILE_ACCESS
    assert found.where == "~/.claude/.credentials.json" and found.problems == ()
    assert len(fake_keychain.calls()) == 1


def test_neither_is_none(fake_keychain: FakeSecurity) -> None:
    found = find_claude_code(env())
    assert found.record is None and found.problems == ()
    assert claude_code.searched(env()) == (f"in the {LABEL} or at ~/.claude/.credentials.json")


@pytest.mark.parametrize("mode", ["locked", "denied"])
def test_locked_or_denied_says_so_then_reads_the_file(
    fake_keychain: FakeSecurity, isolated_env: Path, mode: str
) -> None:
    write_file(isolated_env)
    fake_keychain.answer(mode)
    found = find_claude_code(env())
    assert found.record is not None and found.record.access_token == FILE_ACCESS
    assert found.where == "~/.claude/.credentials.json"
    (problem,) = found.problems
    assert LABEL in problem
    assert "locked, or access was denied" in problem
    assert "security unlock-keychain" in problem


def test_locked_without_a_file_is_none_with_the_reason(fake_keychain: FakeSecurity) -> None:
    fake_keychain.answer("locked")
    found = find_claude_code(env())
    assert found.record is None
    assert len(found.problems) == 1 and "locked" in found.problems[0]


@pytest.mark.parametrize(
    ("stdout", "what"),
    [
        ('{"claudeAiOauth": {"accessToken": "' + KEYCHAIN_ACCESS, "is not valid JSON"),
        ('["' + KEYCHAIN_ACCESS + '"]', "is not a JSON object"),
        (json.dumps(doc(KEYCHAIN_ACCESS + "\x07")), "has an accessToken with"),
        (
            json.dumps(doc(KEYCHAIN_ACCESS, expiresAt="soon")),
            "has an expiresAt that is not a number",
        ),
        ("[" * 100 + "]" * 100, "is nested more than"),
    ],
    # Fixed names: an id made of the entry holds a time, and xdist's workers must agree.
    ids=["cut-short", "an-array", "control-character", "expiry-text", "too-deep"],
)
def test_malformed_entry_says_so_without_the_token(
    fake_keychain: FakeSecurity, isolated_env: Path, stdout: str, what: str
) -> None:
    write_file(isolated_env)
    fake_keychain.answer("found", stdout)
    found = find_claude_code(env())
    assert found.record is not None and found.record.access_token == FILE_ACCESS
    (problem,) = found.problems
    assert f"Claude Code's {LABEL} entry {what}" in problem
    assert "seal-setup also looks at ~/.claude/.credentials.json" in problem
    assert KEYCHAIN_ACCESS not in problem and "Kc0Kc1" not in problem


def test_slow_is_stopped_at_the_deadline_then_the_file(
    fake_keychain: FakeSecurity, isolated_env: Path
) -> None:
    write_file(isolated_env)
    fake_keychain.answer("slow")
    started = time.monotonic()
    found = find_claude_code(env())
    took = time.monotonic() - started
    # The fixture's deadline, not the fake's 60 s sleep.
    assert FAKE_KEYCHAIN_DEADLINE <= took < FAKE_KEYCHAIN_DEADLINE + 5
    assert found.record is not None and found.record.access_token == FILE_ACCESS
    (problem,) = found.problems
    assert f"did not answer in {FAKE_KEYCHAIN_DEADLINE:g} s" in problem and "unlock" in problem
    # Killed and reaped: no process is left behind.
    with pytest.raises(ProcessLookupError):
        os.kill(fake_keychain.slow_pid(), 0)


def test_oversized_answer_is_refused(
    fake_keychain: FakeSecurity, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(claude_code, "MAX_FILE_BYTES", 1000)
    fake_keychain.holds(doc(KEYCHAIN_ACCESS, padding="x" * 2000))
    found = find_claude_code(env())
    assert found.record is None
    assert "larger than 1000 bytes" in found.problems[0]


def test_hex_answer_is_decoded(fake_keychain: FakeSecurity) -> None:
    # `security -w` prints a value it will not show as text (here: a trailing newline
    # inside it) in hex.
    text = json.dumps(doc(KEYCHAIN_ACCESS)) + "\n"
    fake_keychain.answer("found", text.encode().hex())
    found = find_claude_code(env())
    assert found.record is not None and found.record.access_token == KEYCHAIN_ACCESS


def test_other_exit_status_is_named(fake_keychain: FakeSecurity, isolated_env: Path) -> None:
    fake_keychain.answer("unknown mode: the stand-in exits 2")
    write_file(isolated_env)
    found = find_claude_code(env())
    assert found.record is not None and found.where == "~/.claude/.credentials.json"
    assert "`security` exited with 2" in found.problems[0]


def test_no_security_command(fake_keychain: FakeSecurity, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    found = find_claude_code({"HOME": os.environ["HOME"], "PATH": str(empty)})
    assert found.record is None
    assert "`security` command was not found" in found.problems[0]
    assert fake_keychain.calls() == []


def test_security_that_cannot_start(fake_keychain: FakeSecurity) -> None:
    (fake_keychain.bin / "security").write_text("#!/nonexistent/interpreter\n")
    found = find_claude_code(env())
    assert found.record is None
    assert "`security` did not start" in found.problems[0]
    assert os.strerror(errno.ENOENT) in found.problems[0]


def test_claude_config_dir_names_its_own_service(
    fake_keychain: FakeSecurity, isolated_env: Path
) -> None:
    # §4: `Claude Code-credentials-<first 8 hex of sha256(config dir)>`, `~` expanded first.
    expanded = str(isolated_env) + "/alt"
    service = f"{SERVICE}-{hashlib.sha256(expanded.encode()).hexdigest()[:8]}"
    cc_env = {**env(), "CLAUDE_CONFIG_DIR": "~/alt"}
    assert keychain_service(cc_env) == service
    assert keychain_service({**env(), "CLAUDE_CONFIG_DIR": expanded}) == service
    assert keychain_service({**env(), "CLAUDE_CONFIG_DIR": ""}) == SERVICE
    fake_keychain.holds(doc(KEYCHAIN_ACCESS), service=service)
    found = find_claude_code(cc_env)
    assert found.record is not None and found.where == f"macOS keychain ({service})"
    assert fake_keychain.calls()[-1] == ["find-generic-password", "-s", service, "-w"]
    # The default entry is not the one for this config dir.
    assert find_claude_code(env()).record is None


def test_not_on_macos_never_asks(fake_keychain: FakeSecurity, monkeypatch, isolated_env) -> None:
    monkeypatch.setattr(claude_code, "on_macos", lambda: False)
    fake_keychain.holds(doc(KEYCHAIN_ACCESS))
    write_file(isolated_env)
    found = find_claude_code(env())
    assert found.record is not None and found.record.access_token == FILE_ACCESS
    assert fake_keychain.calls() == []


def test_resolution_names_the_keychain(fake_keychain: FakeSecurity) -> None:
    fake_keychain.holds(doc(KEYCHAIN_ACCESS))
    resolution = resolve("anthropic", "default", env(), None, auth="claude_code")
    assert resolution.effective is not None
    assert resolution.effective.origin == "claude_code"
    assert resolution.effective.label == LABEL
    assert describe_source(resolution.effective) == f"Claude Code's sign-in in the {LABEL}"
    assert judge(resolution, now=utcnow(), env=env()).state == "ok"


def test_resolution_carries_the_keychain_trouble(
    fake_keychain: FakeSecurity, isolated_env: Path
) -> None:
    fake_keychain.answer("locked")
    resolution = resolve("anthropic", "default", env(), None, auth="claude_code")
    assert resolution.effective is None
    health = judge(resolution, now=utcnow(), env=env())
    assert health.state == "missing"
    assert health.reason.startswith(f"no Claude Code sign-in in the {LABEL} or at ~/.claude/")
    assert "locked, or access was denied" in health.reason
    write_file(isolated_env)
    resolution = resolve("anthropic", "default", env(), None, auth="claude_code")
    health = judge(resolution, now=utcnow(), env=env())
    assert health.state == "ok" and health.source is not None
    assert health.source.label == "~/.claude/.credentials.json"
    assert health.fallback is not None and "locked" in health.fallback
