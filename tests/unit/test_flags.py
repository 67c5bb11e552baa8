"""The onboarding choices on the command line: checked once (wizard and --non-interactive),
each wrong one saying what to write instead; and where a run given them starts."""

from __future__ import annotations

import pytest

from backend.errors import InputError
from backend.wizard.answers import Answers
from backend.wizard.flags import check_given
from tui.flow import path, start_past


@pytest.mark.parametrize(
    ("choices", "said", "hint"),
    [
        ({"provider": "openrouter", "auth": "oauth"}, "no auth method 'oauth'", "use one of"),
        ({"model": "foo:bar"}, "unknown provider 'foo'", "the provider must be one of"),
        ({"provider": "openai", "model": "anthropic:opus"}, "is a anthropic model", "prefix"),
        ({"profile": "no spaces"}, "profile must be", "--profile work"),
        ({"agent": "bad name!"}, "not a valid agent name", "letters, digits"),
    ],
    ids=["auth", "model-prefix", "model-provider", "profile", "agent"],
)
def test_a_wrong_choice_says_what_to_write_instead(
    choices: dict[str, str], said: str, hint: str
) -> None:
    given = {"provider": None, "auth": None, "model": None, "profile": None, "agent": None}
    with pytest.raises(InputError) as caught:
        check_given(**{**given, **choices})
    assert said in caught.value.message and hint in caught.value.hint


def test_the_run_starts_past_the_steps_the_choices_answer() -> None:
    answers = Answers(provider="anthropic", method="api_key")
    assert start_past(answers, {"profile"}) == ("provider", ["welcome"])
    assert start_past(answers, {"provider"}) == ("auth_method", ["welcome", "provider"])
    assert start_past(answers, {"provider", "auth"}) == (
        "api_key",
        ["welcome", "provider", "auth_method"],
    )
    # --auth alone: the provider is still to answer.
    assert start_past(answers, {"auth"}) == ("provider", ["welcome"])
    assert path(answers)[:4] == ["welcome", "provider", "auth_method", "api_key"]
