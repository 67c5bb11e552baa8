"""Broken seal.toml files: every command says what is wrong with which file, and writes nothing.

The files are generated here. For each: `status` exits 3 naming the file (and line and
column for a syntax error); `onboard --non-interactive` with a good key exits 3 and
writes nothing (seal.toml byte-identical, no backup or temp file, the store unchanged);
`reauth` and `roles` exit 3 before any screen; a sample opens the wizard, whose Welcome
shows the error with Next disabled. Permission cases run the console script as the
unprivileged user `nobody` (the tests run as root, which reads and writes anything).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from backend.credentials.stores import FileStore
from tests.cli.helpers import SEAL_SETUP, subprocess_env
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.reliability.conftest import Tally
from tests.reliability.crashcheck import crashed
from tests.tui.harness import SIZE, build, next_enabled, text_of, wait_for, wait_screen
from tui.app import SealSetupApp
from tui.cli import main

VALID = '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "api_key"\n'
VALID_BYTES = VALID.encode()
POSITION = re.compile(r"line \d+, column \d+")

# (id, the file's bytes, a distinctive part of the message, whether it is a syntax error)
SYNTAX: list[tuple[str, bytes, str]] = [
    ("unclosed-string", b'[model]\nname = "claude\n', "line 2, column 15"),
    ("bad-table-header", b'[model\nname = "x"\n', "line 1, column 7"),
    ("missing-equals", b'[model]\nname "x"\n', "line 2, column 6"),
    ("duplicate-key", b'[model]\nname = "a"\nname = "b"\n', "line 3"),
    ("duplicate-table", b'[model]\nname = "a"\n\n[model]\nauth = "oauth"\n', "line 4"),
    ("unclosed-array", b'[model.roles]\nfallbacks = ["a", "b"\n', "line 3, column 1 (end of file)"),
    ("bare-value", b"[model]\nname = claude-sonnet\n", "line 2"),
    ("bad-escape", b'[model]\nname = "a\\qb"\n', "line 2"),
    ("key-without-value", b"[model]\nname =\n", "line 2"),
    # Valid TOML 1.1 that the TOML 1.0 parser refuses: the construct is named.
    (
        "toml11-inline-comma",
        b'[model]\nheaders = { "X-Title" = "mine", }\n',
        "line 2, column 33: Invalid initial character for a key part; this is TOML 1.1 "
        "syntax (a comma after the last key of an inline table)",
    ),
    (
        "toml11-inline-newline",
        b'[model]\nheaders = {\n  "X-Title" = "mine",\n}\n',
        "line 2, column 12: Invalid initial character for a key part; this is TOML 1.1 "
        "syntax (a line break inside an inline table)",
    ),
    ("toml11-escape-e", b'[model]\nname = "a\\eb"\n', "1.1 syntax (the \\e escape)"),
    ("toml11-escape-x", b'[model]\nname = "caf\\xe9"\n', "write \\u00e9 instead of \\xe9"),
    (
        "toml11-time-without-seconds",
        b'[model]\nname = "x"\nsince = 2026-05-01T09:30Z\n',
        "line 3, column 19: Expected newline or end of document after a statement; this is "
        "TOML 1.1 syntax (a time without seconds, 09:30)",
    ),
]
TYPES: list[tuple[str, bytes, str]] = [
    ("model-is-string", b'model = "x"\n', "[model] must be a table, found String"),
    ("model-array-of-tables", b'[[model]]\nname = "x"\n', "found an array of tables"),
    ("name-is-integer", b"[model]\nname = 3\n", "[model] name must be a string, found 3"),
    ("roles-is-integer", b"[model]\nroles = 5\n", "[model.roles] must be a table"),
    ("agents-is-integer", b"agents = 3\n", "[agents] must be a table"),
    ("agent-model-string", b'[agents.a]\nmodel = "x"\n', "[agents.a.model] must be a table"),
    ("headers-is-string", b'[model]\nheaders = "x"\n', "[model.headers] must be a table"),
    ("fallbacks-integers", b"[model.roles]\nfallbacks = [1, 2]\n", "roles.fallbacks must be"),
    ("fast-is-integer", b"[model.roles]\nfast = 3\n", "roles.fast must be a selector"),
    ("max-tokens-string", b'[model]\nmax_tokens = "lots"\n', "max_tokens must be a whole"),
    ("context-1m-string", b'[model]\ncontext_1m = "yes"\n', "context_1m must be true or false"),
    ("agent-name-integer", b"[agents.r.model]\nname = 7\n", "[agents.r.model] name must be"),
]
CONTENT: list[tuple[str, bytes, str]] = [
    ("five-megabytes", b"# padding\n" * 524_288, "more than a seal.toml should be"),
    ("binary", bytes(range(256)) * 4, "it holds a NUL byte at line 1, column 1"),
    ("nul-byte", VALID_BYTES.replace(b"sonnet", b"son\x00net"), "a NUL byte at line 3, column 19"),
    (
        "utf16-with-bom",
        VALID.encode("utf-16"),
        "UTF-16 text (with a byte-order mark), but seal.toml must be UTF-8",
    ),
    ("utf16-bom-hint", b"\xfe\xff" + VALID.encode("utf-16-be"), "iconv -f UTF-16 -t UTF-8"),
    ("utf16le-no-bom", VALID.encode("utf-16-le"), "iconv -f UTF-16LE -t UTF-8"),
    ("utf16be-no-bom", VALID.encode("utf-16-be"), "it is UTF-16BE text (no byte-order"),
    ("utf32-with-bom", VALID.encode("utf-32"), "iconv -f UTF-32 -t UTF-8"),
    (
        "invalid-utf8",
        b'[model]\nname = "caf\xe9"\n',
        "not UTF-8 text at line 2, column 12 (byte 0xe9)",
    ),
]
FILE_CASES = SYNTAX + TYPES + CONTENT
WIZARD_SAMPLE = (
    "unclosed-string",
    "duplicate-table",
    "model-array-of-tables",
    "name-is-integer",
    "invalid-utf8",
    "binary",
    "utf16-with-bom",
    "toml11-inline-comma",
)


@pytest.fixture(autouse=True)
def _file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAL_CREDENTIAL_STORE", "file")


def _snapshot(folder: Path) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for entry in sorted(folder.iterdir()):
        mode = entry.lstat().st_mode
        if stat.S_ISREG(mode):
            files[entry.name] = entry.read_bytes()
        elif stat.S_ISLNK(mode):
            files[entry.name] = ("link", os.readlink(entry))
        else:
            files[entry.name] = stat.S_IFMT(mode)
    store_file = FileStore().path
    files["<store>"] = store_file.read_bytes() if store_file.exists() else None
    return files


def _run(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    stdin: str = "",
    tty: bool = False,
) -> tuple[int, str]:
    if tty:
        fake_tty = io.StringIO(stdin)
        monkeypatch.setattr(fake_tty, "isatty", lambda: True)
        monkeypatch.setattr(sys, "stdin", fake_tty)
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    else:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


def _every_command(
    path: Path,
    expected: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *,
    syntax: bool = False,
) -> list[str]:
    """status, onboard --non-interactive, reauth and roles on `path`; the problems seen."""

    def no_screen(self: SealSetupApp, *args: Any, **kwargs: Any) -> None:
        raise AssertionError("the wizard started on a broken seal.toml")

    monkeypatch.setattr(SealSetupApp, "run", no_screen)
    problems: list[str] = []
    folder = path.parent
    before = _snapshot(folder)
    config = ["--config", str(path)]
    onboard = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]
    commands: list[tuple[str, list[str], str, bool]] = [
        ("status", ["status", *config], "", False),
        ("status --json", ["status", "--json", *config], "", False),
        ("onboard", [*onboard, *config], ANTHROPIC_KEY, False),
        ("reauth", ["reauth", *config], "", True),
        ("roles", ["roles", *config], "", True),
    ]
    for name, argv, stdin, tty in commands:
        try:
            code, output = _run(argv, capsys, monkeypatch, stdin, tty)
        except AssertionError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if code != 3:
            problems.append(f"{name}: exit {code}")
        if expected not in output:
            problems.append(f"{name}: {expected!r} not in {output[-300:]!r}")
        if path.name not in output:
            problems.append(f"{name}: the file is not named")
        if syntax and not POSITION.search(output):
            problems.append(f"{name}: no line and column")
        if "Traceback" in output:
            problems.append(f"{name}: traceback")
        if _snapshot(folder) != before:
            problems.append(f"{name}: something was written")
    return problems


@pytest.mark.parametrize(
    ("case_id", "content", "expected"), FILE_CASES, ids=[c[0] for c in FILE_CASES]
)
def test_broken_file_every_command(
    case_id: str,
    content: bytes,
    expected: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: FakeProvider,
    tally: Tally,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    path = project / "seal.toml"
    path.write_bytes(content)
    syntax = any(case_id == c[0] for c in SYNTAX)
    problems = _every_command(path, expected, capsys, monkeypatch, syntax=syntax)
    tally.record("broken config (cli)", not problems)
    assert not problems, problems
    assert fake_provider_env.count("/v1/models") == 0  # refused before the live check


def _special(kind: str, project: Path) -> tuple[Path, str]:
    """seal.toml that is not a plain file: (its path, the expected message)."""
    path = project / "seal.toml"
    if kind == "dangling-symlink":
        path.symlink_to(project / "gone.toml")
        return path, "which does not exist"
    if kind == "directory":
        path.mkdir()
        return path, "it is a directory"
    if kind == "fifo":
        os.mkfifo(path)
        return path, "it is not a regular file"
    if kind == "symlink-to-directory":
        (project / "real").mkdir()
        path.symlink_to(project / "real")
        return path, "it is a directory"
    if kind == "symlink-to-broken":
        (project / "real.toml").write_bytes(b"[model\n")
        path.symlink_to(project / "real.toml")
        return path, "line 1, column 7"
    raise AssertionError(kind)


SPECIAL = ("dangling-symlink", "directory", "fifo", "symlink-to-directory", "symlink-to-broken")


@pytest.mark.parametrize("kind", SPECIAL)
def test_special_file_every_command(
    kind: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: FakeProvider,
    tally: Tally,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    path, expected = _special(kind, project)
    problems = _every_command(path, expected, capsys, monkeypatch)
    tally.record("broken config (cli)", not problems)
    assert not problems, problems


def test_symlinked_config_is_written_through_the_link(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: FakeProvider,
    tally: Tally,
) -> None:
    """A seal.toml linked to a file in the project's folder stays a link; its target gets
    the change (a link leaving the folder is refused: test_smaller_trust_cases)."""
    project = tmp_path / "project"
    dotfiles = project / "conf"
    project.mkdir()
    dotfiles.mkdir()
    target = dotfiles / "seal.toml"
    target.write_text("# mine\n" + VALID, encoding="utf-8")
    link = project / "seal.toml"
    link.symlink_to(target)
    argv = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]
    argv += ["--config", str(link), "--effort", "low"]
    code, output = _run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    held = (
        code == 0
        and link.is_symlink()
        and os.readlink(link) == str(target)
        and 'effort = "low"' in target.read_text(encoding="utf-8")
        and target.read_text(encoding="utf-8").startswith("# mine\n")
        and (dotfiles / "seal.toml.bak").read_text(encoding="utf-8") == "# mine\n" + VALID
        and sorted(p.name for p in project.iterdir()) == ["conf", "seal.toml"]
    )
    tally.record("broken config (cli)", held)
    assert held, (code, output, sorted(p.name for p in project.iterdir()))


def test_bom_only_file_is_an_empty_config(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: FakeProvider,
    tally: Tally,
) -> None:
    """A BOM and nothing else is valid UTF-8 TOML: it works, and the BOM is kept."""
    path = tmp_path / "seal.toml"
    path.write_bytes(b"\xef\xbb\xbf")
    code, output = _run(["status", "--config", str(path)], capsys, monkeypatch)
    status_ok = code in (0, 1) and "Traceback" not in output
    argv = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]
    code, output = _run([*argv, "--config", str(path)], capsys, monkeypatch, ANTHROPIC_KEY)
    data = path.read_bytes()
    held = status_ok and code == 0 and data.startswith(b"\xef\xbb\xbf[model]")
    tally.record("broken config (cli)", held)
    assert held, (code, output, data[:60])


# --- as an unprivileged user --------------------------------------------------------------


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder `nobody` can reach (pytest's tmp_path is root's, mode 0700)."""
    base = Path(tempfile.mkdtemp(prefix="seal-reliability-", dir="/tmp"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _as_nobody(
    args: list[str], env: dict[str, str], cwd: Path, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    prefix: list[str] = []
    if os.geteuid() == 0:
        # Root reads and writes anything: drop to nobody. A non-root run is already
        # refused by the permissions the case sets up.
        setpriv = shutil.which("setpriv")
        assert setpriv is not None, "setpriv (util-linux) is needed to drop root"
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    return subprocess.run(
        [*prefix, str(SEAL_SETUP), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def _nobody_home(base: Path, fake: FakeProvider) -> tuple[Path, dict[str, str]]:
    home = base / "home"
    home.mkdir()
    if os.geteuid() == 0:
        os.chown(home, 65534, 65534)
    return home, subprocess_env(home, fake)


def _stored(home: Path) -> dict[str, Any]:
    path = home / ".config" / "seal" / "credentials.json"
    if not path.exists():
        return {}
    credentials: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["credentials"]
    return credentials


def test_unreadable_config(shared_dir: Path, fake_provider: FakeProvider, tally: Tally) -> None:
    """chmod 000 as seen by a user who is not root: every command exits 3 and names it."""
    home, env = _nobody_home(shared_dir, fake_provider)
    project = shared_dir / "project"
    project.mkdir()
    path = project / "seal.toml"
    path.write_text(VALID, encoding="utf-8")
    path.chmod(0o000)
    before = {p.name: p.lstat() for p in project.iterdir()}
    onboard = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]
    results = {
        "status": _as_nobody(["status", "--config", str(path)], env, project),
        "onboard": _as_nobody([*onboard, "--config", str(path)], env, project, ANTHROPIC_KEY),
    }
    problems = [
        f"{name}: exit {r.returncode}: {r.stderr[-300:]!r}"
        for name, r in results.items()
        if r.returncode != 3
        or f"cannot read {path}: Permission denied" not in r.stderr
        or crashed(r.stdout + r.stderr)
    ]
    after = {p.name: p.lstat() for p in project.iterdir()}
    if before.keys() != after.keys() or before["seal.toml"].st_mtime != after["seal.toml"].st_mtime:
        problems.append("something was written")
    if _stored(home):
        problems.append("a credential was stored")
    tally.record("broken config (cli)", not problems)
    assert not problems, problems
    path.chmod(0o644)
    assert path.read_text(encoding="utf-8") == VALID


def test_folder_without_write_permission(
    shared_dir: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    """The folder is root's: status works, onboard exits 3, and the stored key is rolled back."""
    home, env = _nobody_home(shared_dir, fake_provider)
    project = shared_dir / "project"
    project.mkdir()
    path = project / "seal.toml"
    path.write_text(VALID, encoding="utf-8")
    before = sorted(p.name for p in project.iterdir())
    status = _as_nobody(["status", "--config", str(path)], env, project)
    onboard = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]
    result = _as_nobody(
        [*onboard, "--effort", "low", "--config", str(path)], env, project, ANTHROPIC_KEY
    )
    problems = []
    if status.returncode not in (0, 1) or crashed(status.stderr):
        problems.append(f"status: {status.returncode} {status.stderr[-300:]!r}")
    if result.returncode != 3 or f"cannot write {path}: Permission denied" not in result.stderr:
        problems.append(f"onboard: {result.returncode} {result.stderr[-300:]!r}")
    if crashed(result.stdout + result.stderr):
        problems.append("crashed")
    if (
        path.read_text(encoding="utf-8") != VALID
        or sorted(p.name for p in project.iterdir()) != before
    ):
        problems.append("something was written")
    if _stored(home):
        problems.append("the credential stayed stored")
    tally.record("broken config (cli)", not problems)
    assert not problems, problems


# --- the wizard ---------------------------------------------------------------------------


def _surveyed(screen: Any) -> Callable[[], bool]:
    """The Welcome's survey has come back."""
    return lambda: screen.facts is not None


async def test_wizard_welcome_shows_broken_config(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """A sample: the Welcome names the file and the problem, Next stays disabled."""
    from screens.welcome import WelcomeScreen

    failures: list[str] = []
    cases = [c for c in FILE_CASES if c[0] in WIZARD_SAMPLE]
    assert len(cases) == len(WIZARD_SAMPLE)
    for case_id, content, expected in cases:
        h = build(fake_provider, tmp_path / case_id)
        h.config_path.write_bytes(content)
        async with h.app.run_test(size=SIZE) as pilot:
            screen = await wait_screen(pilot, WelcomeScreen)
            await wait_for(pilot, _surveyed(screen), "survey")
            await pilot.pause()
            shown = text_of(pilot, "#survey")
            held = (
                shown.startswith("✗")
                and expected in shown
                and "seal.toml" in shown
                and not next_enabled(pilot)
                and "Traceback" not in shown
            )
            await pilot.press("enter")  # Next is disabled: Enter must not go on either
            await pilot.pause()
            held = held and isinstance(pilot.app.screen, WelcomeScreen)
        held = held and h.config_path.read_bytes() == content and h.store.list() == []
        held = held and sorted(p.name for p in h.config_path.parent.iterdir()) == ["seal.toml"]
        tally.record("broken config (wizard)", held)
        if not held:
            failures.append(f"{case_id}: {shown!r}")
    assert not failures, failures
