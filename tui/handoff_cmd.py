"""`seal-setup token`, `run` and `env`: hand Seal the credentials seal-setup keeps.

Seal reads its credentials from the environment (and Claude Code's sign-in), never from
seal-setup's store; these three commands put them where Seal looks
(`backend.handoff`). A secret goes to stdout (token, env) or into the child's
environment (run) only: never into argv, a file, a log or stderr.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import TYPE_CHECKING

from backend.errors import ConfigError, ExitCode, SealError
from backend.system import core_dumps
from backend.system.display import visible
from tui.output import error

if TYPE_CHECKING:
    from backend.config.document import SealConfig
    from backend.handoff import ChildEnv
    from backend.services import Services

# The exit statuses of a command that could not be started, as POSIX shells give them.
NOT_FOUND = ExitCode.NOT_FOUND
NOT_EXECUTABLE = ExitCode.NOT_EXECUTABLE


def _load(args: argparse.Namespace, services: Services, prefix: str) -> SealConfig | None:
    """seal.toml as the commands read it; None (with the message said) when it is broken."""
    from backend.config.location import default_config_path

    try:
        return services.load_config(default_config_path(services.env, args.config))
    except ConfigError as exc:
        error(exc.message, exc.hint or "fix seal.toml by hand; nothing was changed", prefix=prefix)
        return None


def _refuse_terminal(args: argparse.Namespace, prefix: str, example: str) -> bool:
    """True (and said) when a secret would be printed to a terminal without --show."""
    if args.show or not sys.stdout.isatty():
        return False
    error(
        "this prints a secret and stdout is a terminal: it would stay in the scrollback",
        f"capture it ({example}), or pass --show to print it anyway",
        prefix=prefix,
    )
    return True


def _refused(exc: SealError, prefix: str) -> ExitCode:
    from backend.handoff import HandoffRefused

    if isinstance(exc, HandoffRefused):
        print(f"{prefix}: Seal would not authenticate; nothing was started", file=sys.stderr)
        for line in exc.advice:
            print(f"  {visible(line)}", file=sys.stderr)
        return ExitCode.CREDENTIAL
    error(exc.message, exc.hint, prefix=prefix)
    return exc.exit_code


# --- token --------------------------------------------------------------------------------


def run_token(args: argparse.Namespace, services: Services) -> ExitCode:
    """`seal-setup token [--provider P] [--profile N] [--config PATH] [--show]`."""
    from backend.handoff import account_for, supply

    prefix = "seal-setup token"
    if _refuse_terminal(args, prefix, "`ANTHROPIC_API_KEY=$(seal-setup token)`"):
        return ExitCode.USAGE
    config = _load(args, services, prefix)
    if config is None:
        return ExitCode.CONFIG
    try:
        found = supply(services, account_for(config, args.provider, args.profile))
    except SealError as exc:
        return _refused(exc, prefix)
    source = found.source
    if found.failing or source is None:
        print(f"{prefix}: {visible(found.advice)}", file=sys.stderr)
        return ExitCode.CREDENTIAL
    if source.origin == "claude_code" and not found.supplied:
        error(
            f"{found.key}: Claude Code's access token has expired",
            "start Claude Code (`claude`) to renew it: seal-setup does not refresh Claude "
            "Code's own sign-in (that would sign Claude Code out)",
            prefix=prefix,
        )
        return ExitCode.CREDENTIAL
    sys.stdout.write(source.record.token + "\n")
    return ExitCode.OK


# --- run ----------------------------------------------------------------------------------


def _executable(command: str, path: str | None) -> int | None:
    """None when `command` can be started; else 127 (not found) or 126 (not executable)."""
    if os.sep in command:
        if not os.path.exists(command):
            return NOT_FOUND
        return (
            None if os.access(command, os.X_OK) and not os.path.isdir(command) else (NOT_EXECUTABLE)
        )
    if shutil.which(command, path=path) is not None:
        return None
    # Found on PATH, but not executable: the shell's 126, not 127.
    found = shutil.which(command, mode=os.F_OK, path=path)
    return NOT_EXECUTABLE if found is not None else NOT_FOUND


def _changes_line(child: ChildEnv, prefix: str) -> str | None:
    """One line naming (never showing) the parent variables taken out or replaced."""
    parts = []
    if child.unset:
        parts.append(
            f"removed {', '.join(child.unset)} from the environment (Seal reads "
            f"{'it' if len(child.unset) == 1 else 'them'} before the configured credential)"
        )
    if child.replaced:
        parts.append(f"replaced {', '.join(child.replaced)} with the configured credential")
    return f"{prefix}: {'; '.join(parts)}" if parts else None


def run_run(args: argparse.Namespace, services: Services) -> int:
    """`seal-setup run [--config PATH] [--no-check] -- COMMAND [ARGS…]`: exec COMMAND."""
    from backend.handoff import child_environment

    prefix = "seal-setup run"
    command = list(args.argv)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        error("no command to run", "seal-setup run -- seal …", prefix=prefix)
        return ExitCode.USAGE
    problem = _executable(command[0], services.env.get("PATH", os.defpath))
    if problem is not None:
        what = "not found" if problem == NOT_FOUND else "not executable"
        error(f"{command[0]}: {what}", "nothing was started", prefix=prefix)
        return problem
    config = _load(args, services, prefix)
    if config is None:
        return ExitCode.CONFIG
    try:
        child = child_environment(services, config, check=not args.no_check)
    except SealError as exc:
        return _refused(exc, prefix)
    lines = [_changes_line(child, prefix), *(f"{prefix}: {note}" for note in child.notes)]
    for line in lines:
        if line:
            print(visible(line), file=sys.stderr)
    services.close()
    sys.stdout.flush()
    sys.stderr.flush()
    core_dumps.restore()  # Seal's core files are Seal's (and the shell's) choice
    try:
        os.execvpe(command[0], command, child.env)
    except FileNotFoundError:
        core_dumps.disable()
        error(f"{command[0]}: not found", prefix=prefix)
        return NOT_FOUND
    except OSError as exc:  # permission, a directory, a bad interpreter line
        core_dumps.disable()
        error(f"{command[0]}: cannot be started ({exc.strerror})", prefix=prefix)
        return NOT_EXECUTABLE
    return ExitCode.OK  # not reached: exec replaced this process


# --- env ----------------------------------------------------------------------------------


def env_lines(child: ChildEnv, shell: str) -> list[str]:
    """The comment, the lines removing outranking variables, then the exports."""
    from backend.credentials.handoff import RUN_COMMAND
    from backend.system.shell import assign, unassign

    lines = [
        "# seal-setup env: these credentials now live in this shell's environment, where "
        f"every program it starts can read them; `{RUN_COMMAND}` gives them to Seal alone."
    ]
    lines += [unassign(shell, name) for name in child.unset]
    lines += [assign(shell, name, child.env[name]) for name in child.set]
    return lines


def run_env(args: argparse.Namespace, services: Services) -> ExitCode:
    """`seal-setup env [--shell sh|fish|powershell] [--config PATH] [--show]`."""
    from backend.handoff import child_environment

    prefix = "seal-setup env"
    if _refuse_terminal(args, prefix, '`eval "$(seal-setup env)"`'):
        return ExitCode.USAGE
    config = _load(args, services, prefix)
    if config is None:
        return ExitCode.CONFIG
    try:
        child = child_environment(services, config)
    except SealError as exc:
        return _refused(exc, prefix)
    for note in child.notes:
        print(visible(f"{prefix}: {note}"), file=sys.stderr)
    sys.stdout.write("\n".join(env_lines(child, args.shell)) + "\n")
    return ExitCode.OK
