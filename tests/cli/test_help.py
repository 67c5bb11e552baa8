"""`--help` of every command (description, help per flag, an example, the exit codes) and
`seal-setup completion` (bash completion run for real in bash)."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from backend.errors import EXIT_MEANINGS, ExitCode
from backend.vocabulary import registry
from backend.vocabulary.methods import METHOD_IDS
from tests.cli.helpers import SEAL_SETUP, put, run, run_script, subprocess_env
from tests.conftest import require_tools
from tui.cli import EXIT_CODES, SUMMARIES, build_parser


def subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


COMMANDS = sorted(subparsers(build_parser()))


def test_every_command_has_a_summary_and_exit_codes() -> None:
    assert sorted(SUMMARIES) == COMMANDS
    assert sorted(EXIT_CODES) == sorted([*COMMANDS, "seal-setup"])


@pytest.mark.parametrize("name", COMMANDS)
def test_every_flag_of_every_command_has_help(name: str) -> None:
    parser = subparsers(build_parser())[name]
    assert parser.description
    for action in parser._actions:
        assert action.help and action.help != argparse.SUPPRESS, (name, action.dest)


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_an_example_and_the_exit_codes(name, capsys, monkeypatch) -> None:
    code, out, _ = run([name, "--help"], capsys, monkeypatch)
    assert code == 0
    description = subparsers(build_parser())[name].description
    assert description and description in out
    examples = out.split("Examples:\n", 1)[1].split("\n\n", 1)[0]
    assert examples.strip().startswith(("seal-setup", "ANTHROPIC_API_KEY=", "eval"))
    assert "seal-setup" in examples
    exits = out.split("Exit codes:\n", 1)[1]
    listed = [int(n) for n in re.findall(r"^  (\d+) ", exits, re.MULTILINE)]
    assert listed == [int(c) for c in EXIT_CODES[name]]


def test_exit_code_words_come_from_the_one_table(capsys, monkeypatch) -> None:
    _, out, _ = run(["--help"], capsys, monkeypatch)
    flat = " ".join(out.split())
    for code in (ExitCode.OK, ExitCode.USAGE, ExitCode.CONFIG, ExitCode.CANCELLED):
        assert f"{int(code)} {EXIT_MEANINGS[code]}" in flat
    _, out, _ = run(["status", "--help"], capsys, monkeypatch)
    assert "expiring within 7 days, unverified" in " ".join(out.split())


def test_top_level_help_lists_every_command_with_its_line(capsys, monkeypatch) -> None:
    code, out, _ = run(["--help"], capsys, monkeypatch)
    flat = " ".join(out.split())
    assert code == 0
    for name, summary in SUMMARIES.items():
        assert f"{name} {summary}" in flat


def test_the_auth_flag_names_its_choices(capsys, monkeypatch) -> None:
    _, out, _ = run(["onboard", "--help"], capsys, monkeypatch)
    flat = " ".join(out.split())
    assert "auth method: " + ", ".join(METHOD_IDS) in flat
    assert "provider: " + ", ".join(registry.ids()) in flat


# --- completion ---------------------------------------------------------------------------

AGENTS_TOML = (
    '[model]\nprovider = "anthropic"\nprofile = "work"\n'
    '\n[agents.research.model]\nname = "opus"\n'
    '\n[agents."$(touch pwned)".model]\nname = "opus"\n'
)


def complete_in_bash(script: Path, words: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    """What bash offers for the last of `words`, with the generated script loaded."""
    bash = shutil.which("bash")
    assert bash is not None
    words_text = " ".join(f"'{w}'" for w in words)
    program = (
        f"source '{script}'\n"
        f"COMP_WORDS=({words_text}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n"
        'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()\n'
        '_shtab_seal_setup seal-setup "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"\n'
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    out = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line]


def test_bash_completion_offers_commands_choices_profiles_and_agents(tmp_path) -> None:
    home = tmp_path / "home"
    env = subprocess_env(home)
    # The script runs `seal-setup` for the names: the one under test comes first on PATH.
    env["PATH"] = f"{SEAL_SETUP.parent}{os.pathsep}{env['PATH']}"
    result = run_script(["completion", "bash"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    script = tmp_path / "seal-setup.bash"
    script.write_text(result.stdout)
    (tmp_path / "seal.toml").write_text(AGENTS_TOML)
    # The test's own XDG dirs are the subprocess's (tests/conftest.py, subprocess_env).
    put("openrouter", "team", secret="sk-or-v1-" + "a" * 64)

    def offered(*words: str) -> list[str]:
        return complete_in_bash(script, ["seal-setup", *words], tmp_path, env)

    assert offered("") == COMMANDS_IN_ORDER
    assert offered("onboard", "--provider", "") == list(registry.ids())
    assert offered("onboard", "--auth", "") == list(METHOD_IDS)
    assert offered("onboard", "--auth", "se") == ["setup_token"]
    assert offered("roles", "--agent", "") == ["research"]
    assert offered("reauth", "--profile", "") == ["work", "team", "default"]
    assert offered("completion", "") == ["bash", "zsh", "fish"]
    # An agent name a shell would expand is never offered, and nothing ran.
    assert not (tmp_path / "pwned").exists()


COMMANDS_IN_ORDER = list(SUMMARIES)


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_carry_the_choices_and_the_names_command(tmp_path, shell) -> None:
    result = run_script(["completion", shell], subprocess_env(tmp_path / "home"), tmp_path)
    assert result.returncode == 0, result.stderr
    for provider in registry.ids():
        assert provider in result.stdout
    for method in METHOD_IDS:
        assert method in result.stdout
    assert "seal-setup completion --names profiles" in result.stdout
    assert "seal-setup completion --names agents" in result.stdout


@pytest.mark.system
def test_fish_completion_offers_commands_choices_profiles_and_agents(tmp_path) -> None:
    """Run for real in fish (`complete -C` asks fish what it would offer)."""
    require_tools("fish")
    home = tmp_path / "home"
    env = subprocess_env(home)
    env["PATH"] = f"{SEAL_SETUP.parent}{os.pathsep}{env['PATH']}"
    result = run_script(["completion", "fish"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    script = tmp_path / "seal-setup.fish"
    script.write_text(result.stdout)
    (tmp_path / "seal.toml").write_text(AGENTS_TOML)
    put("openrouter", "team", secret="sk-or-v1-" + "a" * 64)

    def offered(line: str) -> list[str]:
        program = f"source {script}; complete -C {shlex.quote(line)}"
        out = subprocess.run(
            ["fish", "--no-config", "-c", program],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
        return [row.split("\t", 1)[0] for row in out.splitlines() if row]

    assert set(offered("seal-setup ")) >= set(COMMANDS_IN_ORDER)
    assert offered("seal-setup onboard --provider ") == list(registry.ids())
    assert offered("seal-setup onboard --auth se") == ["setup_token"]
    assert offered("seal-setup roles --agent ") == ["research"]
    assert set(offered("seal-setup reauth --profile ")) == {"work", "team", "default"}
    assert not (tmp_path / "pwned").exists()


@pytest.mark.system
def test_zsh_completion_loads_and_defines_its_function(tmp_path) -> None:
    """Installed as README says (a `_seal-setup` file on $fpath), zsh's compinit binds it
    to `seal-setup` and the file parses."""
    require_tools("zsh")
    result = run_script(["completion", "zsh"], subprocess_env(tmp_path / "home"), tmp_path)
    folder = tmp_path / "completions"
    folder.mkdir()
    script = folder / "_seal-setup"
    script.write_text(result.stdout)
    program = (
        f"zsh -n {script} || exit 3; fpath=({folder} $fpath); autoload -U compinit; "
        "compinit -u -D; print -r -- $_comps[seal-setup]"
    )
    done = subprocess.run(
        ["zsh", "-f", "-c", program], capture_output=True, text=True, timeout=30, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "_seal-setup"
    assert done.stderr == ""


def test_completion_without_a_shell_is_a_usage_error(capsys, monkeypatch) -> None:
    code, out, err = run(["completion"], capsys, monkeypatch)
    assert code == 2 and out == ""
    assert "bash, zsh or fish" in err
    code, _, err = run(["completion", "tcsh"], capsys, monkeypatch)
    assert code == 2 and "invalid choice" in err


def test_names_without_seal_toml_or_store_is_default_only(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run(["completion", "--names", "profiles"], capsys, monkeypatch)[:2] == (0, "default\n")
    assert run(["completion", "--names", "agents"], capsys, monkeypatch)[:2] == (0, "\n")
