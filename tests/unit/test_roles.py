"""backend.roles: replaying role edits on seal.toml, inheritance, and the checks before Review."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from backend.config.document import SealConfig, load_config
from backend.credentials.health import Account
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.resolution import resolve
from backend.credentials.stores import MemoryStore
from backend.errors import InputError
from backend.providers.catalog import Catalog
from backend.wizard.roles import (
    CredentialState,
    RoleEdit,
    accounts_to_check,
    agent_name_problem,
    apply_role_edits,
    check_roles,
    credential_state,
    needs_confirmation,
    role_account,
    row_cells,
    selector_for,
    table_account,
)

CONFIG = """\
# Seal project settings
[model]
provider = "anthropic"  # the default provider
name = "claude-sonnet-4-6"
auth = "api_key"

[model.roles]
fast = "claude-haiku-4-5"

# Research agent: thinks harder
[agents.research.model]
name = "claude-opus-4-7"
"""

OK = {
    ("anthropic", "default"): CredentialState("anthropic", "default", "ok", "ok"),
    ("openrouter", "default"): CredentialState("openrouter", "default", "ok", "ok"),
    ("openai", "default"): CredentialState("openai", "default", "ok", "ok"),
}


def _config(tmp_path: Path, text: str = CONFIG) -> SealConfig:
    path = tmp_path / "seal.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def test_edits_replay_in_order_and_keep_comments(tmp_path: Path) -> None:
    config = _config(tmp_path)
    apply_role_edits(
        config,
        [
            RoleEdit("add_agent", "coder"),
            RoleEdit("set_role", "coder", "fast", "gpt-5-mini"),
            RoleEdit("set_role", "coder", "fallbacks", ("openrouter:anthropic/claude-sonnet-4.6",)),
            RoleEdit("set_role", "research", "escalate", "claude-opus-4-8"),
            RoleEdit("rename_agent", "coder", new_name="builder"),
        ],
    )
    text = config.text()
    assert text.startswith(CONFIG.split("# Research")[0].rstrip("\n"))
    assert "# Research agent: thinks harder" in text
    assert "# the default provider" in text
    assert config.agents() == ["research", "builder"]
    assert config.own_roles("builder") == {
        "fast": "gpt-5-mini",
        "fallbacks": ["openrouter:anthropic/claude-sonnet-4.6"],
    }
    assert config.own_roles("research")["escalate"] == "claude-opus-4-8"
    # Only role and agent keys change.
    assert config.model() == load_config(config.path).model()


def test_inherit_clears_the_own_value_and_remove_drops_the_agent(tmp_path: Path) -> None:
    config = _config(tmp_path)
    apply_role_edits(config, [RoleEdit("set_role", "research", "fast", "claude-opus-4-7")])
    assert row_cells(config, "research")["fast"].inherited is False
    apply_role_edits(config, [RoleEdit("set_role", "research", "fast", None)])
    cell = row_cells(config, "research")["fast"]
    assert (cell.value, cell.inherited) == ("claude-haiku-4-5", True)
    assert not config.changed()  # back to the bytes on disk
    apply_role_edits(config, [RoleEdit("remove_agent", "research")])
    assert config.agents() == []


def test_a_bad_edit_raises_input_error(tmp_path: Path) -> None:
    config = _config(tmp_path)
    with pytest.raises(InputError):
        apply_role_edits(config, [RoleEdit("set_role", "research", "fast", "nonsense model")])
    with pytest.raises(InputError):
        apply_role_edits(config, [RoleEdit("add_agent", "research")])


def test_cells_mark_inherited_values(tmp_path: Path) -> None:
    config = _config(tmp_path)
    default = row_cells(config, None)
    assert default["primary"].value == "claude-sonnet-4-6"
    assert not any(c.inherited for c in default.values())
    research = row_cells(config, "research")
    assert (research["primary"].value, research["primary"].inherited) == ("claude-opus-4-7", False)
    assert (research["fast"].value, research["fast"].inherited) == ("claude-haiku-4-5", True)
    assert research["escalate"].value is None and not research["escalate"].inherited


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("coder", ""),
        ("a-b_C9", ""),
        ("", "Type a name."),
        ("has space", "letters, digits"),
        ("x" * 65, "64"),
        ("research", "already"),
        ("default", "[model]"),
        ("émoji", "letters, digits"),
    ],
)
def test_agent_names(name: str, problem: str) -> None:
    found = agent_name_problem(name, ["research"])
    assert (problem in found) if problem else found == ""


def test_renaming_to_the_same_name_is_not_a_duplicate() -> None:
    assert agent_name_problem("research", ["research"], current="research") == ""


def test_selector_for_writes_the_provider_only_when_needed() -> None:
    assert selector_for("anthropic", "claude-haiku-4-5") == "claude-haiku-4-5"
    assert (
        selector_for("openrouter", "anthropic/claude-sonnet-4.6") == "anthropic/claude-sonnet-4.6"
    )
    assert selector_for("openai", "gpt-5") == "gpt-5"
    assert selector_for("openrouter", "gpt-5") == "openrouter:gpt-5"


def test_role_accounts_follow_the_table(tmp_path: Path) -> None:
    config = _config(
        tmp_path, CONFIG.replace('auth = "api_key"', 'auth = "oauth"\nprofile = "work"')
    )
    table = table_account(config, "research")
    assert table == Account("anthropic", "work", "oauth")
    assert role_account(table, "claude-haiku-4-5") == table
    assert role_account(table, "gpt-5") == Account("openai", "default", "api_key")
    assert role_account(table, "no good") is None
    keys = {(a.provider, a.profile) for a in accounts_to_check(config)}
    assert keys == {
        ("anthropic", "work"),
        ("anthropic", "default"),
        ("openrouter", "default"),
        ("openai", "default"),
    }


# --- credential state ------------------------------------------------------------------------


def _record(**changes: object) -> CredentialRecord:
    base = CredentialRecord("anthropic", "default", "api_key", secret="sk-ant-api03-" + "a" * 95)
    return base.with_changes(**changes)


def test_credential_state_from_resolution() -> None:
    store = MemoryStore()
    missing = credential_state(resolve("openrouter", "default", {}, store))
    assert not missing.ok and missing.detail == "no credential"
    assert missing.flag == "⚠ no credential: run seal-setup reauth --provider openrouter"

    store.put(_record())
    assert credential_state(resolve("anthropic", "default", {}, store)).ok

    store.put(_record(stale=True))
    stale = credential_state(resolve("anthropic", "default", {}, store))
    assert not stale.ok and "rejected" in stale.detail

    past = utcnow() - timedelta(days=1)
    store.put(_record(kind="setup_token", expires_at=past))
    assert "expired" in credential_state(resolve("anthropic", "default", {}, store)).detail

    oauth = CredentialRecord(
        "anthropic", "default", "oauth", access_token="a", refresh_token="r", expires_at=past
    )
    store.put(oauth)
    assert credential_state(resolve("anthropic", "default", {}, store)).ok  # refreshable

    env = {"ANTHROPIC_API_KEY": "sk-ant-api03-" + "b" * 95}
    store.put(_record(stale=True))
    assert credential_state(resolve("anthropic", "default", env, store)).ok  # env wins


def test_profile_in_the_fix() -> None:
    state = CredentialState("anthropic", "work", "missing", "no credential")
    assert state.fix == "seal-setup reauth --provider anthropic --profile work"


# --- checks -----------------------------------------------------------------------------------


def test_no_problems_for_a_plain_config(tmp_path: Path) -> None:
    assert check_roles(_config(tmp_path), OK, Catalog.bundled()) == []


def test_a_role_without_credential_is_flagged_once_per_account(tmp_path: Path) -> None:
    config = _config(tmp_path)
    apply_role_edits(
        config,
        [
            RoleEdit("set_role", None, "escalate", "openrouter:anthropic/claude-opus-4.7"),
            RoleEdit("set_role", "research", "fallbacks", ("anthropic/claude-haiku-4.5",)),
        ],
    )
    creds = dict(OK)
    creds[("openrouter", "default")] = CredentialState(
        "openrouter", "default", "missing", "no credential"
    )
    problems = check_roles(config, creds, Catalog.bundled())
    flagged = [p for p in problems if "OpenRouter" in p.message]
    assert len(flagged) == 1
    assert "seal-setup reauth --provider openrouter" in flagged[0].message
    assert "default·escalate" in flagged[0].row and "research·fallbacks" in flagged[0].row
    assert needs_confirmation(problems) == flagged


def test_fallbacks_on_the_same_account_warn(tmp_path: Path) -> None:
    config = _config(tmp_path)
    apply_role_edits(
        config, [RoleEdit("set_role", None, "fallbacks", ("claude-opus-4-6", "claude-haiku-4-5"))]
    )
    problems = check_roles(config, OK, Catalog.bundled())
    same = [p for p in problems if "fail together" in p.message]
    assert [(p.row, p.role) for p in same] == [("default", "fallbacks"), ("research", "fallbacks")]
    # One fallback on another provider is a way out: no warning.
    apply_role_edits(
        config,
        [RoleEdit("set_role", None, "fallbacks", ("claude-opus-4-6", "openai:gpt-5"))],
    )
    assert not [
        p for p in check_roles(config, OK, Catalog.bundled()) if "fail together" in p.message
    ]


def test_catalog_rules_apply_to_role_models(tmp_path: Path) -> None:
    text = CONFIG.replace('auth = "api_key"', 'auth = "api_key"\neffort = "max"')
    config = _config(tmp_path, text)
    effort = [p for p in check_roles(config, OK, Catalog.bundled()) if "effort" in p.message]
    # sonnet-4-6 (default's primary) does not offer max; opus-4-7 (research's) does.
    assert [(p.row, p.role) for p in effort] == [("default", "primary")]
    assert effort[0].severity == "warning"

    text = CONFIG.replace('auth = "api_key"', 'auth = "api_key"\nthinking = "adaptive"')
    config = _config(tmp_path, text)
    thinking = [p for p in check_roles(config, OK, Catalog.bundled()) if "adaptive" in p.message]
    # haiku-4-5 (fast, inherited by research too) has budget thinking only.
    assert [(p.row, p.role) for p in thinking] == [("default", "fast"), ("research", "fast")]


def test_unknown_models_are_a_note_not_a_warning(tmp_path: Path) -> None:
    config = _config(tmp_path)
    apply_role_edits(config, [RoleEdit("set_role", None, "escalate", "claude-future-9")])
    problems = check_roles(config, OK, Catalog.bundled())
    notes = [p for p in problems if "not in the bundled" in p.message]
    assert [p.severity for p in notes] == ["note", "note"]  # default and research inherit it
    assert needs_confirmation(problems) == []


def test_describe_edits() -> None:
    assert RoleEdit("set_role", None, "fast", None).describe() == "default: fast inherits"
    assert RoleEdit("set_role", "a", "fallbacks", ()).describe() == "a: fallbacks = (none)"
    assert RoleEdit("rename_agent", "a", new_name="b").describe() == "rename agent a to b"
