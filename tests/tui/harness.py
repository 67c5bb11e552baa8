"""Helpers for the Pilot flows: build the app on fakes, wait on conditions, walk steps.

The app gets a MemoryStore, a browser stub and a clipboard stub that record their calls,
and an env pointing every provider at the loopback fake. Waiting is always polling a
condition with `pilot.pause()` in between (never a fixed sleep), with a deadline that
fails the test with a description of what was awaited and which screen was showing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from textual import events
from textual.errors import NoWidget
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, OptionList, Static

from backend.config.document import SealConfig, load_config
from backend.credentials.record import CredentialRecord
from backend.credentials.stores import MemoryStore, StoreChoice
from backend.services import Services
from backend.system.browser import BrowserResult
from backend.system.clipboard import CopyResult
from backend.system.environment import Environment
from backend.wizard.answers import Answers
from screens.authorize import AuthorizeScreen
from screens.base import StepScreen
from screens.check import CheckScreen
from screens.choice import ChoiceStep
from screens.widgets.secret_input import SecretInput
from tests.fakes.provider import FakeProvider
from tui.app import SealSetupApp
from tui.flow import following

SIZE = (100, 30)
DEFAULT_TIMEOUT = 10.0

S = TypeVar("S", bound=Screen[Any])


@dataclass
class Harness:
    """One wizard on fakes, plus everything a test asserts on afterwards."""

    app: SealSetupApp
    store: MemoryStore
    config_path: Path
    fake: FakeProvider
    services: Services
    browser_calls: list[str] = field(default_factory=list)
    clipboard_calls: list[str] = field(default_factory=list)

    def config(self) -> SealConfig:
        """seal.toml read back with the project's own reader."""
        return load_config(self.config_path)

    def config_text(self) -> str:
        return self.config_path.read_text(encoding="utf-8")

    def stored(self, provider: str, profile: str = "default") -> CredentialRecord | None:
        return self.store.get(provider, profile)

    def assert_nothing_written(self) -> None:
        """No seal.toml (nor backup), and an empty store."""
        assert not self.config_path.exists(), self.config_text()
        assert not self.config_path.with_name(self.config_path.name + ".bak").exists()
        assert self.store.list() == []


def build(
    fake: FakeProvider,
    tmp_path: Path,
    *,
    env: Mapping[str, str] | None = None,
    config_text: str | None = None,
    clipboard_ok: bool = False,
    browser_opens: bool = True,
    answers: Answers | None = None,
    start: str | None = None,
    records: Iterable[CredentialRecord] = (),
    store_choice: StoreChoice | None = None,
) -> Harness:
    """A SealSetupApp on a MemoryStore (or `store_choice`'s store: a real Vault), stubbed
    browser/clipboard, and the fake's env.

    `env` is added to the fake's SEAL_* variables (it is the Services env, not os.environ).
    `config_text` pre-writes seal.toml. `clipboard_ok=False` makes the native clipboard
    fail, so the app falls back to OSC 52 (`app.clipboard`).
    """
    config_path = tmp_path / "project" / "seal.toml"
    config_path.parent.mkdir(parents=True, exist_ok=True)
    if config_text is not None:
        config_path.write_text(config_text, encoding="utf-8")
    store: Any = MemoryStore(list(records)) if store_choice is None else store_choice.store
    chosen = store_choice or StoreChoice(store, "memory", "memory store (tests)")
    browser_calls: list[str] = []
    clipboard_calls: list[str] = []

    def browser(url: str, environment: Environment) -> BrowserResult:
        browser_calls.append(url)
        if browser_opens:
            return BrowserResult(True, "Opened in your browser (stub).")
        return BrowserResult(False, "No browser could be started (stub).")

    def clipboard(text: str) -> CopyResult:
        clipboard_calls.append(text)
        if clipboard_ok:
            return CopyResult(True, "copied with stub-copy", "stub-copy")
        return CopyResult(False, "no clipboard tool")

    services = Services(
        {**fake.env(), **(env or {})},
        store_factory=lambda: chosen,
        browser=browser,
        clipboard=clipboard,
    )
    if answers is None:
        answers = Answers(config_path=str(config_path))
    else:
        answers.config_path = str(config_path)
    app = SealSetupApp(services, answers, start=start)
    return Harness(app, store, config_path, fake, services, browser_calls, clipboard_calls)


# --- waiting ---------------------------------------------------------------------------


async def wait_for(
    pilot: Pilot[Any],
    predicate: Callable[[], object],
    what: str = "condition",
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Poll `predicate` with `pilot.pause()` between tries until it is truthy."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if predicate():
                return
        except Exception:  # a widget not mounted yet: keep polling
            pass
        if time.monotonic() > deadline:
            screen = type(pilot.app.screen).__name__
            raise AssertionError(f"timed out waiting for {what} (screen: {screen})")
        await pilot.pause(0.01)


async def wait_screen(pilot: Pilot[Any], cls: type[S], timeout: float = DEFAULT_TIMEOUT) -> S:
    """Wait until the active screen is a mounted `cls`; return it."""

    def ready() -> bool:
        screen = pilot.app.screen
        return isinstance(screen, cls) and screen.is_mounted and bool(screen.query("#next"))

    await wait_for(pilot, ready, f"screen {cls.__name__}", timeout)
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, cls)
    return screen


def step_screen(pilot: Pilot[Any]) -> StepScreen:
    screen = pilot.app.screen
    assert isinstance(screen, StepScreen), type(screen).__name__
    return screen


def next_enabled(pilot: Pilot[Any]) -> bool:
    return not pilot.app.screen.query_one("#next", Button).disabled


def text_of(pilot: Pilot[Any], selector: str) -> str:
    """The plain text a Static shows."""
    visual = pilot.app.screen.query_one(selector, Static).visual
    plain = getattr(visual, "plain", None)
    return plain if isinstance(plain, str) else str(visual)


async def wait_text(
    pilot: Pilot[Any], selector: str, needle: str, timeout: float = DEFAULT_TIMEOUT
) -> str:
    """Wait until the Static at `selector` contains `needle`; return its text."""
    await wait_for(
        pilot, lambda: needle in text_of(pilot, selector), f"{needle!r} in {selector}", timeout
    )
    return text_of(pilot, selector)


# --- acting ----------------------------------------------------------------------------


def clickable(pilot: Pilot[Any], button_id: str) -> bool:
    """The button is enabled, laid out where a click lands on it, and not mid-press.

    A button just shown has no place on screen until the next layout, and a Button
    ignores clicks for 0.2 s after the last one (its pressed look): a click before then
    would land elsewhere or be swallowed.
    """
    screen = pilot.app.screen
    button = screen.query_one(f"#{button_id}", Button)
    if button.disabled or button.has_class("-active") or not button.region:
        return False
    region = button.region
    try:
        found, _ = screen.get_widget_at(region.x + region.width // 2, region.y + region.height // 2)
    except NoWidget:
        return False
    return found is button


async def press_next(pilot: Pilot[Any]) -> None:
    """Click Next (a disabled Next makes this fail: the test meant it to be enabled)."""
    await press(pilot, "next")


async def press(pilot: Pilot[Any], button_id: str) -> None:
    """Click a button of the active screen by id, once it can take the click."""
    await wait_for(pilot, lambda: clickable(pilot, button_id), f"#{button_id} clickable")
    assert await pilot.click(f"#{button_id}")
    await pilot.pause()


async def choose(pilot: Pilot[Any], option_id: str) -> None:
    """On a choice step, highlight the option with that id (as ↑/↓ would)."""
    screen = step_screen(pilot)
    assert isinstance(screen, ChoiceStep)
    choices = screen.query_one("#choices", OptionList)
    ids = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
    assert option_id in ids, f"{option_id!r} not in {ids}"
    choices.highlighted = ids.index(option_id)
    await pilot.pause()


async def paste(pilot: Pilot[Any], selector: str, text: str) -> None:
    """A terminal (bracketed) paste into a SecretInput."""
    field_ = pilot.app.screen.query_one(selector, SecretInput)
    field_.post_message(events.Paste(text))
    await wait_for(pilot, lambda: field_.value != "", f"paste into {selector}")
    await pilot.pause()


async def wait_dialog(pilot: Pilot[Any]) -> Screen[Any]:
    """Wait for the ConfirmModal on top, mounted and focused (its keys are live then)."""
    from screens.modals import ConfirmModal

    def ready() -> bool:
        screen = pilot.app.screen
        focused = pilot.app.focused
        return isinstance(screen, ConfirmModal) and focused is not None and focused.id == "no"

    await wait_for(pilot, ready, "confirm dialog")
    await pilot.pause()
    return pilot.app.screen


async def confirm(pilot: Pilot[Any], yes: bool = True) -> None:
    """Answer the ConfirmModal on top with a click."""
    await wait_dialog(pilot)
    assert await pilot.click("#yes" if yes else "#no")
    await pilot.pause()


async def cancel(pilot: Pilot[Any]) -> None:
    """Ctrl+Q, then Quit in the dialog."""
    await pilot.press("ctrl+q")
    await confirm(pilot, yes=True)


# --- walking ---------------------------------------------------------------------------


async def start(pilot: Pilot[Any]) -> None:
    """From Welcome (survey loaded) to the Provider step."""
    from screens.welcome import WelcomeScreen

    await wait_screen(pilot, WelcomeScreen)
    await press_next(pilot)


async def pick(pilot: Pilot[Any], screen_cls: type[StepScreen], option_id: str) -> None:
    """On a choice step of type `screen_cls`: choose `option_id` and go on."""
    await wait_screen(pilot, screen_cls)
    await choose(pilot, option_id)
    await press_next(pilot)


async def to_method(pilot: Pilot[Any], provider: str, method: str) -> None:
    """Welcome → Provider → Auth method, choosing both."""
    from screens.auth_method import AuthMethodScreen
    from screens.provider import ProviderScreen

    await start(pilot)
    await pick(pilot, ProviderScreen, provider)
    await pick(pilot, AuthMethodScreen, method)


async def enter_secret(pilot: Pilot[Any], secret: str) -> None:
    """On an API-key or setup-token step: paste and wait for the shape check to pass."""
    from screens.secret_entry import SecretEntryScreen

    await wait_screen(pilot, SecretEntryScreen)
    await paste(pilot, "#secret", secret)
    await wait_for(pilot, lambda: next_enabled(pilot), "secret accepted")


async def wait_check(pilot: Pilot[Any], outcome_mark: str = "✓") -> CheckScreen:
    """Wait on the Check step for a result line starting with ✓ / ✗ / ⚠."""
    screen = await wait_screen(pilot, CheckScreen)
    await wait_for(
        pilot,
        lambda: text_of(pilot, "#check-status").startswith(("✓", "✗", "⚠")),
        "check result",
    )
    status = text_of(pilot, "#check-status")
    assert status.startswith(outcome_mark), status
    return screen


async def finish_from_model(
    pilot: Pilot[Any],
    model: str | None = None,
    setup: Callable[[], Any] | None = None,
    on_review: Callable[[], Any] | None = None,
) -> None:
    """Model (pick `model` or keep the first) → (Roles, when the flow goes there) → Review
    (`on_review` awaited there, e.g. to read it) → Write → Done → Finish."""
    from screens.done import DoneScreen
    from screens.model import ModelScreen
    from screens.review import ReviewScreen
    from screens.widgets.model_picker import ModelPicker

    screen = await wait_screen(pilot, ModelScreen)
    await wait_for(pilot, lambda: screen.query_one("#picker", ModelPicker), "model list")
    picker = screen.query_one("#picker", ModelPicker)
    if model is not None:
        await wait_for(pilot, lambda: picker.select(model), f"model {model} in the list")
    await wait_for(
        pilot,
        lambda: model is None or getattr(picker.highlighted_model, "id", None) == model,
        "model highlighted",
    )
    if setup is not None:
        result = setup()
        if hasattr(result, "__await__"):
            await result
        await pilot.pause()
    await press_next(pilot)
    if following("model", pilot.app.answers) == "roles":
        # seal.toml has agents: the walk passes the Roles step, changing nothing there.
        from screens.roles import RolesScreen

        roles = await wait_screen(pilot, RolesScreen)
        await wait_for(pilot, lambda: roles.ready, "roles loaded")
        await press_next(pilot)
    await wait_screen(pilot, ReviewScreen)
    if on_review is not None:
        await on_review()
    await press_next(pilot)  # Write
    await wait_screen(pilot, DoneScreen)
    await press_next(pilot)  # Finish


async def walk_api_key(
    pilot: Pilot[Any], provider: str, secret: str, model: str | None = None
) -> None:
    """The whole API-key onboarding, ending with Finish."""
    await to_method(pilot, provider, "api_key")
    await enter_secret(pilot, secret)
    await press_next(pilot)
    await wait_check(pilot, "✓")
    await press_next(pilot)
    await finish_from_model(pilot, model)


# --- OAuth against the fake --------------------------------------------------------------


def browser_sign_in(url: str) -> str:
    """Do what the person does in the browser: follow the authorize URL, read `code#state`."""
    with httpx.Client(follow_redirects=True, timeout=5.0) as client:
        response = client.get(url)
    assert response.status_code == 200, response.text
    marker = "<code id='code'>"
    start_at = response.text.index(marker) + len(marker)
    return response.text[start_at : response.text.index("</code>", start_at)]


async def sign_in_url(pilot: Pilot[Any]) -> tuple[AuthorizeScreen, str]:
    """Wait for the Authorize step's link; return the screen and the URL shown."""
    screen = await wait_screen(pilot, AuthorizeScreen)
    await wait_for(pilot, lambda: screen.pending is not None, "sign-in link")
    shown = text_of(pilot, "#url")
    assert screen.pending is not None
    assert shown == screen.pending.url
    assert urlsplit(shown).scheme in ("http", "https")
    return screen, shown


async def sign_in(pilot: Pilot[Any], fake: FakeProvider) -> AuthorizeScreen:
    """Open the link 'in a browser' (httpx against the fake), paste code#state, Sign in."""
    import asyncio

    screen, url = await sign_in_url(pilot)
    assert url.startswith(fake.oauth_url + "/oauth/authorize?")
    code = await asyncio.to_thread(browser_sign_in, url)
    assert "#" in code
    await paste(pilot, "#code", code)
    await press_next(pilot)
    return screen


# --- goto ------------------------------------------------------------------------------


async def arrive(
    pilot: Pilot[Any],
    name: str,
    *,
    provider: str = "anthropic",
    method: str = "api_key",
    secret: str | None = None,
    model: str | None = None,
) -> StepScreen:
    """Wait for step `name` of the walk, then answer it the way a person does (without
    pressing Next): the provider and method chosen, `secret` pasted and its shape
    accepted, the check's ✓, `model` (else the default) highlighted, Review prepared.

    With tests.support.steps.start_at this is how a test starts at its own step."""
    from screens.model import ModelScreen
    from screens.widgets.model_picker import ModelPicker
    from tui.flow import STEPS

    screen = await wait_screen(pilot, STEPS[name].screen_class())
    if name == "provider":
        await choose(pilot, provider)
    elif name == "auth_method":
        await choose(pilot, method)
    elif name in ("api_key", "setup_token") and secret is not None:
        await enter_secret(pilot, secret)
    elif name == "check":
        await wait_check(pilot, "✓")
    elif isinstance(screen, ModelScreen):
        await wait_for(pilot, lambda: screen.query_one("#picker", ModelPicker), "model list")
        picker = screen.query_one("#picker", ModelPicker)
        if model is not None:
            await wait_for(pilot, lambda: picker.select(model), f"model {model}")
            await wait_for(
                pilot, lambda: getattr(picker.highlighted_model, "id", None) == model, "highlight"
            )
            await pilot.pause()
        await wait_for(pilot, lambda: screen.ready, "a model chosen")
    elif name == "review":
        await wait_for(pilot, lambda: screen.ready, "review prepared")
    return screen


async def goto(
    pilot: Pilot[Any],
    step: str,
    *,
    provider: str = "anthropic",
    method: str = "api_key",
    secret: str | None = None,
    model: str | None = None,
) -> StepScreen:
    """Walk from the step the app started at (Welcome, or the one tests.support.steps
    start_at chose) to `step` the way a person does, and return that step's screen.

    `step` is a step on the path tui.flow gives for this provider and method (or
    "credential" for the method's own step). The walk pastes `secret` on api_key and
    setup_token steps and checks it; it picks `model` (else the first) on the Model step.
    """
    from tui.flow import path

    route = path(Answers(provider=provider, method=method))
    credential = route[route.index("auth_method") + 1]
    target = credential if step == "credential" else step
    assert target in route, (step, route)
    first = getattr(pilot.app, "start_step", route[0])
    assert first in route, (first, route)
    route = route[route.index(first) :]
    assert target in route, f"{target} is before the step the app started at ({first})"
    if credential in route and route.index(target) > route.index(credential):
        assert method in ("api_key", "setup_token"), "goto past the credential: pastes only"
    for name in route:
        screen = await arrive(
            pilot, name, provider=provider, method=method, secret=secret, model=model
        )
        if name == target:
            return screen
        await press_next(pilot)
    raise AssertionError(f"{target} not reached")
