"""Paste sanitizing and shape checks: the table in paste_cases.py, fingerprint rules, and
bounded input (length limits, linear cleaning)."""

from __future__ import annotations

import re

import pytest
from paste_cases import API, CASES, NBSP, OR_KEY, TOKEN, ZW, Case

from backend.auth.oauth import _clean_paste
from backend.auth.paste import (
    KEY_PASTE,
    PasteCheck,
    check_secret,
    fingerprint,
    known_prefix,
    known_prefixes,
    sanitize,
)
from backend.errors import InputError


def _body_windows(secret: str, width: int = 8) -> set[str]:
    # Known prefixes are public (messages name them): only the parts between them are secret.
    parts = re.split("|".join(re.escape(p) for p in known_prefixes()), secret)
    return {part[i : i + width] for part in parts for i in range(max(0, len(part) - width + 1))}


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 40
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_paste_case(case: Case) -> None:
    result = check_secret(case.raw, case.provider, case.method)
    if case.value is None:
        assert not result.ok
        assert result.value == ""
        assert case.message in result.message
    else:
        assert result.ok, result.message
        assert result.value == case.value
        assert result.message == ""
    for note in case.notes:
        assert note in result.notes
    # Nothing shown to the user may carry the secret's body.
    cleaned, _ = sanitize(case.raw)
    if cleaned.startswith("https://"):
        return  # a web address is not a secret
    shown = " ".join((result.message, result.fingerprint, *result.notes))
    for window in _body_windows(cleaned):
        assert window not in shown
    assert case.raw not in repr(result) or case.raw == ""


def test_messages_say_what_to_do() -> None:
    for case in CASES:
        result = check_secret(case.raw, case.provider, case.method)
        if not result.ok:
            assert " — " in result.message, case.id  # what went wrong — what to do


def test_fingerprint_format() -> None:
    assert fingerprint(API) == f"sk-ant-api03-{API[13:16]}…{API[-4:]} · 108 chars"
    assert fingerprint(OR_KEY).startswith("sk-or-v1-")
    assert fingerprint(OR_KEY).endswith(f"…{OR_KEY[-4:]} · 73 chars")


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        ("abc", "… · 3 chars"),
        ("sk-ant-api03-ab", "sk-ant-api03-… · 15 chars"),
        ("sk-ant-", "… · 7 chars"),
        ("sk-or-v1-0123456789abc", "sk-or-v1-… · 22 chars"),
        ("", "… · 0 chars"),
    ],
)
def test_fingerprint_short_secrets_hide_the_body(secret: str, expected: str) -> None:
    assert fingerprint(secret) == expected


def test_fingerprint_never_reveals_enough() -> None:
    for n in range(0, 60):
        secret = "sk-proj-" + "".join(chr(65 + i % 26) for i in range(n))
        shown = fingerprint(secret).split(" · ")[0].replace("…", "")
        prefix = known_prefix(secret)
        prefix = prefix if prefix and shown.startswith(prefix) else ""
        body_shown = len(shown) - len(prefix)
        hidden = len(secret) - len(prefix) - body_shown
        assert body_shown == 0 or hidden >= 12


def test_repr_hides_value() -> None:
    result = check_secret(TOKEN, "anthropic", "setup_token")
    assert TOKEN not in repr(result)
    assert TOKEN[13:30] not in repr(result)
    assert isinstance(result, PasteCheck)


def test_unknown_provider_or_method() -> None:
    with pytest.raises(InputError, match="unknown provider"):
        check_secret(API, "gemini", "api_key")
    with pytest.raises(InputError, match="setup_token"):
        check_secret(API, "openrouter", "setup_token")


def test_sanitize_keeps_internal_spaces_for_the_checker() -> None:
    cleaned, notes = sanitize("  abc def \n")
    assert cleaned == "abc def"
    assert "removed a trailing line break" in notes


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sanitize_is_idempotent(case: Case) -> None:
    # The SecretInput widget sanitizes on paste and check_secret sanitizes again.
    cleaned, _ = sanitize(case.raw)
    assert sanitize(cleaned) == (cleaned, ())


# --- bounded input ------------------------------------------------------------------------

MB = 1024 * 1024
RUN = MB // 2  # characters of filler on each side: about 1 MB in all


def test_a_paste_over_the_limit_is_refused_naming_the_limit() -> None:
    result = check_secret(API + " " * (KEY_PASTE.chars - len(API) + 1), "anthropic", "api_key")
    assert not result.ok and result.value == ""
    assert "more than 4,096 characters" in result.message
    assert " — copy only the key" in result.message


def test_a_paste_at_the_limit_is_cleaned() -> None:
    padding = (KEY_PASTE.chars - len(API)) // 2
    raw = " " * padding + API + "\n" * (KEY_PASTE.chars - len(API) - padding)
    assert len(raw) == KEY_PASTE.chars
    result = check_secret(raw, "anthropic", "api_key")
    assert result.ok and result.value == API


# Each shape once made (or could make) a pattern retry from every character: at 1 MB a
# quadratic pattern would not finish. The cleaned value shows the work was done right.
LINEAR_CASES = [
    ("spaces-around", " " * RUN + API + " " * RUN, API),
    ("tabs-around", "\t" * RUN + API + "\t" * RUN, API),
    ("nbsp-around", NBSP * RUN + API + NBSP * RUN, API),
    # A run with no line break inside the key is kept (check_secret names the space).
    ("spaces-inside", API[:50] + " " * MB + API[50:], API[:50] + " " * MB + API[50:]),
    ("tabs-inside", API[:50] + "\t" * MB + API[50:], API[:50] + "\t" * MB + API[50:]),
    ("nbsp-inside", API[:50] + NBSP * MB + API[50:], API[:50] + NBSP * MB + API[50:]),
    ("indented-break", API[:50] + " " * RUN + "\n" + "\t" * RUN + API[50:], API),
    ("line-breaks", API[:50] + "\n" * MB + API[50:], API),
    ("crlf", API[:50] + "\r\n" * RUN + API[50:], API),
    ("unclosed-osc", "\x1b]" * RUN + API, API),
    ("osc-then-spaces", "\x1b]" + " " * MB + API, API),
    ("long-csi", "\x1b[" + "0;" * RUN + "m" + API, API),
    ("zero-width", ZW * MB + API, API),
]


@pytest.mark.parametrize(
    ("raw", "cleaned"), [c[1:] for c in LINEAR_CASES], ids=[c[0] for c in LINEAR_CASES]
)
def test_sanitize_finishes_on_a_megabyte_of_each_shape(raw: str, cleaned: str) -> None:
    assert len(raw) >= MB
    assert sanitize(raw)[0] == cleaned


SIGN_IN = "abcDEF123_-xyz#" + "S" * 43
SIGN_IN_CASES = [
    ("quotes", '"' * RUN + SIGN_IN + '"' * RUN, SIGN_IN),
    ("spaces", " " * RUN + SIGN_IN + " " * RUN, SIGN_IN),
    ("spaces-inside", SIGN_IN[:5] + " " * MB + SIGN_IN[5:], SIGN_IN),
    ("line-breaks", SIGN_IN[:5] + "\n" * MB + SIGN_IN[5:], SIGN_IN),
    ("long-csi", "\x1b[" + ";" * MB + "m" + SIGN_IN, SIGN_IN),
    # Kept: parse_paste then says the code has characters a code never has.
    ("unclosed-osc", "\x1b]" * RUN + SIGN_IN, "\x1b]" * RUN + SIGN_IN),
]


@pytest.mark.parametrize(
    ("raw", "cleaned"), [c[1:] for c in SIGN_IN_CASES], ids=[c[0] for c in SIGN_IN_CASES]
)
def test_the_sign_in_cleaner_finishes_on_a_megabyte_of_each_shape(raw: str, cleaned: str) -> None:
    # The cleaner itself, without parse_paste's length limit in front of it.
    assert len(raw) >= MB
    assert _clean_paste(raw) == cleaned
