"""What may go in an HTTP header, and each credential source that applies the rule."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from backend.credentials.claude_code import ClaudeCodeError, read_claude_code
from backend.credentials.resolution import env_record, resolve
from backend.errors import InputError, ProviderError
from backend.providers import live as providers
from backend.providers.base import Auth
from backend.system.header_value import header_problem
from backend.vocabulary import registry

KEY = "sk-ant-api03-" + "Hidden0Body0" * 8 + "xY9z"


@pytest.mark.parametrize("value", ["", KEY, "Bearer a b", "~!@#$%^&*()_+{}|:<>?`-=[]\\;',./"])
def test_printable_ascii_and_the_space_can_be_sent(value: str) -> None:
    assert header_problem(value) == ""


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (KEY[:11] + "\u200b" + KEY[11:], "non-ASCII character at position 12 (an invisible"),
        ("\ufeff" + KEY, "non-ASCII character at position 1 (an invisible formatting character"),
        (KEY[:20] + "é" + KEY[20:], "at position 21 (an accented or non-Latin letter, U+00E9)"),
        (KEY[:5] + "\u00a0" + KEY[5:], "at position 6 (a special space, U+00A0)"),
        (KEY[:5] + "\u2013" + KEY[5:], "(a typographic dash, e.g. an en dash instead of '-'"),
        ("“" + KEY + "”", "at position 1 (a smart quote, U+201C)"),
        (KEY + "\t", f"control character at position {len(KEY) + 1} (a tab)"),
        (KEY[:3] + "\n" + KEY[3:], "control character at position 4 (a line break)"),
        (KEY[:3] + "\x7f" + KEY[3:], "control character at position 4 (U+007F)"),
        (KEY[:3] + "\x1b" + KEY[3:], "control character at position 4 (U+001B)"),
        ("\x85" + KEY, "non-ASCII character at position 1 (an invisible formatting character"),
    ],
)
def test_anything_else_is_named_by_kind_and_position(value: str, problem: str) -> None:
    found = header_problem(value)
    assert problem in found
    assert KEY[13:25] not in found  # the value itself is never quoted


def test_an_env_variable_that_cannot_be_sent_is_named() -> None:
    value = KEY[:11] + "\u200b" + KEY[11:]
    with pytest.raises(InputError) as info:
        env_record("anthropic", "default", "ANTHROPIC_API_KEY", value)
    assert info.value.message.startswith(
        "ANTHROPIC_API_KEY contains a non-ASCII character at position 12"
    )
    assert "ANTHROPIC_API_KEY again" in info.value.hint
    assert KEY[13:25] not in str(info.value)


def test_status_resolution_raises_the_named_error(isolated_env: Path) -> None:
    env = {"HOME": str(isolated_env), "OPENAI_API_KEY": "sk-proj-abc\u00e9def"}
    with pytest.raises(InputError, match="OPENAI_API_KEY contains a non-ASCII character"):
        resolve("openai", "default", env, None)


def test_claude_code_tokens_that_cannot_be_sent_name_the_file(isolated_env: Path) -> None:
    path = isolated_env / ".claude" / ".credentials.json"
    path.parent.mkdir(parents=True)
    env = {"HOME": str(isolated_env)}
    for field, position in (("accessToken", 14), ("refreshToken", 14)):
        tokens = {"accessToken": "sk-ant-oat01-a", "refreshToken": "sk-ant-ort01-r"}
        tokens[field] = tokens[field][:13] + "\u200b" + tokens[field][13:]
        path.write_text(json.dumps({"claudeAiOauth": tokens}))
        with pytest.raises(ClaudeCodeError) as info:
            read_claude_code(env)
        message = info.value.message
        assert "~/.claude/.credentials.json" in message and field in message
        assert f"non-ASCII character at position {position}" in message


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"a request was made to {request.url}")


@pytest.mark.parametrize("provider", registry.ids())
def test_a_credential_that_cannot_be_sent_is_refused_before_any_request(provider: str) -> None:
    auth = Auth("api_key", KEY[:30] + "ü" + KEY[30:])
    with httpx.Client(transport=httpx.MockTransport(_no_network)) as client:
        result = providers.check(provider, auth, client=client)
        assert result.outcome == "rejected"
        assert "non-ASCII character at position 31" in result.message
        assert "cannot be sent" in result.message and "reauth" in result.cause
        with pytest.raises(ProviderError, match="cannot be sent"):
            providers.list_models(provider, auth, client=client)
