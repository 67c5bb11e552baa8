"""`seal-setup run`, `env` and `token` end to end: a stand-in Seal authenticates.

For every auth method and provider: onboard non-interactively against the loopback fake,
then start the stand-in runtime (tests/fakes/runtime.py, which reads only what Seal's docs
say Seal reads) three ways: `seal-setup run -- runtime`, `eval "$(seal-setup env)"` in a
real `sh`, and `VAR=$(seal-setup token)`. Each must get a 200 from the fake with the
variable expected for the method. Secrets travel in environments and pipes only.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.helpers import SEAL_SETUP, run, run_script, subprocess_env
from tests.cli.test_noninteractive import sign_in
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SETUP_TOKEN,
    FakeProvider,
)

RUNTIME = Path(__file__).resolve().parents[1] / "fakes" / "runtime.py"
BASE = ["onboard", "--non-interactive"]


@pytest.fixture
def cli(tmp_path: Path, fake_provider: FakeProvider) -> dict[str, str]:
    return subprocess_env(tmp_path / "home", fake_provider)


def base_url(fake: FakeProvider, provider: str) -> str:
    return {
        "anthropic": fake.anthropic_url,
        "openrouter": fake.openrouter_url,
        "openai": fake.openai_url,
    }[provider]


def runtime(fake: FakeProvider, provider: str, *extra: str) -> list[str]:
    """The stand-in Seal, standard library only (`-I -S`: no site-packages)."""
    return [sys.executable, "-I", "-S", str(RUNTIME), "--provider", provider,
            "--base-url", base_url(fake, provider), *extra]  # fmt: skip


def stored_path(tmp_path: Path) -> Path:
    return tmp_path / "home" / ".config" / "seal" / "credentials.json"


def write_claude_code(tmp_path: Path, fake: FakeProvider, hours: float = 1) -> dict[str, str]:
    tokens = fake.issue_tokens()
    folder = tmp_path / "home" / ".claude"
    folder.mkdir(parents=True, exist_ok=True)
    expires = int((time.time() + hours * 3600) * 1000)
    oauth = {"accessToken": tokens["access_token"], "refreshToken": tokens["refresh_token"]}
    (folder / ".credentials.json").write_text(
        json.dumps({"claudeAiOauth": {**oauth, "expiresAt": expires}})
    )
    return tokens


def onboard(tmp_path: Path, env: dict[str, str], fake: FakeProvider, case: str) -> None:
    provider, method = case.split(":")
    models = {"anthropic": "sonnet", "openrouter": "anthropic/claude-sonnet-4.6", "openai": "gpt-5"}
    args = [*BASE, "--provider", provider, "--auth", method, "--model", models[provider]]
    if method in ("oauth", "console_oauth"):
        result = sign_in(tmp_path, env, method)
    else:
        if method == "claude_code":
            write_claude_code(tmp_path, fake)
        stdin = {
            "anthropic:api_key": ANTHROPIC_KEY,
            "openrouter:api_key": OPENROUTER_KEY,
            "openai:api_key": OPENAI_KEY,
            "anthropic:setup_token": SETUP_TOKEN,
        }.get(case, "")
        result = run_script(args, env, tmp_path, stdin=stdin)
    assert result.returncode == 0, result.stderr


# (provider:method, the variable the stand-in must read, how it sends it)
CASES = [
    ("anthropic:api_key", "ANTHROPIC_API_KEY", "x-api-key"),
    ("anthropic:console_oauth", "ANTHROPIC_API_KEY", "x-api-key"),
    ("anthropic:oauth", "CLAUDE_CODE_OAUTH_TOKEN", "bearer"),
    ("anthropic:setup_token", "CLAUDE_CODE_OAUTH_TOKEN", "bearer"),
    ("anthropic:claude_code", "CLAUDE_CODE_OAUTH_TOKEN", "bearer"),
    ("openrouter:api_key", "OPENROUTER_API_KEY", "bearer"),
    ("openai:api_key", "OPENAI_API_KEY", "bearer"),
]


def secrets_of(tmp_path: Path) -> list[str]:
    path = stored_path(tmp_path)
    if not path.exists():
        return []
    found = []
    for record in json.loads(path.read_text())["credentials"].values():
        found += [record.get(k) for k in ("secret", "access_token", "refresh_token")]
    return [s for s in found if s]


@pytest.mark.parametrize(("case", "variable", "how"), CASES, ids=[c[0] for c in CASES])
def test_every_method_reaches_the_stand_in(tmp_path, cli, fake_provider, case, variable, how):
    onboard(tmp_path, cli, fake_provider, case)
    provider = case.split(":")[0]
    want = f"source={variable} auth={how} status=200"
    command = runtime(fake_provider, provider)

    ran = run_script(["run", "--", *command], cli, tmp_path)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.strip() == want

    # env + eval in a real sh; the seal-setup output is captured, never a terminal.
    script = 'eval "$("$SEAL_SETUP" env)" && exec "$@"'
    shell_env = {**cli, "SEAL_SETUP": str(SEAL_SETUP)}
    evaled = subprocess.run(["sh", "-c", script, "sh", *command], capture_output=True,
                            text=True, env=shell_env, cwd=tmp_path, timeout=60)  # fmt: skip
    assert evaled.returncode == 0, evaled.stdout + evaled.stderr
    assert evaled.stdout.strip() == want

    # token: the credential on stdout, put in the variable by the shell.
    script = (
        f'{variable}=$("$SEAL_SETUP" token --provider {provider}) && export {variable} && exec "$@"'
    )
    tokened = subprocess.run(["sh", "-c", script, "sh", *command], capture_output=True,
                             text=True, env=shell_env, cwd=tmp_path, timeout=60)  # fmt: skip
    assert tokened.returncode == 0, tokened.stdout + tokened.stderr
    assert tokened.stdout.strip() == want

    for secret in secrets_of(tmp_path):
        for result in (ran, evaled, tokened):
            assert secret not in result.stdout + result.stderr


def test_env_method_passes_the_persons_variable_through(tmp_path, cli, fake_provider):
    env = {**cli, "OPENAI_API_KEY": OPENAI_KEY}
    result = run_script([*BASE, "--provider", "openai", "--auth", "env"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    ran = run_script(["run", "--", *runtime(fake_provider, "openai")], env, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "source=OPENAI_API_KEY auth=bearer status=200"
    printed = run_script(["env"], env, tmp_path)
    assert printed.returncode == 0 and OPENAI_KEY not in printed.stdout  # nothing to add
    # Without the variable, Seal has nothing: run says so and starts nothing.
    marker = tmp_path / "started"
    refused = run_script(["run", "--", *runtime(fake_provider, "openai", "--marker", str(marker))],
                         cli, tmp_path)  # fmt: skip
    assert refused.returncode == 1 and not marker.exists()
    assert "export OPENAI_API_KEY=… before running Seal" in refused.stderr


def test_stale_api_key_in_the_parent_does_not_win_over_a_sign_in(tmp_path, cli, fake_provider):
    onboard(tmp_path, cli, fake_provider, "anthropic:oauth")
    stale = "sk-ant-api03-" + "Stale0Key0Here00" * 6
    env = {**cli, "ANTHROPIC_API_KEY": stale}
    ran = run_script(["run", "--", *runtime(fake_provider, "anthropic")], env, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "source=CLAUDE_CODE_OAUTH_TOKEN auth=bearer status=200"
    assert stale not in ran.stdout + ran.stderr


def test_parent_token_that_outranks_a_stored_key_is_removed(tmp_path, cli, fake_provider):
    onboard(tmp_path, cli, fake_provider, "anthropic:api_key")
    stale = "sk-ant-oat01-" + "StaleToken000000" * 6
    env = {**cli, "CLAUDE_CODE_OAUTH_TOKEN": stale}
    ran = run_script(["run", "--", *runtime(fake_provider, "anthropic")], env, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "source=ANTHROPIC_API_KEY auth=x-api-key status=200"
    (line,) = [x for x in ran.stderr.splitlines() if "removed" in x]
    assert "CLAUDE_CODE_OAUTH_TOKEN" in line and stale not in ran.stderr
    printed = run_script(["env"], env, tmp_path)
    assert "unset CLAUDE_CODE_OAUTH_TOKEN" in printed.stdout.splitlines()


def test_expired_sign_in_is_refreshed_before_the_child_starts(tmp_path, cli, fake_provider):
    onboard(tmp_path, cli, fake_provider, "anthropic:oauth")
    path = stored_path(tmp_path)
    data = json.loads(path.read_text())
    record = data["credentials"]["anthropic:default"]
    old = record["access_token"]
    past = datetime.now(UTC) - timedelta(hours=1)
    record["expires_at"] = past.strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(json.dumps(data))
    fake_provider.revoke(old)  # only a refreshed token can authenticate now
    refreshes = fake_provider.count("/v1/oauth/token")
    marker = tmp_path / "started"
    command = runtime(fake_provider, "anthropic", "--marker", str(marker))
    ran = run_script(["run", "--no-check", "--", *command], cli, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "source=CLAUDE_CODE_OAUTH_TOKEN auth=bearer status=200"
    assert fake_provider.count("/v1/oauth/token") == refreshes + 1
    new = json.loads(path.read_text())["credentials"]["anthropic:default"]
    assert new["access_token"] != old and new["expires_at"] > record["expires_at"]


def test_revoked_key_stops_run_before_the_child_starts(tmp_path, cli, fake_provider):
    onboard(tmp_path, cli, fake_provider, "anthropic:api_key")
    fake_provider.revoke(ANTHROPIC_KEY)
    marker = tmp_path / "started"
    command = runtime(fake_provider, "anthropic", "--marker", str(marker))
    ran = run_script(["run", "--", *command], cli, tmp_path)
    assert ran.returncode == 1 and not marker.exists()
    assert "Seal would not authenticate" in ran.stderr and "seal-setup reauth" in ran.stderr
    assert ANTHROPIC_KEY not in ran.stderr + ran.stdout
    # The 401 marked it stale: env and token refuse it too, with status's advice.
    for args in (["env"], ["token"]):
        again = run_script(args, cli, tmp_path)
        assert again.returncode == 1 and "rejected" in again.stderr, again.stderr
        assert ANTHROPIC_KEY not in again.stdout


def test_run_exit_codes_for_the_command(tmp_path, cli):
    missing = run_script(["run", "--", "no-such-command-here"], cli, tmp_path)
    assert missing.returncode == 127 and "not found" in missing.stderr
    script = tmp_path / "plain.txt"
    script.write_text("not a program\n")
    denied = run_script(["run", "--", str(script)], cli, tmp_path)
    assert denied.returncode == 126 and "not executable" in denied.stderr
    empty = run_script(["run"], cli, tmp_path)
    assert empty.returncode == 2 and "no command to run" in empty.stderr


def test_run_passes_the_exit_status_through(tmp_path, cli, fake_provider):
    onboard(tmp_path, cli, fake_provider, "anthropic:api_key")
    ran = run_script(["run", "--", "sh", "-c", "exit 7"], cli, tmp_path)
    assert ran.returncode == 7


PRINT_CORE_LIMIT = "import resource; print(resource.getrlimit(resource.RLIMIT_CORE))"


def test_run_gives_the_command_the_core_limit_it_was_started_with(tmp_path, cli, fake_provider):
    """seal-setup itself writes no core file; Seal, once exec'd, has the shell's limit."""
    onboard(tmp_path, cli, fake_provider, "anthropic:api_key")
    _, hard = resource.getrlimit(resource.RLIMIT_CORE)
    ran = subprocess.run(
        [str(SEAL_SETUP), "run", "--", sys.executable, "-c", PRINT_CORE_LIMIT],
        capture_output=True,
        text=True,
        env=cli,
        cwd=tmp_path,
        timeout=60,
        # As a shell with `ulimit -c unlimited` would start it (up to the hard limit).
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_CORE, (hard, hard)),
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == str((hard, hard))


def test_token_and_env_refuse_a_terminal_without_show(tmp_path, capsys, monkeypatch):
    for args in (["token"], ["env"]):
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
        code, out, err = run([*args, "--config", str(tmp_path / "seal.toml")], capsys, monkeypatch)
        assert code == 2 and out == "" and "--show" in err and "scrollback" in err


def test_token_missing_is_exit_1_with_advice(tmp_path, cli):
    result = run_script(["token"], cli, tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert "no stored credential for anthropic:default" in result.stderr
    assert "seal-setup reauth --provider anthropic" in result.stderr


def test_untrusted_base_url_is_refused(tmp_path, cli, fake_provider):
    onboard(tmp_path, cli, fake_provider, "anthropic:api_key")
    config = tmp_path / "seal.toml"
    config.write_text(config.read_text() + 'base_url = "https://elsewhere.example"\n')
    marker = tmp_path / "started"
    command = runtime(fake_provider, "anthropic", "--marker", str(marker))
    ran = run_script(["run", "--", *command], cli, tmp_path)
    assert ran.returncode == 2 and not marker.exists(), ran.stderr
    assert "seal-setup trust" in ran.stderr


@pytest.mark.parametrize("flag", ["token", "run", "env"])
def test_help_says_what_and_shows_an_example(flag):
    result = subprocess.run([str(SEAL_SETUP), flag, "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "Examples:" in result.stdout and "Exit codes:" in result.stdout
