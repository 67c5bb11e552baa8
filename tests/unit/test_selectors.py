"""Model selector parsing and provider inference (DESIGN §4)."""

from __future__ import annotations

import pytest

from backend.errors import InputError
from backend.vocabulary.registry import CLAUDE_LINES
from backend.vocabulary.selectors import Selector, infer_provider, parse_selector


@pytest.mark.parametrize(
    ("model", "provider"),
    [
        ("claude-sonnet-4-6", "anthropic"),
        ("claude-haiku-4-5", "anthropic"),
        ("opus", "anthropic"),
        ("sonnet", "anthropic"),
        ("haiku", "anthropic"),
        ("anthropic/claude-sonnet-4-6", "openrouter"),
        ("meta-llama/llama-3.1-8b-instruct:free", "openrouter"),
        ("openai/gpt-5", "openrouter"),
        ("gpt-5", "openai"),
        ("gpt-4o-mini", "openai"),
        ("o3", "openai"),
        ("o4-mini", "openai"),
        ("mistral-large", None),
        ("omni", None),
        ("claude", None),
        ("", None),
    ],
)
def test_infer_provider(model: str, provider: str | None) -> None:
    assert infer_provider(model) == provider


def test_aliases() -> None:
    assert CLAUDE_LINES == ("opus", "sonnet", "haiku")
    assert [infer_provider(alias) for alias in CLAUDE_LINES] == ["anthropic"] * 3
    assert str(parse_selector("sonnet")) == "sonnet"


@pytest.mark.parametrize(
    ("text", "expected", "canonical"),
    [
        (
            "claude-sonnet-4-6",
            Selector("anthropic", "claude-sonnet-4-6", False),
            "claude-sonnet-4-6",
        ),
        ("  haiku  ", Selector("anthropic", "haiku", False), "haiku"),
        (
            "openrouter:anthropic/claude-sonnet-4-6",
            Selector("openrouter", "anthropic/claude-sonnet-4-6", True),
            "openrouter:anthropic/claude-sonnet-4-6",
        ),
        ("anthropic:opus", Selector("anthropic", "opus", True), "anthropic:opus"),
        ("OpenAI:gpt-5", Selector("openai", "gpt-5", True), "openai:gpt-5"),
        ("openai:my-finetune", Selector("openai", "my-finetune", True), "openai:my-finetune"),
        (
            "vendor/model:free",
            Selector("openrouter", "vendor/model:free", False),
            "vendor/model:free",
        ),
        (
            "openrouter:vendor/model:free",
            Selector("openrouter", "vendor/model:free", True),
            "openrouter:vendor/model:free",
        ),
        ("o3", Selector("openai", "o3", False), "o3"),
    ],
)
def test_parse_selector(text: str, expected: Selector, canonical: str) -> None:
    sel = parse_selector(text)
    assert sel == expected
    assert str(sel) == canonical
    assert parse_selector(str(sel)) == sel


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   \t", "empty"),
        ("azure:gpt-5", "unknown provider 'azure'"),
        ("mistral-large", "cannot tell which provider"),
        ("anthropic:", "names no model"),
        ("claude sonnet", "characters"),
        ("openrouter:gpt-5", "vendor/model"),
    ],
)
def test_parse_selector_errors(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_selector(text)
    assert fragment in info.value.message
    assert info.value.exit_code == 2


def test_selector_is_frozen() -> None:
    sel = parse_selector("opus")
    with pytest.raises(AttributeError):
        sel.model = "haiku"  # type: ignore[misc]
