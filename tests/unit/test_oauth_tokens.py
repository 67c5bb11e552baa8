"""Sign-in against the fake: PKCE round trip, exchange errors, refresh rotation, and
ensure_fresh serialised across 20 threads and 2 processes (one token request in all)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from backend.auth.oauth import (
    SIGN_IN_AGAIN,
    PendingSignIn,
    complete_sign_in,
    ensure_fresh,
    exchange,
    load_pending,
    mint_api_key,
    parse_paste,
    record_from_tokens,
    refresh,
    start_sign_in,
)
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.writes import mark_stale
from backend.errors import OAuthError
from backend.providers import live as providers
from backend.providers.live import Auth
from tests.fakes import fixtures
from tests.fakes.provider import FakeProvider

fake_provider = fixtures.fake_provider
fast_retries = fixtures.fast_retries

TOKEN_PATH = "/v1/oauth/token"
ROOT = Path(__file__).resolve().parents[2]


class DictStore:
    """The CredentialStore protocol over a dict, counting writes."""

    name = "memory"

    def __init__(self) -> None:
        self.data: dict[str, CredentialRecord] = {}
        self.puts = 0
        self._lock = threading.Lock()

    @property
    def location(self) -> str:
        return "memory"

    def get(self, provider: str, profile: str) -> CredentialRecord | None:
        with self._lock:
            return self.data.get(f"{provider}:{profile}")

    def put(self, record: CredentialRecord) -> None:
        with self._lock:
            self.data[record.key] = record
            self.puts += 1

    def delete(self, provider: str, profile: str) -> bool:
        with self._lock:
            return self.data.pop(f"{provider}:{profile}", None) is not None

    def list(self) -> list[CredentialRecord]:
        with self._lock:
            return list(self.data.values())


def browser(pending: PendingSignIn) -> str:
    """What a person does: open the URL, approve, copy the text the callback page shows."""
    with httpx.Client(follow_redirects=True) as client:
        page = client.get(pending.url)
    assert page.status_code == 200, page.text
    match = re.search(r"<code id='code'>([^<]+)</code>", page.text)
    assert match, page.text
    return match.group(1)


def oauth_record(fake: FakeProvider, expires_in: float) -> CredentialRecord:
    tokens = fake.issue_tokens()
    return CredentialRecord(
        provider="anthropic",
        profile="default",
        kind="oauth",
        access_token=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        expires_at=utcnow() + timedelta(seconds=expires_in),
    )


# --- round trip --------------------------------------------------------------------------


def test_max_round_trip(fake_provider: FakeProvider, tmp_path: Path) -> None:
    env = fake_provider.env()
    pending = start_sign_in("max", env, pending_dir=tmp_path)
    pasted = browser(pending)
    code = parse_paste(pasted, pending.state)
    tokens = exchange(pending, code, env=env)
    assert tokens.access_token.startswith("sk-ant-oat01-")
    assert tokens.refresh_token and tokens.refresh_token.startswith("sk-ant-ort01-")
    assert tokens.account == {
        "account": {"uuid": "acc-0000-fake", "email_address": "person@example.com"},
        "organization": {"uuid": "org-0000-fake", "name": "Fake Org"},
    }
    assert abs((tokens.expires_at - utcnow()).total_seconds() - 8 * 3600) < 5
    body = fake_provider.requests(TOKEN_PATH)[0].json()
    assert body == {
        "grant_type": "authorization_code",
        "code": code,
        "state": pending.state,
        "client_id": "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
        "redirect_uri": fake_provider.redirect_uri,
        "code_verifier": pending.verifier,
    }
    assert "application/json" in fake_provider.requests(TOKEN_PATH)[0].headers["content-type"]
    record = record_from_tokens(tokens)
    assert record.kind == "oauth"
    assert record.key == "anthropic:default"
    result = providers.check("anthropic", Auth.from_record(record), env=env)
    assert result.outcome == "verified"
    # The code is single-use.
    with pytest.raises(OAuthError, match="Invalid code"):
        exchange(pending, code, env=env)


def test_console_round_trip_mints_api_key(fake_provider: FakeProvider, tmp_path: Path) -> None:
    env = fake_provider.env()
    pending = start_sign_in("console", env, pending_dir=tmp_path)
    record = complete_sign_in(
        pending, browser(pending), profile="work", env=env, pending_dir=tmp_path
    )
    assert record.kind == "api_key"
    assert record.profile == "work"
    assert record.secret and record.secret.startswith("sk-ant-api03-")
    assert len(record.secret) == 108
    assert load_pending("console", pending_dir=tmp_path) is None
    mint = fake_provider.requests("/api/oauth/claude_cli/create_api_key")[0]
    assert mint.headers["authorization"].startswith("Bearer sk-ant-oat01-")
    assert mint.body == b""
    result = providers.check("anthropic", Auth.from_record(record), env=env)
    assert result.outcome == "verified"


def test_complete_after_restart(fake_provider: FakeProvider, tmp_path: Path) -> None:
    env = fake_provider.env()
    started = start_sign_in("max", env, pending_dir=tmp_path)
    pasted = browser(started)
    reloaded = load_pending("max", env, pending_dir=tmp_path)  # as a new process would
    assert reloaded is not None
    record = complete_sign_in(reloaded, pasted, env=env, pending_dir=tmp_path)
    assert record.kind == "oauth"


def test_expired_pending_refuses_exchange(fake_provider: FakeProvider, tmp_path: Path) -> None:
    env = fake_provider.env()
    pending = start_sign_in("max", env, pending_dir=tmp_path)
    old = PendingSignIn(
        mode="max",
        state=pending.state,
        verifier=pending.verifier,
        url=pending.url,
        created_at=pending.created_at - timedelta(minutes=15),
        expires_at=pending.created_at - timedelta(minutes=5),
        redirect_uri=pending.redirect_uri,
    )
    with pytest.raises(OAuthError) as info:
        exchange(old, "code", env=env)
    assert info.value.message == "This sign-in expired (started 15 min ago) — start again"
    assert fake_provider.count(TOKEN_PATH) == 0


def test_authorize_error_shown_verbatim(fake_provider: FakeProvider, tmp_path: Path) -> None:
    fake_provider.authorize_error = ("access_denied", "The user said no")
    pending = start_sign_in("max", fake_provider.env(), pending_dir=tmp_path)
    with httpx.Client() as client:
        redirect = client.get(pending.url)
    assert redirect.status_code == 302
    with pytest.raises(OAuthError) as info:
        parse_paste(redirect.headers["location"], pending.state)
    assert info.value.message == "Sign-in failed: access_denied: The user said no"


def test_wrong_verifier_is_refused_by_the_server(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    env = fake_provider.env()
    pending = start_sign_in("max", env, pending_dir=tmp_path)
    code = parse_paste(browser(pending), pending.state)
    other = start_sign_in("max", env, pending_dir=tmp_path)
    forged = PendingSignIn(
        "max",
        pending.state,
        other.verifier,
        pending.url,
        pending.created_at,
        pending.expires_at,
        pending.redirect_uri,
    )
    with pytest.raises(OAuthError) as info:
        exchange(forged, code, env=env)
    assert info.value.message == (
        "The sign-in server refused the code exchange (400): invalid_grant: Invalid code_verifier"
    )


def test_exchange_network_error_says_retry(fast_retries: object, tmp_path: Path) -> None:
    env = {"SEAL_ANTHROPIC_OAUTH_URL": "http://127.0.0.1:1"}
    pending = start_sign_in("max", env, pending_dir=tmp_path)
    with pytest.raises(OAuthError) as info:
        exchange(pending, "code", env=env)
    assert "Could not reach 127.0.0.1" in info.value.message
    assert "retry" in info.value.hint


def test_exchange_server_error_and_malformed(fake_provider: FakeProvider, tmp_path: Path) -> None:
    env = fake_provider.env()
    pending = start_sign_in("max", env, pending_dir=tmp_path)
    fake_provider.fail(TOKEN_PATH, 500)
    with pytest.raises(OAuthError) as info:
        exchange(pending, "code", env=env)
    assert "(500)" in info.value.message
    assert "Try again" in info.value.hint
    assert fake_provider.count(TOKEN_PATH) == 1  # a POST is not retried on 500
    fake_provider.malformed(TOKEN_PATH)
    with pytest.raises(OAuthError, match="not JSON"):
        exchange(pending, "code", env=env)
    fake_provider.fail(TOKEN_PATH, 200, {"token_type": "Bearer"})
    with pytest.raises(OAuthError, match="without an access token"):
        exchange(pending, "code", env=env)


def test_exchange_timeout(fake_provider: FakeProvider, tmp_path: Path) -> None:
    env = fake_provider.env()
    pending = start_sign_in("max", env, pending_dir=tmp_path)
    fake_provider.stall(TOKEN_PATH, 5)
    with httpx.Client(timeout=0.3) as client, pytest.raises(OAuthError, match="in time"):
        exchange(pending, "code", env=env, client=client)


def test_mint_api_key_errors(fake_provider: FakeProvider) -> None:
    env = fake_provider.env()
    with pytest.raises(OAuthError, match="401"):
        mint_api_key("sk-ant-oat01-not-a-real-token", env=env)
    tokens = fake_provider.issue_tokens(scope="user:inference")
    with pytest.raises(OAuthError, match="org:create_api_key"):
        mint_api_key(tokens["access_token"], env=env)
    fake_provider.fail("/api/oauth/claude_cli/create_api_key", 200, {"nope": 1})
    with pytest.raises(OAuthError, match="raw_key"):
        mint_api_key(
            fake_provider.issue_tokens("org:create_api_key user:inference")["access_token"], env=env
        )


# --- refresh -----------------------------------------------------------------------------


def test_refresh_rotates_and_old_token_dies(fake_provider: FakeProvider) -> None:
    env = fake_provider.env()
    record = oauth_record(fake_provider, 10)
    fresh = refresh(record, env=env)
    assert fresh.access_token != record.access_token
    assert fresh.refresh_token != record.refresh_token
    assert fresh.expires_at and fresh.expires_at > utcnow() + timedelta(hours=7)
    assert fresh.stale is False
    body = fake_provider.requests(TOKEN_PATH)[0].json()
    assert body == {
        "grant_type": "refresh_token",
        "refresh_token": record.refresh_token,
        "client_id": "9d1c250a-e61b-44d9-88ed-5944d1962f5e",
    }
    assert record.refresh_token not in fake_provider.live_refresh_tokens()
    with pytest.raises(OAuthError) as info:
        refresh(record, env=env)  # the old refresh token is dead
    assert info.value.message == SIGN_IN_AGAIN
    assert "reauth" in info.value.hint
    assert refresh(fresh, env=env).access_token  # the new one works


def test_refresh_needs_a_refresh_token() -> None:
    token = CredentialRecord("anthropic", "default", "setup_token", secret="sk-ant-oat01-x")
    with pytest.raises(OAuthError, match="cannot be refreshed"):
        refresh(token)


def test_ensure_fresh_leaves_valid_and_non_oauth_alone(fake_provider: FakeProvider) -> None:
    store = DictStore()
    record = oauth_record(fake_provider, 3600)
    store.put(record)
    assert ensure_fresh(store, "anthropic", "default", env=fake_provider.env()) == record
    key = CredentialRecord("openai", "default", "api_key", secret="sk-proj-x")
    store.put(key)
    assert ensure_fresh(store, "openai", "default", env=fake_provider.env()) == key
    assert fake_provider.count(TOKEN_PATH) == 0
    with pytest.raises(OAuthError, match="No stored credential"):
        ensure_fresh(store, "anthropic", "other", env=fake_provider.env())


def test_ensure_fresh_refreshes_within_skew_and_saves(
    fake_provider: FakeProvider, tmp_path: Path
) -> None:
    store = DictStore()
    record = oauth_record(fake_provider, 30)  # inside the 60 s skew
    store.put(record)
    fresh = ensure_fresh(store, "anthropic", "default", env=fake_provider.env(), lock_dir=tmp_path)
    assert fresh.refresh_token != record.refresh_token
    assert store.get("anthropic", "default") == fresh
    assert (tmp_path / "refresh-anthropic-default.lock").exists()


def test_mark_stale_forces_refresh(fake_provider: FakeProvider, tmp_path: Path) -> None:
    store = DictStore()
    record = oauth_record(fake_provider, 3600)
    store.put(record)
    mark_stale(store, record, lock_dir=tmp_path)
    stale = store.get("anthropic", "default")
    assert stale is not None and stale.stale
    fresh = ensure_fresh(store, "anthropic", "default", env=fake_provider.env(), lock_dir=tmp_path)
    assert fresh.stale is False
    assert fake_provider.count(TOKEN_PATH) == 1
    mark_stale(store, record.with_changes(profile="missing"), lock_dir=tmp_path)  # no error
    assert store.get("anthropic", "missing") is None


def test_ensure_fresh_dead_refresh_token(fake_provider: FakeProvider, tmp_path: Path) -> None:
    store = DictStore()
    record = oauth_record(fake_provider, 0)
    fake_provider.revoke(record.refresh_token or "")
    store.put(record)
    with pytest.raises(OAuthError) as info:
        ensure_fresh(store, "anthropic", "default", env=fake_provider.env(), lock_dir=tmp_path)
    assert "sign in again" in info.value.message


def test_twenty_threads_refresh_once(fake_provider: FakeProvider, tmp_path: Path) -> None:
    fake_provider.latency(TOKEN_PATH, 0.2)  # widen the race window
    store = DictStore()
    store.put(oauth_record(fake_provider, 5))
    barrier = threading.Barrier(20)
    results: list[CredentialRecord] = []
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait()
        try:
            results.append(
                ensure_fresh(
                    store, "anthropic", "default", env=fake_provider.env(), lock_dir=tmp_path
                )
            )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not errors
    assert len(results) == 20
    assert fake_provider.count(TOKEN_PATH) == 1
    assert len({r.access_token for r in results}) == 1
    assert store.puts == 2  # the initial put and the one refresh


_CHILD = r"""
import json, sys, time
from pathlib import Path
from backend.system.atomic import atomic_write
from backend.credentials.record import CredentialRecord
from backend.auth.oauth import ensure_fresh

path, lock_dir, go = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
env = json.loads(sys.argv[4])

class JsonStore:
    name = "file"
    location = str(path)
    def get(self, provider, profile):
        data = json.loads(path.read_text())
        return CredentialRecord.from_dict(data) if data else None
    def put(self, record):
        atomic_write(path, record.to_json().encode(), mode=0o600)
    def delete(self, provider, profile):
        return False
    def list(self):
        return []

while not go.exists():
    time.sleep(0.005)
record = ensure_fresh(JsonStore(), "anthropic", "default", env=env, lock_dir=lock_dir)
import hashlib
print(hashlib.sha256(record.access_token.encode()).hexdigest())
"""


def test_two_processes_refresh_once(fake_provider: FakeProvider, tmp_path: Path) -> None:
    fake_provider.latency(TOKEN_PATH, 0.3)
    store_file = tmp_path / "cred.json"
    store_file.write_text(oauth_record(fake_provider, 5).to_json())
    go = tmp_path / "go"
    env_json = json.dumps(fake_provider.env())
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(store_file), str(tmp_path), str(go), env_json],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(0.5)  # let both import and start polling
    go.touch()
    outputs = [child.communicate(timeout=20) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    hashes = {out.strip() for out, _ in outputs}
    assert len(hashes) == 1
    assert fake_provider.count(TOKEN_PATH) == 1
    saved = CredentialRecord.from_json(store_file.read_text())
    assert hashlib.sha256((saved.access_token or "").encode()).hexdigest() in hashes


@pytest.mark.parametrize("field", ["access_token", "refresh_token"])
@pytest.mark.parametrize("bad", ["tok\u00e9n", "tok\u200ben", "tok\r\nX-Evil: 1"])
def test_tokens_that_cannot_go_in_a_header_are_refused_by_name(
    fake_provider: FakeProvider, tmp_path: Path, field: str, bad: str
) -> None:
    """A token endpoint (or a proxy) sending such a token: a message, never a send that
    fails in encoding, nor a header injected into the next request."""
    env = fake_provider.env()
    pending = start_sign_in("console", env, pending_dir=tmp_path)
    body = {"access_token": "sk-ant-oat01-ok", "refresh_token": "sk-ant-ort01-ok", field: bad}
    fake_provider.fail(TOKEN_PATH, 200, {**body, "expires_in": 3600})
    with pytest.raises(OAuthError, match=f"sent an {field} that cannot be used") as info:
        exchange(pending, "code", env=env)
    assert bad not in info.value.message
    assert fake_provider.count("/api/oauth/claude_cli/create_api_key") == 0
