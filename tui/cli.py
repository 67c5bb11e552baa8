"""The `seal-setup` command line: argparse and dispatch (DESIGN §5).

Exit codes are `backend.errors.ExitCode`: 0 ok; 1 credential missing/rejected/expired, or
an unexpected error (a short message and a report without secrets, never a traceback);
2 usage or input error; 3 seal.toml unreadable or not parseable; 130 cancelled.

Nothing in `tui` imports this module: it imports the commands (lazily, so `--help` and
the wizard's start stay light) and hands each the same `Services`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from backend.errors import ExitCode
from backend.services import Services
from backend.system import core_dumps
from tui.crash import report_unexpected, version

if TYPE_CHECKING:
    from backend.wizard.answers import Answers


def build_parser() -> argparse.ArgumentParser:
    """The parser for every subcommand; `onboard` is the default."""
    from backend.vocabulary import registry
    from backend.vocabulary.methods import METHOD_IDS

    providers = registry.ids()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        # SUPPRESS: a subcommand that is not given --config must not reset the one given
        # before it (`seal-setup --config X status`); main() defaults it to None.
        default=argparse.SUPPRESS,
        help="seal.toml to read and write (default: $SEAL_CONFIG or ./seal.toml)",
    )
    parser = argparse.ArgumentParser(
        prog="seal-setup",
        description="Set up Seal: provider, sign-in or API key, models and seal.toml.",
        parents=[common],
        epilog="Run without a command to start the setup wizard.",
    )
    parser.add_argument("--version", action="version", version=f"seal-setup {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    onboard = sub.add_parser("onboard", parents=[common], help="the setup wizard (default)")
    onboard.add_argument(
        "--non-interactive",
        action="store_true",
        help="never prompt; the secret is read from stdin, never from arguments",
    )
    # In the wizard these preselect their answers, and the steps they answer are passed.
    onboard.add_argument("--provider", choices=providers)
    onboard.add_argument("--auth", choices=METHOD_IDS, help="auth method")
    onboard.add_argument("--model", metavar="M", help="model id or alias (opus, sonnet, haiku)")
    onboard.add_argument("--profile", metavar="N", default=None, help="credential profile")
    onboard.add_argument(
        "--no-verify",
        action="store_true",
        help="store the credential marked unverified when it cannot be checked now",
    )
    _add_model_options(onboard)

    reauth = sub.add_parser(
        "reauth", parents=[common], help="re-authenticate the configured provider"
    )
    reauth.add_argument("--provider", choices=providers)
    reauth.add_argument("--profile", metavar="N")

    roles = sub.add_parser("roles", parents=[common], help="assign model roles per agent")
    roles.add_argument("--agent", metavar="NAME")

    status = sub.add_parser("status", parents=[common], help="is auth working?")
    status.add_argument("--json", action="store_true", help="print one JSON object")
    status.add_argument("--probe", action="store_true", help="check every credential live")

    trust = sub.add_parser(
        "trust",
        parents=[common],
        help="let this seal.toml's base_url servers receive this machine's credentials",
    )
    trust.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    trust.add_argument("--list", action="store_true", help="show every trusted server")
    trust.add_argument(
        "--forget", action="store_true", help="withdraw trust from this seal.toml's servers"
    )

    _add_handoff_commands(sub, common, providers)

    logout = sub.add_parser("logout", parents=[common], help="remove stored credentials")
    logout.add_argument("--provider", choices=providers)
    logout.add_argument("--profile", metavar="N")
    logout.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    return parser


def _add_handoff_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    providers: tuple[str, ...],
) -> None:
    """`token`, `run` and `env`: give Seal, which reads only its environment, the
    credentials seal-setup keeps."""
    raw = argparse.RawDescriptionHelpFormatter
    token = sub.add_parser(
        "token",
        parents=[common],
        formatter_class=raw,
        help="print a provider's credential (for scripts and apiKeyHelper)",
        description="Print the credential Seal would get for a provider, and nothing else.",
        epilog="example:\n  ANTHROPIC_API_KEY=$(seal-setup token) some-tool\n\n"
        "exit codes: 0 printed; 1 missing, rejected or expired beyond refresh (stderr says\n"
        "what to do); 2 usage, or stdout is a terminal without --show; 3 seal.toml broken",
    )
    token.add_argument(
        "--provider",
        choices=providers,
        help="default: seal.toml's [model] provider, else anthropic",
    )
    token.add_argument("--profile", metavar="N", help="default: the one seal.toml uses")
    token.add_argument("--show", action="store_true", help="print even to a terminal")

    run = sub.add_parser(
        "run",
        parents=[common],
        formatter_class=raw,
        help="run a command (Seal) with seal.toml's credentials in its environment",
        description="Run COMMAND with every credential seal.toml uses in the variable Seal reads.",
        epilog="example:\n  seal-setup run -- seal\n\n"
        "exit codes: COMMAND's own once started; 1 a credential missing, rejected or\n"
        "expired (COMMAND not started); 2 usage or an untrusted seal.toml base_url;\n"
        "3 seal.toml broken; 126 COMMAND not executable; 127 COMMAND not found",
    )
    run.add_argument(
        "--no-check",
        action="store_true",
        help="do not send each credential to its provider once before starting",
    )
    run.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- COMMAND [ARGS…]")

    env = sub.add_parser(
        "env",
        parents=[common],
        formatter_class=raw,
        help="print the export lines `run` would set, for eval or direnv",
        description="Print shell lines that set the variables `seal-setup run` would set.",
        epilog='example:\n  eval "$(seal-setup env)"      # or in a direnv .envrc\n\n'
        "exit codes: 0 printed; 1 a credential missing, rejected or expired; 2 usage,\n"
        "an untrusted seal.toml base_url, or stdout is a terminal without --show;\n"
        "3 seal.toml broken",
    )
    from backend.system.shell import SHELLS

    env.add_argument("--shell", choices=SHELLS, default="sh", help="quoting (default: sh)")
    env.add_argument("--show", action="store_true", help="print even to a terminal")


def _add_model_options(onboard: argparse.ArgumentParser) -> None:
    """The Model and Roles steps as flags (what the Review screen's command prints)."""
    from backend.config.schema import choices

    opts = onboard.add_argument_group("model options (with --non-interactive)")
    opts.add_argument("--thinking", choices=choices("thinking"))
    opts.add_argument("--thinking-budget", type=int, metavar="N", help="tokens, manual only")
    opts.add_argument("--effort", choices=choices("effort"))
    opts.add_argument("--max-tokens", type=int, metavar="N", help="default: the model's ceiling")
    opts.add_argument("--cache-retention", choices=choices("cache_retention"))
    opts.add_argument("--context-1m", action="store_true", help="1M context window")
    opts.add_argument(
        "--header",
        action="append",
        metavar="NAME=VALUE",
        help="request header for [model.headers] (repeatable)",
    )
    opts.add_argument(
        "--agent",
        metavar="NAME",
        help="write to [agents.NAME.model] instead of [model] (the wizard too)",
    )
    roles = onboard.add_argument_group("roles (model selectors, [provider:]model)")
    roles.add_argument("--fast", metavar="SEL", help="cheap, high-volume model")
    roles.add_argument("--escalate", metavar="SEL", help="model for hard problems")
    roles.add_argument(
        "--fallback", action="append", metavar="SEL", help="fallback model (repeatable, in order)"
    )


def main(argv: Sequence[str] | None = None, services: Services | None = None) -> int:
    """Entry point of the console script; returns the exit code.

    Every command, the wizard included, runs on one `Services` built from this process's
    environment (tests may pass their own).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "config"):
        args.config = None
    elif not args.config.strip():
        # `--config "$UNSET"` must not quietly fall back to ./seal.toml.
        parser.error("--config is empty: pass the path of seal.toml")
    command = args.command or "onboard"
    profile = getattr(args, "profile", None)
    if profile is not None:
        # Every command's --profile, by the one rule seal.toml's `profile` follows.
        from backend.config.schema import profile_problem
        from tui.output import error

        problem = profile_problem(profile)
        if problem:
            error(problem, "e.g. --profile work or --profile you@example.com")
            return ExitCode.USAGE
    services = services or Services()
    try:
        return _dispatch(parser, args, command, services)
    finally:
        services.close()


def _dispatch(
    parser: argparse.ArgumentParser, args: argparse.Namespace, command: str, services: Services
) -> int:
    if command == "onboard" and getattr(args, "non_interactive", False):
        from tui.noninteractive import run_noninteractive

        return run_noninteractive(args, services)
    if command in ("onboard", "reauth", "roles"):
        return _run_wizard(args, command, services)
    if command == "status":
        from tui.commands import run_status

        return run_status(args, services)
    if command == "trust":
        from tui.trust_cmd import run_trust

        return run_trust(args, services)
    if command in ("token", "run", "env"):
        from tui import handoff_cmd

        runner = {
            "token": handoff_cmd.run_token,
            "run": handoff_cmd.run_run,
            "env": handoff_cmd.run_env,
        }[command]
        return runner(args, services)
    if command == "logout":
        from tui.commands import run_logout

        return run_logout(args, services)
    parser.error(f"unknown command {command!r}")
    return ExitCode.USAGE


def _run_wizard(args: argparse.Namespace, mode: str, services: Services) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "seal-setup: the wizard needs a terminal. For scripts use "
            "`seal-setup onboard --non-interactive --provider P --auth METHOD` "
            "with the secret on stdin.",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    from backend.errors import SealError

    try:
        code = launch_wizard(
            mode,
            config=args.config,
            env=services.env,
            provider=getattr(args, "provider", None),
            profile=getattr(args, "profile", None),
            agent=getattr(args, "agent", None),
            auth=getattr(args, "auth", None),
            model=getattr(args, "model", None),
            services=services,
        )
    except SealError as exc:
        from tui.output import error

        # reauth/roles (and onboard given choices) read seal.toml and check the choices
        # first: a missing or broken file, or a wrong value, is said plainly (and escaped:
        # the message may quote the file or an agent name).
        error(exc.message, exc.hint, prefix=f"seal-setup {mode}")
        return exc.exit_code
    return ExitCode.OK if code is None else code


def launch_wizard(
    mode: str,
    *,
    config: str | None,
    env: Mapping[str, str],
    provider: str | None = None,
    profile: str | None = None,
    agent: str | None = None,
    auth: str | None = None,
    model: str | None = None,
    services: Services | None = None,
    **run_options: Any,
) -> int | None:
    """Import, build and run the wizard; its exit code. `run_options` go to App.run().

    The garbage collector is paused until the first screen has painted (the App turns it
    back on): start-up creates tens of thousands of long-lived objects (Textual's
    classes, styles and widgets) and little garbage, so collections then mostly cost time.
    """
    gc.disable()
    try:
        from tui.app import SealSetupApp

        app = SealSetupApp.from_cli(
            config=config,
            mode=mode,
            env=env,
            provider=provider,
            profile=profile,
            agent=agent,
            auth=auth,
            model=model,
            services=services,
        )
        app.run(**run_options)
    finally:
        gc.enable()
    _leave_summary(app.answers, app.return_code, app.services.env)
    return app.return_code


def _leave_summary(answers: Answers, code: int | None, env: Mapping[str, str]) -> None:
    """What the wizard did, in the shell: the alternate screen took Done away with it."""
    from backend.system.display import visible
    from backend.wizard.summary import after_exit

    for line in after_exit(answers, code, env):
        print(visible(line))


def run() -> None:
    """Console-script wrapper that turns main()'s result into the process exit status.

    An error nothing else handled gives a few lines on stderr and a report without
    secrets (backend.crash_report), never Python's traceback: its messages may quote one.
    """
    core_dumps.disable()
    try:
        code = main()
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
    except KeyboardInterrupt:
        sys.exit(ExitCode.CANCELLED)
    except BrokenPipeError:
        # `seal-setup status | head`: the reader went away; nothing to report. Output
        # still buffered would raise again at exit, so it goes nowhere instead.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(ExitCode.UNEXPECTED)
    except Exception as exc:
        sys.exit(_unexpected(exc))
    sys.exit(code)


def _unexpected(error: Exception) -> int:
    from backend.errors import SealError

    if isinstance(error, SealError):
        # A typed error a command did not catch still says what to do, as they all do.
        from tui.output import error as say

        say(error.message, error.hint)
        return error.exit_code
    print(report_unexpected(error, os.environ), file=sys.stderr)
    return ExitCode.UNEXPECTED
