"""Which credential wins, per provider, and when the wanted one is shadowed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.credentials.claude_code import ClaudeCodeError
from backend.credentials.record import CredentialRecord
from backend.credentials.resolution import Resolution, Source, resolve
from backend.credentials.stores import MemoryStore
from backend.errors import CredentialStoreError, InputError
from backend.vocabulary.registry import ENV_VARS

API = "sk-ant-api03-" + "k" * 95
OAT = "sk-ant-oat01-" + "o" * 95


@pytest.fixture
def home(isolated_env: Path) -> Path:
    return isolated_env


def claude_file(home: Path) -> None:
    path = home / ".claude" / ".credentials.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"claudeAiOauth": {"accessToken": OAT, "expiresAt": 1}}))


def stored(provider: str = "anthropic", profile: str = "default") -> MemoryStore:
    return MemoryStore(
        [CredentialRecord(provider, profile, "api_key", secret=f"stored-{provider}")]
    )


def labels(res: Resolution) -> list[str]:
    return [s.label for s in res.candidates]


def test_env_vars_table() -> None:
    assert ENV_VARS == {
        "anthropic": ("CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY"),
        "openrouter": ("OPENROUTER_API_KEY",),
        "openai": ("OPENAI_API_KEY",),
    }


def test_anthropic_full_precedence(home: Path) -> None:
    claude_file(home)
    env = {"HOME": str(home), "CLAUDE_CODE_OAUTH_TOKEN": OAT, "ANTHROPIC_API_KEY": API}
    res = resolve("anthropic", "default", env, stored())
    assert labels(res) == [
        "CLAUDE_CODE_OAUTH_TOKEN",
        "ANTHROPIC_API_KEY",
        "memory",
        "~/.claude/.credentials.json",
    ]
    assert [s.origin for s in res.candidates] == ["env", "env", "store", "claude_code"]
    assert res.effective is not None and res.effective.label == "CLAUDE_CODE_OAUTH_TOKEN"
    assert res.effective.record.kind == "setup_token"
    assert res.effective.record.verified_at is None
    assert res.candidates[1].record.kind == "api_key"
    assert res.candidates[1].record.secret == API
    assert res.shadowed_by == "CLAUDE_CODE_OAUTH_TOKEN"  # the stored one is shadowed


@pytest.mark.parametrize(
    ("drop", "effective"),
    [
        ((), "CLAUDE_CODE_OAUTH_TOKEN"),
        (("CLAUDE_CODE_OAUTH_TOKEN",), "ANTHROPIC_API_KEY"),
        (("CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY"), "memory"),
        (("CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY", "store"), "~/.claude/.credentials.json"),
    ],
)
def test_anthropic_each_level(home: Path, drop: tuple[str, ...], effective: str) -> None:
    claude_file(home)
    env = {"HOME": str(home), "CLAUDE_CODE_OAUTH_TOKEN": OAT, "ANTHROPIC_API_KEY": API}
    for name in drop:
        env.pop(name, None)
    store = None if "store" in drop else stored()
    res = resolve("anthropic", "default", env, store)
    assert res.effective is not None and res.effective.label == effective


def test_api_key_env_holding_oauth_token_is_bearer(home: Path) -> None:
    res = resolve("anthropic", "default", {"ANTHROPIC_API_KEY": OAT}, None)
    assert res.effective is not None and res.effective.record.kind == "setup_token"


def test_empty_env_is_unset(home: Path) -> None:
    res = resolve("anthropic", "default", {"ANTHROPIC_API_KEY": "  ", "HOME": str(home)}, None)
    assert res.effective is None and res.candidates == [] and res.shadowed_by is None


@pytest.mark.parametrize(
    ("provider", "var"), [("openrouter", "OPENROUTER_API_KEY"), ("openai", "OPENAI_API_KEY")]
)
def test_other_providers(home: Path, provider: str, var: str) -> None:
    claude_file(home)  # never a candidate outside anthropic
    env = {"HOME": str(home), var: "sk-env", "ANTHROPIC_API_KEY": API}
    res = resolve(provider, "default", env, stored(provider))
    assert labels(res) == [var, "memory"]
    assert res.effective is not None and res.effective.record.secret == "sk-env"
    assert res.effective.record.provider == provider
    assert res.shadowed_by == var
    res = resolve(provider, "default", {"HOME": str(home)}, stored(provider))
    assert labels(res) == ["memory"] and res.shadowed_by is None
    assert resolve(provider, "other", {}, stored(provider)).effective is None


def test_profile_is_respected(home: Path) -> None:
    res = resolve("anthropic", "work", {"HOME": str(home)}, stored(profile="work"))
    assert res.effective is not None and res.effective.record.profile == "work"
    assert (
        resolve("anthropic", "default", {"HOME": str(home)}, stored(profile="work")).effective
        is None
    )


@pytest.mark.parametrize(
    ("auth", "env_vars", "with_store", "with_claude", "shadowed_by"),
    [
        # wanted = store
        ("api_key", {"ANTHROPIC_API_KEY": API}, True, False, "ANTHROPIC_API_KEY"),
        ("setup_token", {"CLAUDE_CODE_OAUTH_TOKEN": OAT}, True, True, "CLAUDE_CODE_OAUTH_TOKEN"),
        ("oauth", {}, True, True, None),
        ("api_key", {}, False, True, None),  # missing, not shadowed: the claude file is lower
        ("api_key", {"ANTHROPIC_API_KEY": API}, False, False, "ANTHROPIC_API_KEY"),
        # wanted = claude_code
        ("claude_code", {}, True, True, "memory"),
        ("claude_code", {"ANTHROPIC_API_KEY": API}, False, True, "ANTHROPIC_API_KEY"),
        ("claude_code", {}, False, True, None),
        # wanted = env: both anthropic variables count as env
        ("env", {"CLAUDE_CODE_OAUTH_TOKEN": OAT, "ANTHROPIC_API_KEY": API}, True, True, None),
        ("env", {}, True, True, None),
        # no auth: only a present stored credential counts as wanted
        (None, {"ANTHROPIC_API_KEY": API}, False, True, None),
        (None, {"ANTHROPIC_API_KEY": API}, True, True, "ANTHROPIC_API_KEY"),
    ],
)
def test_shadowing(
    home: Path,
    auth: str | None,
    env_vars: dict[str, str],
    with_store: bool,
    with_claude: bool,
    shadowed_by: str | None,
) -> None:
    if with_claude:
        claude_file(home)
    env = {"HOME": str(home), **env_vars}
    res = resolve("anthropic", "default", env, stored() if with_store else MemoryStore(), auth=auth)
    assert res.shadowed_by == shadowed_by


def test_store_errors_propagate(home: Path) -> None:
    store = MemoryStore()
    store.error = CredentialStoreError("the system keyring is locked", "unlock it")
    with pytest.raises(CredentialStoreError, match="locked"):
        resolve("anthropic", "default", {"ANTHROPIC_API_KEY": API}, store)


def test_claude_code_errors_propagate(home: Path) -> None:
    path = home / ".claude" / ".credentials.json"
    path.parent.mkdir(parents=True)
    path.write_text("{")
    with pytest.raises(ClaudeCodeError):
        resolve("anthropic", "default", {"HOME": str(home)}, None)


def test_unknown_provider() -> None:
    with pytest.raises(InputError):
        resolve("gemini", "default", {}, None)


def test_source_repr_hides_secrets(home: Path) -> None:
    res = resolve("anthropic", "default", {"ANTHROPIC_API_KEY": API}, None)
    assert isinstance(res.effective, Source)
    assert API not in repr(res)
