"""Paste sanitizing and shape checks: the table in paste_cases.py plus fingerprint rules."""

from __future__ import annotations

import re

import pytest
from paste_cases import API, CASES, OR_KEY, TOKEN, Case

from backend.errors import InputError
from backend.paste import (
    KNOWN_PREFIXES,
    PasteCheck,
    check_secret,
    fingerprint,
    known_prefix,
    sanitize,
)


def _body_windows(secret: str, width: int = 8) -> set[str]:
    # Known prefixes are public (messages name them): only the parts between them are secret.
    parts = re.split("|".join(re.escape(p) for p in KNOWN_PREFIXES), secret)
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
