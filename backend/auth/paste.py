"""Pasted secrets: clean what terminals and chat apps add, check the shape, show a fingerprint.

Nothing here touches the network; the live check decides whether a key works. What this
module decides is whether the text *could* be the credential the person chose, and if
not, names the likely mistake and what to do. Messages never contain the secret body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from backend.errors import InputError
from backend.system.header_value import describe_char
from backend.vocabulary import registry
from backend.vocabulary.methods import METHODS, offers
from backend.vocabulary.registry import SETUP_TOKEN_MIN, KeyFormat, Provider

# The methods whose credential is pasted (the API-key and setup-token steps).
_PASTED = ("paste_key", "paste_token")
# What the setup-token step wants, and where it comes from (the API-key step's words are
# the provider's: `Provider.key_wanted`, `Provider.key_page`).
_TOKEN_WANTED = "a setup-token (sk-ant-oat01-…)"
_TOKEN_WHERE = "run `claude setup-token` and copy the whole token it prints"


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


def known_prefixes() -> tuple[str, ...]:
    """Every key prefix the providers issue, longest first."""
    return tuple(f.prefix for _, f in registry.key_formats())


def known_prefix(secret: str) -> str:
    """The most specific known key prefix `secret` starts with, or ""."""
    found = registry.key_format(secret)
    return found[1].prefix if found else ""


def pasted_methods(provider: str) -> tuple[str, ...]:
    """The methods of `provider` whose secret is pasted ("api_key", "setup_token")."""
    found = registry.find(provider)
    methods = found.methods if found else ()
    return tuple(m for m in methods if METHODS[m].acquire in _PASTED)


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


def _wanted(provider: Provider, method: str) -> tuple[str, str]:
    """What to paste for `method`, and where to get it."""
    if method == "setup_token":
        return _TOKEN_WANTED, _TOKEN_WHERE
    return provider.key_wanted, f"create one at {provider.key_page_shown}"


def _refuse(message: str, notes: tuple[str, ...], shown: str) -> PasteCheck:
    return PasteCheck(value="", ok=False, message=message, notes=notes, fingerprint=shown)


def _shape_error(found: tuple[Provider, KeyFormat] | None, provider: Provider, method: str) -> str:
    """ "" when a value of format `found` fits (provider, method), else what is wrong + fix."""
    wanted, where = _wanted(provider, method)
    if found is None:
        return f"does not look like {wanted} — {where}"
    issuer, shape = found
    if shape.use == "admin":
        return (
            f"this is {shape.name} ({shape.prefix}…): admin keys cannot call models — "
            f"paste {wanted}; {where}"
        )
    if shape.use == "refresh":
        return (
            f"this is an OAuth refresh token ({shape.prefix}…), not a usable key — "
            f"paste {wanted}; {where}"
        )
    if issuer.id != provider.id:
        return (
            f"this is {shape.name}, not {wanted} — choose {issuer.label} as the provider, "
            f"or paste {wanted}"
        )
    if method == "api_key" and shape.use == "token":
        return "this is a subscription token (setup-token) — choose setup-token instead"
    if method == "setup_token" and shape.use == "key":
        return "that is an API key, not a setup-token — choose API key instead"
    return ""


def check_secret(raw: str, provider: str, method: str) -> PasteCheck:
    """Sanitize `raw` and check it can be the credential for `provider` and `method`.

    `method` is "api_key" (every provider) or "setup_token" (anthropic). Raises InputError
    for an unknown provider or method (a programming error, not a bad paste). Positions
    in messages are 1-based and count characters of the cleaned text.
    """
    known = registry.get(provider)  # InputError for an unknown one
    methods = pasted_methods(provider)
    if method not in methods:
        raise InputError(
            f"{provider} has no pasted-secret method {method!r}",
            f"use one of: {', '.join(methods)}",
        )
    if len(raw) > KEY_PASTE.chars:
        return _refuse(KEY_PASTE.refusal(), (), "")
    value, notes = sanitize(raw)
    shown = fingerprint(value) if value else ""
    wanted, where = _wanted(known, method)

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
    if "#" in value and offers(provider, "sign_in"):
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

    found = registry.key_format(value)
    problem = _shape_error(found, known, method)
    if problem or found is None:
        return _refuse(problem, notes, shown)
    shape = found[1]

    # A prefix as short as `sk-` can occur inside a key's body.
    if len(shape.prefix) > 3 and value.find(shape.prefix, 1) > 0:
        return _refuse(
            f"the key appears more than once ({len(value)} chars) — paste it once", notes, shown
        )

    low, high = shape.chars or (1, KEY_PASTE.chars)
    if len(value) < low:
        if method == "setup_token":
            return _refuse(
                f"looks cut short: {len(value)} chars, a setup-token has at least "
                f"{SETUP_TOKEN_MIN} — a wrapped line may have been lost; copy it again",
                notes,
                shown,
            )
        return _refuse(
            f"looks cut short: {len(value)} chars, {shape.name} has {shape.typical} — a "
            "wrapped line may have been lost; copy it again",
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

    extra = (shape.note,) if shape.note else ()
    return PasteCheck(value=value, ok=True, message="", notes=notes + extra, fingerprint=shown)
