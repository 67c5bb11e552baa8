"""The Review screen's command parses with build_parser() and writes the wizard's seal.toml."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

from backend.config.document import load_config
from backend.credentials.record import CredentialRecord
from backend.wizard.answers import Answers
from backend.wizard.onboarding import apply_answers, equivalent_command
from tests.cli.helpers import run, store, write_config
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, SETUP_TOKEN
from tui.cli import build_parser

START = """# my project
[model]
provider = "openai"   # was OpenAI
name = "gpt-5"
effort = "low"
thinking_budget = 2048

[model.headers]
"HTTP-Referer" = "https://old.example"

# agents below
[agents.research.model]
name = "claude-opus-4-7"
"""

NONE_SET = dict.fromkeys(
    ("thinking", "thinking_budget", "effort", "max_tokens", "cache_retention", "context_1m")
)


def wizard_answers(case: str, config_path: str) -> tuple[Answers, str]:
    """Answers as the wizard leaves them at Review (the Model step sets all six options)."""
    if case == "anthropic-manual":
        answers = Answers(provider="anthropic", method="api_key", model="claude-sonnet-4-6")
        answers.settings = {
            **NONE_SET,
            "thinking": "manual",
            "thinking_budget": 4096,
            "max_tokens": 32000,
            "cache_retention": "long",
            "context_1m": True,
        }
        answers.roles = {
            "fast": "claude-haiku-4-5",
            "fallbacks": ["openrouter:anthropic/claude-sonnet-4.6", "openai:gpt-5"],
        }
        secret = ANTHROPIC_KEY
    elif case == "openrouter-headers":
        answers = Answers(
            provider="openrouter",
            method="api_key",
            model="anthropic/claude-opus-4.7",
            profile="team",
        )
        answers.settings = {**NONE_SET, "effort": "high"}
        answers.headers = {
            "HTTP-Referer": "https://my-app.example.com",
            "X-OpenRouter-Title": "my app & co",
        }
        answers.roles = {"escalate": "openrouter:openai/gpt-5"}
        secret = OPENROUTER_KEY
    else:  # setup-token for an agent
        answers = Answers(
            provider="anthropic",
            method="setup_token",
            model="claude-opus-4-7",
            agent="research",
            profile="max",
        )
        answers.settings = {**NONE_SET, "effort": "xhigh", "thinking": "adaptive"}
        answers.roles = {"fast": "sonnet"}
        secret = SETUP_TOKEN
    kind = "setup_token" if answers.method == "setup_token" else "api_key"
    answers.record = CredentialRecord(answers.provider, answers.profile, kind, secret=secret)
    answers.check_outcome = "verified"
    answers.config_path = config_path
    return answers, secret


@pytest.mark.parametrize("case", ["anthropic-manual", "openrouter-headers", "agent-setup-token"])
def test_review_command_reproduces_the_wizard(
    tmp_path, capsys, monkeypatch, fake_provider_env, case
):
    wizard_path = write_config(tmp_path / "wizard.toml", START)
    cli_path = write_config(tmp_path / "cli.toml", START)
    answers, secret = wizard_answers(case, str(cli_path))

    config = load_config(wizard_path)
    apply_answers(config, answers)
    config.save()

    command = equivalent_command(answers, answers.config_path)
    assert secret not in command
    tokens = shlex.split(command)
    assert tokens[-2:] == ["<", "secret.txt"]  # the secret goes to stdin
    tokens = tokens[:-2]
    assert tokens[:3] == ["seal-setup", "onboard", "--non-interactive"]
    args = build_parser().parse_args(tokens[1:])
    assert args.non_interactive and args.provider == answers.provider

    code, out, err = run(tokens[1:], capsys, monkeypatch, secret)
    assert code == 0, err
    assert cli_path.read_text() == wizard_path.read_text()
    assert store().get(answers.provider, answers.profile).secret == secret
    assert secret not in out + err


def test_reauth_command_parses(tmp_path):
    answers = Answers(mode="reauth", provider="anthropic", method="oauth", profile="work")
    tokens = shlex.split(equivalent_command(answers, str(Path(tmp_path) / "s.toml")))
    args = build_parser().parse_args(tokens[1:])
    assert (args.auth, args.profile, args.model) == ("oauth", "work", None)
