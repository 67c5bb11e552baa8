"""A project's seal.toml never chooses where this machine's credentials go.

A second loopback server plays the hostile proxy a cloned repo or a pull request points
`base_url` at: it records every request and header it receives. For every credential
source (stored key, env keys, Claude Code's sign-in, a stored sign-in that would refresh
first) and every table that can carry a base_url, `status --probe` and non-interactive
onboarding must refuse before any request (exit 2, the host, the file and the trust
command named), send nothing anywhere, refresh nothing, and change no stamp. The wizard
asks, showing the host, and sends nothing until the person answers. Once trusted with
`seal-setup trust`, the same file works; editing the URL withdraws it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.stores import FileStore
from backend.providers.trust import TrustList, trust_command
from screens.check import CheckScreen
from screens.review import ReviewScreen
from screens.welcome import WelcomeScreen
from tests.cli.helpers import run_script, subprocess_env
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SECRET_HEADERS,
    FakeProvider,
)
from tests.reliability.conftest import Tally
from tests.support.leaks import write_claude_code
from tests.tui.harness import (
    build,
    confirm,
    enter_secret,
    press_next,
    text_of,
    to_method,
    wait_check,
    wait_dialog,
    wait_for,
    wait_screen,
)

CATEGORY = "untrusted base_url: nothing sent"
ACCESS = "sk-ant-oat01-" + "StoredAccessToken0" * 5
REFRESH = "sk-ant-ort01-" + "StoredRefreshToken" * 5
CC_ACCESS = "sk-ant-oat01-" + "ClaudeCodeAccess00" * 5
CC_REFRESH = "sk-ant-ort01-" + "ClaudeCodeRefresh0" * 5
ENV_OAT = "sk-ant-oat01-" + "EnvOAuthToken0000" * 5


@pytest.fixture
def attacker() -> Iterator[FakeProvider]:
    """The server seal.toml points at: it answers like a provider and records everything."""
    with FakeProvider() as hostile:
        yield hostile


@dataclass(frozen=True)
class Source:
    """One place a credential comes from, and how to put it there."""

    name: str
    provider: str
    auth: str
    env: tuple[tuple[str, str], ...] = ()
    record: CredentialRecord | None = None
    claude_code: bool = False


def _sources() -> list[Source]:
    soon = utcnow() + timedelta(seconds=30)  # inside the refresh window: would refresh first
    return [
        Source(
            "stored api key",
            "anthropic",
            "api_key",
            record=CredentialRecord("anthropic", "default", "api_key", secret=ANTHROPIC_KEY),
        ),
        Source(
            "stored sign-in due for refresh",
            "anthropic",
            "oauth",
            record=CredentialRecord(
                "anthropic",
                "default",
                "oauth",
                access_token=ACCESS,
                refresh_token=REFRESH,
                expires_at=soon,
                verified_at=utcnow() - timedelta(days=1),
            ),
        ),
        Source(
            "ANTHROPIC_API_KEY", "anthropic", "env", env=(("ANTHROPIC_API_KEY", ANTHROPIC_KEY),)
        ),
        Source(
            "CLAUDE_CODE_OAUTH_TOKEN",
            "anthropic",
            "env",
            env=(("CLAUDE_CODE_OAUTH_TOKEN", ENV_OAT),),
        ),
        Source("Claude Code's sign-in", "anthropic", "claude_code", claude_code=True),
        Source(
            "stored OpenRouter key",
            "openrouter",
            "api_key",
            record=CredentialRecord("openrouter", "default", "api_key", secret=OPENROUTER_KEY),
        ),
        Source("OPENAI_API_KEY", "openai", "env", env=(("OPENAI_API_KEY", OPENAI_KEY),)),
    ]


SOURCES = _sources()
MODELS = {
    "anthropic": "claude-sonnet-4-6",
    "openrouter": "anthropic/claude-sonnet-4.6",
    "openai": "gpt-5",
}


def _tables(provider: str, auth: str, url: str) -> dict[str, str]:
    """Each way a table can send `provider`'s requests to `url`."""
    head = f'provider = "{provider}"\nname = "{MODELS[provider]}"\nauth = "{auth}"\n'
    other = "openai" if provider != "openai" else "anthropic"
    return {
        "[model]": f'[model]\n{head}base_url = "{url}"\n',
        "[agents.x.model]": (
            f'[model]\nprovider = "{other}"\nname = "{MODELS[other]}"\nauth = "env"\n\n'
            f'[agents.x.model]\n{head}base_url = "{url}/v1"\n'
        ),
        # An agent naming its provider inherits [model]'s base_url from another provider.
        "inherited": (
            f'[model]\nprovider = "{other}"\nname = "{MODELS[other]}"\nauth = "env"\n'
            f'base_url = "{url}"\n\n[agents.y.model]\n{head}'
        ),
    }


def _leaked(server: FakeProvider, secrets: tuple[str, ...]) -> list[str]:
    """Every request the server got, and any secret in its headers or body."""
    seen = []
    for request in server.requests():
        seen.append(f"{request.method} {request.path}")
        for name, value in request.headers.items():
            if name.lower() in SECRET_HEADERS or any(s in value for s in secrets):
                seen.append(f"  header {name}")
        if any(s.encode() in request.body for s in secrets):
            seen.append("  body")
    return seen


def _arrange(home: Path, project: Path, source: Source, config: str) -> dict[str, str]:
    if source.record is not None:
        FileStore(home / ".config" / "seal" / "credentials.json").put(source.record)
    if source.claude_code:
        write_claude_code(home / ".claude" / ".credentials.json", CC_ACCESS, CC_REFRESH)
    (project / "seal.toml").write_text(config, encoding="utf-8")
    return dict(source.env)


def _disk(home: Path, project: Path) -> dict[str, bytes]:
    """Everything a stamp or a write could change."""
    files = [
        p for p in (home, project) for p in p.rglob("*") if p.is_file() and ".lock" not in p.name
    ]
    return {str(p): p.read_bytes() for p in files}


SECRETS = (
    ANTHROPIC_KEY,
    ACCESS,
    REFRESH,
    CC_ACCESS,
    CC_REFRESH,
    ENV_OAT,
    OPENROUTER_KEY,
    OPENAI_KEY,
)


@pytest.mark.parametrize("source", SOURCES, ids=lambda s: s.name)
def test_status_probe_sends_nothing_to_an_untrusted_base_url(
    tmp_path: Path,
    fake_provider: FakeProvider,
    attacker: FakeProvider,
    tally: Tally,
    source: Source,
) -> None:
    for table, config in _tables(source.provider, source.auth, attacker.base_url).items():
        home, project = tmp_path / table / "home", tmp_path / table / "project"
        project.mkdir(parents=True)
        home.mkdir()
        extra = _arrange(home, project, source, config)
        before = _disk(home, project)
        env = subprocess_env(home, fake_provider, **extra)
        for args in (["status", "--probe"], ["status", "--probe", "--json"]):
            result = run_script(args, env, project)
            held = (
                result.returncode == 2
                and attacker.base_url.removeprefix("http://") in result.stderr
                and str((project / "seal.toml").resolve()) in result.stderr
                and "seal-setup trust --config" in result.stderr
                and "nothing was sent" in result.stderr
                and not _leaked(attacker, SECRETS)
                and not fake_provider.requests()  # nothing anywhere, no refresh either
                and _disk(home, project) == before  # no stamp changed
            )
            tally.record(CATEGORY, held)
            assert held, (table, args, result.returncode, result.stderr, _leaked(attacker, SECRETS))


@pytest.mark.parametrize("source", [s for s in SOURCES if s.auth != "oauth"], ids=lambda s: s.name)
def test_noninteractive_onboarding_sends_nothing_to_an_untrusted_base_url(
    tmp_path: Path,
    fake_provider: FakeProvider,
    attacker: FakeProvider,
    tally: Tally,
    source: Source,
) -> None:
    home, project = tmp_path / "user", tmp_path / "project"
    project.mkdir()
    home.mkdir()
    config = _tables(source.provider, source.auth, attacker.base_url)["[model]"]
    extra = _arrange(home, project, source, config)
    before = _disk(home, project)
    stdin = {"anthropic": ANTHROPIC_KEY, "openrouter": OPENROUTER_KEY, "openai": OPENAI_KEY}
    args = ["onboard", "--non-interactive", "--provider", source.provider, "--auth", source.auth]
    result = run_script(
        args, subprocess_env(home, fake_provider, **extra), project, stdin[source.provider]
    )
    held = (
        result.returncode == 2
        and "not trusted on this machine" in result.stderr
        and not _leaked(attacker, SECRETS)
        and not fake_provider.requests()
        and _disk(home, project) == before  # nothing stored, seal.toml untouched
    )
    tally.record(CATEGORY, held)
    assert held, (result.returncode, result.stderr, _leaked(attacker, SECRETS))


@pytest.mark.parametrize("url", ["http://attacker.example", "http://192.0.2.7:8080/v1"])
def test_plain_http_off_this_machine_is_refused_even_when_asked_to_trust(
    tmp_path: Path, fake_provider: FakeProvider, tally: Tally, url: str
) -> None:
    home, project = tmp_path / "user", tmp_path / "project"
    project.mkdir()
    home.mkdir()
    source = SOURCES[0]
    _arrange(home, project, source, _tables("anthropic", "api_key", url)["[model]"])
    env = subprocess_env(home, fake_provider)
    trusted = run_script(["trust", "--yes"], env, project)
    probe = run_script(["status", "--probe"], env, project)
    held = (
        trusted.returncode == 2
        and "plain http://" in trusted.stderr
        and not TrustList.load(env).entries
        and probe.returncode == 2
        and "plain http://" in probe.stderr
        and not fake_provider.requests()
    )
    tally.record(CATEGORY, held)
    assert held, (trusted.stderr, probe.stderr)


def test_trusting_the_file_lets_it_through_and_editing_the_url_withdraws_it(
    tmp_path: Path, fake_provider: FakeProvider, attacker: FakeProvider, tally: Tally
) -> None:
    """The same proxy, now the person's own: trusted, it is used; a new URL asks again."""
    home, project = tmp_path / "user", tmp_path / "project"
    project.mkdir()
    home.mkdir()
    source = SOURCES[0]
    config = _tables("anthropic", "api_key", attacker.base_url)["[model]"]
    _arrange(home, project, source, config)
    env = subprocess_env(home, fake_provider)

    listed = run_script(
        ["trust"], env, project
    )  # no terminal, no --yes: asks nothing, trusts nothing
    assert listed.returncode == 2 and "pass --yes" in listed.stderr
    assert attacker.base_url in listed.stdout
    trusted = run_script(["trust", "--yes"], env, project)
    assert trusted.returncode == 0, trusted.stderr
    status = run_script(["status"], env, project)
    assert "trusted on this machine" in status.stdout

    probe = run_script(["status", "--probe"], env, project)
    assert probe.returncode == 0, probe.stderr + probe.stdout
    assert attacker.count("/v1/models") == 1 and not fake_provider.requests()

    (project / "seal.toml").write_text(config.replace(attacker.base_url, attacker.base_url + "/x"))
    attacker.clear_log()
    again = run_script(["status", "--probe"], env, project)
    forgot = run_script(["trust", "--forget"], env, project)
    held = (
        again.returncode == 2
        and trust_command(project / "seal.toml") in again.stderr
        and not attacker.requests()
        and forgot.returncode == 0
        and not TrustList.load(env).for_config(project / "seal.toml")
    )
    tally.record(CATEGORY, held)
    assert held, (again.stderr, forgot.stdout)


# --- the wizard ---------------------------------------------------------------------------


async def _to_check(pilot: Any) -> None:
    await to_method(pilot, "anthropic", "api_key")
    await enter_secret(pilot, ANTHROPIC_KEY)
    await press_next(pilot)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen_stack[0], CheckScreen), "check")


@pytest.mark.parametrize("answer", ["own server", "trust"])
async def test_the_wizard_asks_before_sending_a_key_to_a_base_url(
    tmp_path: Path, fake_provider: FakeProvider, attacker: FakeProvider, tally: Tally, answer: str
) -> None:
    config = _tables("anthropic", "api_key", attacker.base_url)["[model]"]
    h = build(fake_provider, tmp_path, config_text=config)
    async with h.app.run_test(size=(100, 30)) as pilot:
        welcome = await wait_screen(pilot, WelcomeScreen)
        await wait_for(pilot, lambda: welcome.facts is not None, "survey")
        survey = text_of(pilot, "#survey")
        assert attacker.base_url in survey and "not trusted yet" in survey

        await _to_check(pilot)
        dialog = await wait_dialog(pilot)
        shown = " ".join(str(w.render()) for w in dialog.query("Static"))
        asked = attacker.base_url.removeprefix("http://") in shown and not attacker.requests()
        assert asked, shown
        fake_provider.clear_log()
        await confirm(pilot, yes=answer == "trust")
        if answer == "trust":
            # The answer came from the proxy (which, like a real one, takes the key).
            await wait_check(pilot, "✓")
            sent_to = attacker.count("/v1/models")
            trusted = TrustList.load(h.services.env).allows(
                h.config_path, "anthropic", attacker.base_url
            )
            held = asked and sent_to == 1 and trusted and not fake_provider.requests()
        else:
            await wait_check(pilot, "✓")
            await press_next(pilot)  # Model
            await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ModelScreen", "model")
            await press_next(pilot)
            await wait_screen(pilot, ReviewScreen)
            await wait_for(pilot, lambda: "⚠" in text_of(pilot, "#endpoints"), "review warning")
            review = text_of(pilot, "#endpoints")
            held = (
                asked
                and not attacker.requests()
                and fake_provider.count("/v1/models") >= 1
                and attacker.base_url in review
                and "provider's own server" in review
                and not TrustList.load(h.services.env).entries
            )
        tally.record(CATEGORY, held)
        assert held, answer


def test_the_trust_list_json_names_no_secret(tmp_path: Path, fake_provider: FakeProvider) -> None:
    home, project = tmp_path / "user", tmp_path / "project"
    project.mkdir()
    home.mkdir()
    _arrange(
        home, project, SOURCES[0], _tables("anthropic", "api_key", "https://p.example")["[model]"]
    )
    env = subprocess_env(home, fake_provider)
    assert run_script(["trust", "--yes"], env, project).returncode == 0
    text = (home / ".config" / "seal" / "trusted-endpoints.json").read_text()
    doc = json.loads(text)
    assert [e["base_url"] for e in doc["trusted"]] == ["https://p.example"]
    assert not any(s in text for s in SECRETS)
