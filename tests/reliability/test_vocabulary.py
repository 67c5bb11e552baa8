"""One vocabulary: every place that names providers, methods or option choices asks the
registry (`backend.vocabulary.registry`), the method table (`backend.vocabulary.methods`)
or the config schema (`backend.config.schema`), and agrees with them.

- the key page: the API-key step's intro and its error line name one address per provider;
- derived lists: the CLI's choices, seal.toml validation, the Model step's menus, the
  store/origin/subscription rules and the paste methods are the tables' own;
- a key pasted for the wrong provider and the same key refused by that provider name the
  same issuer;
- a provider added to the registry (a test-only one: `tests/fakes/dummy_provider.py`)
  appears in the wizard, the CLI and `status`, with nothing else changed.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Select

from backend.auth.paste import check_secret, pasted_methods
from backend.config import schema as config_schema
from backend.config.document import load_config
from backend.credentials.record import CredentialRecord
from backend.credentials.resolution import Resolution
from backend.credentials.stores import FileStore
from backend.errors import InputError
from backend.providers.base import key_shape_hint
from backend.providers.catalog import check_settings, effort_choices, thinking_choices
from backend.providers.live import Auth
from backend.vocabulary import methods, registry
from screens.auth_method import AuthMethodScreen
from screens.env_method import EnvScreen
from screens.model import ModelScreen
from screens.provider import ProviderScreen
from screens.secret_entry import SecretEntryScreen
from screens.widgets.choice_list import ChoiceList
from tests.cli.helpers import run
from tests.fakes import dummy_provider
from tests.fakes.dummy_provider import DUMMY_KEY, MODEL
from tests.fakes.provider import ANTHROPIC_KEY, OPENAI_KEY, OPENROUTER_KEY, FakeProvider
from tests.reliability.conftest import Tally
from tests.support.steps import start_at
from tests.tui.harness import (
    SIZE,
    build,
    choose,
    enter_secret,
    finish_from_model,
    goto,
    paste,
    pick,
    press_next,
    start,
    step_screen,
    text_of,
    wait_check,
    wait_for,
    wait_screen,
    wait_text,
)
from tui.cli import build_parser

CATEGORY = "one vocabulary"
KEYS = {"anthropic": ANTHROPIC_KEY, "openrouter": OPENROUTER_KEY, "openai": OPENAI_KEY}
# A key of no provider's format, long enough for any of them.
SHAPELESS = "x" * 60


@pytest.fixture
def dummy(fake_provider: FakeProvider) -> Iterator[registry.Provider]:
    """The registry with the test-only provider; the fake accepts its key."""
    fake_provider.openai_keys.add(DUMMY_KEY)
    with dummy_provider.registered() as provider:
        yield provider


@pytest.fixture
def dummy_cli(
    dummy: registry.Provider, fake_provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> registry.Provider:
    """As `dummy`, for commands run in process: the file store, the provider at the fake."""
    monkeypatch.setenv("SEAL_CREDENTIAL_STORE", "file")
    for name, value in dummy_provider.env(fake_provider).items():
        monkeypatch.setenv(name, value)
    return dummy


def _holds(tally: Tally, **checks: bool) -> None:
    """Count one case (held when every check is), then fail naming the checks that are not."""
    tally.record(CATEGORY, all(checks.values()))
    assert all(checks.values()), [name for name, ok in checks.items() if not ok]


def _choices(parser: argparse.ArgumentParser, command: str, option: str) -> tuple[str, ...]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[
        command
    ]
    action = next(a for a in sub._actions if option in a.option_strings)
    return tuple(action.choices or ())


# --- the key page ---------------------------------------------------------------------


@pytest.mark.parametrize("provider_id", ["anthropic", "openrouter", "openai"])
async def test_the_api_key_step_names_one_key_page(
    provider_id: str, fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """Today's intro and error line named two different pages for Anthropic and
    OpenRouter; the registry's `key_page` is the one both show now."""
    provider = registry.get(provider_id)
    h = build(fake_provider, tmp_path)
    start_at(h.app, "api_key", provider=provider_id)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, SecretEntryScreen)
        intro = text_of(pilot, ".intro")
        await paste(pilot, "#secret", SHAPELESS)
        error = await wait_text(pilot, "#feedback", "✗")
    shown = set(re.findall(r"[\w.-]+\.(?:com|ai)/[\w/-]+", intro + " " + error))
    _holds(
        tally,
        one_address=shown == {provider.key_page_shown},
        intro_links_it=provider.key_page in intro,
        error_names_it=f"create one at {provider.key_page_shown}" in error,
    )


def test_a_console_sign_in_that_mints_no_key_points_at_the_same_key_page(
    fake_provider: FakeProvider, tally: Tally
) -> None:
    from backend.auth import oauth
    from backend.errors import OAuthError

    fake_provider.fail("/api/oauth/claude_cli/create_api_key", 200, {"type": "api_key"})
    with pytest.raises(OAuthError) as refused:
        oauth.mint_api_key("sk-ant-oat01-" + "a" * 90, env=fake_provider.env())
    page = registry.get("anthropic").key_page_shown
    _holds(tally, names_the_key_page=f"Create a key at {page}" in refused.value.hint)


# --- lists derived from the tables ------------------------------------------------------


def test_the_cli_offers_the_tables_choices(tally: Tally) -> None:
    parser = build_parser()
    wanted = {
        ("onboard", "--provider"): registry.ids(),
        ("reauth", "--provider"): registry.ids(),
        ("logout", "--provider"): registry.ids(),
        ("onboard", "--auth"): tuple(methods.METHODS),
        ("onboard", "--thinking"): config_schema.THINKING_MODES,
        ("onboard", "--effort"): config_schema.EFFORT_LEVELS,
        ("onboard", "--cache-retention"): config_schema.CACHE_RETENTION,
    }
    for (command, option), expected in wanted.items():
        _holds(tally, **{f"{command} {option}": _choices(parser, command, option) == expected})


def test_seal_toml_accepts_exactly_the_tables_values(tmp_path: Path, tally: Tally) -> None:
    config = load_config(tmp_path / "seal.toml")
    allowed = {
        "provider": registry.ids(),
        # `console_oauth` is a way to get an API key: seal.toml says api_key for it.
        "auth": ("api_key", "oauth", "setup_token", "claude_code", "env"),
        "thinking": config_schema.THINKING_MODES,
        "effort": config_schema.EFFORT_LEVELS,
        "cache_retention": config_schema.CACHE_RETENTION,
    }
    for key, values in allowed.items():
        assert config_schema.choices(key) == values
        for value in values:
            config.set(key, value)
            _holds(tally, **{f"{key} = {value}": config.get(key) == value})
        for wrong in ("console_oauth", "Anthropic", "medium-high", ""):
            if wrong in values:
                continue
            with pytest.raises(InputError) as refused:
                config.set(key, wrong)
            _holds(tally, **{f"{key} = {wrong!r}": ", ".join(values) in refused.value.message})


def test_every_method_fact_comes_from_the_method_table(tally: Tally) -> None:
    """Store, origin, subscription, record kind and seal.toml's auth, per method."""
    from backend.wizard.answers import Answers
    from backend.wizard.onboarding import STORED_METHODS

    expected = {
        # id: (auth value, origin, bearer, subscription, acquire)
        "api_key": ("api_key", "store", False, False, "paste_key"),
        "console_oauth": ("api_key", "store", False, False, "sign_in"),
        "oauth": ("oauth", "store", True, True, "sign_in"),
        "setup_token": ("setup_token", "store", True, True, "paste_token"),
        "claude_code": ("claude_code", "claude_code", True, True, "import"),
        "env": ("env", "env", None, False, "env"),
    }
    assert tuple(methods.METHODS) == tuple(expected)
    for method_id, (auth, origin, bearer, subscription, acquire) in expected.items():
        method = methods.METHODS[method_id]
        facts = (method.auth_value, method.origin, method.bearer, method.subscription)
        resolution = Resolution("anthropic", "default", None, [], auth=auth)
        _holds(
            tally,
            facts=facts == (auth, origin, bearer, subscription) and method.acquire == acquire,
            answers=Answers(method=method_id).auth_value == auth,
            resolution=resolution.wanted_origin == origin,
            store=(method_id in STORED_METHODS) == (origin == "store"),
            # The catalog's subscription rule: no prompt caching with subscription auth.
            catalog=bool(check_settings(None, {"cache_retention": "short"}, auth)) == subscription,
        )
    for provider in registry.providers():
        want = tuple(m for m in provider.methods if m in ("api_key", "setup_token"))
        _holds(tally, **{provider.id: pasted_methods(provider.id) == want})


async def test_the_model_steps_menus_are_the_schemas(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await goto(pilot, "model", secret=ANTHROPIC_KEY)
        assert isinstance(screen, ModelScreen)
        await wait_for(pilot, lambda: screen._model is not None, "a model highlighted")
        # The schema's choices, narrowed for the model by the catalog's one rule.
        narrowed = {"thinking": thinking_choices, "effort": effort_choices}
        for key in ("thinking", "effort", "cache_retention"):
            select = screen.query_one(f"#{key}", Select)
            values = tuple(value for _, value in select._options if value is not Select.NULL)
            rule = narrowed.get(key)
            offered = rule(screen._model) if rule else config_schema.choices(key) or ()
            want = tuple(v for v in config_schema.choices(key) or () if v in offered)
            _holds(tally, **{key: values == want and bool(want)})


# --- the same issuer, pasted or refused ---------------------------------------------------


@pytest.mark.parametrize(("provider_id", "key_of"), [(p, k) for p in KEYS for k in KEYS if p != k])
def test_a_foreign_key_names_its_issuer_when_pasted_and_when_refused(
    provider_id: str, key_of: str, tally: Tally
) -> None:
    """Before, a refused OpenAI key sent to Anthropic or OpenRouter named no issuer (the
    paste check did); both now read the registry's key formats."""
    issuer = registry.get(key_of)
    pasted = check_secret(KEYS[key_of], provider_id, "api_key")
    refused = key_shape_hint(provider_id, Auth("api_key", KEYS[key_of]))
    _holds(
        tally,
        paste_refuses=not pasted.ok,
        paste_names=f"choose {issuer.label} as the provider" in pasted.message,
        refusal_names=refused.startswith(
            f"this looks like {issuer.family.name} ({issuer.family.prefix}…)"
        ),
        refusal_says_not=refused.endswith(f"not {registry.get(provider_id).family.name}"),
    )


# --- one Bearer rule for a variable -------------------------------------------------------

# A subscription token without the usual prefix: only the variable's name says it is one.
PLAIN_TOKEN = "plainSubscriptionToken" * 4


async def test_a_token_variable_goes_as_bearer_in_the_wizard_the_cli_and_status(
    fake_provider: FakeProvider,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    """The review found the rule copied three times (by name or prefix in status, by prefix
    only in the wizard and the CLI). The fake accepts the token only as Bearer, so each
    check passes only if it is sent as one."""
    var = registry.get("anthropic").token_env[0]
    fake_provider.add_key("anthropic-bearer", PLAIN_TOKEN)
    h = build(fake_provider, tmp_path, env={var: PLAIN_TOKEN})
    start_at(h.app, "env", method="env")
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, EnvScreen)
        await press_next(pilot)
        await wait_check(pilot, "✓")
        wizard = step_screen(pilot).answers.record
    monkeypatch.setenv("SEAL_CREDENTIAL_STORE", "file")
    monkeypatch.setenv(var, PLAIN_TOKEN)
    for name, value in fake_provider.env().items():
        monkeypatch.setenv(name, value)
    path = tmp_path / "cli" / "seal.toml"
    path.parent.mkdir()
    argv = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "env"]
    cli, _, _ = run([*argv, "--config", str(path)], capsys, monkeypatch)
    code, out, _ = run(["status", "--json", "--probe", "--config", str(path)], capsys, monkeypatch)
    states = [(e["source"], e["state"]) for e in json.loads(out)["providers"]]
    _holds(
        tally,
        wizard=wizard is not None and wizard.is_bearer,
        cli=cli == 0,
        status=code == 0 and states == [(var, "ok")],
    )


@pytest.mark.parametrize(
    ("provider_id", "var", "value", "bearer"),
    [
        ("anthropic", "CLAUDE_CODE_OAUTH_TOKEN", PLAIN_TOKEN, True),
        ("anthropic", "ANTHROPIC_API_KEY", ANTHROPIC_KEY, False),
        ("anthropic", "ANTHROPIC_API_KEY", "sk-ant-oat01-" + "t" * 90, True),
        ("openrouter", "OPENROUTER_API_KEY", OPENROUTER_KEY, False),
        ("openai", "OPENAI_API_KEY", OPENAI_KEY, False),
        # Only Anthropic issues subscription tokens: in another provider's variable an
        # sk-ant-oat… value is a (wrong) API key, named as Anthropic's when refused.
        ("openai", "OPENAI_API_KEY", "sk-ant-oat01-" + "t" * 90, False),
    ],
)
def test_the_bearer_rule_per_variable(
    provider_id: str, var: str, value: str, bearer: bool, tally: Tally
) -> None:
    from backend.credentials.resolution import resolve

    found = resolve(provider_id, "default", {var: value}, None).effective
    kind = found.record.kind if found else None
    _holds(tally, **{var: kind == ("setup_token" if bearer else "api_key")})


# --- a provider added to the registry ----------------------------------------------------


async def test_a_new_provider_goes_through_the_wizard(
    dummy: registry.Provider, fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """Provider step → its methods → its key page and key format → the check through its
    module → its live models → seal.toml and the store."""
    h = build(fake_provider, tmp_path, env=dummy_provider.env(fake_provider))
    async with h.app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await wait_screen(pilot, ProviderScreen)
        await choose(pilot, dummy.id)
        await press_next(pilot)
        screen = await wait_screen(pilot, AuthMethodScreen)
        await choose(pilot, "env")  # offered, with its own variable's name
        await choose(pilot, "api_key")
        offered = [o.id for o in screen.query_one("#choices")._options]  # type: ignore[attr-defined]
        await press_next(pilot)
        await wait_screen(pilot, SecretEntryScreen)
        intro = text_of(pilot, ".intro")
        await enter_secret(pilot, DUMMY_KEY)
        await press_next(pilot)
        await wait_check(pilot, "✓")
        await press_next(pilot)
        await finish_from_model(pilot, MODEL)
    stored = h.stored(dummy.id)
    _holds(
        tally,
        methods=offered == ["api_key", "env"],
        key_page=dummy.key_page in intro,
        seal_toml=h.config().model() == {"provider": dummy.id, "name": MODEL, "auth": "api_key"},
        stored=stored is not None and stored.secret == DUMMY_KEY,
        verified=stored is not None and stored.verified_at is not None,
        no_secret_in_seal_toml=DUMMY_KEY not in h.config_text(),
    )


async def test_a_new_provider_is_listed_on_the_provider_step(
    dummy: registry.Provider, fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    env = {dummy.key_env: DUMMY_KEY}
    h = build(fake_provider, tmp_path, env=env)
    start_at(h.app, "provider")
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, ProviderScreen)
        choices = screen.query_one("#choices", ChoiceList)
        ids = [choices.get_option_at_index(i).id for i in range(choices.option_count)]
        text = choices.row_text(choices.option_count - 1)
        await pick(pilot, ProviderScreen, dummy.id)
        await wait_screen(pilot, AuthMethodScreen)
        assert step_screen(pilot).answers.provider == dummy.id
    _holds(
        tally,
        listed_last=ids == ["anthropic", "openrouter", "openai", dummy.id],
        worded=dummy.label in text and dummy.blurb in text,
        variable_noted=f"${dummy.key_env} is set" in text,
    )


def test_a_new_provider_is_a_cli_choice_and_onboards_non_interactively(
    dummy_cli: registry.Provider,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    dummy = dummy_cli
    parser = build_parser()
    choices = [_choices(parser, c, "--provider") for c in ("onboard", "reauth", "logout")]
    path = tmp_path / "seal.toml"
    argv = ["onboard", "--non-interactive", "--provider", dummy.id, "--auth", "api_key"]
    code, out, err = run(
        [*argv, "--model", MODEL, "--config", str(path)], capsys, monkeypatch, DUMMY_KEY
    )
    stored = FileStore().get(dummy.id, "default")
    _holds(
        tally,
        choices=all(dummy.id in c for c in choices),
        exit_0=code == 0,
        seal_toml=load_config(path).model()
        == {"provider": dummy.id, "name": MODEL, "auth": "api_key"},
        stored=stored is not None and stored.secret == DUMMY_KEY,
        verified=stored is not None and stored.verified_at is not None,
        no_secret_shown=DUMMY_KEY not in out + err,
    )


@pytest.mark.parametrize("auth", ["api_key", "env"])
def test_a_new_provider_shows_in_status(
    auth: str,
    dummy_cli: registry.Provider,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    dummy = dummy_cli
    if auth == "env":
        monkeypatch.setenv(dummy.key_env, DUMMY_KEY)
    else:
        FileStore().put(CredentialRecord(dummy.id, "default", "api_key", secret=DUMMY_KEY))
    path = tmp_path / "seal.toml"
    path.write_text(f'[model]\nprovider = "{dummy.id}"\nname = "{MODEL}"\nauth = "{auth}"\n')
    code, out, _ = run(["status", "--json", "--probe", "--config", str(path)], capsys, monkeypatch)
    entries = json.loads(out)["providers"] if out else []
    found = [(e["provider"], e["auth"], e["state"]) for e in entries]
    plain_code, plain, _ = run(["status", "--config", str(path)], capsys, monkeypatch)
    _holds(
        tally,
        probed=code == 0 and found == [(dummy.id, auth, "ok")],
        listed=plain_code == 0
        and re.search(rf"^{dummy.id} +default +{auth} .* ok ", plain, re.MULTILINE) is not None,
    )
