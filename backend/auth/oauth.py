"""Anthropic sign-in (PKCE with manual code paste): URLs, pending sign-ins, paste parsing,
token exchange and refresh, and API-key minting for Console sign-in (DESIGN §2).

Nothing here prints or logs a token, code or verifier; error messages carry the
server's words (error / error_description), never what we sent.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from backend.auth.paste import SIGN_IN_PASTE
from backend.credentials.record import (
    CredentialRecord,
    CredentialStore,
    from_rfc3339,
    to_rfc3339,
    utcnow,
)
from backend.credentials.writes import ensure_dir, state_dir, update_record
from backend.errors import OAuthError
from backend.providers.endpoints import OAUTH_ENV, create_api_key_url, oauth_endpoints
from backend.system.atomic import atomic_write
from backend.system.header_value import header_problem
from backend.system.http import client_or_new, parse_error, parse_json, send
from backend.system.http_limits import ResponseTooLarge
from backend.vocabulary import registry

log = logging.getLogger("seal.oauth")

CLIENT_ID = "9d1c250a-e61b-44d9-88ed-5944d1962f5e"
SCOPES = "org:create_api_key user:profile user:inference"
PENDING_LIFETIME = timedelta(minutes=10)
PENDING_VERSION = 1

Mode = Literal["max", "console"]
MODES: tuple[Mode, ...] = ("max", "console")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def new_verifier() -> str:
    """32 random bytes, base64url without padding: 43 characters."""
    return _b64url(secrets.token_bytes(32))


def challenge_for(verifier: str) -> str:
    """The S256 code challenge of a verifier."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


# --- pending sign-in --------------------------------------------------------------------


@dataclass(frozen=True)
class PendingSignIn:
    """A started sign-in: what the code exchange needs, kept 0600 on disk for 10 minutes."""

    mode: Mode
    state: str
    verifier: str = field(repr=False)
    url: str
    created_at: datetime
    expires_at: datetime
    redirect_uri: str = ""

    def expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at

    def age_minutes(self, now: datetime | None = None) -> int:
        return max(0, int(((now or utcnow()) - self.created_at).total_seconds() // 60))

    def expired_message(self, now: datetime | None = None) -> str:
        return f"This sign-in expired (started {self.age_minutes(now)} min ago) — start again"

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": PENDING_VERSION,
                "mode": self.mode,
                "state": self.state,
                "verifier": self.verifier,
                "url": self.url,
                "redirect_uri": self.redirect_uri,
                "created_at": to_rfc3339(self.created_at),
                "expires_at": to_rfc3339(self.expires_at),
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> PendingSignIn:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("version") != PENDING_VERSION:
            raise ValueError("not a pending sign-in")
        mode = data.get("mode")
        if mode not in MODES:
            raise ValueError("pending sign-in has no valid mode")
        created, expires = (
            from_rfc3339(data.get("created_at")),
            from_rfc3339(data.get("expires_at")),
        )
        if created is None or expires is None:
            raise ValueError("pending sign-in has no timestamps")
        fields = {k: data.get(k) for k in ("state", "verifier", "url", "redirect_uri")}
        if not all(isinstance(v, str) for v in fields.values()):
            raise ValueError("pending sign-in has a bad field")
        return cls(
            mode=mode,
            state=str(fields["state"]),
            verifier=str(fields["verifier"]),
            url=str(fields["url"]),
            created_at=created,
            expires_at=expires,
            redirect_uri=str(fields["redirect_uri"]),
        )


def pending_path(
    mode: Mode, env: Mapping[str, str] | None = None, pending_dir: Path | None = None
) -> Path:
    return (pending_dir or state_dir(env)) / f"pending-{mode}.json"


def authorize_url(
    mode: Mode,
    state: str,
    challenge: str,
    env: Mapping[str, str] | None = None,
    redirect_uri: str = "",
) -> str:
    """The authorize link; `redirect_uri` is a loopback callback, else the hosted one."""
    ends = oauth_endpoints(env)
    query = urlencode(
        {
            "code": "true",
            "client_id": CLIENT_ID,
            "response_type": "code",
            "redirect_uri": redirect_uri or ends.redirect_uri,
            "scope": SCOPES,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
        }
    )
    return f"{ends.authorize(mode)}?{query}"


def start_sign_in(
    mode: Mode,
    env: Mapping[str, str] | None = None,
    *,
    pending_dir: Path | None = None,
    redirect_uri: str = "",
) -> PendingSignIn:
    """A new sign-in (fresh verifier and a separate fresh state), saved atomically 0600.

    `redirect_uri` is a loopback listener's callback; the exchange sends the same one."""
    if mode not in MODES:
        raise ValueError(f"unknown sign-in mode {mode!r}")
    verifier = new_verifier()
    state = new_verifier()  # the same recipe, but never the verifier itself
    now = utcnow()
    pending = PendingSignIn(
        mode=mode,
        state=state,
        verifier=verifier,
        url=authorize_url(mode, state, challenge_for(verifier), env, redirect_uri),
        created_at=now,
        expires_at=now + PENDING_LIFETIME,
        redirect_uri=redirect_uri or oauth_endpoints(env).redirect_uri,
    )
    path = pending_path(mode, env, pending_dir)
    ensure_dir(path.parent)
    atomic_write(path, pending.to_json().encode("utf-8"), mode=0o600)
    return pending


# A pending sign-in is a few hundred bytes.
MAX_PENDING_FILE = 64 * 1024


def _read_pending(path: Path) -> PendingSignIn | None:
    from backend.system.bounded import read_regular

    try:
        # Not a plain read: a FIFO planted there would block it forever.
        found = read_regular(path, MAX_PENDING_FILE)
        if found is None:
            return None
        text = found.data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        return PendingSignIn.from_json(text)
    except (ValueError, TypeError):
        log.warning("ignoring an unreadable pending sign-in file at %s", path)
        return None


def load_pending(
    mode: Mode, env: Mapping[str, str] | None = None, *, pending_dir: Path | None = None
) -> PendingSignIn | None:
    """The saved sign-in for `mode`, or None if none or unreadable.

    An expired one is still returned, so the caller can say it expired, but its file is
    removed: it can never be completed. One whose link is not the one this code builds
    from its state and verifier (the file was edited, or the sign-in server setting
    changed since) is no sign-in: its link would be shown and opened as ours.
    """
    pending = _read_pending(pending_path(mode, env, pending_dir))
    if pending is not None and pending.redirect_uri not in ("", oauth_endpoints(env).redirect_uri):
        # A loopback sign-in: its listener went with the run that started it, and its
        # code never shows on a page to paste.
        clear_pending(mode, env, pending_dir=pending_dir)
        return None
    if pending is not None and pending.url != authorize_url(
        pending.mode, pending.state, challenge_for(pending.verifier), env
    ):
        log.warning("ignoring a pending sign-in whose link is not the one it would make")
        clear_pending(mode, env, pending_dir=pending_dir)
        return None
    if pending is not None and pending.expired():
        discard_pending(pending, env, pending_dir=pending_dir)
    return pending


def clear_pending(
    mode: Mode, env: Mapping[str, str] | None = None, *, pending_dir: Path | None = None
) -> None:
    with contextlib.suppress(FileNotFoundError):
        pending_path(mode, env, pending_dir).unlink()


def discard_pending(
    pending: PendingSignIn,
    env: Mapping[str, str] | None = None,
    *,
    pending_dir: Path | None = None,
) -> None:
    """Remove the saved sign-in file if it holds `pending` (or nothing readable): a newer
    sign-in, started meanwhile here or by another seal-setup, is kept."""
    saved = _read_pending(pending_path(pending.mode, env, pending_dir))
    if saved is None or saved.state == pending.state:
        clear_pending(pending.mode, env, pending_dir=pending_dir)


# --- paste parsing ----------------------------------------------------------------------

# Possessive: the classes never overlap what follows them, so nothing backtracks.
_ANSI = re.compile(r"\x1b\[[0-9;?]*+[ -/]*+[@-~]|\x1b\][^\x07\x1b]*+(?:\x07|\x1b\\)")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00a0\r\n\t"), None)
_QUOTES = "\"'`\u201c\u201d\u2018\u2019<>"
_CODE_CHARS = re.compile(r"^[A-Za-z0-9._~\-]+$")
BARE_CODE = "That is only part of it — paste the whole text including the part after #"
FOREIGN_STATE = "This code belongs to another sign-in — start again"


def _clean_paste(text: str) -> str:
    text = _ANSI.sub("", text).translate(_INVISIBLE).strip()
    # Quote pairs are peeled by moving two indexes: slicing each round would copy the
    # text once per pair.
    start, end = 0, len(text)
    while end - start >= 2 and text[start] in _QUOTES and text[end - 1] in _QUOTES:
        start, end = start + 1, end - 1
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
    # A wrapped line may have put spaces inside the code; codes never contain spaces.
    return "".join(text[start:end].split())


def _first(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name)
    return values[0].strip() if values else ""


class SignInEnded(OAuthError):
    """This sign-in cannot be completed (a code of another sign-in, or it expired)."""


def parse_paste(text: str, expected_state: str) -> str:
    """The authorization code from a pasted `code#state`, callback URL or `code=…&state=…`.

    Raises OAuthError for a bare code, a foreign state, an `error=` callback (shown
    verbatim), or a paste longer than SIGN_IN_PASTE (refused before any work). The code
    is checked for shape but never echoed.
    """
    if len(text) > SIGN_IN_PASTE.chars:
        fix = SIGN_IN_PASTE.fix
        raise OAuthError(f"The pasted text is {SIGN_IN_PASTE.problem}", fix[:1].upper() + fix[1:])
    cleaned = _clean_paste(text)
    if not cleaned:
        raise OAuthError(
            "Nothing was pasted",
            "Approve in the browser, then copy the text the page shows (code#state).",
        )
    params: dict[str, list[str]] | None = None
    if "://" in cleaned:
        parts = urlsplit(cleaned)
        params = parse_qs(parts.query)
        if parts.fragment:
            fragment = parse_qs(parts.fragment)
            if fragment:
                for key, values in fragment.items():
                    params.setdefault(key, values)
            elif "state" not in params:
                params["state"] = [parts.fragment]
    elif re.search(r"(^|[?&#])(code|state|error)=", cleaned):
        params = parse_qs(cleaned.lstrip("?#").replace("#", "&"))
    if params is not None:
        error = _first(params, "error")
        if error:
            description = _first(params, "error_description")
            message = f"Sign-in failed: {error}" + (f": {description}" if description else "")
            raise OAuthError(message, "Start the sign-in again.")
        code, state = _first(params, "code"), _first(params, "state")
    elif "#" in cleaned:
        code, _, state = cleaned.partition("#")
    else:
        code, state = cleaned, ""
    if not code:
        raise OAuthError(
            "There is no code in what was pasted", "Copy the text the page shows (code#state)."
        )
    if not state:
        raise OAuthError(BARE_CODE, "The page shows code#state; copy all of it.")
    if not _CODE_CHARS.match(code):
        raise OAuthError(
            "The code has characters a sign-in code never has",
            "Copy the text again straight from the browser page.",
        )
    if not hmac.compare_digest(state.encode("utf-8"), expected_state.encode("utf-8")):
        raise SignInEnded(FOREIGN_STATE, "Each sign-in has its own code; use the newest one.")
    return code


# --- tokens -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenSet:
    """What the token endpoint gave: tokens (never in repr), expiry, account/org."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_at: datetime
    account: dict[str, Any] | None = None
    scope: str | None = None


def _account_of(body: Mapping[str, Any]) -> dict[str, Any] | None:
    account: dict[str, Any] = {}
    for name in ("account", "organization"):
        value = body.get(name)
        if isinstance(value, dict):
            account[name] = {k: v for k, v in value.items() if isinstance(v, str | int)}
    return account or None


MAX_EXPIRES_IN = 10 * 365 * 24 * 3600  # seconds; longer is not a real token lifetime


def _tokens_from(body: object) -> TokenSet:
    if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
        raise OAuthError(
            "The sign-in server answered without an access token",
            f"Try again; if it keeps happening, check {OAUTH_ENV}.",
        )
    for name in ("access_token", "refresh_token"):
        value = body.get(name)
        problem = header_problem(value) if isinstance(value, str) else ""
        if problem:
            # It would be sent as a header next: refuse it here, by name, not as an
            # encoding error deep in a request.
            raise OAuthUnavailable(
                f"The sign-in server sent an {name} that cannot be used: it contains {problem}",
                f"Try again; if it keeps happening, check {OAUTH_ENV}.",
            )
    expires_in = body.get("expires_in")
    seconds = 3600
    # A nonsense lifetime (negative, NaN, 1e300: timedelta would overflow) means 1 hour.
    if isinstance(expires_in, int | float) and 0 < expires_in <= MAX_EXPIRES_IN:
        seconds = int(expires_in)
    refresh = body.get("refresh_token")
    scope = body.get("scope")
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_at=utcnow() + timedelta(seconds=int(seconds)),
        account=_account_of(body),
        scope=scope if isinstance(scope, str) else None,
    )


def _post_json(
    url: str,
    payload: dict[str, str] | None,
    *,
    client: httpx.Client | None,
    env: Mapping[str, str] | None,
    headers: dict[str, str] | None = None,
    what: str,
    secrets_sent: tuple[str, ...],
) -> Any:
    """POST and return the JSON body of a 2xx; OAuthError with the server's words otherwise."""
    try:
        with client_or_new(client, env) as http:
            if payload is None:
                response = send(http, "POST", url, headers=headers or {}, content=b"")
            else:
                response = send(http, "POST", url, headers=headers or {}, json=payload)
    except httpx.TimeoutException:
        raise OAuthUnavailable(
            f"The sign-in server did not answer in time ({what})", "Check your network, then retry."
        ) from None
    except httpx.HTTPError as exc:
        host = httpx.URL(url).host or url
        if isinstance(exc, ResponseTooLarge):
            raise OAuthUnavailable(
                f"{host} answered with more than {exc.size_text} ({what}); the rest was not read",
                f"Try again; a proxy or wrong {OAUTH_ENV} can cause this.",
            ) from None
        if isinstance(exc, httpx.RemoteProtocolError):
            message = f"The connection to {host} dropped before an answer ({what})"
        elif isinstance(exc, httpx.ConnectError) and "refused" in str(exc).lower():
            message = f"Could not reach {host} ({what}): connection refused"
        else:
            message = f"Could not reach {host} ({what}): {type(exc).__name__}"
        raise OAuthUnavailable(message, "Check your network or proxy, then retry.") from None
    if not response.is_success:
        info = parse_error(response, secrets_sent)
        detail = info.message or info.type or f"HTTP {response.status_code}"
        if info.message and info.type and info.code == info.type:
            detail = f"{info.type}: {info.message}"
        raise _HTTPFailure(response.status_code, info.code or info.type, detail, what)
    try:
        return parse_json(response)
    except ValueError:
        raise OAuthUnavailable(
            f"The sign-in server sent something that is not JSON ({what})",
            f"Try again; a proxy or wrong {OAUTH_ENV} can cause this.",
        ) from None


class OAuthUnavailable(OAuthError):
    """The server could not be asked (network, timeout, a body that is not JSON, 429, 5xx):
    the code or token was not judged, so a retry may well work."""


class _HTTPFailure(OAuthError):
    def __init__(self, status: int, code: str, detail: str, what: str) -> None:
        retry = status == 429 or status >= 500
        hint = "Try again in a minute." if retry else "Start the sign-in again."
        # Busy or broken is not "refused": the code or token was not judged.
        if status == 429:
            message = f"The sign-in server rate limited the {what} ({status}): {detail}"
        elif status == 529:
            message = f"The sign-in server is overloaded; no {what} happened ({status}): {detail}"
        elif status >= 500:
            message = f"The sign-in server failed during the {what} ({status}): {detail}"
        else:
            message = f"The sign-in server refused the {what} ({status}): {detail}"
        super().__init__(message, hint)
        self.status = status
        self.code = code
        self.what = what
        self.transient = retry


def unavailable(exc: OAuthError) -> bool:
    """True when `exc` says the server could not be asked, not that it refused."""
    return isinstance(exc, OAuthUnavailable) or bool(getattr(exc, "transient", False))


def ends_sign_in(exc: OAuthError) -> bool:
    """True when `exc` leaves nothing to complete: a code of another sign-in, an expired
    sign-in, or the token endpoint judging the code (OAuth refuses a code with 400, the
    client with 401). A 403, 404 or 5xx comes as often from a proxy: the code was not
    judged, and the sign-in may still be completed once that is fixed."""
    if isinstance(exc, SignInEnded):
        return True
    return (
        isinstance(exc, _HTTPFailure) and exc.what == "code exchange" and exc.status in (400, 401)
    )


@contextlib.contextmanager
def _ending(
    pending: PendingSignIn, env: Mapping[str, str] | None, pending_dir: Path | None
) -> Iterator[None]:
    """Remove the saved sign-in when what runs inside ends it (ends_sign_in)."""
    try:
        yield
    except OAuthError as exc:
        if ends_sign_in(exc):
            discard_pending(pending, env, pending_dir=pending_dir)
        raise


def exchange(
    pending: PendingSignIn,
    code: str,
    *,
    env: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
) -> TokenSet:
    """Trade the pasted code for tokens (JSON body, the pending verifier and state)."""
    if pending.expired():
        raise SignInEnded(pending.expired_message(), "Start the sign-in again.")
    ends = oauth_endpoints(env)
    payload = {
        "grant_type": "authorization_code",
        "code": code,
        "state": pending.state,
        "client_id": CLIENT_ID,
        "redirect_uri": pending.redirect_uri or ends.redirect_uri,
        "code_verifier": pending.verifier,
    }
    body = _post_json(
        ends.token,
        payload,
        client=client,
        env=env,
        what="code exchange",
        secrets_sent=(code, pending.verifier),
    )
    return _tokens_from(body)


def record_from_tokens(
    tokens: TokenSet, provider: str = "anthropic", profile: str = "default"
) -> CredentialRecord:
    return CredentialRecord(
        provider=provider,
        profile=profile,
        kind="oauth",
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_at=tokens.expires_at,
        account=tokens.account,
    )


SIGN_IN_AGAIN = (
    "Your Anthropic sign-in has ended (the refresh token is no longer valid) — sign in again"
)


def refresh(
    record: CredentialRecord,
    *,
    env: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
) -> CredentialRecord:
    """One refresh_token grant (no scope); returns the record with the rotated tokens."""
    if record.kind != "oauth" or not record.refresh_token:
        raise OAuthError(
            f"The {record.key} credential cannot be refreshed (it has no refresh token)",
            "Sign in again, or run `claude setup-token` for a long-lived token.",
        )
    payload = {
        "grant_type": "refresh_token",
        "refresh_token": record.refresh_token,
        "client_id": CLIENT_ID,
    }
    try:
        body = _post_json(
            oauth_endpoints(env).token,
            payload,
            client=client,
            env=env,
            what="token refresh",
            secrets_sent=(record.refresh_token, record.access_token or ""),
        )
    except _HTTPFailure as exc:
        if exc.status in (400, 401) and exc.code in ("invalid_grant", "invalid_request", ""):
            raise OAuthError(SIGN_IN_AGAIN, "Run `seal-setup reauth`.") from None
        raise
    tokens = _tokens_from(body)
    account = tokens.account or record.account
    return record.with_changes(
        access_token=tokens.access_token,
        # Rotation: the old refresh token is dead now; keep it only if none came back.
        refresh_token=tokens.refresh_token or record.refresh_token,
        expires_at=tokens.expires_at,
        account=account,
        stale=False,
    )


def needs_refresh(
    record: CredentialRecord, skew: float = 60.0, now: datetime | None = None
) -> bool:
    if record.kind != "oauth":
        return False
    if record.stale or record.expires_at is None:
        return True
    return record.expires_at - (now or utcnow()) <= timedelta(seconds=skew)


def ensure_fresh(
    store: CredentialStore,
    provider: str,
    profile: str,
    *,
    env: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
    lock_dir: Path | None = None,
    skew: float = 60.0,
) -> CredentialRecord:
    """The stored record, refreshed first when it expires within `skew` s or is stale.

    One refresh at a time per credential, across threads and processes: the refresh is a
    change under the record's lock (backend.credentials.writes), so waiters re-read the record
    after the lock and use the first one's rotated tokens instead of refreshing again.
    """
    record = store.get(provider, profile)
    if record is None:
        raise OAuthError(
            f"No stored credential for {provider}:{profile}", "Sign in first (seal-setup reauth)."
        )
    if not needs_refresh(record, skew):
        return record

    def refreshed(current: CredentialRecord | None) -> CredentialRecord:
        if current is None:
            raise OAuthError(f"The {provider}:{profile} credential was removed", "Sign in again.")
        if not needs_refresh(current, skew):
            return current
        fresh = refresh(current, env=env, client=client)
        log.info("refreshed the %s:%s sign-in", provider, profile)
        return fresh

    stored = update_record(store, provider, profile, refreshed, env=env, lock_dir=lock_dir)
    assert stored is not None  # `refreshed` never removes the record
    return stored


def mint_api_key(
    access_token: str,
    *,
    env: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
) -> str:
    """Console sign-in: turn the access token into a normal API key (`raw_key`)."""
    body = _post_json(
        create_api_key_url(env),
        None,
        client=client,
        env=env,
        headers={"authorization": f"Bearer {access_token}", "content-type": "application/json"},
        what="API key creation",
        secrets_sent=(access_token,),
    )
    raw = body.get("raw_key") if isinstance(body, dict) else None
    if not isinstance(raw, str) or not raw:
        raise OAuthError(
            "Anthropic created no API key (the answer had no raw_key)",
            f"Create a key at {registry.ANTHROPIC.key_page_shown} and paste it.",
        )
    return raw


def api_key_record(
    raw_key: str,
    tokens: TokenSet | None = None,
    provider: str = "anthropic",
    profile: str = "default",
) -> CredentialRecord:
    """The record a Console sign-in stores: a plain api_key."""
    return CredentialRecord(
        provider=provider,
        profile=profile,
        kind="api_key",
        secret=raw_key,
        account=tokens.account if tokens else None,
    )


def complete_sign_in(
    pending: PendingSignIn,
    pasted: str,
    *,
    profile: str = "default",
    env: Mapping[str, str] | None = None,
    client: httpx.Client | None = None,
    pending_dir: Path | None = None,
) -> CredentialRecord:
    """Paste → code → tokens (→ minted key for console); removes the saved sign-in when
    done, and when the sign-in ends without a credential (ends_sign_in)."""
    with _ending(pending, env, pending_dir):
        code = parse_paste(pasted, pending.state)
        with client_or_new(client, env) as http:
            tokens = _take_unminted(pending.state, code)
            if tokens is None:
                tokens = exchange(pending, code, env=env, client=http)
            if pending.mode == "console":
                try:
                    key = mint_api_key(tokens.access_token, env=env, client=http)
                except OAuthError:
                    # The code is spent: keep its tokens so a retry only creates the key.
                    _keep_unminted(pending.state, code, tokens)
                    raise
                record = api_key_record(key, tokens, profile=profile)
            else:
                record = record_from_tokens(tokens, profile=profile)
    discard_pending(pending, env, pending_dir=pending_dir)
    return record


# Console sign-ins whose code was exchanged but whose API key creation failed (a 529, a
# dropped connection): the code is single-use, so Retry must not exchange it again. The
# tokens stay in this process's memory only, keyed by the sign-in's state and code.
_unminted: dict[tuple[str, str], TokenSet] = {}
_unminted_guard = threading.Lock()


def _keep_unminted(state: str, code: str, tokens: TokenSet) -> None:
    with _unminted_guard:
        _unminted[(state, code)] = tokens


def _take_unminted(state: str, code: str) -> TokenSet | None:
    with _unminted_guard:
        tokens = _unminted.pop((state, code), None)
    if tokens is None or tokens.expires_at <= utcnow():
        return None
    return tokens


__all__ = [
    "CLIENT_ID",
    "MODES",
    "SCOPES",
    "Mode",
    "OAuthUnavailable",
    "PendingSignIn",
    "SignInEnded",
    "TokenSet",
    "api_key_record",
    "challenge_for",
    "clear_pending",
    "complete_sign_in",
    "discard_pending",
    "ends_sign_in",
    "ensure_fresh",
    "exchange",
    "load_pending",
    "mint_api_key",
    "needs_refresh",
    "parse_paste",
    "record_from_tokens",
    "refresh",
    "start_sign_in",
    "unavailable",
]
