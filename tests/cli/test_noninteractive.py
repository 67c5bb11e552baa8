"""`seal-setup onboard --non-interactive`: every method end to end, every refusal.

Refusals run in-process (fast); the happy paths run the installed console script against
the loopback fake, sign-ins through pipes. On every failure nothing is written, and the
secret never shows in argv, stdout or stderr.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.helpers import (
    SEAL_SETUP,
    TTYInput,
    run,
    run_script,
    store,
    subprocess_env,
    write_config,
)
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SETUP_TOKEN,
)

UNKNOWN_KEY = "sk-ant-api03-" + "Unknown0Key0Here" * 6 + "xY"
BASE = ["onboard", "--non-interactive"]


def onboard(tmp_path: Path, *flags: str) -> list[str]:
    return [*BASE, "--config", str(tmp_path / "seal.toml"), *flags]


def assert_nothing_written(tmp_path: Path, before: bytes | None = None) -> None:
    path = tmp_path / "seal.toml"
    if before is None:
        assert not path.exists()
    else:
        assert path.read_bytes() == before
    assert store().list() == []
    assert not (tmp_path / "seal.toml.bak").exists()


# --- refusals (in-process) ----------------------------------------------------------------


def test_needs_provider_and_auth(tmp_path, capsys, monkeypatch):
    code, _, err = run(onboard(tmp_path, "--provider", "anthropic"), capsys, monkeypatch)
    assert code == 2 and "--provider and --auth" in err
    assert_nothing_written(tmp_path)


def test_method_not_offered_by_provider(tmp_path, capsys, monkeypatch):
    code, _, err = run(
        onboard(tmp_path, "--provider", "openai", "--auth", "oauth"), capsys, monkeypatch
    )
    assert code == 2 and "openai has no auth method 'oauth'" in err
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize(
    ("stdin", "expected"),
    [
        (OPENROUTER_KEY, "this is an OpenRouter key"),
        (SETUP_TOKEN, "setup-token"),
        (ANTHROPIC_KEY[:40], "cut short"),
        ("", "nothing pasted"),
        ("  \n", "nothing pasted"),
    ],
)
def test_bad_secret_shape(tmp_path, capsys, monkeypatch, fake_provider_env, stdin, expected):
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "api_key")
    code, out, err = run(argv, capsys, monkeypatch, stdin)
    assert code == 2
    assert err.startswith("seal-setup: ") and expected in err
    assert fake_provider_env.requests() == []  # refused before any network call
    assert_nothing_written(tmp_path)
    if len(stdin.strip()) > 12:
        assert stdin.strip() not in out + err


def test_tty_stdin_is_refused_without_prompting(tmp_path, capsys, monkeypatch):
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "setup_token")
    code, out, err = run(argv, capsys, monkeypatch, TTYInput(""))
    assert code == 2 and "stdin is a terminal" in err and out == ""
    assert_nothing_written(tmp_path)


def test_rejected_key_is_exit_1(tmp_path, capsys, monkeypatch, fake_provider_env):
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "api_key", "--no-verify")
    code, out, err = run(argv, capsys, monkeypatch, UNKNOWN_KEY)
    assert code == 1
    assert "Rejected by Anthropic" in err and "Nothing was stored" in err
    assert UNKNOWN_KEY not in out + err
    assert_nothing_written(tmp_path)


def test_unverifiable_needs_no_verify(tmp_path, capsys, monkeypatch, fake_provider_env):
    fake_provider_env.fail("/v1/models", 503, times=None)
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "api_key")
    code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 1 and "--no-verify" in err
    assert_nothing_written(tmp_path)


def test_unverifiable_with_no_verify_stores_unverified(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    fake_provider_env.fail("/v1/models", 503, times=None)
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "api_key", "--no-verify")
    code, out, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 0, err
    record = store().get("anthropic", "default")
    assert record is not None and record.verified_at is None and record.secret == ANTHROPIC_KEY
    assert "marked unverified" in out
    code, out, _ = run(["status", "--config", str(tmp_path / "seal.toml")], capsys, monkeypatch)
    assert code == 2 and "unverified" in out


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--header", "no-equals-sign"], "is not NAME=VALUE"),
        (["--header", "Bad Name=x"], "not a valid HTTP header name"),
        (["--header", "Authorization=Bearer abc"], "carries a credential"),
        (["--model", "bad model!"], "characters a model id cannot have"),
        (["--model", "openai:gpt-5"], "is a openai model"),
        (["--fast", "nosuchprovider:model"], "unknown provider"),
        (["--fallback", "openrouter:not-vendor-slash-model"], "vendor/model"),
        (["--agent", "bad name!"], "not a valid agent name"),
        (["--profile", "no spaces"], "profile must be"),
        (["--thinking-budget", "500", "--thinking", "manual"], "at least 1024"),
    ],
)
def test_bad_flags_are_exit_2(tmp_path, capsys, monkeypatch, fake_provider_env, flags, expected):
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "api_key", *flags)
    code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 2
    assert err.startswith("seal-setup: ") and expected in err
    assert fake_provider_env.requests() == []
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("command", ["onboard", "reauth", "logout", "token"])
def test_every_profile_flag_follows_the_one_rule(tmp_path, capsys, monkeypatch, command):
    argv = [command, "--config", str(tmp_path / "seal.toml"), "--profile", "two words"]
    code, _, err = run(argv, capsys, monkeypatch)
    assert code == 2
    assert err.startswith("seal-setup: profile must be") and "'@'" in err
    assert_nothing_written(tmp_path)


def test_an_email_names_a_profile(tmp_path, capsys, monkeypatch, fake_provider_env):
    argv = onboard(
        tmp_path, "--provider", "anthropic", "--auth", "api_key", "--profile", "me+ci@example.com"
    )
    code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 0, err
    assert 'profile = "me+ci@example.com"' in (tmp_path / "seal.toml").read_text()
    assert store().get("anthropic", "me+ci@example.com") is not None


@pytest.mark.parametrize(
    ("auth", "stdin", "flags", "expected"),
    [
        (
            "api_key",
            ANTHROPIC_KEY,
            ["--model", "claude-opus-4-7", "--thinking", "manual", "--thinking-budget", "4000"],
            "only takes adaptive thinking",
        ),
        (
            "api_key",
            ANTHROPIC_KEY,
            ["--model", "claude-sonnet-4-6", "--effort", "max"],
            "not offered",
        ),
        (
            "api_key",
            ANTHROPIC_KEY,
            ["--model", "claude-haiku-4-5", "--context-1m"],
            "no 1M context",
        ),
        (
            "setup_token",
            SETUP_TOKEN,
            ["--model", "claude-sonnet-4-6", "--cache-retention", "long"],
            "Prompt cache works only",
        ),
        (
            "api_key",
            ANTHROPIC_KEY,
            ["--model", "claude-opus-4-7", "--max-tokens", "999999"],
            "ceiling",
        ),
    ],
)
def test_catalog_rules_are_exit_2(
    tmp_path, capsys, monkeypatch, fake_provider_env, auth, stdin, flags, expected
):
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", auth, *flags)
    code, _, err = run(argv, capsys, monkeypatch, stdin)
    assert code == 2
    assert "the model options do not fit" in err and expected in err
    assert_nothing_written(tmp_path)


def test_unparseable_seal_toml_is_exit_3_and_byte_identical(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    path = write_config(tmp_path / "seal.toml", '# keep me\n[model\nname = "x"\n')
    before = path.read_bytes()
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "api_key")
    code, out, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 3 and "line" in err and out == ""
    assert fake_provider_env.requests() == []
    assert_nothing_written(tmp_path, before)


def test_argparse_refuses_non_numbers(tmp_path, capsys, monkeypatch):
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "api_key", "--max-tokens", "lots")
    code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 2 and "--max-tokens" in err


@pytest.mark.parametrize(
    ("paste", "expected"),
    [
        ("justacode", "paste the whole text"),
        ("code123#someoneelsesstate", "another sign-in"),
        ("", "no sign-in code"),
    ],
)
def test_bad_sign_in_paste_is_exit_2(
    tmp_path, capsys, monkeypatch, fake_provider_env, paste, expected
):
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "oauth")
    code, _, err = run(argv, capsys, monkeypatch, paste + "\n")
    assert code == 2 and expected in err
    assert "/oauth/authorize?" in err  # the URL was shown first
    assert fake_provider_env.count("/v1/oauth/token") == 0
    assert_nothing_written(tmp_path)


def test_claude_code_without_a_sign_in_is_exit_1(tmp_path, capsys, monkeypatch):
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "claude_code")
    code, _, err = run(argv, capsys, monkeypatch)
    assert code == 1 and "no Claude Code sign-in at ~/.claude/.credentials.json" in err
    assert_nothing_written(tmp_path)


def test_save_failure_rolls_the_store_back(tmp_path, capsys, monkeypatch, fake_provider_env):
    from backend.config.document import SealConfig
    from backend.errors import ConfigError

    def refuse(self, **_):
        raise ConfigError("seal.toml changed on disk", "run it again")

    monkeypatch.setattr(SealConfig, "save", refuse)
    argv = onboard(tmp_path, "--provider", "anthropic", "--auth", "api_key")
    code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 3 and "changed on disk" in err
    assert_nothing_written(tmp_path)


# --- every method, end to end (console script) --------------------------------------------


@pytest.fixture
def cli(tmp_path, fake_provider):
    home = tmp_path / "home"
    return subprocess_env(home, fake_provider)


def read_back(tmp_path: Path) -> str:
    return (tmp_path / "seal.toml").read_text()


def stored(tmp_path: Path) -> dict:
    path = tmp_path / "home" / ".config" / "seal" / "credentials.json"
    return json.loads(path.read_text())["credentials"] if path.exists() else {}


@pytest.mark.parametrize(
    ("provider", "key", "model"),
    [
        ("anthropic", ANTHROPIC_KEY, "claude-sonnet-4-6"),
        ("openrouter", OPENROUTER_KEY, "anthropic/claude-sonnet-4.6"),
        ("openai", OPENAI_KEY, "gpt-5"),
    ],
)
def test_api_key_every_provider(tmp_path, cli, provider, key, model):
    args = [*BASE, "--provider", provider, "--auth", "api_key", "--model", model]
    result = run_script(args, cli, tmp_path, stdin=f"  {key}\r\n")
    assert result.returncode == 0, result.stderr
    text = read_back(tmp_path)
    assert f'provider = "{provider}"' in text and f'name = "{model}"' in text
    assert 'auth = "api_key"' in text and key not in text
    record = stored(tmp_path)[f"{provider}:default"]
    assert record["secret"] == key and record["verified_at"]
    assert key not in result.stdout + result.stderr and key not in " ".join(args)
    assert "Stored" in result.stdout and "Wrote" in result.stdout


def test_setup_token_with_profile_and_agent(tmp_path, cli):
    write_config(
        tmp_path / "seal.toml", '# project\n[model]\nprovider = "openai"\nname = "gpt-5"\n'
    )
    args = [
        *BASE,
        "--provider",
        "anthropic",
        "--auth",
        "setup_token",
        "--profile",
        "max",
        "--agent",
        "research",
        "--model",
        "opus",
        "--effort",
        "high",
    ]
    result = run_script(args, cli, tmp_path, stdin=SETUP_TOKEN)
    assert result.returncode == 0, result.stderr
    text = read_back(tmp_path)
    assert text.startswith('# project\n[model]\nprovider = "openai"\nname = "gpt-5"\n')
    assert "[agents.research.model]" in text and 'auth = "setup_token"' in text
    assert 'profile = "max"' in text and 'name = "opus"' in text
    assert stored(tmp_path)["anthropic:max"]["kind"] == "setup_token"
    assert SETUP_TOKEN not in result.stdout + result.stderr


def sign_in(tmp_path: Path, env: dict[str, str], method: str) -> subprocess.CompletedProcess[str]:
    """Drive a sign-in: read the URL from stderr, 'approve' at the fake, paste code#state."""
    args = [
        str(SEAL_SETUP),
        *BASE,
        "--provider",
        "anthropic",
        "--auth",
        method,
        "--model",
        "claude-opus-4-7",
    ]
    proc = subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.stderr is not None and proc.stdin is not None
    seen: list[str] = []
    deadline = time.monotonic() + 20
    url = None
    while url is None and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        match = re.search(r"(http://\S+/oauth/authorize\?\S+)", line)
        url = match.group(1) if match else None
    assert url, "".join(seen)
    page = httpx.get(url, follow_redirects=True).text
    code_state = re.search(r"<code id='code'>([^<]+)</code>", page).group(1)
    # Not communicate(): it reads the raw pipe and would lose what readline() buffered.
    proc.stdin.write(code_state + "\n")
    proc.stdin.close()
    err = proc.stderr.read()
    out = proc.stdout.read() if proc.stdout else ""
    proc.wait(timeout=30)
    return subprocess.CompletedProcess(args, proc.returncode, out, "".join(seen) + err)


def test_oauth_sign_in(tmp_path, cli):
    result = sign_in(tmp_path, cli, "oauth")
    assert result.returncode == 0, result.stderr
    record = stored(tmp_path)["anthropic:default"]
    assert record["kind"] == "oauth" and record["refresh_token"] and record["expires_at"]
    assert 'auth = "oauth"' in read_back(tmp_path)
    assert record["access_token"] not in result.stdout + result.stderr
    assert "Anthropic's terms" in result.stderr  # the subscription note


def test_console_oauth_mints_an_api_key(tmp_path, cli, fake_provider):
    result = sign_in(tmp_path, cli, "console_oauth")
    assert result.returncode == 0, result.stderr
    record = stored(tmp_path)["anthropic:default"]
    assert record["kind"] == "api_key" and record["secret"].startswith("sk-ant-api03-")
    assert 'auth = "api_key"' in read_back(tmp_path)
    assert fake_provider.count("/api/oauth/claude_cli/create_api_key") == 1
    assert record["secret"] not in result.stdout + result.stderr


def test_claude_code_import(tmp_path, cli, fake_provider):
    tokens = fake_provider.issue_tokens()
    folder = tmp_path / "home" / ".claude"
    folder.mkdir(parents=True)
    (folder / ".credentials.json").write_text(
        json.dumps(
            {
                "claudeAiOauth": {
                    "accessToken": tokens["access_token"],
                    "refreshToken": tokens["refresh_token"],
                    "expiresAt": int((time.time() + 3600) * 1000),
                }
            }
        )
    )
    args = [*BASE, "--provider", "anthropic", "--auth", "claude_code", "--model", "sonnet"]
    result = run_script(args, cli, tmp_path)
    assert result.returncode == 0, result.stderr
    assert 'auth = "claude_code"' in read_back(tmp_path)
    assert stored(tmp_path) == {}  # nothing copied into seal's store
    assert tokens["access_token"] not in result.stdout + result.stderr


def test_env_method_checks_the_variable(tmp_path, cli, fake_provider):
    env = {**cli, "OPENAI_API_KEY": OPENAI_KEY}
    result = run_script([*BASE, "--provider", "openai", "--auth", "env"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert fake_provider.count("/openai/v1/models") == 1
    assert 'auth = "env"' in read_back(tmp_path) and stored(tmp_path) == {}
    assert OPENAI_KEY not in result.stdout + result.stderr


def test_env_method_rejected_variable(tmp_path, cli):
    env = {**cli, "OPENAI_API_KEY": "sk-proj-" + "Nope" * 30}
    result = run_script([*BASE, "--provider", "openai", "--auth", "env"], env, tmp_path)
    assert result.returncode == 1 and "Rejected by OpenAI" in result.stderr
    assert not (tmp_path / "seal.toml").exists()


def test_env_method_unset_variable_writes_config(tmp_path, cli, fake_provider):
    result = run_script([*BASE, "--provider", "openrouter", "--auth", "env"], cli, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "set OPENROUTER_API_KEY before running Seal" in result.stderr
    assert fake_provider.requests() == []
    assert 'auth = "env"' in read_back(tmp_path)
