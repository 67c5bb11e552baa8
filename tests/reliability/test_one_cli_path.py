"""Issue 13 §4, one path for the wizard and the command line, case by case.

- Which seal.toml: the wizard and `status` resolve `--config`, `$SEAL_CONFIG` (with `~`,
  or only spaces) and the default alike: they read the same file. The wizard used to take
  `~` literally and a `$SEAL_CONFIG` of spaces as a file named " ".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.services import Services
from backend.survey import survey
from tests.cli.helpers import run, write_config
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

    held = wizard == status == str(expected) and facts.config_exists and facts.model == "gpt-5"
    tally.record(f"{CATEGORY}: wizard and status read one seal.toml", held)
    assert (wizard, status) == (str(expected), str(expected)), case
    assert facts.config_exists and facts.model == "gpt-5"
    assert code == 1  # nothing stored for openai: status judged the file it read
