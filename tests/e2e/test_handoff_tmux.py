"""Every other auth method walked in a real terminal, then a stand-in Seal authenticates.

test_wizard_tmux.py walks the Anthropic API key and the Pro/Max sign-in; here are the
rest: the Console sign-in, a setup-token, Claude Code's sign-in, the environment
variable, and the OpenRouter and OpenAI keys. Each walk onboards with the wizard in tmux
(80×24, against the fake provider in its own process), checks what Done says about how
Seal gets the credential, and then follows it: `seal-setup run -- <stand-in Seal>` must
get a 200 with the variable Seal reads for that method. No secret is ever on screen.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.e2e.conftest import Fake
from tests.e2e.test_wizard_tmux import (
    Wizard,
    choose_method,
    launch,
    pick_model_and_write,
    read_config,
    read_store,
    runs_with,
    seal_authenticates,
    start_setup,
)
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    CALLBACK_PATH,
    CLIENT_ID,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SETUP_TOKEN,
)
from tests.tui.harness import browser_sign_in

pytestmark = pytest.mark.system


@pytest.fixture
def wizard(fake: Fake, tmp_path: Path) -> Iterator[Wizard]:
    """The wizard as test_wizard_tmux.py starts it (walks that prepare HOME use `launch`)."""
    with launch(fake, tmp_path) as w:
        yield w


def fingerprint(secret: str) -> str:
    """The end of the fingerprint the paste steps show (its start depends on the prefix)."""
    return f"…{secret[-4:]} · {len(secret)} chars"


def claude_code_signs_in(fake: Fake, home: Path) -> dict[str, str]:
    """Claude Code signed in at the fake (a PKCE sign-in over HTTP) and saved its file.

    The tokens are ones the fake issued, in ~/.claude/.credentials.json as Claude Code
    writes it; the access token is good for 8 hours, like the fake's own."""
    verifier = secrets.token_urlsafe(32)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    state = secrets.token_urlsafe(32)
    redirect = fake.url + CALLBACK_PATH
    query = {
        "code": "true",
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": redirect,
        "scope": "user:inference user:profile",
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
        "state": state,
    }
    approved = httpx.get(f"{fake.url}/oauth/authorize?{urlencode(query)}", timeout=10)
    assert approved.status_code in (302, 303), approved.text
    code = parse_qs(urlsplit(approved.headers["location"]).query)["code"][0]
    grant = {
        "grant_type": "authorization_code",
        "code": code,
        "state": state,
        "client_id": CLIENT_ID,
        "redirect_uri": redirect,
        "code_verifier": verifier,
    }
    issued = httpx.post(f"{fake.url}/v1/oauth/token", json=grant, timeout=10)
    assert issued.status_code == 200, issued.text
    tokens = issued.json()
    folder = home / ".claude"
    folder.mkdir(parents=True)
    expires = int((time.time() + 8 * 3600) * 1000)
    oauth = {
        "accessToken": tokens["access_token"],
        "refreshToken": tokens["refresh_token"],
        "expiresAt": expires,
    }
    (folder / ".credentials.json").write_text(json.dumps({"claudeAiOauth": oauth}))
    return {"access": tokens["access_token"], "refresh": tokens["refresh_token"]}


def test_console_sign_in_walk(wizard: Wizard) -> None:
    w = wizard
    start_setup(w)
    choose_method(w, "anthropic", "console_oauth")
    w.term.wait_for("Sign in to the Anthropic Console. seal-setup then creates an API key")
    pending_file = w.state / "pending-console.json"
    w.term.wait_for(lambda s: pending_file.exists() and "/oauth/authorize?" in s)
    url = json.loads(pending_file.read_text(encoding="utf-8"))["url"]

    # The person's browser: sign in to the Console, land on the callback page, copy it.
    code = browser_sign_in(url)
    w.term.paste(code + "\n")
    w.term.wait_for(lambda s: "Sign in" in s and "•" * 20 in s, what="the masked code")
    w.term.keys("C-n")  # Sign in
    w.term.wait_for("Checking your credential")
    # The sign-in minted an API key: from here on it is one, and Seal reads it as one.
    w.term.wait_for("✓ Verified: Anthropic accepted the API key")
    pick_model_and_write(w, "api_key", how=runs_with("ANTHROPIC_API_KEY"))
    assert w.wait_exit() == 0

    model = read_config(w)["model"]
    assert model == {"provider": "anthropic", "name": "claude-sonnet-4-6", "auth": "api_key"}
    record = read_store(w)
    assert record["kind"] == "api_key"
    minted = str(record["secret"])
    assert minted.startswith("sk-ant-api03-") and minted != ANTHROPIC_KEY
    assert record["verified_at"]
    w.assert_never_shown(code, minted)
    assert not pending_file.exists()
    seal_authenticates(w, "ANTHROPIC_API_KEY")


def test_setup_token_walk(wizard: Wizard) -> None:
    w = wizard
    start_setup(w)
    choose_method(w, "anthropic", "setup_token")
    w.term.wait_for("Paste your Claude setup-token")
    w.term.paste(SETUP_TOKEN)
    w.term.wait_for(
        lambda s: fingerprint(SETUP_TOKEN) in s and "✓ Looks right" in s, what="the fingerprint"
    )
    w.term.keys("Enter")
    w.term.wait_for("Checking your credential")
    w.term.wait_for("✓ Verified: Anthropic accepted the subscription token")
    pick_model_and_write(w, "setup_token", how=runs_with("CLAUDE_CODE_OAUTH_TOKEN"))
    assert w.wait_exit() == 0
    w.assert_never_shown(SETUP_TOKEN)

    model = read_config(w)["model"]
    assert model == {"provider": "anthropic", "name": "claude-sonnet-4-6", "auth": "setup_token"}
    record = read_store(w)
    assert record["kind"] == "setup_token"
    assert record["secret"] == SETUP_TOKEN
    seal_authenticates(w, "CLAUDE_CODE_OAUTH_TOKEN")


def test_claude_code_walk(fake: Fake, tmp_path: Path) -> None:
    tokens = claude_code_signs_in(fake, tmp_path / "home")
    with launch(fake, tmp_path) as w:
        start_setup(w)
        choose_method(w, "anthropic", "claude_code")
        w.term.wait_for("✓ Found Claude Code's sign-in at ~/.claude/.credentials.json")
        w.term.keys("C-n")
        w.term.wait_for("Checking your credential")
        w.term.wait_for("✓ Verified: Anthropic accepted the subscription token")
        pick_model_and_write(
            w,
            "claude_code",
            stored=False,
            how="Seal reads Claude Code's sign-in itself: start Seal as usual. "
            "`seal-setup run -- seal …` also works",
        )
        assert w.wait_exit() == 0
        w.assert_never_shown(tokens["access"], tokens["refresh"])

        model = read_config(w)["model"]
        assert model == {
            "provider": "anthropic",
            "name": "claude-sonnet-4-6",
            "auth": "claude_code",
        }
        # Nothing copied: Claude Code's own file stays the one place its sign-in lives.
        assert not w.credentials.exists()
        seal_authenticates(w, "CLAUDE_CODE_OAUTH_TOKEN")


def test_env_walk(fake: Fake, tmp_path: Path) -> None:
    with launch(fake, tmp_path, ANTHROPIC_API_KEY=ANTHROPIC_KEY) as w:
        start_setup(w)
        choose_method(w, "anthropic", "env")
        w.term.wait_for("Use an environment variable")
        # Seal's order, and which of its variables this shell has (by fingerprint only).
        found = w.term.wait_for("$ANTHROPIC_API_KEY  — set here")
        assert "$CLAUDE_CODE_OAUTH_TOKEN  — not set in this shell" in found
        assert fingerprint(ANTHROPIC_KEY) in found
        w.term.keys("C-n")
        w.term.wait_for("Checking your credential")
        w.term.wait_for("✓ Verified: Anthropic accepted the API key")
        pick_model_and_write(
            w, "env", stored=False, how="Export ANTHROPIC_API_KEY before running Seal"
        )
        assert w.wait_exit() == 0
        w.assert_never_shown(ANTHROPIC_KEY)

        model = read_config(w)["model"]
        assert model == {"provider": "anthropic", "name": "claude-sonnet-4-6", "auth": "env"}
        assert not w.credentials.exists()
        # Seal reads the variable itself; `seal-setup run` lets it through.
        seal_authenticates(w, "ANTHROPIC_API_KEY")


# (provider, its key, the variable Seal reads it from, typed in the model filter, the
# model, its row in the filtered list, a row the filter leaves out)
KEY_WALKS = [
    ("openrouter", OPENROUTER_KEY, "OPENROUTER_API_KEY", "sonnet",
     "anthropic/claude-sonnet-4.6", "anthropic/claude-sonnet-4.6", "anthropic/claude-opus-4.7"),
    ("openai", OPENAI_KEY, "OPENAI_API_KEY", "gpt-5", "gpt-5", "gpt-5  GPT-5", "o4-mini"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("provider", "key", "variable", "typed", "model", "row", "left_out"),
    KEY_WALKS,
    ids=[walk[0] for walk in KEY_WALKS],
)
def test_api_key_walk_for_other_providers(
    wizard: Wizard,
    provider: str,
    key: str,
    variable: str,
    typed: str,
    model: str,
    row: str,
    left_out: str,
) -> None:
    w = wizard
    start_setup(w, provider)
    choose_method(w, provider, "api_key")
    w.term.wait_for("Paste your API key")
    w.term.paste(key)
    w.term.wait_for(lambda s: fingerprint(key) in s and "✓ Looks right" in s)
    w.term.keys("Enter")
    w.term.wait_for("Checking your credential")
    pick_model_and_write(
        w,
        "api_key",
        provider=provider,
        typed=typed,
        model=model,
        row=row,
        left_out=left_out,
        how=runs_with(variable),
    )
    assert w.wait_exit() == 0
    w.assert_never_shown(key)

    assert key not in w.config.read_text(encoding="utf-8")
    assert read_config(w)["model"] == {"provider": provider, "name": model, "auth": "api_key"}
    record = read_store(w, provider)
    assert record["kind"] == "api_key"
    assert record["secret"] == key
    assert record["verified_at"]
    seal_authenticates(w, variable, provider)
