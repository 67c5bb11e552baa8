"""backend.oauth without the network: PKCE, the authorize URL, paste parsing, pending sign-ins."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from backend.auth.oauth import (
    BARE_CODE,
    CLIENT_ID,
    FOREIGN_STATE,
    SCOPES,
    PendingSignIn,
    challenge_for,
    clear_pending,
    load_pending,
    new_verifier,
    parse_paste,
    pending_path,
    start_sign_in,
)
from backend.credentials.record import utcnow
from backend.errors import OAuthError

STATE = "S" * 43
CODE = "abcDEF123_-xyz"


def test_constants() -> None:
    assert CLIENT_ID == "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
    assert SCOPES == "org:create_api_key user:profile user:inference"


def test_verifier_and_challenge() -> None:
    verifier = new_verifier()
    assert len(verifier) == 43
    assert "=" not in verifier
    assert new_verifier() != verifier
    digest = hashlib.sha256(verifier.encode()).digest()
    assert challenge_for(verifier) == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("mode", "host"),
    [("max", "https://claude.ai"), ("console", "https://platform.claude.com")],
)
def test_authorize_url(mode: str, host: str, tmp_path: Path) -> None:
    pending = start_sign_in(mode, {}, pending_dir=tmp_path)  # type: ignore[arg-type]
    parts = urlsplit(pending.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{host}/oauth/authorize"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "code": "true",
        "client_id": CLIENT_ID,
        "response_type": "code",
        "redirect_uri": "https://platform.claude.com/oauth/code/callback",
        "scope": SCOPES,
        "code_challenge": challenge_for(pending.verifier),
        "code_challenge_method": "S256",
        "state": pending.state,
    }
    assert len(pending.state) == 43
    assert pending.state != pending.verifier
    assert pending.expires_at - pending.created_at == timedelta(minutes=10)


def test_override_base_replaces_both_hosts(tmp_path: Path) -> None:
    env = {"SEAL_ANTHROPIC_OAUTH_URL": "http://127.0.0.1:9"}
    pending = start_sign_in("max", env, pending_dir=tmp_path)
    assert pending.url.startswith("http://127.0.0.1:9/oauth/authorize?")
    assert pending.redirect_uri == "http://127.0.0.1:9/oauth/code/callback"


def test_pending_saved_0600_and_survives_restart(tmp_path: Path) -> None:
    pending = start_sign_in("console", {})
    path = pending_path("console", {})
    # The default location is <user_state_dir>/seal (XDG_STATE_HOME from the test fixture).
    assert path == Path(os.environ["XDG_STATE_HOME"]) / "seal" / "pending-console.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    loaded = load_pending("console", {})
    assert loaded == pending
    assert load_pending("max", {}) is None
    clear_pending("console", {})
    assert load_pending("console", {}) is None
    clear_pending("console", {})  # twice is fine


def test_pending_dir_argument(tmp_path: Path) -> None:
    pending = start_sign_in("max", pending_dir=tmp_path)
    assert (tmp_path / "pending-max.json").exists()
    assert load_pending("max", pending_dir=tmp_path) == pending


def test_corrupt_pending_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "pending-max.json").write_text("{not json")
    assert load_pending("max", pending_dir=tmp_path) is None
    (tmp_path / "pending-max.json").write_text('{"version": 1, "mode": "max"}')
    assert load_pending("max", pending_dir=tmp_path) is None


@pytest.mark.parametrize(
    "edit",
    [
        lambda url: url.replace("code_challenge=", "code_challenge=x"),
        lambda url: "https://evil.example/oauth/authorize?" + url.split("?", 1)[1],
        lambda url: url + "&redirect_uri=https%3A%2F%2Fevil.example%2F",
    ],
    ids=["challenge", "host", "extra-redirect"],
)
def test_a_pending_link_not_built_from_its_own_parts_is_no_sign_in(
    tmp_path: Path, edit: Callable[[str], str]
) -> None:
    # The link is shown and opened as ours: only the one this code builds from the saved
    # state and verifier is; an edited file starts a new sign-in.
    start_sign_in("max", pending_dir=tmp_path)
    path = tmp_path / "pending-max.json"
    doc = json.loads(path.read_text())
    doc["url"] = edit(doc["url"])
    path.write_text(json.dumps(doc))
    assert load_pending("max", pending_dir=tmp_path) is None
    assert not path.exists()


def test_a_changed_sign_in_server_setting_makes_a_saved_link_stale(tmp_path: Path) -> None:
    start_sign_in("max", {"SEAL_ANTHROPIC_OAUTH_URL": "http://127.0.0.1:9"}, pending_dir=tmp_path)
    assert load_pending("max", {}, pending_dir=tmp_path) is None


def test_expiry(tmp_path: Path) -> None:
    pending = start_sign_in("max", pending_dir=tmp_path)
    assert not pending.expired()
    later = pending.created_at + timedelta(minutes=12)
    assert pending.expired(later)
    assert pending.expired_message(later) == (
        "This sign-in expired (started 12 min ago) — start again"
    )
    assert pending.expired(pending.expires_at)


def test_repr_hides_verifier(tmp_path: Path) -> None:
    pending = start_sign_in("max", pending_dir=tmp_path)
    assert pending.verifier not in repr(pending)


# --- paste parsing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"{CODE}#{STATE}",
        f"  {CODE}#{STATE}\n",
        f'"{CODE}#{STATE}"',
        f"'{CODE}#{STATE}'",
        f"\u200b{CODE}#{STATE}\u00a0",
        f"\x1b[200~{CODE}#{STATE}\x1b[201~",
        f"{CODE[:5]}\n{CODE[5:]}#{STATE}",  # a wrapped line
        f"https://platform.claude.com/oauth/code/callback?code={CODE}&state={STATE}",
        f"http://127.0.0.1:8/oauth/code/callback?state={STATE}&code={CODE}",
        f"https://platform.claude.com/oauth/code/callback?code={CODE}#{STATE}",
        f"code={CODE}&state={STATE}",
        f"?code={CODE}&state={STATE}",
        f"state={STATE}&code={CODE}",
    ],
)
def test_paste_forms(text: str) -> None:
    assert parse_paste(text, STATE) == CODE


@pytest.mark.parametrize(
    "text",
    [
        CODE,
        f"{CODE}#",
        f"code={CODE}",
        f"https://platform.claude.com/oauth/code/callback?code={CODE}",
    ],
)
def test_bare_code_refused(text: str) -> None:
    with pytest.raises(OAuthError) as info:
        parse_paste(text, STATE)
    assert info.value.message == BARE_CODE
    assert "including the part after #" in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        f"{CODE}#{'T' * 43}",
        f"code={CODE}&state={'T' * 43}",
        f"https://platform.claude.com/oauth/code/callback?code={CODE}&state=other",
    ],
)
def test_foreign_state_refused(text: str) -> None:
    with pytest.raises(OAuthError) as info:
        parse_paste(text, STATE)
    assert info.value.message == FOREIGN_STATE
    assert CODE not in str(info.value)


def test_error_shown_verbatim() -> None:
    url = (
        "https://platform.claude.com/oauth/code/callback?error=access_denied&"
        "error_description=The+user+denied+the+request.&state=" + STATE
    )
    with pytest.raises(OAuthError) as info:
        parse_paste(url, STATE)
    assert info.value.message == "Sign-in failed: access_denied: The user denied the request."
    with pytest.raises(OAuthError) as info:
        parse_paste("error=invalid_scope", STATE)
    assert info.value.message == "Sign-in failed: invalid_scope"


@pytest.mark.parametrize("text", ["", "   ", '""', "\u200b"])
def test_empty_paste(text: str) -> None:
    with pytest.raises(OAuthError, match="Nothing was pasted"):
        parse_paste(text, STATE)


def test_code_with_odd_characters_refused() -> None:
    with pytest.raises(OAuthError, match="characters"):
        parse_paste(f"co<de>!#{STATE}", STATE)
    with pytest.raises(OAuthError, match="no code"):
        parse_paste(f"#{STATE}", STATE)


def test_expires_at_is_timezone_aware(tmp_path: Path) -> None:
    pending = start_sign_in("max", pending_dir=tmp_path)
    assert pending.expires_at.tzinfo is not None
    assert isinstance(pending, PendingSignIn)
    assert pending.created_at <= utcnow()


@pytest.mark.parametrize("kind", ["fifo", "symlink", "directory"])
def test_a_pending_file_that_is_not_a_regular_file_is_no_sign_in(tmp_path: Path, kind: str) -> None:
    """A FIFO planted there would block a plain read forever; a link would aim it elsewhere."""
    real = start_sign_in("max", pending_dir=tmp_path / "real")
    path = tmp_path / "pending-max.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink":
        path.symlink_to(tmp_path / "real" / "pending-max.json")
    else:
        path.mkdir()
    assert load_pending("max", pending_dir=tmp_path) is None
    assert real.state  # the file the link points at is untouched
    assert (tmp_path / "real" / "pending-max.json").exists()
