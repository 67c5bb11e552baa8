"""What this machine holds comes first on the Auth step: which methods, in which order."""

from __future__ import annotations

from backend.auth.paste import fingerprint
from backend.wizard.on_machine import found_on_machine
from tests.fakes.provider import ANTHROPIC_KEY, OPENAI_KEY, SETUP_TOKEN


def test_nothing_set_nothing_found() -> None:
    assert found_on_machine("anthropic", {}, None) == []
    assert found_on_machine("anthropic", {"ANTHROPIC_API_KEY": "  "}, None) == []


def test_the_variable_seal_reads_first_with_its_fingerprint() -> None:
    env = {"ANTHROPIC_API_KEY": ANTHROPIC_KEY, "CLAUDE_CODE_OAUTH_TOKEN": SETUP_TOKEN}
    (found,) = found_on_machine("anthropic", env)
    # Seal's own order: the subscription token variable outranks the key variable.
    assert found.method == "env" and found.title == "Use $CLAUDE_CODE_OAUTH_TOKEN"
    assert fingerprint(SETUP_TOKEN) in found.detail
    assert SETUP_TOKEN not in found.detail and ANTHROPIC_KEY not in found.detail


def test_claude_code_after_the_variable_and_only_where_offered() -> None:
    env = {"ANTHROPIC_API_KEY": ANTHROPIC_KEY}
    where = "~/.claude/.credentials.json"
    assert [f.method for f in found_on_machine("anthropic", env, where)] == ["env", "claude_code"]
    assert where in found_on_machine("anthropic", {}, where)[0].detail
    # OpenAI has no Claude Code sign-in; its own variable is found.
    found = found_on_machine("openai", {"OPENAI_API_KEY": OPENAI_KEY}, where)
    assert [(f.method, f.title) for f in found] == [("env", "Use $OPENAI_API_KEY")]
