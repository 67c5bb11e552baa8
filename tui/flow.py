"""The step graph as data: each step's screen, its phase label, and the step after it.

Back pops the walked history; the next step is computed from the answers, so changing
an earlier answer (a different method, say) changes the path after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backend.wizard_state import Answers
    from screens.base import StepScreen


@dataclass(frozen=True)
class Step:
    """One node of the graph. `screen` is "module:Class", imported when first shown so
    that starting the wizard does not load every step's widgets."""

    screen: str
    phase: str
    next: Callable[[Answers], str | None]

    def screen_class(self) -> type[StepScreen]:
        """The step's screen class (imported on first use)."""
        module, _, name = self.screen.partition(":")
        cls: type[StepScreen] = getattr(import_module(module), name)
        return cls


_CREDENTIAL_STEP = {
    "paste_key": "api_key",
    "paste_token": "setup_token",
    "sign_in": "authorize",
    "import": "claude_code",
    "env": "env",
}


def _after_method(answers: Answers) -> str | None:
    from backend.methods import find_method

    method = find_method(answers.provider or "anthropic", answers.method or "")
    return _CREDENTIAL_STEP[method.acquire] if method else None


def _after_check(answers: Answers) -> str | None:
    return "review" if answers.mode == "reauth" else "model"


STEPS: dict[str, Step] = {
    "welcome": Step("screens.welcome:WelcomeScreen", "Welcome", lambda a: "provider"),
    "provider": Step("screens.provider:ProviderScreen", "Provider", lambda a: "auth_method"),
    "auth_method": Step("screens.auth_method:AuthMethodScreen", "Auth", _after_method),
    "api_key": Step("screens.secret_entry:ApiKeyScreen", "Credential", lambda a: "check"),
    "setup_token": Step("screens.secret_entry:SetupTokenScreen", "Credential", lambda a: "check"),
    "authorize": Step("screens.authorize:AuthorizeScreen", "Credential", lambda a: "check"),
    "claude_code": Step("screens.claude_code:ClaudeCodeScreen", "Credential", lambda a: "check"),
    "env": Step(
        "screens.env_method:EnvScreen",
        "Credential",
        lambda a: "check" if a.record else _after_check(a),
    ),
    "check": Step("screens.check:CheckScreen", "Check", _after_check),
    "model": Step("screens.model:ModelScreen", "Model", lambda a: "review"),
    "roles": Step("screens.roles:RolesScreen", "Roles", lambda a: "review"),
    "review": Step("screens.review:ReviewScreen", "Review", lambda a: "done"),
    "done": Step("screens.done:DoneScreen", "Done", lambda a: None),
}

START_STEP = {"onboard": "welcome", "reauth": "auth_method", "roles": "roles"}


def phases_for(mode: str) -> tuple[str, ...]:
    """The breadcrumb shown at the top for an entry mode."""
    if mode == "reauth":
        return ("Auth", "Credential", "Check", "Review", "Done")
    if mode == "roles":
        return ("Roles", "Review", "Done")
    return ("Welcome", "Provider", "Auth", "Credential", "Check", "Model", "Review", "Done")
