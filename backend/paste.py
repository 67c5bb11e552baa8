"""Pasted secrets: clean what terminals and chat apps add, check the shape, show a fingerprint.

Nothing here touches the network; the live check decides whether a key works. What this
module decides is whether the text *could* be the credential the person chose, and if
not, names the likely mistake and what to do. Messages never contain the secret body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from backend.errors import InputError
from backend.header_value import describe_char
from backend.methods import PROVIDER_LABELS

# Longest first: the fingerprint and the classifier want the most specific match.
KNOWN_PREFIXES: tuple[str, ...] = (
    "sk-ant-admin01-",
    "sk-ant-api03-",
    "sk-ant-oat01-",
    "sk-ant-ort01-",
    "sk-svcacct-",
    "sk-or-v1-",
    "sk-admin-",
    "sk-proj-",
    "sk-ant-",
    "sk-or-",
    "sk-",
)

METHODS: dict[str, tuple[str, ...]] = {
    "anthropic": ("api_key", "setup_token"),
    "openrouter": ("api_key",),
    "openai": ("api_key",),
}

SETUP_TOKEN_MIN = 80  # OpenClaw's ANTHROPIC_SETUP_TOKEN_MIN_LENGTH; real ones are ~108


@dataclass(frozen=True)
class PasteLimit:
    """The most characters one kind of paste may have. A longer one is refused before any
    cleaning or checking, so the work on a paste stays small whatever arrives."""

    chars: int
    what: str  # what is never that long
    fix: str  # what to do instead

    @property
    def problem(self) -> str:
        return f"too long: more than {self.chars:,} characters, and {self.what} is never that long"

    def refusal(self) -> str:
        """The message for a paste over the limit: what is wrong — what to do."""
        return f"{self.problem} — {self.fix}"


# A key or token with whatever a terminal or a document adds around it; real ones have at
# most a few hundred characters.
KEY_PASTE = PasteLimit(4096, "a key or token", "copy only the key")
# A sign-in paste may be the whole callback URL the browser shows.
SIGN_IN_PASTE = PasteLimit(
    16384, "a sign-in code or callback URL", "copy only the code#state the page shows"
)

# Every pattern runs in linear time: a quantified class never overlaps what follows it
# (so the possessive forms change no result, they only rule out backtracking), and a run
# of spaces is tried from its first character only, never again from each one inside it.
# Bracketed-paste markers first, so they get their own note; some terminals eat the ESC.
_BRACKETED = re.compile(r"\x1b\[20[01]~|^\[200~|\[201~$")
_CSI = re.compile(r"\x1b\[[0-?]*+[ -/]*+[@-~]")
_OSC = re.compile(r"\x1b\][^\x07\x1b]*+(?:\x07|\x1b\\)")
_OTHER_ESC = re.compile(r"\x1b[@-_]?")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# A wrapped line: a run of spaces that holds a line break is the break plus whatever
# indentation the terminal or a document added around it.
_WRAPPED = re.compile(r"(?<![ \t\u00a0\r\n])[ \t\u00a0]*+[\r\n][ \t\u00a0\r\n]*+")
_BREAK = re.compile(r"\r\n|\r|\n")
_EDGE_SPACE = " \t\u00a0\u202f\u2007\u3000\v\f"
_ENV_PREFIX = re.compile(r"^(?:export\s++|set\s++)?([A-Za-z_][A-Za-z0-9_]*+)\s*+=\s*+")
_QUOTE_PAIRS = (('"', '"'), ("'", "'"), ("`", "`"), ("“", "”"), ("‘", "’"), ("«", "»"))
_QUOTES = frozenset("\"'`“”‘’«»„")
_KEY_CHARS = re.compile(r"[A-Za-z0-9_\-]")


@dataclass(frozen=True)
class PasteCheck:
    """The verdict on one paste. `value` is the cleaned secret ("" when refused)."""

    value: str = field(repr=False)
    ok: bool
    message: str
    notes: tuple[str, ...]
    fingerprint: str


def known_prefix(secret: str) -> str:
    """The most specific known key prefix `secret` starts with, or ""."""
    for prefix in KNOWN_PREFIXES:
        if secret.startswith(prefix):
            return prefix
    return ""


def fingerprint(secret: str) -> str:
    """`sk-ant-api03-AbC…xYz9 · 108 chars`: enough to recognise a key, never to rebuild it.

    The known prefix is public; of the body at most 3 leading and 4 trailing characters are
    shown, and only when at least 12 body characters stay hidden.
    """
    n = len(secret)
    prefix = known_prefix(secret)
    if len(prefix) >= n:
        prefix = ""
    body = secret[len(prefix) :]
    if n < 16 or len(body) - 7 < 12:
        return f"{prefix}… · {n} chars"
    return f"{prefix}{body[:3]}…{body[-4:]} · {n} chars"


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many.format(count)


def sanitize(raw: str, *, strip_assignment: bool = True) -> tuple[str, tuple[str, ...]]:
    """Remove what copy and paste add around a secret; returns (cleaned, notes).

    `strip_assignment=False` keeps a leading `name=`: in a pasted sign-in code
    (`code=…&state=…`) it is content, not a shell assignment.

    Removes: bracketed-paste markers and other terminal escapes, zero-width characters,
    line breaks anywhere (a wrapped line) with the indentation around them, surrounding
    whitespace (NBSP included), an `export NAME=` / `NAME=` prefix and surrounding quotes.
    Spaces *inside* the secret are kept so that `check_secret` can refuse them by name.
    """
    notes: list[str] = []
    text = raw

    text, count = _BRACKETED.subn("", text)
    if count:
        notes.append("removed bracketed-paste markers")
    total = 0
    for pattern in (_CSI, _OSC, _OTHER_ESC):
        text, count = pattern.subn("", text)
        total += count
    if total:
        notes.append("removed terminal escape codes")
    text, count = _ZERO_WIDTH.subn("", text)
    if count:
        notes.append(
            _plural(count, "removed a zero-width character", "removed {} zero-width characters")
        )

    edges = _EDGE_SPACE + "\r\n"
    core = text.strip(edges)
    lead = text[: len(text) - len(text.lstrip(edges))]
    trail = text[len(text.rstrip(edges)) :]
    text, inner = _join_wrapped(core)
    if inner:
        notes.append(_plural(inner, "removed a line break", "removed {} line breaks"))
    elif any(c in "\r\n" for c in trail):
        notes.append("removed a trailing line break")
    elif any(c in "\r\n" for c in lead):
        notes.append("removed a leading line break")
    if any(c not in "\r\n" for c in lead + trail):
        if "\u00a0" in lead + trail:
            notes.append("removed surrounding spaces (including non-breaking spaces)")
        else:
            notes.append("removed surrounding spaces")

    # Two rounds: `export X="…"` and `"X=…"` both occur in pasted shell snippets.
    for _ in range(2):
        match = _ENV_PREFIX.match(text) if strip_assignment else None
        if match and len(text) > match.end():
            notes.append(f"removed the '{match.group(0).strip()}' prefix")
            text = text[match.end() :].strip(_EDGE_SPACE)
        unquoted = _strip_quotes(text)
        if unquoted is not None:
            text, note = unquoted
            notes.append(note)
            text = text.strip(_EDGE_SPACE)
    return text, tuple(notes)


def _join_wrapped(text: str) -> tuple[str, int]:
    """`text` without its line breaks and the spaces around them; and how many breaks."""
    breaks = 0

    def drop(run: re.Match[str]) -> str:
        nonlocal breaks
        breaks += len(_BREAK.findall(run.group()))
        return ""

    return _WRAPPED.sub(drop, text), breaks


def _strip_quotes(text: str) -> tuple[str, str] | None:
    if len(text) >= 2:
        for left, right in _QUOTE_PAIRS:
            if text.startswith(left) and text.endswith(right):
                return text[1:-1], "removed surrounding quotes"
    if text[:1] in _QUOTES and not any(q in text[1:] for q in _QUOTES):
        return text[1:], "removed a stray quote at the start"
    if text[-1:] in _QUOTES and not any(q in text[:-1] for q in _QUOTES):
        return text[:-1], "removed a stray quote at the end"
    return None


_KIND_NAMES = {
    "sk-ant-api03-": "an Anthropic API key",
    "sk-ant-admin01-": "an Anthropic Admin key",
    "sk-ant-oat01-": "an Anthropic subscription token (setup-token)",
    "sk-ant-ort01-": "an Anthropic OAuth refresh token",
    "sk-ant-": "an Anthropic key",
    "sk-or-v1-": "an OpenRouter key",
    "sk-or-": "an OpenRouter key",
    "sk-proj-": "an OpenAI project key",
    "sk-svcacct-": "an OpenAI service-account key",
    "sk-admin-": "an OpenAI Admin key",
    "sk-": "an OpenAI key",
}

_WANTED = {
    ("anthropic", "api_key"): "an Anthropic API key (sk-ant-api03-…)",
    ("anthropic", "setup_token"): "a setup-token (sk-ant-oat01-…)",
    ("openrouter", "api_key"): "an OpenRouter key (sk-or-v1-…)",
    ("openai", "api_key"): "an OpenAI key (sk-proj-…, sk-svcacct-… or sk-…)",
}

_WHERE = {
    ("anthropic", "api_key"): "create one at console.anthropic.com → API keys",
    ("anthropic", "setup_token"): "run `claude setup-token` and copy the whole token it prints",
    ("openrouter", "api_key"): "create one at openrouter.ai/keys",
    ("openai", "api_key"): "create one at platform.openai.com/api-keys",
}

_PROVIDER_OF = {
    "sk-ant-": "anthropic",
    "sk-or-": "openrouter",
}

# (min, max) plausible lengths, by prefix, per target. Real Anthropic keys are 108 chars,
# OpenRouter 73, OpenAI project keys ~164 and legacy ones 51.
_LENGTHS = {
    "sk-ant-api03-": (100, 200),
    "sk-ant-": (40, 200),
    "sk-ant-oat01-": (SETUP_TOKEN_MIN, 300),
    "sk-or-v1-": (60, 120),
    "sk-or-": (40, 120),
    "sk-proj-": (80, 400),
    "sk-svcacct-": (80, 400),
    "sk-": (40, 400),
}

_TYPE_NAMES = {
    "sk-ant-api03-": "an Anthropic API key has about 108",
    "sk-ant-": "an Anthropic key has about 108",
    "sk-ant-oat01-": f"a setup-token has at least {SETUP_TOKEN_MIN}",
    "sk-or-v1-": "an OpenRouter key has about 73",
    "sk-or-": "an OpenRouter key has about 73",
    "sk-proj-": "an OpenAI project key has about 160",
    "sk-svcacct-": "an OpenAI service-account key has about 160",
    "sk-": "an OpenAI key has at least 40",
}


def _family(prefix: str) -> str:
    """Which provider issues keys with this prefix."""
    for start, provider in _PROVIDER_OF.items():
        if prefix.startswith(start):
            return provider
    return "openai" if prefix else ""


def _refuse(message: str, notes: tuple[str, ...], shown: str) -> PasteCheck:
    return PasteCheck(value="", ok=False, message=message, notes=notes, fingerprint=shown)


def _shape_error(value: str, prefix: str, provider: str, method: str) -> str:
    """ "" when `value` has the right shape for (provider, method), else what is wrong + fix."""
    wanted = _WANTED[(provider, method)]
    where = _WHERE[(provider, method)]
    kind = _KIND_NAMES.get(prefix, "")
    family = _family(prefix)
    if prefix == "sk-ant-admin01-":
        return (
            "this is an Anthropic Admin key (sk-ant-admin01-…): admin keys cannot call "
            f"models — paste {wanted}; {where}"
        )
    if prefix == "sk-admin-":
        return (
            "this is an OpenAI Admin key (sk-admin-…): admin keys cannot call models — "
            f"paste {wanted}; {where}"
        )
    if prefix == "sk-ant-ort01-":
        return (
            "this is an OAuth refresh token (sk-ant-ort01-…), not a usable key — "
            f"paste {wanted}; {where}"
        )
    if family and family != provider:
        return (
            f"this is {kind}, not {wanted} — choose {PROVIDER_LABELS[family]} as the provider, "
            f"or paste {wanted}"
        )
    if provider == "anthropic" and method == "api_key" and prefix == "sk-ant-oat01-":
        return "this is a subscription token (setup-token) — choose setup-token instead"
    if (
        provider == "anthropic"
        and method == "setup_token"
        and prefix in ("sk-ant-api03-", "sk-ant-")
    ):
        return "that is an API key, not a setup-token — choose API key instead"
    if not prefix:
        return f"does not look like {wanted} — {where}"
    return ""


def check_secret(raw: str, provider: str, method: str) -> PasteCheck:
    """Sanitize `raw` and check it can be the credential for `provider` and `method`.

    `method` is "api_key" (every provider) or "setup_token" (anthropic). Raises InputError
    for an unknown provider or method (a programming error, not a bad paste). Positions
    in messages are 1-based and count characters of the cleaned text.
    """
    if provider not in METHODS:
        raise InputError(f"unknown provider {provider!r}", f"use one of: {', '.join(METHODS)}")
    if method not in METHODS[provider]:
        raise InputError(
            f"{provider} has no pasted-secret method {method!r}",
            f"use one of: {', '.join(METHODS[provider])}",
        )
    if len(raw) > KEY_PASTE.chars:
        return _refuse(KEY_PASTE.refusal(), (), "")
    value, notes = sanitize(raw)
    shown = fingerprint(value) if value else ""
    wanted = _WANTED[(provider, method)]
    where = _WHERE[(provider, method)]

    if not value:
        if raw.strip() == "":
            detail = "nothing pasted"
        else:
            detail = "nothing pasted (only spaces, quotes or invisible characters)"
        return _refuse(f"{detail} — paste {wanted}; {where}", notes, "")

    for index, char in enumerate(value):
        if ord(char) > 127:
            return _refuse(
                f"contains a non-ASCII character at position {index + 1} "
                f"({describe_char(char)}) — keys are "
                "plain ASCII: copy it again straight from the source, not through a document "
                "or chat that reformats text",
                notes,
                f"… · {len(value)} chars",
            )
    for index, char in enumerate(value):
        if char in " \t":
            return _refuse(
                f"contains a space at position {index + 1} — a key has no spaces; paste only "
                "the key itself, once",
                notes,
                shown,
            )
    if value.lower().startswith(("http://", "https://")):
        return _refuse(f"this is a web address, not a key — paste {wanted}", notes, "")
    if "#" in value and provider == "anthropic":
        return _refuse(
            "this looks like a sign-in code (code#state), not a key — paste it in the "
            f"sign-in step, or paste {wanted} here",
            notes,
            shown,
        )
    for index, char in enumerate(value):
        if not _KEY_CHARS.fullmatch(char):
            kind = "a control character" if ord(char) < 32 or ord(char) == 127 else repr(char)
            return _refuse(
                f"contains {kind} at position {index + 1}, which never appears in a key — "
                "copy it again, and only the key",
                notes,
                shown,
            )

    prefix = known_prefix(value)
    problem = _shape_error(value, prefix, provider, method)
    if problem:
        return _refuse(problem, notes, shown)

    if prefix not in ("", "sk-") and value.find(prefix, 1) > 0:
        return _refuse(
            f"the key appears more than once ({len(value)} chars) — paste it once", notes, shown
        )

    bounds_key = prefix if prefix in _LENGTHS else "sk-"
    low, high = _LENGTHS[bounds_key]
    type_name = _TYPE_NAMES[bounds_key]
    if len(value) < low:
        if method == "setup_token":
            return _refuse(
                f"looks cut short: {len(value)} chars, a setup-token has at least "
                f"{SETUP_TOKEN_MIN} — a wrapped line may have been lost; copy it again",
                notes,
                shown,
            )
        return _refuse(
            f"looks cut short: {len(value)} chars, {type_name} — a wrapped line may have "
            "been lost; copy it again",
            notes,
            shown,
        )
    if len(value) > high:
        return _refuse(
            f"too long for {wanted}: {len(value)} chars — something else was pasted with "
            "it; copy only the key",
            notes,
            shown,
        )

    extra: tuple[str, ...] = ()
    if provider == "anthropic" and method == "api_key" and prefix == "sk-ant-":
        extra = ("not the usual sk-ant-api03- prefix; the live check will tell if it works",)
    return PasteCheck(value=value, ok=True, message="", notes=notes + extra, fingerprint=shown)
