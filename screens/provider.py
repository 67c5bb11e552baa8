"""Provider step: Anthropic, OpenRouter or OpenAI."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Static
from textual.widgets.option_list import Option

from backend.methods import ENV_VAR_FOR_PROVIDER, PROVIDER_BLURBS, PROVIDER_LABELS
from screens.choice import ChoiceStep, option_text


class ProviderScreen(ChoiceStep):
    """Pick the LLM provider Seal talks to."""

    TITLE_TEXT = "Which provider should Seal use?"
    HELP_TEXT = (
        "Seal sends your agents' requests to one provider by default; per-agent roles can "
        "use others later.\n\n"
        "[b]Anthropic[/b]: Claude models directly. [b]OpenRouter[/b]: one key for many "
        "vendors' models. [b]OpenAI[/b]: GPT and o-series models.\n\n"
        "An environment variable that is already set is noted next to its provider."
    )

    def compose_intro(self) -> Iterable[Widget]:
        yield Static("Use ↑/↓ to choose, Enter to continue.", classes="hint")

    def options(self) -> list[Option]:
        items = []
        for provider, label in PROVIDER_LABELS.items():
            var = ENV_VAR_FOR_PROVIDER[provider]
            note = f"${var} is set in this shell" if self.services.env.get(var) else ""
            items.append(Option(option_text(label, PROVIDER_BLURBS[provider], note=note), provider))
        return items

    def current(self) -> str | None:
        return self.answers.provider

    def choose(self, option_id: str) -> None:
        self.answers.choose_provider(option_id)
