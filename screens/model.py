"""Model step: pick the model from the live or bundled catalog and set its options."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.containers import Grid
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Select, Static

from backend.config.schema import OPTION_LABELS, TITLE_HEADER, menu
from backend.system.display import visible
from backend.vocabulary import registry
from backend.vocabulary.methods import auth_label, withheld_options
from backend.vocabulary.registry import PROVIDER_LABELS
from screens.base import StepContext, StepScreen
from screens.plain import plain
from screens.widgets.model_picker import ModelPicker

if TYPE_CHECKING:
    from backend.providers.base import ModelInfo
    from backend.providers.catalog import Catalog
    from backend.services import Services
    from backend.wizard.answers import Answers

DEFAULT = "default"

# OpenRouter's attribution headers: field id, header name, label, placeholder.
HEADER_FIELDS = (
    ("hdr-referer", "HTTP-Referer", "HTTP-Referer", "https://… (optional)"),
    ("hdr-title", TITLE_HEADER, "App title", "your app's name"),
)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _label(option: str) -> Static:
    """An option's label, as schema.OPTION_LABELS names it."""
    return Static(_capital(OPTION_LABELS[option]), classes="opt-label", markup=False)


class ModelScreen(StepScreen):
    """The model picker plus thinking/effort/max_tokens/cache/context/headers options."""

    TITLE_TEXT = "Choose the model"
    HELP_TEXT = (
        "Type to filter, ↑/↓ to move, Tab to reach the options. The list comes from the "
        "provider when the check could fetch it, else from the models.dev snapshot shipped with "
        "seal-setup (`seal-setup models --refresh` fetches a newer one). Facts a live list "
        "lacks come from models.dev, and thinking and effort defaults from Seal's overlay."
        "\n\n[b]Thinking[/b]: adaptive lets the model decide; a manual budget needs at least "
        "1024 tokens and less than max tokens (not on adaptive-only models).\n"
        "[b]Effort[/b]: how hard the model works; `max` only where the model offers it. Left "
        "unset, Seal uses adaptive thinking and the model's default effort (marked "
        "“default” in the details).\n"
        "[b]Max tokens[/b]: empty uses the model's ceiling.\n"
        "[b]Cache[/b] and [b]1M context[/b] need an API key (not subscription sign-in).\n"
        "[b]Headers[/b] (OpenRouter): your app's URL and name for attribution."
    )

    # Typing goes to the filter, which comes with the catalog.
    LOADS_BEFORE_KEYS = True

    def __init__(self, answers: Answers, services: Services, context: StepContext) -> None:
        super().__init__(answers, services, context)
        self._model: ModelInfo | None = None
        self._catalog: Catalog | None = None
        # The choices each model-dependent menu offers now (all of them until a model).
        self._offered: dict[str, tuple[str, ...]] = {
            key: tuple(value for _, value in menu(key)) for key in ("thinking", "effort")
        }

    @property
    def provider(self) -> str:
        return self.answers.provider or "anthropic"

    def compose_body(self) -> Iterable[Widget]:
        yield Static("Loading models…", id="catalog-source", markup=False)
        yield Static("", id="picker-slot")
        settings = self.answers.settings
        anthropic = self.provider == "anthropic"
        # Options the method cannot use are not offered (one rule: methods.allows);
        # seal.toml's value for one stays as it is.
        withheld = withheld_options(self.answers.auth_value) if anthropic else ()
        # Two label+widget pairs a row, each one line high: every option fits at 80x24.
        with Grid(id="model-options"):
            if anthropic:
                yield _label("thinking")
                yield Select(
                    menu("thinking"),
                    value=settings.get("thinking") or Select.NULL,
                    prompt="model default",
                    id="thinking",
                    compact=True,
                )
                yield _label("thinking_budget")
                yield Input(
                    str(settings.get("thinking_budget") or ""),
                    placeholder="tokens (manual only)",
                    id="thinking_budget",
                    type="integer",
                    compact=True,
                )
            yield _label("effort")
            yield Select(
                menu("effort"),
                value=settings.get("effort") or Select.NULL,
                prompt="model default",
                id="effort",
                compact=True,
            )
            yield _label("max_tokens")
            yield Input(
                str(settings.get("max_tokens") or ""),
                placeholder="model's ceiling",
                id="max_tokens",
                type="integer",
                compact=True,
            )
            if anthropic and "cache_retention" not in withheld:
                yield _label("cache_retention")
                yield Select(
                    menu("cache_retention"),
                    value=settings.get("cache_retention") or Select.NULL,
                    prompt="default",
                    id="cache_retention",
                    compact=True,
                )
            if anthropic and "context_1m" not in withheld:
                yield _label("context_1m")
                yield Checkbox("", bool(settings.get("context_1m")), id="context_1m", compact=True)
            if self.provider == "openrouter":
                for widget_id, name, label, hint in HEADER_FIELDS:
                    yield Static(label, classes="opt-label", markup=False)
                    yield Input(
                        self.answers.headers.get(name, ""),
                        placeholder=hint,
                        id=widget_id,
                        compact=True,
                    )
        why = Static("", id="options-why", markup=False)
        if withheld:
            names = " and ".join(OPTION_LABELS[option] for option in withheld)
            why.update(
                f"{_capital(names)} need an API key; you chose "
                f"{auth_label(self.answers.auth_value)}."
            )
        why.display = bool(withheld)
        yield why
        note = Static("", id="options-note", markup=False)
        note.display = False
        yield note
        yield Static("", id="rules", markup=False)

    def on_mount(self) -> None:
        self.load_catalog()

    @work(group="catalog", exclusive=True)
    async def load_catalog(self) -> None:
        """Catalog loading reads a bundled file and merges the live list: off the UI loop."""
        live = list(self.answers.live_models)
        catalog = await asyncio.to_thread(self.services.catalog, self.provider, live)
        self._catalog = catalog
        models = catalog.models(self.provider)
        label = PROVIDER_LABELS[self.provider]
        source = (
            f"Live list from {label}: {len(models)} models · {catalog.facts_from}"
            if live
            else f"The {catalog.facts_from}: {len(models)} models (no live list)"
        )
        self.query_one("#catalog-source", Static).update(source)
        selected = self._named_model(self.answers.model)
        if selected is None and models:
            # A balanced default: the newest Sonnet on Anthropic, else the list's first.
            default = catalog.resolve_alias("sonnet") if self.provider == "anthropic" else None
            selected = default or models[0].id
        picker = ModelPicker(models, selected, id="picker", compact=True)
        await self.query_one("#picker-slot").remove()
        await self.query_one("#body").mount(picker, after="#catalog-source")
        picker.query_one("#model-filter", Input).focus()
        self.take_keys()

    def _named_model(self, name: str | None) -> str | None:
        """The catalog id the name seal.toml or an earlier answer gives (an alias, a dated
        snapshot), or the name itself when the catalog does not know it."""
        catalog = self._catalog
        if name is None or catalog is None:
            return name
        if registry.alias_owner(name) is not None:
            return catalog.resolve_alias(name, self.provider) or name
        found = catalog.find(self.provider, name)
        return found.id if found is not None else name

    def _choice(self, model: ModelInfo) -> str:
        """The name to write for `model`: the one given before (seal.toml's alias, say)
        when it names this very model, so keeping the model leaves the line alone."""
        given = self.answers.model
        return given if given is not None and self._named_model(given) == model.id else model.id

    def on_model_picker_highlighted(self, event: ModelPicker.Highlighted) -> None:
        self._model = event.model
        if event.model is not None:
            self._follow(event.model)
        self._validate()

    def on_model_picker_chosen(self, event: ModelPicker.Chosen) -> None:
        self._model = event.model
        self._follow(event.model)
        self._validate()
        self.action_next()

    def _follow(self, model: ModelInfo) -> None:
        """Offer what `model` takes: its thinking modes and effort levels, 1M context only
        where it has the window. A value it lacks is cleared, and a line says so (rather
        than kept and then refused)."""
        from backend.providers.catalog import effort_choices, thinking_choices

        cleared: list[str] = []
        offered = {"thinking": thinking_choices(model), "effort": effort_choices(model)}
        for key, allowed in offered.items():
            selects = self.query(f"#{key}")
            if not selects:
                continue
            select = selects.first(Select)
            current = select.value
            options = [(label, value) for label, value in menu(key) if value in allowed]
            if tuple(value for _, value in options) != self._offered.get(key):
                self._offered[key] = tuple(value for _, value in options)
                select.set_options(options)  # (this empties the choice)
                if current is not Select.NULL and current in allowed:
                    select.value = current
            if current is not Select.NULL and current not in allowed:
                cleared.append(f'{_capital(OPTION_LABELS[key])} "{current}"')
        budgets = self.query("#thinking_budget")
        if budgets:
            budget = budgets.first(Input)
            budget.disabled = "manual" not in offered["thinking"]
            budget.placeholder = (
                "tokens (manual only)" if not budget.disabled else "not on this model"
            )
        checkboxes = self.query("#context_1m")
        if checkboxes:
            checkbox = checkboxes.first(Checkbox)
            if checkbox.value and not model.context_1m:
                checkbox.value = False
                cleared.append(OPTION_LABELS["context_1m"])
            checkbox.disabled = not model.context_1m
            checkbox.label = "" if model.context_1m else "not on this model"
        if cleared:
            # The last change that cleared something stays said until another one does.
            note = self.query_one("#options-note", Static)
            note.update(f"{' and '.join(cleared)}: not offered by {visible(model.id)}, cleared.")
            note.display = True

    def on_select_changed(self, event: Select.Changed) -> None:
        self._validate()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "model-filter":
            self._validate()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._validate()

    def _settings(self) -> tuple[dict[str, Any], list[str]]:
        """The options as [model] keys (None = remove), plus input errors."""
        errors: list[str] = []
        settings: dict[str, Any] = {}

        def select_value(widget_id: str) -> Any:
            widgets = self.query(f"#{widget_id}")
            if not widgets:
                return None
            value = widgets.first(Select).value
            return None if value is Select.NULL else value

        def int_value(widget_id: str, label: str) -> int | None:
            widgets = self.query(f"#{widget_id}")
            if not widgets:
                return None
            text = widgets.first(Input).value.strip()
            if not text:
                return None
            try:
                number = int(text)
            except ValueError:
                errors.append(f"{label} must be a whole number of tokens.")
                return None
            if number <= 0:
                errors.append(f"{label} must be greater than 0.")
                return None
            return number

        settings["thinking"] = select_value("thinking")
        settings["effort"] = select_value("effort")
        settings["cache_retention"] = select_value("cache_retention")
        settings["max_tokens"] = int_value("max_tokens", "Max tokens")
        budget = int_value("thinking_budget", "Thinking budget")
        if settings["thinking"] == "manual":
            settings["thinking_budget"] = budget
            if budget is None:
                errors.append("A manual thinking budget needs a number of tokens (≥ 1024).")
        else:
            settings["thinking_budget"] = None
        checkboxes = self.query("#context_1m")
        settings["context_1m"] = True if checkboxes and checkboxes.first(Checkbox).value else None
        # Only the options this step shows: one it does not offer here stays as it was
        # (seal.toml's value is not removed behind the person's back).
        return {k: v for k, v in settings.items() if self.query(f"#{k}")}, errors

    def _headers(self) -> tuple[dict[str, str], list[str]]:
        headers: dict[str, str] = {}
        errors: list[str] = []
        for widget_id, name, label, _ in HEADER_FIELDS:
            widgets = self.query(f"#{widget_id}")
            if not widgets:
                continue
            value = widgets.first(Input).value.strip()
            if not value:
                continue
            if any(ord(ch) < 32 or ord(ch) > 126 for ch in value):
                errors.append(f"{label} must be plain ASCII text on one line.")
                continue
            if value.lower().startswith(("sk-", "bearer ")):
                # The same rule as seal.toml's own: refused here, not later at Review.
                errors.append(f"{label} looks like a secret; secrets never go in seal.toml.")
                continue
            if name == "HTTP-Referer" and not value.startswith(("http://", "https://")):
                errors.append("HTTP-Referer must be a URL starting with https:// or http://.")
                continue
            headers[name] = value
        return headers, errors

    def _validate(self) -> bool:
        rules = self.query_one("#rules", Static)
        if self._model is None:
            rules.update("Pick a model from the list.")
            self.ready = False
            return False
        settings, errors = self._settings()
        _, header_errors = self._headers()
        errors.extend(header_errors)
        if not errors:
            from backend.providers.catalog import check_settings

            auth = self.answers.auth_value or "api_key"
            errors = check_settings(self._model, settings, auth)
        if errors:
            rules.update(plain(*(f"✗ {error}" for error in errors)))
            rules.set_classes("error")
        else:
            rules.update(plain(f"✓ {self._model.id}"))
            rules.set_classes("ok")
        self.ready = not errors
        return not errors

    def action_back(self) -> None:
        """Back keeps what was chosen here (the model and its valid options), so coming
        back shows them again instead of the defaults."""
        if self.context.can_back and self._model is not None:
            settings, _ = self._settings()
            headers, _ = self._headers()
            self.answers.choose_model(self._choice(self._model), settings, headers)
        super().action_back()

    def commit(self) -> bool:
        if not self._validate() or self._model is None:
            return False
        settings, _ = self._settings()
        headers, _ = self._headers()
        self.answers.choose_model(self._choice(self._model), settings, headers)
        return True
