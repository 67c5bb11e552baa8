"""Issue 13 §4, one path for the wizard and the command line, case by case.

- Which seal.toml: the wizard and `status` resolve `--config`, `$SEAL_CONFIG` (with `~`,
  or only spaces) and the default alike: they read the same file. The wizard used to take
  `~` literally and a `$SEAL_CONFIG` of spaces as a file named " ".
- The same services: `onboard --non-interactive`, `status`, `logout` and `trust` run on
  the `Services` they are given (its store, its environment), and non-interactive
  onboarding checks through the wizard's `Services.check`.
- The same check: an OpenRouter model's options are held to the live model list the
  check fetched, as the wizard's Model step does (non-interactive used only the bundled
  list, so it wrote a max_tokens the wizard refuses).
- The same re-auth: Welcome offers "Re-authenticate" exactly when `seal-setup reauth`
  finds something to re-authenticate, and prepares the same answers. Welcome used to read
  only an explicit `[model] provider`, while `reauth` infers it from the model name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backend.credentials.stores import MemoryStore, StoreChoice
from backend.errors import InputError
from backend.services import CheckReport, Services
from backend.wizard.answers import Answers
from backend.wizard.reauth import start_reauth
from backend.wizard.survey import survey
from tests.cli.helpers import run, store, write_config
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, FakeProvider, openrouter_model
from tests.reliability.conftest import Tally
from tui.app import SealSetupApp

CATEGORY = "one CLI path"


@pytest.fixture(autouse=True)
def file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI runs here use the file store in the per-test dirs, never a keyring."""
    monkeypatch.setenv("SEAL_CREDENTIAL_STORE", "file")


# --- which seal.toml ----------------------------------------------------------------------

# (case, SEAL_CONFIG or None, --config or None, where the file is: "home" ~, "cwd", "cli")
CONFIG_PATHS = [
    ("SEAL_CONFIG with ~", "~/p/seal.toml", None, "home"),
    ("SEAL_CONFIG of spaces", " ", None, "cwd"),
    ("SEAL_CONFIG unset", None, None, "cwd"),
    ("--config beats SEAL_CONFIG", "~/p/seal.toml", "{tmp}/given/seal.toml", "cli"),
    ("--config with ~", None, "~/q/seal.toml", "home-q"),
]


@pytest.mark.parametrize(
    ("case", "seal_config", "cli", "where"), CONFIG_PATHS, ids=[c[0] for c in CONFIG_PATHS]
)
def test_the_wizard_and_status_read_the_same_seal_toml(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_env: Path,
    tally: Tally,
    case: str,
    seal_config: str | None,
    cli: str | None,
    where: str,
) -> None:
    home = isolated_env  # HOME of this test
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    expected = {
        "home": home / "p" / "seal.toml",
        "home-q": home / "q" / "seal.toml",
        "cwd": project / "seal.toml",
        "cli": tmp_path / "given" / "seal.toml",
    }[where]
    expected.parent.mkdir(parents=True, exist_ok=True)
    write_config(expected, '[model]\nprovider = "openai"\nname = "gpt-5"\n')
    if seal_config is None:
        monkeypatch.delenv("SEAL_CONFIG", raising=False)
    else:
        monkeypatch.setenv("SEAL_CONFIG", seal_config)
    config = cli.replace("{tmp}", str(tmp_path)) if cli else None

    env = {"HOME": str(home), **({"SEAL_CONFIG": seal_config} if seal_config else {})}
    app = SealSetupApp.from_cli(config=config, mode="onboard", env=env)
    wizard = app.answers.config_path
    facts = survey(Services(env), wizard)  # what the wizard's Welcome reads
    code, out, _ = run(
        ["status", "--json", *(["--config", config] if config else [])], capsys, monkeypatch
    )
    status = json.loads(out)["config"]

    # One file; the wizard names one in the current folder by its relative path (its
    # lines stay short), status by its full path, as both did before.
    shown = "seal.toml" if where == "cwd" else str(expected)
    same = Path(wizard).resolve() == Path(status).resolve() == expected.resolve()
    held = same and (wizard, status) == (shown, str(expected))
    held = held and facts.config_exists and facts.model == "gpt-5"
    tally.record(f"{CATEGORY}: wizard and status read one seal.toml", held)
    assert same, case
    assert (wizard, status) == (shown, str(expected)), case
    assert facts.config_exists and facts.model == "gpt-5"
    assert code == 1  # nothing stored for openai: status judged the file it read


# --- the same services --------------------------------------------------------------------


class RecordingServices(Services):
    """The wizard's services on a memory store, noting each live check asked of them."""

    def __init__(self, env: dict[str, str]) -> None:
        self.memory = MemoryStore()
        memory = self.memory
        super().__init__(env, store_factory=lambda: StoreChoice(memory, "memory", "memory (tests)"))
        self.checks: list[tuple[Any, ...]] = []

    def check(self, *args: Any, **kwargs: Any) -> CheckReport:
        self.checks.append(args)
        return super().check(*args, **kwargs)


def _services(fake: FakeProvider, tmp_path: Path) -> RecordingServices:
    """Services whose environment alone points at the fake (os.environ does not)."""
    own = tmp_path / "services-home"
    return RecordingServices(
        {
            **fake.env(),
            "HOME": str(own),
            "XDG_CONFIG_HOME": str(own / ".config"),
            "XDG_STATE_HOME": str(own / ".local" / "state"),
        }
    )


def test_every_command_runs_on_the_services_it_is_given(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_provider: FakeProvider,
    tally: Tally,
) -> None:
    services = _services(fake_provider, tmp_path)
    path = tmp_path / "seal.toml"
    config = ["--config", str(path)]
    results: dict[str, bool] = {}

    onboard = ["onboard", "--non-interactive", *config, "--provider", "anthropic"]
    onboard += ["--auth", "api_key", "--model", "claude-sonnet-4-6"]
    code, out, err = run(onboard, capsys, monkeypatch, ANTHROPIC_KEY, services=services)
    stored = services.memory.get("anthropic", "default")
    results["onboard --non-interactive"] = (
        code == 0
        and stored is not None
        and stored.secret == ANTHROPIC_KEY
        and stored.verified_at is not None
        and store().list() == []  # not the file store os.environ names
        and fake_provider.count("/v1/models") == 1
        and [c[0] for c in services.checks] == ["anthropic"]
        and services.checks[0][3] == str(path)  # the wizard's arguments: seal.toml's path
        and "Stored anthropic:default (API key" in out
    )

    code, out, _ = run(["status", "--json", *config], capsys, monkeypatch, services=services)
    entries = json.loads(out)["providers"]
    results["status"] = code == 0 and [(e["provider"], e["state"]) for e in entries] == [
        ("anthropic", "ok")
    ]

    code, out, _ = run(["logout", "--yes"], capsys, monkeypatch, services=services)
    results["logout"] = code == 0 and services.memory.list() == [] and "Removed" in out

    path.write_text(
        path.read_text(encoding="utf-8") + 'base_url = "https://proxy.example.com/v1"\n',
        encoding="utf-8",
    )
    code, out, _ = run(["trust", "--yes", *config], capsys, monkeypatch, services=services)
    kept = Path(services.env["XDG_CONFIG_HOME"]) / "seal" / "trusted-endpoints.json"
    results["trust"] = code == 0 and kept.exists() and "proxy.example.com" in kept.read_text()

    for command, held in results.items():
        tally.record(f"{CATEGORY}: {command} on the services given", held)
    assert results == dict.fromkeys(results, True), err


def test_an_openrouter_model_is_held_to_the_live_list_the_check_fetched(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_provider: FakeProvider,
    tally: Tally,
) -> None:
    # Only the live list knows this model: its ceiling is 4,096 output tokens.
    live = openrouter_model("vendor/live-only", "Live only", 32_000, 4096, "0", "0")
    fake_provider.extra_models["openrouter"] = [live]
    services = _services(fake_provider, tmp_path)
    argv = ["onboard", "--non-interactive", "--config", str(tmp_path / "seal.toml")]
    argv += ["--provider", "openrouter", "--auth", "api_key", "--model", "vendor/live-only"]
    code, _, err = run(
        [*argv, "--max-tokens", "8000"], capsys, monkeypatch, OPENROUTER_KEY, services
    )
    refused = (
        code == 2
        and "the model options do not fit vendor/live-only" in err
        and "ceiling of 4,096" in err
        and not (tmp_path / "seal.toml").exists()
        and services.memory.list() == []
    )
    code, _, err = run(
        [*argv, "--max-tokens", "4096"], capsys, monkeypatch, OPENROUTER_KEY, services
    )
    accepted = code == 0 and services.memory.get("openrouter", "default") is not None
    tally.record(f"{CATEGORY}: live model list rules (openrouter)", refused and accepted)
    assert refused and accepted, err


# --- the same re-auth ---------------------------------------------------------------------

REAUTH_CONFIGS = [
    ("explicit provider", '[model]\nprovider = "openai"\nname = "gpt-5"\nauth = "env"\n'),
    ("model name only", '[model]\nname = "claude-sonnet-4-6"\n'),
    ("an OpenAI model name", '[model]\nname = "gpt-5"\nprofile = "work"\n'),
    ("a vendor/model name", '[model]\nname = "anthropic/claude-sonnet-4.6"\n'),
    ("auth only", '[model]\nauth = "oauth"\n'),
    (
        "with a base_url",
        '[model]\nprovider = "anthropic"\nbase_url = "https://proxy.example.com/v1"\n',
    ),
    ("an unknown provider", '[model]\nprovider = "nosuch"\n'),
    ("agents only", '[agents.research.model]\nname = "gpt-5"\n'),
    ("no seal.toml", None),
]
FIELDS = ("mode", "provider", "profile", "method", "reauth_auth", "base_url")


@pytest.mark.parametrize(("case", "text"), REAUTH_CONFIGS, ids=[c[0] for c in REAUTH_CONFIGS])
def test_welcome_offers_and_prepares_the_reauth_the_command_does(
    tmp_path: Path, tally: Tally, case: str, text: str | None
) -> None:
    path = tmp_path / "seal.toml"
    if text is not None:
        write_config(path, text)
    offered = survey(Services({}), str(path)).reauth
    try:
        app = SealSetupApp.from_cli(config=str(path), mode="reauth", env={})
        command: Answers | None = app.answers
    except InputError:
        command = None
    welcome: Answers | None = None
    if offered is not None:
        welcome = Answers(config_path=str(path))
        start_reauth(welcome, offered)

    def fields(answers: Answers | None) -> tuple[Any, ...] | None:
        return None if answers is None else tuple(getattr(answers, f) for f in FIELDS)

    held = fields(welcome) == fields(command)
    tally.record(f"{CATEGORY}: Welcome's re-auth is the command's", held)
    assert fields(welcome) == fields(command), case
