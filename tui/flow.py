"""The step graph as data: each step's screen, its phase label, the step after it, what
starts as Next enters it, and which step ends the run.

Back pops the walked history; the next step is computed from the answers, so changing
an earlier answer (a different method, say) changes the path after it. `path(answers)`
walks the same graph without any screen.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend.services import Services
    from backend.wizard.answers import Answers, EntryMode
    from screens.base import StepScreen

# Runs as Next leads into a step (not when Back returns to it), before its screen is built.
Hook = Callable[["Answers", "Services"], None]


def _ends(answers: Answers) -> str | None:
    return None


@dataclass(frozen=True)
class Step:
    """One node of the graph. `screen` is "module:Class", imported when first shown so
    that starting the wizard does not load every step's widgets.

    `next` names the step after this one, or None while the answers do not decide it yet.
    A `final` step ends the run when it is done, and offers neither Back nor Cancel.
    """

    screen: str
    phase: str
    next: Callable[[Answers], str | None] = _ends
    on_enter: Hook | None = None
    final: bool = False
    # The command-line choices (`--provider`, …, by dest name) any of which answers this
    # step: a run given one starts past it (`start_past`), and Back still reaches it.
    answered_by: frozenset[str] = frozenset()

    def screen_class(self) -> type[StepScreen]:
        """The step's screen class (imported on first use)."""
        module, _, name = self.screen.partition(":")
        cls: type[StepScreen] = getattr(import_module(module), name)
        return cls


# Where each mode's walk starts when its command starts it; Welcome leads to the same.
START_STEP: dict[EntryMode, str] = {"onboard": "welcome", "reauth": "auth_method", "roles": "roles"}

# The step for each way of getting the credential (backend.vocabulary.methods AuthMethod.acquire).
CREDENTIAL_STEP = {
    "paste_key": "api_key",
    "paste_token": "setup_token",
    "sign_in": "authorize",
    "import": "claude_code",
    "env": "env",
}


def _after_welcome(answers: Answers) -> str:
    return "provider" if answers.mode == "onboard" else START_STEP[answers.mode]


def _after_method(answers: Answers) -> str | None:
    if answers.stored_credential() is not None:
        return "stored"  # keep the stored credential, or replace it
    return _credential_step(answers)


def _credential_step(answers: Answers) -> str | None:
    from backend.vocabulary.methods import find_method

    method = find_method(answers.provider or "anthropic", answers.method or "")
    return CREDENTIAL_STEP[method.acquire] if method else None


def _after_stored(answers: Answers) -> str | None:
    return "check" if answers.kept else _credential_step(answers)


def _after_check(answers: Answers) -> str:
    return "review" if answers.mode == "reauth" else "model"


def _after_model(answers: Answers) -> str:
    return "roles" if answers.offers_roles else "review"


def _after_env(answers: Answers) -> str:
    # A variable set in this shell is checked live; one that is not has nothing to check.
    return "check" if answers.record else _after_check(answers)


def start_check(answers: Answers, services: Services) -> None:
    """Start the live check as Next is pressed, so the request overlaps the switch to the
    Check step; the step asks for the same check and gets the one already running."""
    if answers.record is None or answers.check_outcome == "verified":
        return
    services.check_async(
        answers.provider or "anthropic",
        answers.record,
        answers.check_base_url,
        answers.config_path,
    )


# The choices `seal-setup onboard` takes on the command line that answer a step.
ONBOARD_CHOICES = frozenset({"provider", "auth", "model", "profile", "agent"})

STEPS: dict[str, Step] = {
    "welcome": Step(
        "screens.welcome:WelcomeScreen", "Welcome", _after_welcome, answered_by=ONBOARD_CHOICES
    ),
    "provider": Step(
        "screens.provider:ProviderScreen",
        "Provider",
        lambda a: "auth_method",
        answered_by=frozenset({"provider"}),
    ),
    "auth_method": Step(
        "screens.auth_method:AuthMethodScreen",
        "Auth",
        _after_method,
        answered_by=frozenset({"auth"}),
    ),
    "stored": Step("screens.stored_credential:StoredCredentialScreen", "Credential", _after_stored),
    "api_key": Step("screens.secret_entry:ApiKeyScreen", "Credential", lambda a: "check"),
    "setup_token": Step("screens.secret_entry:SetupTokenScreen", "Credential", lambda a: "check"),
    "authorize": Step("screens.authorize:AuthorizeScreen", "Credential", lambda a: "check"),
    "claude_code": Step("screens.claude_code:ClaudeCodeScreen", "Credential", lambda a: "check"),
    "env": Step("screens.env_method:EnvScreen", "Credential", _after_env),
    "check": Step("screens.check:CheckScreen", "Check", _after_check, on_enter=start_check),
    "model": Step("screens.model:ModelScreen", "Model", _after_model),
    "roles": Step("screens.roles:RolesScreen", "Roles", lambda a: "review"),
    "review": Step("screens.review:ReviewScreen", "Review", lambda a: "done"),
    "done": Step("screens.done:DoneScreen", "Done", final=True),
}


def following(name: str, answers: Answers) -> str:
    """The step after `name` for these answers (not asked of a final step).

    A step that is done has an answer that decides what comes next: a LookupError here is
    a hole in the graph (the graph test walks every mode and method to rule one out).
    """
    step = STEPS[name]
    after = step.next(answers)
    if after is None or after not in STEPS:
        raise LookupError(f"the step graph has no step after {name!r} (got {after!r})")
    return after


def path(answers: Answers, start: str | None = None) -> list[str]:
    """The steps a run with these answers visits, from `start` (default: where the mode's
    command starts) to the final step; it stops early where the answers do not decide
    the next step yet (no method chosen, say)."""
    name: str | None = start or START_STEP[answers.mode]
    walked: list[str] = []
    while name is not None:
        if name in walked or name not in STEPS:
            raise LookupError(f"the step graph loops or breaks at {name!r}: {walked}")
        walked.append(name)
        step = STEPS[name]
        name = None if step.final else step.next(answers)
    return walked


def start_past(answers: Answers, given: Collection[str]) -> tuple[str, list[str]]:
    """Where a run whose first steps the command line answered (`given`: the choices it
    named) starts, and the steps before it: the first step of the path that none of them
    answers, with the ones passed as the history Back walks (as if walked)."""
    route = path(answers)
    for index, name in enumerate(route):
        if not STEPS[name].answered_by & set(given):
            return name, route[:index]
    return route[-1], route[:-1]


def phases_for(answers: Answers) -> tuple[str, ...]:
    """The breadcrumb shown at the top for the answers' entry mode (onboarding shows Roles
    once the answers say it goes there)."""
    if answers.mode == "reauth":
        return ("Auth", "Credential", "Check", "Review", "Done")
    if answers.mode == "roles":
        return ("Roles", "Review", "Done")
    model = ("Model", "Roles") if answers.offers_roles else ("Model",)
    return ("Welcome", "Provider", "Auth", "Credential", "Check", *model, "Review", "Done")
