"""Provider step: Anthropic, OpenRouter or OpenAI."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Static
from textual.widgets.option_list import Option

from backend.vocabulary import registry
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
        yield Static("↑/↓ or a number to choose, type to filter, Enter to go on.", classes="hint")

    def options(self) -> list[Option]:
        items = []
        for provider in registry.providers():
            var = provider.key_env
            note = f"${var} is set in this shell" if self.services.env.get(var) else ""
            text = option_text(provider.label, provider.blurb, note=note)
            items.append(Option(text, provider.id))
        return items

    def current(self) -> str | None:
        return self.answers.provider

    def choose(self, option_id: str) -> None:
        self.answers.choose_provider(option_id)
