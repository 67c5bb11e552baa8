"""Types shared by the provider modules, and the classification of failed calls.

Every check ends in one of three outcomes (DESIGN §2): verified, rejected (the provider
refused the credential: nothing is stored) or unverifiable (we could not find out:
network, timeout, rate limit, server trouble; the user may store it marked unverified).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from backend.credentials.record import CredentialRecord
from backend.system.http import (
    ErrorInfo,
    NetworkSettingError,
    parse_error,
    parse_json,
    retry_after_seconds,
    send,
)
from backend.system.http_limits import DeadlineExceeded, ResponseTooLarge
from backend.vocabulary import registry
from backend.vocabulary.registry import PROVIDER_LABELS

Outcome = Literal["verified", "rejected", "unverifiable"]

STORE_UNVERIFIED = "or store it marked unverified"


@dataclass(frozen=True)
class Auth:
    """What goes on the wire: an API key, or a Bearer token (OAuth access / setup-token)."""

    kind: Literal["api_key", "bearer"]
    value: str = field(repr=False)

    @classmethod
    def from_record(cls, record: CredentialRecord) -> Auth:
        return cls("bearer" if record.is_bearer else "api_key", record.token)


@dataclass(frozen=True)
class ModelInfo:
    """One model, from the bundled catalog or a live list. Prices are USD per 1M tokens."""

    provider: str
    id: str
    display_name: str = ""
    context: int | None = None
    max_output: int | None = None
    thinking: tuple[str, ...] = ()  # "adaptive", "enabled"; () = unknown or none
    effort: tuple[str, ...] = ()  # "low" … "max"; () = unknown or none
    vision: bool | None = None
    price_in: float | None = None
    price_out: float | None = None
    price_cache_read: float | None = None
    price_cache_write: float | None = None
    max_input: int | None = None  # when the context counts output too (gpt-5: 400K, 272K in)
    default_effort: str | None = None  # what Seal uses when `effort` is unset
    context_1m: bool = False
    line: str | None = None  # opus | sonnet | haiku
    created: str | None = None  # RFC 3339 date or timestamp
    source: str = "bundled"  # "bundled" (models.dev + the overlay) | "live"
    aliases: tuple[str, ...] = ()  # other ids for the same model (dated snapshots)

    @property
    def label(self) -> str:
        return self.display_name or self.id


@dataclass(frozen=True)
class CheckResult:
    """The classified answer of a live check; `message` is one line a person reads."""

    outcome: Outcome
    message: str
    cause: str = ""
    status_code: int | None = None
    identity: dict[str, Any] = field(default_factory=dict)
    models: list[ModelInfo] = field(default_factory=list)
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "verified"


_LINE = re.compile("|".join(registry.CLAUDE_LINES))


def line_of(model_id: str) -> str | None:
    """opus / sonnet / haiku from an id like claude-opus-4-7 or anthropic/claude-3.5-sonnet."""
    match = _LINE.search(model_id.lower())
    return match.group(0) if match and "claude" in model_id.lower() else None


def iso_from_unix(value: object) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_limit(value: object) -> int | None:
    """A token limit from a live list: 0, -1 and null mean unknown (Anthropic's own docs
    example and proxies send 0), so the catalog's figure is used, never "a ceiling of 0"."""
    number = as_int(value)
    return number if number is not None and number > 0 else None


def _scaled(value: int, unit: int, suffix: str) -> str:
    amount = value / unit
    # One decimal below 10 (1.5M, 2.5K), whole numbers above (128K, 200K); "1.0" is "1".
    text = f"{amount:.1f}" if amount < 10 else f"{amount:.0f}"
    return text.removesuffix(".0") + suffix


def token_count(value: int | None) -> str:
    """A token count as people say it: 1,048,576 and 1,000,000 are "1M", 131,072 is "128K",
    200,000 and 128,000 are "200K" and "128K"; "?" when unknown. A round decimal figure
    counts in 1000s, a multiple of 1024 that is not one in 1024s."""
    if value is None:
        return "?"
    if value < 1000:
        return str(value)
    binary = value % 1000 != 0 and value % 1024 == 0
    kilo, mega = (1024, 1024 * 1024) if binary else (1000, 1_000_000)
    if round(value / kilo) >= 1000 or value % mega == 0:
        return _scaled(value, mega, "M")
    return _scaled(value, kilo, "K")


# --- classification ---------------------------------------------------------------------

# Words in a 400 body that mean "this credential may not be used here", not "bad request".
_AUTHISH = re.compile(
    r"only authorized for use with claude code|third-party apps|extra usage|"
    r"oauth|credential|api[ -]?key|authenticat|unauthori[sz]ed|bearer",
    re.IGNORECASE,
)


def key_shape_hint(provider: str, auth: Auth) -> str:
    """Name the likely mix-up when a refused value does not look like this provider's key.

    Which provider issued a value comes from the registry's key formats, the same ones a
    paste is checked against (`backend.auth.paste`).
    """
    value = auth.value
    issued = registry.key_format(value)
    mine = registry.find(provider)
    if issued is not None and mine is not None and issued[0].id != provider:
        family = issued[0].family
        return f"this looks like {family.name} ({family.prefix}…), not {mine.family.name}"
    if provider == "anthropic" and auth.kind == "api_key" and value.startswith("sk-ant-oat"):
        return "this is a subscription token (sk-ant-oat…), not an API key — use setup-token"
    if provider == "anthropic" and auth.kind == "bearer" and value.startswith("sk-ant-api"):
        return "this is an API key (sk-ant-api…), not a subscription token — use API key"
    if provider == "anthropic" and value.startswith("sk-ant-admin"):
        return "admin keys (sk-ant-admin…) cannot call models — create a normal API key"
    if provider == "openai" and value.startswith("sk-admin-"):
        return "OpenAI admin keys cannot call models — create a project key"
    return ""


def _rejected_cause(provider: str, auth: Auth, info: ErrorInfo) -> tuple[str, str]:
    """(short cause for the message line, longer hint)."""
    name = PROVIDER_LABELS.get(provider, provider)
    text = info.text.lower()
    shape = key_shape_hint(provider, auth)
    if shape:
        return shape, f"Check which key you copied: {shape}."
    if provider == "anthropic" and auth.kind == "bearer":
        if "only authorized for use with claude code" in text or "third-party" in text:
            return (
                "subscription credentials are restricted to Claude Code",
                "Anthropic reserves subscription credentials for Claude Code and Claude.ai; "
                "use an Anthropic API key instead.",
            )
        if "extra usage" in text:
            return (
                "this subscription has no extra usage left for third-party apps",
                "Add extra usage at claude.ai/settings/usage, or use an API key.",
            )
        if "oauth authentication is currently not supported" in text:
            return (
                "Anthropic does not accept this token as a subscription credential",
                "Sign in again, or use an API key.",
            )
        return (
            "the token expired or was revoked",
            "Sign in again (seal-setup reauth), or use an API key.",
        )
    if info.status == 403:
        return (
            "the key is valid but not allowed to do this",
            f"Check the key's permissions, workspace or project in your {name} account.",
        )
    return (
        "the key is wrong, revoked, or cut short",
        f"Copy the whole key again from your {name} account; a line-wrapped paste often "
        "loses the end.",
    )


def _and_base_url_env(provider: str) -> str:
    found = registry.find(provider)
    return f" and {found.base_url_env}" if found else ""


def classify_response(
    provider: str, auth: Auth | None, response: httpx.Response, url: str
) -> CheckResult:
    """A CheckResult for a non-2xx response."""
    name = PROVIDER_LABELS.get(provider, provider)
    secrets = (auth.value,) if auth else ()
    info = parse_error(response, secrets)
    status = response.status_code
    wait = retry_after_seconds(response)
    said = f": {info.message}" if info.message else ""
    if status in (401, 403) or (status == 400 and _AUTHISH.search(info.text)):
        short, hint = _rejected_cause(provider, auth or Auth("api_key", ""), info)
        return CheckResult(
            "rejected",
            f"Rejected by {name}: {info.text} — {short}",
            cause=hint,
            status_code=status,
        )
    if status == 404:
        return CheckResult(
            "unverifiable",
            f"{name} has no {url.split('?', 1)[0]} (404) — is the base URL right?",
            cause=f"Check [model] base_url in seal.toml{_and_base_url_env(provider)}.",
            status_code=status,
        )
    if status == 429:
        when = f"in {wait:.0f} s" if wait is not None else "in a minute"
        return CheckResult(
            "unverifiable",
            f"Rate limited by {name} (429{said}) — try again {when}, {STORE_UNVERIFIED}",
            cause="Too many requests for now; the key itself was not judged.",
            status_code=status,
            retry_after=wait,
        )
    if status == 529:
        return CheckResult(
            "unverifiable",
            f"{name} is overloaded (529) — try again in a minute, {STORE_UNVERIFIED}",
            cause="The provider is busy; the key itself was not judged.",
            status_code=status,
            retry_after=wait,
        )
    if status == 402:
        return CheckResult(
            "unverifiable",
            f"{name} says payment is required (402{said}) — add credits, {STORE_UNVERIFIED}",
            cause="The key may be fine, but the account has no credits left.",
            status_code=status,
        )
    if status >= 500:
        return CheckResult(
            "unverifiable",
            f"{name} had a server error ({status}{said}) — try again later, {STORE_UNVERIFIED}",
            cause="A problem on the provider's side (or a proxy); the key was not judged.",
            status_code=status,
            retry_after=wait,
        )
    return CheckResult(
        "unverifiable",
        f"Unexpected answer from {name} ({status}{said}) — {STORE_UNVERIFIED}",
        cause="The provider answered in a way this tool does not know; the key was not judged.",
        status_code=status,
        retry_after=wait,
    )


def classify_exception(provider: str, exc: httpx.HTTPError, url: str) -> CheckResult:
    """A CheckResult for a call that got no usable answer (never includes request headers)."""
    name = PROVIDER_LABELS.get(provider, provider)
    if isinstance(exc, ResponseTooLarge):
        return too_large(provider, url, exc)
    host = httpx.URL(url).host or url
    after = f"check your network or proxy, {STORE_UNVERIFIED}"
    if isinstance(exc, httpx.ConnectTimeout):
        message = f"Could not connect to {name} at {host} in time (connect timeout) — {after}"
    elif isinstance(exc, httpx.TimeoutException):
        message = f"{name} at {host} did not answer in time ({_timeout_kind(exc)}) — {after}"
    elif isinstance(exc, httpx.ConnectError):
        reason = "connection refused" if "refused" in str(exc).lower() else "cannot connect"
        if "name or service" in str(exc).lower() or "nodename" in str(exc).lower():
            reason = "unknown host"
        message = f"Could not connect to {name} at {host} ({reason}) — {after}"
    elif isinstance(exc, NetworkSettingError):
        message = f"Nothing was sent to {name}: {exc} — fix or unset it, {STORE_UNVERIFIED}"
    elif isinstance(exc, httpx.ProxyError):
        message = f"The proxy did not connect to {name} at {host} ({exc}) — {after}"
    elif isinstance(exc, httpx.RemoteProtocolError):
        message = f"The connection to {name} at {host} dropped before an answer — {after}"
    else:
        message = f"Network error talking to {name} at {host} ({type(exc).__name__}) — {after}"
    return CheckResult(
        "unverifiable",
        message,
        cause="No answer came back, so the key was neither accepted nor refused.",
    )


def _timeout_kind(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, DeadlineExceeded):
        return str(exc)
    if isinstance(exc, httpx.ReadTimeout):
        return "read timeout"
    if isinstance(exc, httpx.WriteTimeout):
        return "write timeout"
    if isinstance(exc, httpx.PoolTimeout):
        return "pool timeout"
    return "timeout"


def malformed(provider: str, url: str) -> CheckResult:
    name = PROVIDER_LABELS.get(provider, provider)
    return CheckResult(
        "unverifiable",
        f"{name} answered with something that is not the expected JSON — is "
        f"{url.split('?', 1)[0]} really the {name} API? You can store it marked unverified",
        cause="A proxy, captive portal or wrong base URL can cause this.",
        status_code=200,
    )


def too_large(provider: str, url: str, exc: ResponseTooLarge) -> CheckResult:
    name = PROVIDER_LABELS.get(provider, provider)
    return CheckResult(
        "unverifiable",
        f"{name} answered with more than {exc.size_text} — is {url.split('?', 1)[0]} really "
        f"the {name} API? You can store it marked unverified",
        cause="No real answer is that large: a proxy or a wrong base URL can cause this; "
        "the rest of it was not read.",
    )


class CheckFailed(Exception):
    """Internal: a call ended in a non-verified CheckResult (carried, never shown raw)."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


def get_json(
    provider: str,
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    auth: Auth | None,
    params: dict[str, str | int] | None = None,
) -> tuple[httpx.Response, Any]:
    """GET with retries; the parsed body of a 2xx, else CheckFailed with the classification."""
    try:
        response = send(client, "GET", url, headers=headers, params=params)
    except httpx.HTTPError as exc:
        raise CheckFailed(classify_exception(provider, exc, url)) from None
    if not response.is_success:
        raise CheckFailed(classify_response(provider, auth, response, url))
    try:
        body = parse_json(response)
    except ValueError:
        raise CheckFailed(malformed(provider, url)) from None
    if not isinstance(body, dict):
        raise CheckFailed(malformed(provider, url))
    return response, body
