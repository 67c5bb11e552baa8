"""Welcome step: what exists already, and what to do (set up, re-auth, roles, status)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import work
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from backend.wizard.answers import entry_mode
from screens.base import StepContext, StepScreen
from screens.choice import option_text
from screens.plain import plain
from screens.widgets.choice_list import ChoiceList, filter_line

if TYPE_CHECKING:
    from backend.services import Services
    from backend.wizard.answers import Answers
    from backend.wizard.survey import Survey


class WelcomeScreen(StepScreen):
    """First screen: a survey of the current state and the entry points."""

    TITLE_TEXT = "Welcome to seal-setup"
    HELP_TEXT = (
        "seal-setup configures Seal for this project: which provider and model, how to "
        "authenticate, and which models each agent uses. It writes seal.toml (keeping your "
        "comments) and keeps secrets in your system keyring or a private file, never in "
        "seal.toml.\n\nEvery step has Back, Next and Cancel; Cancel writes nothing."
    )

    # The list of actions comes with the survey, after the first paint.
    LOADS_BEFORE_KEYS = True

    def __init__(self, answers: Answers, services: Services, context: StepContext) -> None:
        super().__init__(answers, services, context)
        self._choice = "onboard"
        self.facts: Survey | None = None

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Looking at what is set up…", id="survey", markup=False)

    def on_mount(self) -> None:
        # Survey after the first paint: its thread (keyring probe, tomlkit import) would
        # otherwise compete with drawing the first screen.
        self.call_after_refresh(self.load)

    @work(group="survey", exclusive=True)
    async def load(self) -> None:
        """Survey the config, store and env off the UI loop, then offer what fits."""
        # Imported here, after the first paint, like the survey itself.
        from backend.vocabulary.registry import PROVIDER_LABELS
        from backend.wizard.survey import survey

        facts = await asyncio.to_thread(survey, self.services, self.answers.config_path)
        if not self.query("#survey"):
            return  # the wizard is closing (Ctrl+C while the survey ran): nothing to show
        detail = (
            "Starts from what is set up now: change what you want, keep the rest."
            if facts.config_exists and not facts.config_error
            else "Choose provider, sign in or paste a key, pick the model, write seal.toml."
        )
        options = [Option(option_text("Set up Seal", detail), "onboard")]
        target = facts.reauth
        if target is not None and not facts.config_error:
            label = PROVIDER_LABELS[target.provider]
            options.append(
                Option(
                    option_text(
                        f"Re-authenticate {label}",
                        f"Sign in again or paste a new key for {target.provider}:"
                        f"{target.profile} (after a 401 or an expired sign-in).",
                    ),
                    "reauth",
                )
            )
        if facts.config_exists and not facts.config_error:
            options.append(
                Option(
                    option_text(
                        "Assign model roles",
                        "Per agent: primary, fast, escalate and fallback models.",
                    ),
                    "roles",
                )
            )
        survey_text = self.query_one("#survey", Static)
        survey_text.update(plain(*_describe(facts)))
        if facts.config_error:
            survey_text.set_classes("error")
        # The list comes with its options: mounted empty, it was a blank box on the first
        # frame (and a widget more to style before it).
        line = filter_line()
        actions = ChoiceList(*options, id="actions", filter_line=line)
        await self.query_one("#body").mount(line, actions)
        actions.highlighted = 0
        # Not scrolled into view: on a short terminal the survey's first line (seal.toml)
        # matters more than the list's last option.
        actions.focus(scroll_visible=False)
        self.facts = facts
        self.ready = not facts.config_error
        self.take_keys()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._choice = event.option.id or "onboard"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choice = event.option.id or "onboard"
        self.action_next()

    def commit(self) -> bool:
        """The chosen walk is the mode; the flow knows where each one goes."""
        facts = self.facts
        if facts is None:
            return False
        mode = entry_mode(self._choice)
        self.answers.found_claude_code(facts.claude_code)
        if mode == "reauth":
            if facts.reauth is None:
                return False
            # The same re-auth as `seal-setup reauth` for the configured provider.
            from backend.wizard.reauth import start_reauth

            start_reauth(self.answers, facts.reauth)
            return True
        self.answers.begin(mode, facts.base_url)
        self.answers.found_agents(facts.agents)
        if self.answers.existing is None:
            if mode == "onboard" and facts.existing is not None:
                # Once per run: coming Back here keeps what was changed since.
                self.answers.resume(facts.existing)
            else:
                # seal.toml's profile stays the one the credential goes under.
                self.answers.choose_profile(facts.profile)
        return True


def _describe(facts: Survey) -> list[str]:
    """The survey's lines; each shown as one line of plain text (they hold paths and names)."""
    from backend.vocabulary.methods import auth_label
    from backend.vocabulary.registry import PROVIDER_LABELS

    lines = []
    if facts.config_error:
        lines.append(f"✗ {facts.config_error}")
        lines.append("  Fix the file (nothing will be written while it does not parse).")
    elif facts.config_exists:
        model = facts.model or "no model"
        provider = PROVIDER_LABELS.get(facts.provider or "", facts.provider or "no provider")
        lines.append(
            f"seal.toml: {facts.config_path} — {provider} · {model} · {auth_label(facts.auth)}"
        )
        if facts.agents:
            lines.append(f"  agents: {', '.join(facts.agents)}")
        lines += _endpoint_lines(facts)
    else:
        lines.append(f"seal.toml: {facts.config_path} does not exist yet (it will be created)")
    if facts.store_error:
        lines.append(f"Credentials: {facts.store_error}")
    else:
        stored = ", ".join(facts.stored) if facts.stored else "none stored yet"
        lines.append(f"Credentials: {stored}")
        lines.append(f"  store: {facts.store_reason}")
    if facts.env_keys:
        lines.append("Environment: " + ", ".join(f"${k}" for k in facts.env_keys) + " set")
    lines.append(f"Session: {facts.environment}")
    lines.append("Is auth working? Run `seal-setup status --probe` to check it live.")
    return lines


def _endpoint_lines(facts: Survey) -> list[str]:
    """seal.toml base URLs that are not a provider's own: where keys would go, up front."""
    lines = []
    if facts.endpoint_error:
        lines.append(f"⚠ {facts.endpoint_error}")
    for e in facts.endpoints:
        if e.problem:
            state = "refused: plain http to another machine"
        elif e.trusted:
            state = "trusted on this machine"
        else:
            state = "not trusted yet: seal-setup asks before sending a key there"
        lines.append(f"⚠ {e.provider} requests go to {e.url} ({e.table} base_url) — {state}")
    return lines
