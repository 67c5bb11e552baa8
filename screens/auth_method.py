"""Auth-method step: every method the provider offers, the recommended one first."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Static
from textual.widgets.option_list import Option

from backend.vocabulary import registry
from backend.vocabulary.methods import SUBSCRIPTION_NOTE, SUBSCRIPTION_NOTE_SHORT, methods_for
from backend.vocabulary.registry import PROVIDER_LABELS
from backend.wizard.on_machine import found_on_machine
from screens.choice import ChoiceStep, option_text


class AuthMethodScreen(ChoiceStep):
    """Pick how to authenticate with the chosen provider."""

    TITLE_TEXT = "How should Seal authenticate?"
    HELP_TEXT = (
        "[b]API key[/b] is the recommended path: pay per token, works everywhere.\n\n"
        "[b]Console sign-in[/b] signs you in to the Anthropic Console in a browser and "
        "creates an API key for you.\n\n"
        "[b]Subscription methods[/b] (Claude Pro/Max sign-in, setup-token, Claude Code's "
        "sign-in) use your Claude plan. " + SUBSCRIPTION_NOTE + "\n\n"
        "[b]Environment variable[/b]: nothing is stored; Seal reads the variable when it runs."
    )

    def compose_intro(self) -> Iterable[Widget]:
        provider = self.answers.provider or "anthropic"
        if self.answers.mode == "reauth":
            # What failed, and why: the panel resolves the credential in a worker.
            from screens.widgets.reauth_status import ReauthStatus

            yield ReauthStatus(
                self.services,
                provider,
                self.answers.profile,
                self.answers.reauth_auth,
                id="reauth-status",
            )
            return
        yield Static(f"Provider: [b]{PROVIDER_LABELS[provider]}[/b]", classes="hint")

    def compose_body(self) -> Iterable[Widget]:
        for widget in super().compose_body():
            if self.answers.mode == "reauth" and widget.id == "choices":
                # Keep the "what failed" panel in view at 80x24.
                widget.styles.max_height = 8
            yield widget
        if (self.answers.provider or "anthropic") == "anthropic":
            yield Static(SUBSCRIPTION_NOTE, classes="hint")

    def options(self) -> list[Option]:
        provider = self.answers.provider or "anthropic"
        known = registry.get(provider)
        env = self.services.env
        token_set = next((var for var in known.token_env if env.get(var)), None)
        # What is already on this machine comes first, with what recognises it.
        found = {
            f.method: f for f in found_on_machine(provider, env, self.answers.claude_code_found)
        }
        methods = methods_for(provider)
        first = list(found)
        # Stable: what was found in found_on_machine's order, then the rest in theirs.
        methods.sort(key=lambda m: first.index(m.id) if m.id in found else len(first))
        items = []
        for method in methods:
            note = SUBSCRIPTION_NOTE_SHORT if method.subscription else ""
            title, detail = method.label, method.summary
            badge = "recommended" if method.recommended else ""
            if method.id in found:
                title, detail = found[method.id].title, found[method.id].detail
                badge = "found on this machine"
            if method.id == "setup_token" and token_set:
                note = f"${token_set} is set and takes precedence."
            items.append(Option(option_text(title, detail, badge, note), method.id))
        return items

    def current(self) -> str | None:
        return self.answers.method

    def choose(self, option_id: str) -> None:
        self.answers.choose_method(option_id)
