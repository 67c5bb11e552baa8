"""The step harness (tests/support/steps.py) arrives where a walk from Welcome arrives.

Snapshots and reliability cases start at their own step instead of clicking there; this
walks to the same step both ways and compares what the step is given: the answers, the
history (the breadcrumb's place and Back), the step's screen and what it shows.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from backend.wizard.answers import Answers
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, SETUP_TOKEN, FakeProvider
from tests.support.steps import start_at
from tests.tui.harness import SIZE, build, goto, text_of

# The record's creation time is the moment it was built: the only field that differs.
_RECORD_CLOCK = ("created_at",)

CASES = [
    pytest.param("provider", "anthropic", "api_key", None, id="provider"),
    pytest.param("auth_method", "openrouter", "api_key", None, id="auth_method"),
    pytest.param("authorize", "anthropic", "oauth", None, id="authorize"),
    pytest.param("env", "anthropic", "env", None, id="env"),
    pytest.param("check", "anthropic", "setup_token", SETUP_TOKEN, id="check-setup_token"),
    pytest.param("model", "anthropic", "api_key", ANTHROPIC_KEY, id="model-anthropic"),
    pytest.param("model", "openrouter", "api_key", OPENROUTER_KEY, id="model-openrouter"),
]

EXISTING = '[model]\nprovider = "anthropic"\nname = "claude-opus-4-7"\nauth = "api_key"\n'


def _given(answers: Answers) -> dict[str, Any]:
    fields = dataclasses.asdict(answers)
    record = answers.record
    fields["record"] = (
        None
        if record is None
        else {k: v for k, v in dataclasses.asdict(record).items() if k not in _RECORD_CLOCK}
    )
    return fields


async def _arrive(
    fake: FakeProvider,
    tmp_path: Path,
    step: str,
    provider: str,
    method: str,
    secret: str | None,
    *,
    harness: bool,
) -> tuple[dict[str, Any], list[str], str, str]:
    env = {"ANTHROPIC_API_KEY": ANTHROPIC_KEY} if method == "env" else {}
    h = build(fake, tmp_path, env=env, config_text=EXISTING)
    if harness:
        start_at(h.app, step, provider=provider, method=method, secret=secret)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, step, provider=provider, method=method, secret=secret)
        progress = text_of(pilot, "#progress")
        given = _given(h.app.answers)
        history = list(h.app.history)
        name = type(screen).__name__
    return given, history, name, progress


@pytest.mark.parametrize(("step", "provider", "method", "secret"), CASES)
async def test_starting_at_a_step_is_walking_there(
    fake_provider: FakeProvider,
    tmp_path: Path,
    step: str,
    provider: str,
    method: str,
    secret: str | None,
) -> None:
    walked = await _arrive(
        fake_provider, tmp_path / "walked", step, provider, method, secret, harness=False
    )
    started = await _arrive(
        fake_provider, tmp_path / "started", step, provider, method, secret, harness=True
    )
    assert started[1:] == walked[1:]  # history, screen, breadcrumb
    walked_answers, started_answers = walked[0], started[0]
    # Each build has its own folder: the same seal.toml, at another path.
    walked_answers.pop("config_path")
    started_answers.pop("config_path")
    assert started_answers == walked_answers
