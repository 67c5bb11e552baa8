"""Start the wizard at a step, with the answers the steps before it would have given.

Driving the app from Welcome to, say, the Model step costs five screens, a paste and a live
check per test. `arrive_at` gives the same state without the screens: it walks
`tui.flow.path(answers)` up to the step and, for each step before it, does what that step
does when Next is pressed, through the same backend calls the screen makes (the survey,
the answers' transitions, the paste check, the live check). The App then starts at the
step with that history, so the breadcrumb, Back and the step's own screen are what a
person sees after clicking there; the step's `on_enter` hook runs as Next would run it.

The steps before the target must be ones whose answer needs no widget: Welcome, Provider,
Auth method, a pasted key or setup token, and a verified Check. A test that needs a
later step (Review, Done) starts at the Model step and presses on from there; the flow
walks themselves (tests/tui/test_flows.py) still drive every screen from Welcome.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.auth.paste import check_secret
from backend.credentials.record import CredentialRecord
from backend.services import Services
from backend.wizard.answers import Answers
from backend.wizard.survey import survey
from tui.app import SealSetupApp
from tui.flow import STEPS, path

# Seconds the live check against the loopback fake may take before the test fails.
CHECK_DEADLINE = 10.0

# Steps whose answer can be given without their screen (see `answer`).
ANSWERED = frozenset({"welcome", "provider", "auth_method", "api_key", "setup_token", "check"})


@dataclass(frozen=True)
class Arrival:
    """Where the app starts and the steps a person would have walked to get there."""

    step: str
    history: tuple[str, ...]


def route(provider: str, method: str) -> list[str]:
    """The onboarding steps for this provider and method, Welcome to Done."""
    return path(Answers(provider=provider, method=method))


def credential_step(provider: str, method: str) -> str:
    """The method's own step (api_key, authorize, env, …) on the onboarding route."""
    steps = route(provider, method)
    return steps[steps.index("auth_method") + 1]


def arrive_at(
    answers: Answers,
    services: Services,
    step: str,
    *,
    provider: str = "anthropic",
    method: str = "api_key",
    secret: str | None = None,
) -> Arrival:
    """Fill `answers` as the onboarding steps before `step` would; return the arrival.

    `step` may be "credential" for the method's own step. `secret` is what is pasted on
    an api_key or setup_token step the walk passes.
    """
    steps = route(provider, method)
    target = credential_step(provider, method) if step == "credential" else step
    assert target in steps, (target, steps)
    before = steps[: steps.index(target)]
    for name in before:
        assert name in ANSWERED, f"start at {name!r} or earlier: its answer needs its screen"
        answer(name, answers, services, provider=provider, method=method, secret=secret)
    hook = STEPS[target].on_enter
    if before and hook is not None:
        hook(answers, services)
    return Arrival(target, tuple(before))


def start_at(
    app: SealSetupApp,
    step: str,
    *,
    provider: str = "anthropic",
    method: str = "api_key",
    secret: str | None = None,
) -> Arrival:
    """Make a built (not yet running) app start at `step` of the onboarding route, its
    answers and history as a walk from Welcome leaves them (see `arrive_at`)."""
    assert not app.is_running, "start_at before the app runs"
    arrival = arrive_at(
        app.answers, app.services, step, provider=provider, method=method, secret=secret
    )
    app.start_step = arrival.step
    app.history[:] = arrival.history
    return arrival


def start_near(
    app: SealSetupApp,
    step: str,
    *,
    provider: str = "anthropic",
    method: str = "api_key",
    secret: str | None = None,
) -> Arrival:
    """`start_at` the step, or for one past what can be answered without screens (Review,
    Done), at the last step before it that can be: `goto` then walks on from there."""
    steps = route(provider, method)
    target = credential_step(provider, method) if step == "credential" else step
    assert target in steps, (target, steps)
    before = steps[: steps.index(target)]
    while before and before[-1] not in ANSWERED:
        target = before.pop()
    return start_at(app, target, provider=provider, method=method, secret=secret)


def answer(
    name: str,
    answers: Answers,
    services: Services,
    *,
    provider: str,
    method: str,
    secret: str | None,
) -> None:
    """What step `name` does to the answers when Next is pressed on it."""
    if name == "welcome":
        # WelcomeScreen.commit for "Set up Seal": the survey's base_url for the table, the
        # agents it found, and the answers seal.toml and the store already give.
        facts = survey(services, answers.config_path)
        answers.begin("onboard", facts.base_url)
        answers.found_agents(facts.agents)
        if answers.existing is None:
            if facts.existing is not None:
                answers.resume(facts.existing)
            else:
                answers.choose_profile(facts.profile)
    elif name == "provider":
        answers.choose_provider(provider)
    elif name == "auth_method":
        answers.choose_method(method)
    elif name in ("api_key", "setup_token"):
        assert secret is not None, f"a walk past {name} pastes a secret"
        # SecretEntryScreen.commit: the cleaned value of a paste whose shape check passed.
        check = check_secret(secret, provider, name)
        assert check.ok, check.message
        answers.set_credential(
            CredentialRecord(
                provider=provider, profile=answers.profile, kind=name, secret=check.value
            )
        )
    elif name == "check":
        # CheckScreen: the same (shared) check the on_enter hook started, verified.
        record = answers.record
        assert record is not None, "nothing to check"
        started = services.check_async(
            provider, record, answers.check_base_url, answers.config_path
        )
        report = started.result(timeout=CHECK_DEADLINE)
        assert report.result.outcome == "verified", report.result.message
        answers.record_check(report.result, report.models)
        answers.keep_unverified(False)
    else:
        raise AssertionError(f"no answer for {name!r} without its screen")
