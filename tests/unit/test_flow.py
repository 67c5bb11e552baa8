"""The step graph as data (tui.flow), walked without any screen for every mode and method."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import pytest

from backend.credentials.record import CredentialRecord
from backend.vocabulary.methods import Acquire, methods_for
from backend.vocabulary.registry import PROVIDER_LABELS
from backend.wizard.answers import Answers, EntryMode
from tui import flow
from tui.flow import CREDENTIAL_STEP, START_STEP, STEPS, following, path, phases_for

MODES: tuple[EntryMode, ...] = get_args(EntryMode)


def _record(provider: str) -> CredentialRecord:
    return CredentialRecord(provider, "default", "api_key", secret="sk-test-value")


def _runs() -> list[tuple[EntryMode, str, str, bool, bool]]:
    """Every mode × provider × method, with and without a credential in hand (the env
    method has none when its variable is not set in this shell), with and without agents
    in seal.toml."""
    return [
        (mode, provider, method.id, held, agents)
        for mode in MODES
        for provider in PROVIDER_LABELS
        for method in methods_for(provider)
        for held in (True, False)
        for agents in (False, True)
    ]


def _answers(
    mode: EntryMode, provider: str, method: str, held: bool, agents: bool = False
) -> Answers:
    record = _record(provider) if held else None
    answers = Answers(mode=mode, provider=provider, method=method, record=record)
    answers.found_agents(["research"] if agents else [])
    return answers


RUNS = _runs()
IDS = [
    f"{m}-{p}-{meth}-{'held' if h else 'none'}-{'agents' if a else 'alone'}"
    for m, p, meth, h, a in RUNS
]
PARAMS = ("mode", "provider", "method", "held", "agents")


def test_every_acquire_has_a_step_and_every_step_a_screen() -> None:
    assert set(CREDENTIAL_STEP) == set(get_args(Acquire))
    assert set(CREDENTIAL_STEP.values()) <= set(STEPS)
    for provider in PROVIDER_LABELS:
        for method in methods_for(provider):
            assert CREDENTIAL_STEP[method.acquire] in STEPS, (provider, method.id)
    for name, step in STEPS.items():
        module, _, cls = step.screen.partition(":")
        assert cls and importlib.util.find_spec(module) is not None, (name, step.screen)
    assert set(START_STEP) == set(MODES) and set(START_STEP.values()) <= set(STEPS)


def test_done_is_the_only_final_step() -> None:
    assert [name for name, step in STEPS.items() if step.final] == ["done"]


@pytest.mark.parametrize(PARAMS, RUNS, ids=IDS)
def test_every_next_target_exists(
    mode: EntryMode, provider: str, method: str, held: bool, agents: bool
) -> None:
    answers = _answers(mode, provider, method, held, agents)
    for name, step in STEPS.items():
        if step.final:
            continue
        after = following(name, answers)
        assert after in STEPS, (name, after)


@pytest.mark.parametrize(PARAMS, RUNS, ids=IDS)
def test_path_ends_at_done_and_shows_the_modes_phases(
    mode: EntryMode, provider: str, method: str, held: bool, agents: bool
) -> None:
    answers = _answers(mode, provider, method, held, agents)
    route = path(answers)
    assert route[0] == START_STEP[mode] and route[-1] == "done", route
    phases = [STEPS[name].phase for name in route]
    expected = list(phases_for(answers))
    if method == "env" and not held and mode != "roles":
        # Nothing set in this shell: nothing to check, the breadcrumb's Check is skipped.
        expected.remove("Check")
    assert phases == expected, route


@pytest.mark.parametrize("provider", list(PROVIDER_LABELS))
def test_onboarding_visits_the_methods_own_step(provider: str) -> None:
    for method in methods_for(provider):
        route = path(_answers("onboard", provider, method.id, True))
        credential = CREDENTIAL_STEP[method.acquire]
        assert route == [
            "welcome",
            "provider",
            "auth_method",
            credential,
            "check",
            "model",
            "review",
            "done",
        ]


@pytest.mark.parametrize("provider", list(PROVIDER_LABELS))
def test_onboarding_with_agents_goes_model_roles_review(provider: str) -> None:
    for method in methods_for(provider):
        answers = _answers("onboard", provider, method.id, True, agents=True)
        route = path(answers)
        assert route[route.index("model") :] == ["model", "roles", "review", "done"]
        assert phases_for(answers)[-4:] == ("Model", "Roles", "Review", "Done")
        # Re-auth with the same agents in seal.toml does not pass through Roles.
        answers.mode = "reauth"
        assert "roles" not in path(answers)


def test_reauth_and_roles_skip_the_model() -> None:
    assert path(_answers("reauth", "anthropic", "oauth", True)) == [
        "auth_method",
        "authorize",
        "check",
        "review",
        "done",
    ]
    assert path(Answers(mode="roles")) == ["roles", "review", "done"]


@pytest.mark.parametrize("mode", MODES)
def test_welcome_leads_to_where_the_modes_command_starts(mode: EntryMode) -> None:
    answers = _answers(mode, "anthropic", "api_key", True)
    route = path(answers, start="welcome")
    if mode == "onboard":
        assert route == path(answers)
    else:
        assert route == ["welcome", *path(answers)]


def test_path_stops_where_the_answers_do_not_decide_yet() -> None:
    assert path(Answers()) == ["welcome", "provider", "auth_method"]
    with pytest.raises(LookupError, match="auth_method"):
        following("auth_method", Answers(provider="anthropic"))


@dataclass
class _Services:
    calls: list[tuple[Any, ...]] = field(default_factory=list)

    def check_async(self, *args: Any) -> None:
        self.calls.append(args)


def test_entering_the_check_starts_it_once_for_the_credential_in_hand() -> None:
    hook = STEPS["check"].on_enter
    assert hook is flow.start_check
    assert [name for name, step in STEPS.items() if step.on_enter] == ["check"]
    record = _record("openrouter")
    answers = Answers(
        provider="openrouter", method="api_key", record=record, base_url="https://proxy.test"
    )
    services = _Services()
    hook(answers, services)  # type: ignore[arg-type]
    assert services.calls == [("openrouter", record, "https://proxy.test", "seal.toml")]
    answers.own_base = True  # the person chose the provider's own server
    hook(answers, services)  # type: ignore[arg-type]
    assert services.calls[-1] == ("openrouter", record, None, "seal.toml")
    # Nothing in hand, or already verified (Back and Next again): nothing to start.
    services.calls.clear()
    hook(Answers(provider="openrouter", method="env"), services)  # type: ignore[arg-type]
    hook(Answers(record=record, check_outcome="verified"), services)  # type: ignore[arg-type]
    assert services.calls == []


def test_the_graph_loads_no_textual() -> None:
    code = (
        "import sys\nfrom backend.wizard.answers import Answers\nfrom tui.flow import path\n"
        "path(Answers(provider='anthropic', method='api_key'))\n"
        "assert 'textual' not in sys.modules, 'textual loaded'"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=60)
