"""The handoff's pure parts: what Seal reads, what outranks it, the Done step's words, the
export lines' quoting, and the stand-in runtime's independence from seal-setup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from backend.credentials.handoff import RUN_COMMAND, how_seal_gets, plan
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.resolution import resolve
from backend.credentials.stores import MemoryStore
from backend.handoff import build_env
from backend.system.shell import assign, quote, unassign
from backend.vocabulary import registry
from backend.vocabulary.methods import seal_variable

RUNTIME = Path(__file__).resolve().parents[1] / "fakes" / "runtime.py"

# What Seal's docs say it reads, per provider and method (written out: the expectation).
SEAL_READS = {
    ("anthropic", "api_key"): "ANTHROPIC_API_KEY",
    ("anthropic", "console_oauth"): "ANTHROPIC_API_KEY",
    ("anthropic", "oauth"): "CLAUDE_CODE_OAUTH_TOKEN",
    ("anthropic", "setup_token"): "CLAUDE_CODE_OAUTH_TOKEN",
    ("anthropic", "claude_code"): "CLAUDE_CODE_OAUTH_TOKEN",
    ("anthropic", "env"): "ANTHROPIC_API_KEY",
    ("openrouter", "api_key"): "OPENROUTER_API_KEY",
    ("openrouter", "env"): "OPENROUTER_API_KEY",
    ("openai", "api_key"): "OPENAI_API_KEY",
    ("openai", "env"): "OPENAI_API_KEY",
}


def every_method() -> list[tuple[str, str]]:
    return [(p.id, m) for p in registry.providers() for m in p.methods]


def test_the_table_covers_every_method():
    assert sorted(every_method()) == sorted(SEAL_READS)


@pytest.mark.parametrize(("provider", "method"), every_method())
def test_seal_variable(provider, method):
    assert seal_variable(provider, method) == SEAL_READS[(provider, method)]


@pytest.mark.parametrize(("provider", "method"), every_method())
def test_how_seal_gets(provider, method):
    told = how_seal_gets(provider, method)
    variable = SEAL_READS[(provider, method)]
    assert told.variable == variable
    if method in ("api_key", "console_oauth", "oauth", "setup_token"):
        assert told.command == RUN_COMMAND
        assert told.sentence.startswith(f"Start Seal with `{RUN_COMMAND} …`")
        assert f"${variable}" in told.sentence
    elif method == "claude_code":
        assert told.sentence.startswith("Seal reads Claude Code's sign-in itself")
        assert told.command == RUN_COMMAND
    else:
        assert told.sentence.startswith(f"Export {variable} before running Seal")
        assert told.command is None


def test_outranking_follows_seals_order():
    anthropic = registry.get("anthropic")
    assert anthropic.outranking("ANTHROPIC_API_KEY") == ("CLAUDE_CODE_OAUTH_TOKEN",)
    assert anthropic.outranking("CLAUDE_CODE_OAUTH_TOKEN") == ()
    assert anthropic.outranking(None) == ("CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY")
    assert registry.get("openai").outranking("OPENAI_API_KEY") == ()


def _store(*records: CredentialRecord) -> MemoryStore:
    store = MemoryStore()
    for record in records:
        store.put(record)
    return store


def test_plan_stored_key_shadowed_by_a_parent_token():
    record = CredentialRecord("anthropic", "default", "api_key", secret="sk-ant-api03-" + "k" * 95)
    record = record.with_changes(verified_at=utcnow())
    parent = {"CLAUDE_CODE_OAUTH_TOKEN": "sk-ant-oat01-" + "t" * 90, "PATH": "/bin", "HOME": "/h"}
    found = plan(resolve("anthropic", "default", parent, _store(record), auth="api_key"))
    assert (found.variable, found.supplied) == ("ANTHROPIC_API_KEY", True)
    assert found.outranked_by == ("CLAUDE_CODE_OAUTH_TOKEN",)
    child = build_env(parent, [found], [])
    assert child.env["ANTHROPIC_API_KEY"] == record.secret
    assert "CLAUDE_CODE_OAUTH_TOKEN" not in child.env and child.env["PATH"] == "/bin"
    assert child.unset == ("CLAUDE_CODE_OAUTH_TOKEN",) and child.set == ("ANTHROPIC_API_KEY",)


def test_plan_missing_and_rejected_fail():
    empty = plan(resolve("openai", "default", {}, _store(), auth="api_key"))
    assert empty.failing and not empty.supplied and empty.variable == "OPENAI_API_KEY"
    assert "seal-setup reauth --provider openai" in empty.advice
    rejected = CredentialRecord("openai", "default", "api_key", secret="sk-proj-x", stale=True)
    found = plan(resolve("openai", "default", {}, _store(rejected), auth="api_key"))
    assert found.failing and found.health.state == "rejected"


def test_plan_env_method_adds_nothing():
    env = {"OPENROUTER_API_KEY": "sk-or-v1-" + "a" * 64}
    found = plan(resolve("openrouter", "default", env, _store(), auth="env"))
    assert found.variable == "OPENROUTER_API_KEY" and not found.supplied
    assert found.value == "" and not found.failing
    assert build_env(env, [found], []).env == env


def test_expired_claude_code_sign_in_is_left_to_seal(tmp_path):
    folder = tmp_path / ".claude"
    folder.mkdir()
    expired_ms = int((utcnow() - timedelta(hours=1)).timestamp() * 1000)
    oauth = {"accessToken": "sk-ant-oat01-" + "a" * 90, "refreshToken": "sk-ant-ort01-r"}
    (folder / ".credentials.json").write_text(
        json.dumps({"claudeAiOauth": {**oauth, "expiresAt": expired_ms}})
    )
    env = {"HOME": str(tmp_path), "ANTHROPIC_API_KEY": "sk-ant-api03-old"}
    found = plan(resolve("anthropic", "default", env, _store(), auth="claude_code"))
    assert found.variable is None and not found.supplied and not found.failing
    child = build_env(env, [found], [])
    assert "ANTHROPIC_API_KEY" not in child.env  # it would outrank Claude Code's file


HOSTILE = ["plain", "it's", "a b", "$(rm -rf /)", "`x`", "back\\slash", "new\nline", "\u2019q", ""]


@pytest.mark.parametrize("value", HOSTILE)
def test_sh_export_round_trips(value):
    line = assign("sh", "X_TEST", value)
    out = subprocess.run(["sh", "-c", 'eval "$1"; printf %s "$X_TEST"', "sh", line],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert out == value


def test_fish_and_powershell_quoting():
    assert quote("fish", "it's a \\ b") == "'it\\'s a \\\\ b'"
    assert assign("fish", "K", "v") == "set -gx K 'v'" and unassign("fish", "K") == "set -e K"
    assert quote("powershell", "it's \u2019") == "'it''s \u2019\u2019'"
    assert assign("powershell", "K", "$x") == "$env:K = '$x'"
    assert unassign("powershell", "K") == "Remove-Item -ErrorAction SilentlyContinue Env:K"


def test_runtime_imports_nothing_of_seal_setup():
    code = (
        "import runpy, sys; runpy.run_path(sys.argv[1], run_name='not_main'); "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'backend', 'tui', 'screens'}))"
    )
    out = subprocess.run([sys.executable, "-c", code, str(RUNTIME)], capture_output=True,
                         text=True, check=True, cwd=RUNTIME.parents[2]).stdout  # fmt: skip
    assert out.strip() == "[]"
    # Without site-packages (where seal-setup is installed) it still runs.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC", "CLAUDE"))}
    env["HOME"] = "/nonexistent"
    done = subprocess.run([sys.executable, "-I", "-S", str(RUNTIME), "--provider", "anthropic"],
                          capture_output=True, text=True, env=env)  # fmt: skip
    assert done.returncode == 3 and done.stdout.strip() == "source=none provider=anthropic"
