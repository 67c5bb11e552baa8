"""The installed `seal-setup` in a real terminal (tmux, 80×24) against the fake provider.

The fake runs as its own process (`python -m tests.fakes.provider --port 0`), the wizard
is the console script from this interpreter's bin folder, and every walk uses the keys a
person would: Enter, arrows, typing, Ctrl+N for Next, Ctrl+Q to cancel, and terminal
(bracketed) pastes. HOME, the XDG folders and the project folder live in tmp_path.
"""

from __future__ import annotations

import contextlib
import json
import re
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from backend.vocabulary import registry
from backend.vocabulary.methods import auth_label, find_method
from tests.cli.helpers import subprocess_env
from tests.conftest import require_tools
from tests.e2e.conftest import Fake
from tests.e2e.tmux_driver import TmuxSession
from tests.fakes.provider import ANTHROPIC_KEY, OPENAI_PREFIX, OPENROUTER_PREFIX
from tests.tui.harness import browser_sign_in

pytestmark = pytest.mark.system

SEAL_SETUP = Path(sys.executable).parent / "seal-setup"


@dataclass
class Wizard:
    """A running `seal-setup` and the folders it was given."""

    term: TmuxSession
    home: Path
    project: Path
    env: dict[str, str]
    fake: Fake

    @property
    def config(self) -> Path:
        return self.project / "seal.toml"

    @property
    def credentials(self) -> Path:
        return self.home / ".config" / "seal" / "credentials.json"

    @property
    def state(self) -> Path:
        return self.home / ".local" / "state" / "seal"

    def wait_exit(self) -> int:
        screen = self.term.wait_for(re.compile(r"EXIT=\d+"), what="the wizard to exit")
        found = re.search(r"EXIT=(\d+)", screen)
        assert found is not None
        return int(found.group(1))

    def assert_never_shown(self, *secrets: str) -> None:
        for screen in self.term.screens:
            flat = _unwrap(screen)
            for secret in secrets:
                assert secret not in screen and secret not in flat, "a secret was on screen"


def _unwrap(screen: str) -> str:
    """The rows glued together without their padding (long text wraps over rows)."""
    return "".join(line.strip() for line in screen.splitlines())


def prose(screen: str) -> str:
    """The screen's words joined by single spaces (a sentence wrapped over rows is whole)."""
    return " ".join(screen.split())


@contextlib.contextmanager
def launch(fake: Fake, tmp_path: Path, **extra_env: str) -> Iterator[Wizard]:
    """`seal-setup` in tmux with HOME etc. in tmp_path (home/ and project/ may be there
    already: a second run finds what the first left)."""
    require_tools("tmux")
    assert SEAL_SETUP.exists(), f"the console script is not installed at {SEAL_SETUP}"
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    env = {
        **subprocess_env(home),
        "TERM": "xterm-256color",
        "SEAL_NO_BROWSER": "1",
        **fake.env(),
        **extra_env,
    }
    with TmuxSession(f"{SEAL_SETUP}; echo EXIT=$?", cwd=project, env=env) as term:
        yield Wizard(term, home, project, env, fake)


@pytest.fixture
def wizard(fake: Fake, tmp_path: Path) -> Iterator[Wizard]:
    with launch(fake, tmp_path) as w:
        yield w


# -- steps every walk shares ---------------------------------------------------------------


def start_setup(w: Wizard, provider: str = "anthropic") -> None:
    """Welcome → Set up → the provider (↓ to its row in the Provider step's table order,
    from the top: in a configured project seal.toml's provider is preselected)."""
    w.term.wait_for("Set up Seal")
    w.term.keys("Enter")
    w.term.wait_for("Which provider should Seal use?")
    w.term.keys("Home", *["Down"] * registry.ids().index(provider), "Enter")
    w.term.wait_for("How should Seal authenticate?")
    if provider != "anthropic":  # the first provider is the default and not named
        w.term.wait_for(f"Provider: {registry.PROVIDERS[provider].label}")


def choose_method(w: Wizard, provider: str, method: str) -> None:
    """Type `method`'s name on the Auth step, then press the number its row shows (what
    is on the machine comes first, so a row's place varies, as it would for a person)."""
    found = find_method(provider, method)
    assert found is not None, (provider, method)
    w.term.type(found.label)
    w.term.wait_for(f"Filter: {found.label} —")  # every letter in: the rows are final
    # The variable's row, when it is set, is titled with it ("Use $ANTHROPIC_API_KEY").
    title = re.escape(found.label) + (r"|Use \$\w+" if method == "env" else "")
    row = re.compile(r"▊\s+([1-9])\s+(?:" + title + r")(?:\s|$)", re.M)
    screen = w.term.wait_for(row, what=f"the {found.label} row")
    number = row.search(screen)
    assert number is not None
    w.term.keys(number.group(1))


def paste_api_key(w: Wizard) -> None:
    """Welcome → Anthropic → API key, the fake's key pasted, Enter to the check."""
    start_setup(w)
    w.term.keys("Enter")
    w.term.wait_for("Paste your API key")
    w.term.paste(ANTHROPIC_KEY)
    w.term.wait_for("✓ Looks right")
    w.term.keys("Enter")


def runs_with(variable: str) -> str:
    """What Done says for a method whose credential `seal-setup run` hands to Seal."""
    return (
        f"Start Seal with `seal-setup run -- seal …`: it gives Seal the credential in ${variable}"
    )


def pick_model_and_write(
    w: Wizard,
    auth: str,
    *,
    how: str,
    provider: str = "anthropic",
    typed: str = "sonnet",
    model: str = "claude-sonnet-4-6",
    row: str | None = None,
    left_out: str = "claude-opus-4-8",
    stored: bool = True,
    stored_in: str = "credentials.json",
) -> str:
    """Check says Verified → (by itself) Model (type `typed`, Enter) → Review → Write →
    Done → Finish.

    `row` (default: `model`) shows in the filtered list and `left_out` does not; `how` is
    what Done must say under "How Seal gets it"."""
    label = registry.PROVIDERS[provider].label
    w.term.wait_for("✓ Verified")
    # No key: after a fresh Verified the wizard goes on to Model by itself.
    # The list and its details line: the picker is mounted and its filter has the focus.
    w.term.wait_for(lambda s: f"Live list from {label}" in s and "max output" in s)
    w.term.type(typed)
    shown = row or model
    w.term.wait_for(
        lambda s: shown in s and left_out not in s,
        what="the filtered model list",
    )
    w.term.keys("Enter")  # Enter in the filter takes the highlighted (first) match
    w.term.wait_for("Review and write")
    review = w.term.wait_for(f'+provider = "{provider}"')
    assert f'+name = "{model}"' in review
    assert f'+auth = "{auth}"' in review
    assert "does not exist yet: it will be created" in review
    if stored:
        assert stored_in in _unwrap(review)
    else:
        assert "No secret is stored" in review
    w.term.keys("C-n")  # Write
    done = w.term.wait_for("All set")
    assert f"Seal will use {model} from {label} ({auth_label(auth)})" in done
    assert ("Credential stored in" in done) is stored
    # How the credential reaches Seal, which reads the environment, not seal-setup's store.
    assert "How Seal gets it:" in done and how in prose(done), done
    # Everything is written: Esc must not lead back into Review (and a Cancel there).
    # F1 after it shows whose help is up, so we know where the Esc left us.
    w.term.keys("Escape", "F1")
    w.term.wait_for("Help: ")
    assert "Help: All set" in w.term.screen()
    w.term.keys("Escape")
    w.term.wait_for(lambda s: "Help: " not in s and "All set" in s, what="Done again")
    w.term.keys("C-n")  # Finish
    return done


RUNTIME = Path(__file__).resolve().parents[1] / "fakes" / "runtime.py"


def seal_authenticates(w: Wizard, variable: str, provider: str = "anthropic") -> None:
    """Done's instruction followed: `seal-setup run -- <a stand-in Seal>` gets a 200.

    The stand-in (tests/fakes/runtime.py) reads only what Seal's docs say Seal reads."""
    base_url = w.fake.url + {"anthropic": "", "openrouter": OPENROUTER_PREFIX,
                             "openai": OPENAI_PREFIX}[provider]  # fmt: skip
    stand_in = [sys.executable, "-I", "-S", str(RUNTIME), "--provider", provider]
    ran = subprocess.run(
        [str(SEAL_SETUP), "run", "--", *stand_in, "--base-url", base_url],
        capture_output=True,
        text=True,
        env=w.env,
        cwd=w.project,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert f"source={variable}" in ran.stdout and "status=200" in ran.stdout, ran.stdout


def read_config(w: Wizard) -> dict[str, object]:
    text = w.config.read_text(encoding="utf-8")
    assert "sk-ant-" not in text, "a secret went into seal.toml"
    return tomllib.loads(text)


def read_store(w: Wizard, provider: str = "anthropic") -> dict[str, object]:
    mode = stat.S_IMODE(w.credentials.stat().st_mode)
    assert mode == 0o600, f"credentials.json has mode {mode:o}"
    doc = json.loads(w.credentials.read_text(encoding="utf-8"))
    assert list(doc["credentials"]) == [f"{provider}:default"]
    record: dict[str, object] = doc["credentials"][f"{provider}:default"]
    return record


# -- the walks ---------------------------------------------------------------------------


def test_api_key_walk(wizard: Wizard) -> None:
    w = wizard
    start_setup(w)
    w.term.keys("Enter")  # API key: the recommended method, highlighted first
    w.term.wait_for("Paste your API key")
    # What a copy from a web page or a chat often looks like.
    w.term.paste(f'   "{ANTHROPIC_KEY}"\n')
    # The fingerprint (start…end · length) lets the person compare with what they copied.
    fingerprint = f"{ANTHROPIC_KEY[:16]}…{ANTHROPIC_KEY[-4:]} · {len(ANTHROPIC_KEY)} chars"
    pasted = w.term.wait_for(lambda s: fingerprint in s and "✓ Looks right" in s)
    # What sanitizing removed is said, so the fingerprint matching is no surprise.
    assert "removed surrounding quotes" in " ".join(pasted.split())
    w.term.keys("Enter")
    w.term.wait_for("Checking your credential")
    pick_model_and_write(w, "api_key", how=runs_with("ANTHROPIC_API_KEY"))
    assert w.wait_exit() == 0
    # The alternate screen is gone; what was done stays in the shell.
    left = w.term.screen()
    assert "✓ Wrote seal.toml (a new file)." in left, left
    assert "How Seal gets it: Start Seal with `seal-setup run -- seal …`" in _unwrap(left)
    w.assert_never_shown(ANTHROPIC_KEY)

    model = read_config(w)["model"]
    assert model == {"provider": "anthropic", "name": "claude-sonnet-4-6", "auth": "api_key"}
    record = read_store(w)
    assert record["kind"] == "api_key"
    assert record["secret"] == ANTHROPIC_KEY
    assert record["verified_at"]
    seal_authenticates(w, "ANTHROPIC_API_KEY")


def test_a_second_run_keeps_the_key_with_enter_only(fake: Fake, tmp_path: Path) -> None:
    """The first run writes; the second starts from it: every answer is the file's, the
    stored key is offered to keep, and Enter alone goes through without touching a byte."""
    with launch(fake, tmp_path) as w:
        paste_api_key(w)
        pick_model_and_write(w, "api_key", how=runs_with("ANTHROPIC_API_KEY"))
        assert w.wait_exit() == 0
    written = w.config.read_bytes()
    first = read_store(w)

    with launch(fake, tmp_path) as again:
        again.term.wait_for("Starts from what is set up now")
        again.term.keys("Enter")
        again.term.wait_for("Which provider should Seal use?")
        again.term.keys("Enter")  # Anthropic, the file's
        again.term.wait_for("How should Seal authenticate?")
        again.term.keys("Enter")  # API key, the file's
        fingerprint = f"{ANTHROPIC_KEY[:16]}…{ANTHROPIC_KEY[-4:]} · {len(ANTHROPIC_KEY)} chars"
        offer = again.term.wait_for("Keep the stored key")
        assert f"({fingerprint}, last verified" in offer and "Replace it" in offer, offer
        again.term.keys("Enter")  # keep: no paste
        again.term.wait_for("✓ Verified")  # and on by itself
        again.term.wait_for(lambda s: "Live list from Anthropic" in s and "max output" in s)
        again.term.keys("Enter")  # the file's model, highlighted
        review = again.term.wait_for("Nothing to change")
        assert "nothing new is stored" in prose(review), review
        again.term.keys("Enter")
        again.term.wait_for("All set")
        again.term.keys("Enter")  # Finish
        assert again.wait_exit() == 0
        again.assert_never_shown(ANTHROPIC_KEY)
    assert again.config.read_bytes() == written
    assert not again.config.with_name("seal.toml.bak").exists()
    kept = read_store(again)
    assert kept["secret"] == ANTHROPIC_KEY and kept["created_at"] == first["created_at"]
    assert str(kept["verified_at"]) >= str(first["verified_at"])  # RFC 3339 UTC sorts


HAIKU = "claude-haiku-4-5-20251001"  # in the fake's live list, not the default (Sonnet)


def highlighted(w: Wizard, row: str, *others: str) -> bool:
    """`row` stands out (the list's highlight) from the `others` of its list."""
    mine = w.term.background_at(row)
    return all(w.term.background_at(other) != mine for other in others)


def model_options(w: Wizard) -> str:
    """The Model step's Effort and Max tokens rows (below the list at 80×24): Tab from the
    filter past the list, Thinking and Budget to Effort, which scrolls them into view."""
    w.term.keys("Tab", "Tab", "Tab", "Tab")
    return w.term.wait_for(lambda s: "Effort" in s and "Max tokens" in s, what="the options")


def test_back_and_forward_keep_every_answer(wizard: Wizard) -> None:
    """Answers at every step, then Esc back through each step to Provider (each still shows
    its answer), then forward to Review and Finish: nothing was lost on the way."""
    w = wizard
    providers = [registry.PROVIDERS[p].label for p in registry.ids()]
    start_setup(w)  # Anthropic
    w.term.keys("Enter")  # API key
    w.term.wait_for("Paste your API key")
    w.term.paste(ANTHROPIC_KEY)
    fingerprint = f"{ANTHROPIC_KEY[:16]}…{ANTHROPIC_KEY[-4:]} · {len(ANTHROPIC_KEY)} chars"
    w.term.wait_for(lambda s: fingerprint in s and "✓ Looks right" in s)
    w.term.keys("Enter")
    w.term.wait_for("✓ Verified")
    w.term.keys("C-n")
    w.term.wait_for(lambda s: "Live list from Anthropic" in s and "max output" in s)
    w.term.type("haiku")
    w.term.wait_for(lambda s: HAIKU in s and "claude-sonnet-4-6" not in s, what="Haiku alone")
    model_options(w)
    w.term.keys("Enter")  # open Effort's menu: model default, low, …
    w.term.wait_for(lambda s: "medium" in s and "xhigh" in s, what="the effort menu")
    w.term.keys("Down", "Enter")  # low
    w.term.wait_for(
        lambda s: re.search(r"Effort[\s▊]+low", s) is not None and "xhigh" not in s,
        what="effort low, the menu closed",
    )
    w.term.keys("Tab")  # Max tokens
    w.term.type("4096")
    w.term.wait_for(lambda s: re.search(r"Max tokens[\s▊]+4096", s) is not None)
    w.term.keys("C-n")
    w.term.wait_for("Review and write")
    w.term.wait_for(f'+name = "{HAIKU}"')

    # Back through every step, each showing what was answered there.
    w.term.keys("Escape")
    w.term.wait_for(lambda s: "Choose the model" in s and HAIKU in s and "claude-opus-4-8" in s)
    assert highlighted(w, HAIKU, "claude-opus-4-8", "claude-sonnet-4-6"), w.term.screen()
    options = model_options(w)
    assert re.search(r"Effort[\s▊]+low", options), options
    assert re.search(r"Max tokens[\s▊]+4096", options), options
    w.term.keys("Escape")
    w.term.wait_for(lambda s: "Checking your credential" in s and "✓ Verified" in s)
    w.term.keys("Escape")
    w.term.wait_for(
        lambda s: (
            "Paste your API key" in s
            and ((fingerprint in s and "•" in s) or "Keep the stored key" in s)
        ),
        what="the pasted key kept (or the stored one offered)",
    )
    w.term.keys("Escape")
    w.term.wait_for(lambda s: "How should Seal authenticate?" in s and "setup-token" in s)
    assert highlighted(w, "API key", "Claude setup-token"), w.term.screen()
    w.term.keys("Escape")
    w.term.wait_for(lambda s: "Which provider should Seal use?" in s and providers[-1] in s)
    assert highlighted(w, "Anthropic", *providers[1:]), w.term.screen()

    # And forward again with Enter / Ctrl+N only: every answer is still the one given.
    w.term.keys("Enter")
    w.term.wait_for("How should Seal authenticate?")
    w.term.keys("Enter")
    w.term.wait_for("Paste your API key")
    w.term.keys("C-n")
    w.term.wait_for("✓ Verified")
    w.term.keys("C-n")
    w.term.wait_for(lambda s: "Live list from Anthropic" in s and "max output" in s)
    w.term.keys("C-n")
    w.term.wait_for(f'+name = "{HAIKU}"')
    body = "\n".join(w.term.joined_lines())
    assert '+effort = "low"' in body and "+max_tokens = 4096" in body, body
    w.term.keys("C-n")  # Write
    done = w.term.wait_for("All set")
    assert f"Seal will use {HAIKU} from Anthropic ({auth_label('api_key')})" in done
    w.term.keys("C-n")  # Finish
    assert w.wait_exit() == 0
    w.assert_never_shown(ANTHROPIC_KEY)
    model = read_config(w)["model"]
    assert isinstance(model, dict)
    assert model["name"] == HAIKU and model["auth"] == "api_key", model
    assert model["effort"] == "low" and model["max_tokens"] == 4096, model
    assert read_store(w)["secret"] == ANTHROPIC_KEY


def test_pro_max_sign_in_walk(wizard: Wizard) -> None:
    w = wizard
    start_setup(w)
    w.term.keys("Down", "Down")  # API key › Console sign-in › Claude Pro/Max sign-in
    w.term.keys("Enter")
    w.term.wait_for("Sign in with your Claude Pro or Max account")
    pending_file = w.state / "pending-max.json"
    w.term.wait_for(lambda s: pending_file.exists() and "/oauth/authorize?" in s)
    url = json.loads(pending_file.read_text(encoding="utf-8"))["url"]
    # The whole link is on screen (it wraps over rows; no part of it is cut off).
    w.term.wait_for(lambda s: url in _unwrap(s), what="the whole authorize URL")
    # No browser here: the screen says why (the rest of that status is checked below).
    w.term.wait_for(
        lambda s: "(SEAL_NO_BROWSER is set)" in " ".join(s.split()), what="why no browser"
    )

    # The person's browser: sign in, land on the callback page, copy code#state.
    code = browser_sign_in(url)
    w.term.paste(code + "\n")
    pasted = w.term.wait_for(lambda s: "Sign in" in s and "•" in s, what="the masked code")
    # Nothing asked for a copy, so nothing was copied.
    assert "Copied" not in pasted and "Could not copy" not in pasted, pasted
    w.term.keys("C-n")  # Sign in
    w.term.wait_for("Checking your credential")
    pick_model_and_write(w, "oauth", how=runs_with("CLAUDE_CODE_OAUTH_TOKEN"))
    assert w.wait_exit() == 0
    w.assert_never_shown(code)

    model = read_config(w)["model"]
    assert model == {"provider": "anthropic", "name": "claude-sonnet-4-6", "auth": "oauth"}
    record = read_store(w)
    assert record["kind"] == "oauth"
    assert record["access_token"]
    assert record["refresh_token"]
    assert record["expires_at"]
    assert record["verified_at"]
    w.assert_never_shown(str(record["access_token"]), str(record["refresh_token"]))
    # The finished sign-in is not left behind to be resumed.
    assert not pending_file.exists()
    seal_authenticates(w, "CLAUDE_CODE_OAUTH_TOKEN")


def test_sign_in_link_is_one_line_copied_on_request_and_a_paste_on_copy_lands(
    wizard: Wizard,
) -> None:
    """The link is one line the terminal wrapped (a selection or `capture-pane -J` gets it
    whole); F2 copies it and says how; F3 shows it alone; a code pasted with the focus on
    the Copy link button lands in the code field."""
    w = wizard
    start_setup(w)
    w.term.keys("Down", "Down", "Enter")  # Claude Pro/Max sign-in
    pending_file = w.state / "pending-max.json"
    w.term.wait_for(lambda s: pending_file.exists() and "/oauth/authorize?" in s)
    url = json.loads(pending_file.read_text(encoding="utf-8"))["url"]
    assert len(url) > 3 * 80  # it does wrap at 80 columns
    w.term.wait_for(lambda s: url in w.term.joined_lines(), what="the URL as one line")
    w.term.wait_for("f2 Copy link")
    assert "Copied" not in w.term.screen()  # nothing copied before it is asked for
    w.term.keys("F2")
    # No clipboard tool here (no display): the terminal's clipboard, said in words.
    copied = prose(w.term.wait_for("OSC 52"))
    assert "Copied with OSC 52 — your terminal may not support it" in copied, copied
    assert "Exception" not in copied and "Error" not in copied
    # The link alone: nothing but the URL on the screen, still one line.
    w.term.keys("F3")
    w.term.wait_for(lambda s: "Sign in with your browser" not in s, what="the link alone")
    assert [line for line in w.term.joined_lines() if line] == [url]
    w.term.keys("Escape")
    w.term.wait_for("Sign in with your browser")
    w.term.wait_for(lambda s: url in w.term.joined_lines(), what="the URL as one line again")
    # New link (Shift+Tab from the code field): a new URL, the copy line is gone, and
    # the focus is back in the code field.
    w.term.keys("BTab", "Enter")

    def renewed() -> bool:
        fresh: str = json.loads(pending_file.read_text(encoding="utf-8"))["url"]
        return fresh != url and fresh in w.term.joined_lines()

    w.term.wait_for(lambda s: renewed() and "Copied" not in s, what="a new link")
    url = json.loads(pending_file.read_text(encoding="utf-8"))["url"]
    # Copy link (Shift+Tab twice) pressed with Enter: only that button says "Copied", and
    # the focus stays on it; the code pasted then goes to the code field.
    w.term.keys("BTab", "BTab", "Enter")
    w.term.wait_for("Copied with OSC 52")
    code = browser_sign_in(url)
    w.term.paste(code)
    w.term.wait_for(lambda s: "•" * 20 in s, what="the masked code in its field")
    w.term.keys("C-n")  # Sign in
    w.term.wait_for("✓ Verified")
    w.assert_never_shown(code)


def test_cancel_writes_nothing(wizard: Wizard) -> None:
    w = wizard
    paste_api_key(w)
    w.term.wait_for("✓ Verified")  # even a verified key is not stored on Cancel
    w.term.keys("C-q")
    w.term.wait_for("Quit setup?")
    w.term.keys("Tab", "Enter")  # focus starts on Stay; Tab to Quit
    assert w.wait_exit() == 130
    assert "Nothing was written: seal.toml and your stored credentials are as they were." in (
        _unwrap(w.term.screen())
    )
    assert not w.config.exists()
    assert not w.credentials.exists()
    assert [p.name for p in w.project.iterdir()] == []


def test_ctrl_c_asks_and_a_second_ctrl_c_quits(wizard: Wizard) -> None:
    """The terminal's interrupt: the first asks, the second quits; nothing is written."""
    w = wizard
    start_setup(w)
    w.term.keys("C-c")
    w.term.wait_for("Quit setup?")
    w.term.keys("C-c")
    assert w.wait_exit() == 130
    assert "Nothing was written" in _unwrap(w.term.screen())
    assert not w.config.exists() and not w.credentials.exists()


def test_enter_at_first_paint_is_not_lost(wizard: Wizard) -> None:
    """Enter as soon as anything is drawn (Welcome still surveying): it is held and
    given to Welcome once its list is there, so Set up starts; keys typed for the next
    step (↓ Enter: OpenRouter) wait for that step in turn."""
    w = wizard
    w.term.wait_for("Welcome to seal-setup")
    w.term.keys("Enter", "Down", "Enter")
    w.term.wait_for("How should Seal authenticate?")
    w.term.wait_for(f"Provider: {registry.PROVIDERS['openrouter'].label}")
