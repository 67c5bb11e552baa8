"""Shared test fixtures: isolated config dirs and env, and the rule for system tests.

System tests (real tmux, real Secret Service) and tests of fetched data (tests/corpus) skip
locally with a reason when a part is missing, but under CI=true a missing part is a failure:
CI installs them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

from backend.providers.endpoints import OAUTH_ENV
from backend.vocabulary import registry
from tests.fakes.fixtures import (  # noqa: F401
    fake_keychain,
    fake_provider,
    fake_provider_env,
    fast_retries,
)

# The reliability tally's hooks and fixture live in a plugin: under xdist the controller
# loads only this conftest, and it is the one that adds up the workers' counts and prints
# the table. The leak canaries' fixtures are one too: tests/tui's flows and
# tests/reliability both take them.
pytest_plugins = ["tests.support.tally", "tests.support.leaks", "tests.fakes.openbao"]

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Variables that would leak the developer's real credentials or settings into tests: every
# provider's credential and base-URL variables (from the registry), and these.
_SCRUB = (
    *(name for p in registry.providers() for name in (*p.env_vars, p.base_url_env)),
    OAUTH_ENV,
    "CLAUDE_CONFIG_DIR",
    "SEAL_CONFIG",
    "SEAL_CREDENTIAL_STORE",
    "SEAL_VAULT_MOUNT",
    "SEAL_VAULT_PREFIX",
    "VAULT_ADDR",
    "VAULT_TOKEN",
    "VAULT_NAMESPACE",
    "VAULT_CACERT",
    "VAULT_ROLE_ID",
    "VAULT_SECRET_ID",
    "SEAL_NO_BROWSER",
    "NO_COLOR",
)


def missing_part(message: str, in_ci: str) -> NoReturn:
    """Skip (locally) or fail (CI, saying how CI provides it) a test whose part is missing."""
    if IN_CI:
        pytest.fail(f"{message} ({in_ci})")
    pytest.skip(message)


def require_tools(*tools: str) -> None:
    """Skip (locally) or fail (CI) when a system tool a test needs is missing."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        missing_part(
            f"missing system tools: {', '.join(missing)}", "CI must install them: see .ci/run"
        )


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own HOME and XDG dirs, and no real provider keys."""
    home = tmp_path / "home"
    home.mkdir()
    for name in _SCRUB:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    return home


@pytest.fixture(autouse=True)
def check_waits(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process walks stay on Check after "✓ Verified" until they press Next, so each
    step's test reads the Check screen at its own pace; a test marked `goes_on` (and every
    walk of the real program in tmux) sees it go on by itself."""
    if request.node.get_closest_marker("goes_on") is None:
        from screens.check import CheckScreen

        monkeypatch.setattr(CheckScreen, "GO_ON_AFTER", None)
