"""The step graph as data: each step's screen, its phase label, and the step after it.

Back pops the walked history; the next step is computed from the answers, so changing
an earlier answer (a different method, say) changes the path after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.methods import find_method
from backend.wizard_state import Answers
from screens.auth_method import AuthMethodScreen
from screens.authorize import AuthorizeScreen
from screens.base import StepScreen
from screens.check import CheckScreen
from screens.claude_code import ClaudeCodeScreen
from screens.done import DoneScreen
from screens.env_method import EnvScreen
from screens.model import ModelScreen
from screens.provider import ProviderScreen
from screens.review import ReviewScreen
from screens.roles import RolesScreen
from screens.secret_entry import ApiKeyScreen, SetupTokenScreen
from screens.welcome import WelcomeScreen


@dataclass(frozen=True)
class Step:
    """One node of the graph."""

    screen: type[StepScreen]
    phase: str
    next: Callable[[Answers], str | None]


_CREDENTIAL_STEP = {
    "paste_key": "api_key",
    "paste_token": "setup_token",
    "sign_in": "authorize",
    "import": "claude_code",
    "env": "env",
}


def _after_method(answers: Answers) -> str | None:
    method = find_method(answers.provider or "anthropic", answers.method or "")
    return _CREDENTIAL_STEP[method.acquire] if method else None


def _after_check(answers: Answers) -> str | None:
    return "review" if answers.mode == "reauth" else "model"


STEPS: dict[str, Step] = {
    "welcome": Step(WelcomeScreen, "Welcome", lambda a: "provider"),
    "provider": Step(ProviderScreen, "Provider", lambda a: "auth_method"),
    "auth_method": Step(AuthMethodScreen, "Auth", _after_method),
    "api_key": Step(ApiKeyScreen, "Credential", lambda a: "check"),
    "setup_token": Step(SetupTokenScreen, "Credential", lambda a: "check"),
    "authorize": Step(AuthorizeScreen, "Credential", lambda a: "check"),
    "claude_code": Step(ClaudeCodeScreen, "Credential", lambda a: "check"),
    "env": Step(EnvScreen, "Credential", lambda a: "check" if a.record else _after_check(a)),
    "check": Step(CheckScreen, "Check", _after_check),
    "model": Step(ModelScreen, "Model", lambda a: "review"),
    "roles": Step(RolesScreen, "Roles", lambda a: "review"),
    "review": Step(ReviewScreen, "Review", lambda a: "done"),
    "done": Step(DoneScreen, "Done", lambda a: None),
}

START_STEP = {"onboard": "welcome", "reauth": "auth_method", "roles": "roles"}


def phases_for(mode: str) -> tuple[str, ...]:
    """The breadcrumb shown at the top for an entry mode."""
    if mode == "reauth":
        return ("Auth", "Credential", "Check", "Review", "Done")
    if mode == "roles":
        return ("Roles", "Review", "Done")
    return ("Welcome", "Provider", "Auth", "Credential", "Check", "Model", "Review", "Done")
