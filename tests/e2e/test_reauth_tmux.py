"""`seal-setup reauth` in a real terminal (tmux, 80×24) against the fake provider.

The same set-up as test_wizard_tmux.py: the standalone fake in its own process, the
installed console script, keys and (bracketed) pastes as a person would send them, and
HOME, the XDG folders and the project folder in tmp_path. Before and after each walk
`seal-setup status` runs in the same environment, as a person would check.
"""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.credentials.record import CredentialRecord
from backend.credentials.stores import FileStore
from tests.cli.helpers import subprocess_env
from tests.conftest import require_tools
from tests.e2e.conftest import Fake
from tests.e2e.tmux_driver import TmuxSession
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY

pytestmark = pytest.mark.system

SEAL_SETUP = Path(sys.executable).parent / "seal-setup"

# Shaped like ANTHROPIC_KEY (prefix, 108 chars) but unknown to the fake: it answers 401.
DEAD_KEY = "sk-ant-api03-" + "RevokedAnthropic0" * 5 + "dEaD" + "B" * 6
# The options an 80×24 screen shows for Anthropic (the rest are below the fold).
OPENROUTER_OPTIONS = ["API key", "Environment variable OPENROUTER_API_KEY"]
ANTHROPIC_OPTIONS = ["API key", "Sign in to the Anthropic Console", "Claude Pro/Max sign-in"]
LONG_AGO = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)

# Hand-written, comments and odd spacing included: a re-auth with the same method must
# leave every byte of it alone.
SEAL_TOML = """\
# Seal, set up by hand.  Keep the comments!
[model]
provider = "anthropic"    # the only provider here
name     = "claude-sonnet-4-6"
auth = "api_key"  # pay per token

# [agents.reviewer.model] comes later
"""


@dataclass
class Sandbox:
    """An isolated HOME, a project folder, and the environment every command gets."""

    home: Path
    project: Path
    env: dict[str, str]

    @property
    def config(self) -> Path:
        return self.project / "seal.toml"

    @property
    def credentials(self) -> Path:
        return self.home / ".config" / "seal" / "credentials.json"

    def store(self) -> FileStore:
        # The explicit path: the same file seal-setup uses under this HOME.
        return FileStore(self.credentials)

    def status(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SEAL_SETUP), "status", *args],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def reauth(self, *args: str) -> TmuxSession:
        line = " ".join([str(SEAL_SETUP), "reauth", *args])
        return TmuxSession(f"{line}; echo EXIT=$?", cwd=self.project, env=self.env)


@pytest.fixture
def sandbox(fake: Fake, tmp_path: Path) -> Sandbox:
    require_tools("tmux")
    assert SEAL_SETUP.exists(), f"the console script is not installed at {SEAL_SETUP}"
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    project = tmp_path / "project"
    project.mkdir()
    env = subprocess_env(home, TERM="xterm-256color", SEAL_NO_BROWSER="1", **fake.env())
    return Sandbox(home, project, env)


# -- helpers ---------------------------------------------------------------------------------


def _flat(screen: str) -> str:
    """The screen's words joined by single spaces (long lines wrap over rows)."""
    return " ".join(screen.split())


def _status_row(output: str, key: str) -> list[str]:
    """The cells of `status`'s table row for provider:profile `key`."""
    provider, profile = key.split(":")
    for line in output.splitlines():
        cells = line.split()
        if cells[:2] == [provider, profile]:
            return cells
    raise AssertionError(f"no status row for {key}:\n{output}")


_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _background_before(raw_line: str, text: str) -> str | None:
    """The background colour in force where `text` starts, in a line captured with escapes."""
    background: str | None = None
    for found in _SGR.finditer(raw_line, 0, raw_line.index(text)):
        params = found.group(1).split(";") if found.group(1) else ["0"]
        i = 0
        while i < len(params):
            code = params[i]
            if code in ("38", "48"):  # 38;5;N / 38;2;R;G;B (foreground / background)
                width = 3 if params[i + 1 : i + 2] == ["5"] else 5
                if code == "48":
                    background = ";".join(params[i : i + width])
                i += width
                continue
            if code in ("0", "49"):
                background = None
            elif code.isdigit() and (40 <= int(code) <= 47 or 100 <= int(code) <= 107):
                background = code
            i += 1
    return background


def highlighted(term: TmuxSession, titles: list[str]) -> list[str]:
    """Which option `titles` stand out from the list's own background: the highlight."""
    # The driver's screen() drops the colours, and the highlight is only a colour.
    raw = term._tmux("capture-pane", "-p", "-e", "-t", term.target).splitlines()

    def row(pattern: str) -> str:
        # A row inside the list's left border (after its number, on a numbered list).
        found = re.compile("▊ *(?:[1-9] +)?" + pattern)
        line = next((r for r in raw if found.search(_SGR.sub("", r))), None)
        assert line is not None, f"{pattern!r} not on screen"
        return line

    # The list's top border row is drawn on the list's background.
    list_background = _background_before(row("▔+"), "▔")
    return [t for t in titles if _background_before(row(re.escape(t)), t) != list_background]


def wait_exit(term: TmuxSession) -> int:
    screen = term.wait_for(re.compile(r"EXIT=\d+"), what="seal-setup to exit")
    found = re.search(r"EXIT=(\d+)", screen)
    assert found is not None
    return int(found.group(1))


def assert_never_shown(term: TmuxSession, *secrets: str) -> None:
    for screen in term.screens:
        glued = "".join(line.strip() for line in screen.splitlines())
        for secret in secrets:
            assert secret not in screen and secret not in glued, "a secret was on screen"


def paste_key(term: TmuxSession, key: str) -> None:
    """Paste (bracketed) into the API-key field, see its fingerprint, Enter to check it."""
    term.wait_for("Paste your API key")
    term.paste(key)
    # start…end · length (how much of the start shows depends on the provider's prefix)
    fingerprint = re.compile(rf"{re.escape(key[:8])}\S*…{key[-4:]} · {len(key)} chars")
    term.wait_for(
        lambda s: fingerprint.search(s) is not None and "✓ Looks right" in s,
        what="the fingerprint",
    )
    term.keys("Enter")
    term.wait_for("Checking your credential")


def review_write_finish(term: TmuxSession, label: str, why: str) -> str:
    """Verified → (by itself) Review (seal.toml unchanged, and `why`) → Write → Done →
    Finish."""
    term.wait_for("✓ Verified")
    review = term.wait_for("seal.toml unchanged")
    flat = _flat(review)
    assert why in flat, flat
    assert "credentials.json" in flat
    assert "does not exist yet" not in flat and "Changes to" not in flat
    assert "Write" in review
    term.keys("C-n")  # Write
    done = term.wait_for("All set")
    flat = _flat(done)
    assert f"✓ {label} authentication updated (API key)." in flat
    assert "✓ seal.toml needed no change." in flat
    assert "Credential stored in ~/.config/seal/credentials.json (0600)" in flat
    term.keys("C-n")  # Finish
    return done


# -- the walks -------------------------------------------------------------------------------


def test_reauth_replaces_a_rejected_key(sandbox: Sandbox) -> None:
    s = sandbox
    s.config.write_text(SEAL_TOML, encoding="utf-8")
    before = s.config.read_bytes()
    # What the wizard's own 401 handling leaves behind: the record, marked stale.
    s.store().put(
        CredentialRecord(
            provider="anthropic",
            profile="default",
            kind="api_key",
            secret=DEAD_KEY,
            created_at=LONG_AGO,
            verified_at=LONG_AGO,
            stale=True,
        )
    )
    assert stat.S_IMODE(s.credentials.stat().st_mode) == 0o600

    # The person notices: status says rejected, exits 1 and points at reauth.
    status = s.status()
    assert status.returncode == 1, status.stdout + status.stderr
    row = _status_row(status.stdout, "anthropic:default")
    assert row[2:5] == ["api_key", "file", "rejected"], row
    assert "seal-setup reauth --provider anthropic" in status.stdout
    # A live check agrees: the fake really rejects the stored key.
    probed = s.status("--probe")
    assert probed.returncode == 1, probed.stdout + probed.stderr
    assert _status_row(probed.stdout, "anthropic:default")[4] == "rejected"

    with s.reauth() as term:
        screen = term.wait_for("How should Seal authenticate?")
        # The breadcrumb is the short reauth walk, not the whole wizard.
        assert "Auth › Credential › Check › Review › Done" in _flat(screen)
        assert "Welcome" not in screen and "Model" not in screen
        # What failed, once the panel has resolved the credential.
        screen = term.wait_for(lambda t: "was rejected" in t, what="the what-failed panel")
        flat = _flat(screen)
        assert "Re-authenticating Anthropic, profile default (seal.toml asks for API key)" in flat
        assert (
            "✗ stored API key anthropic:default (file) was rejected: "
            "the provider answered 401 (needs replacing)"
        ) in flat
        assert "Last verified: 2025-01-02 03:04:05 UTC." in flat
        # seal.toml's method is the highlighted option, and Enter takes it.
        term.wait_for(
            lambda _: highlighted(term, ANTHROPIC_OPTIONS) == ["API key"],
            what="API key highlighted",
        )
        term.keys("Enter")
        paste_key(term, ANTHROPIC_KEY)
        review_write_finish(term, "Anthropic", "the method is the same")
        assert wait_exit(term) == 0
        assert_never_shown(term, ANTHROPIC_KEY, DEAD_KEY)

    # seal.toml: not a byte changed, no backup beside it.
    assert s.config.read_bytes() == before
    assert sorted(p.name for p in s.project.iterdir()) == ["seal.toml"]
    # The store: the new key, verified just now, no longer stale; still 0600.
    assert stat.S_IMODE(s.credentials.stat().st_mode) == 0o600
    records = s.store().list()
    assert [r.key for r in records] == ["anthropic:default"]
    record = records[0]
    assert record.kind == "api_key"
    assert record.secret == ANTHROPIC_KEY
    assert record.verified_at is not None and record.verified_at > LONG_AGO
    assert record.stale is False
    assert '"stale"' not in s.credentials.read_text(encoding="utf-8")

    after = s.status()
    assert after.returncode == 0, after.stdout + after.stderr
    assert _status_row(after.stdout, "anthropic:default")[2:5] == ["api_key", "file", "ok"]


@pytest.mark.parametrize("with_config", [True, False], ids=["anthropic-seal-toml", "no-seal-toml"])
def test_reauth_other_provider_leaves_seal_toml_alone(sandbox: Sandbox, with_config: bool) -> None:
    s = sandbox
    if with_config:
        s.config.write_text(SEAL_TOML, encoding="utf-8")
    before = s.config.read_bytes() if with_config else None
    # A working Anthropic key that the OpenRouter re-auth must not touch.
    anthropic = CredentialRecord(
        provider="anthropic",
        profile="default",
        kind="api_key",
        secret=ANTHROPIC_KEY,
        created_at=LONG_AGO,
        verified_at=LONG_AGO,
    )
    s.store().put(anthropic)

    with s.reauth("--provider", "openrouter") as term:
        term.wait_for("How should Seal authenticate?")
        screen = term.wait_for(lambda t: "no stored credential" in t, what="the what-failed panel")
        flat = _flat(screen)
        # seal.toml does not configure OpenRouter: no `auth =` to start from.
        assert "Re-authenticating OpenRouter, profile default" in flat
        assert "seal.toml asks for" not in flat
        assert "✗ no stored credential for openrouter:default" in flat
        assert "Sign in to the Anthropic Console" not in flat  # OpenRouter's methods only
        term.wait_for(
            lambda _: highlighted(term, OPENROUTER_OPTIONS) == ["API key"],
            what="API key highlighted",
        )
        term.keys("Enter")
        paste_key(term, OPENROUTER_KEY)
        why = (
            "it does not configure openrouter"
            if with_config
            else "there is none here, and re-auth does not create one"
        )
        review_write_finish(term, "OpenRouter", why)
        assert wait_exit(term) == 0
        assert_never_shown(term, OPENROUTER_KEY, ANTHROPIC_KEY)

    # seal.toml: byte-identical, or still not there; nothing else appeared in the project.
    if with_config:
        assert s.config.read_bytes() == before
        assert sorted(p.name for p in s.project.iterdir()) == ["seal.toml"]
    else:
        assert list(s.project.iterdir()) == []
    # The OpenRouter key is stored and verified; the Anthropic record is as it was.
    records = {r.key: r for r in s.store().list()}
    assert sorted(records) == ["anthropic:default", "openrouter:default"]
    openrouter = records["openrouter:default"]
    assert openrouter.kind == "api_key"
    assert openrouter.secret == OPENROUTER_KEY
    assert openrouter.verified_at is not None and openrouter.stale is False
    assert records["anthropic:default"] == anthropic

    after = s.status()
    assert after.returncode == 0, after.stdout + after.stderr
    if not with_config:
        # Without seal.toml, status shows what is stored: both, both fine.
        assert _status_row(after.stdout, "openrouter:default")[4] == "ok"
    assert _status_row(after.stdout, "anthropic:default")[4] == "ok"
