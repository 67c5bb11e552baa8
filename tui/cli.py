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
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from backend.errors import ExitCode
from backend.services import Services
from backend.system import core_dumps
from tui.crash import report_unexpected, version

if TYPE_CHECKING:
    from backend.wizard.answers import Answers


# One line per command: its entry in `seal-setup --help` and the first line of its own.
SUMMARIES: dict[str, str] = {
    "onboard": "the setup wizard (default): provider, sign-in or key, models, seal.toml",
    "reauth": "re-authenticate the provider seal.toml uses, straight to the sign-in or key",
    "roles": "assign model roles (fast, escalate, fallbacks) per agent in the wizard",
    "status": "is auth working? each credential Seal would use, its source, state and expiry",
    "trust": "let this seal.toml's base_url servers receive this machine's credentials",
    "token": "print a provider's credential (for scripts and apiKeyHelper)",
    "run": "run a command (Seal) with seal.toml's credentials in its environment",
    "env": "print the export lines `run` would set, for eval or direnv",
    "logout": "remove stored credentials (seal.toml is never touched)",
    "models": "list the models with their facts, from the bundled list or --live",
    "completion": "print the shell completion script for bash, zsh or fish",
}

# Every command's exit statuses (from backend.errors.ExitCode), with what is particular to it.
_GENERAL = (ExitCode.OK, ExitCode.CREDENTIAL, ExitCode.USAGE, ExitCode.CONFIG)
_WIZARD = (*_GENERAL, ExitCode.CANCELLED)
EXIT_CODES: dict[str, tuple[ExitCode, ...]] = {
    "seal-setup": _WIZARD,
    "onboard": _WIZARD,
    "reauth": _WIZARD,
    "roles": _WIZARD,
    "status": _GENERAL,
    "trust": _WIZARD,
    "token": _GENERAL,
    "run": (*_GENERAL[1:], ExitCode.NOT_EXECUTABLE, ExitCode.NOT_FOUND),
    "env": _GENERAL,
    "logout": (ExitCode.OK, ExitCode.CREDENTIAL, ExitCode.USAGE, ExitCode.CANCELLED),
    "models": _GENERAL,
    "completion": (ExitCode.OK, ExitCode.USAGE),
}
EXIT_NOTES: dict[str, dict[ExitCode, str]] = {
    "status": {
        ExitCode.OK: "every credential ok",
        ExitCode.CREDENTIAL: "a credential missing, rejected or expired, or none at all",
        ExitCode.USAGE: "a warning: expiring within 7 days, unverified, or an untrusted base_url",
    },
    "onboard": {ExitCode.USAGE: "a wrong flag value, refused before anything is asked"},
    "models": {
        ExitCode.CREDENTIAL: "--live got no list from a provider: no credential, the "
        "credential rejected, or no answer; or --refresh could not read models.dev",
        ExitCode.USAGE: "also: --live with an untrusted seal.toml base_url",
    },
    "roles": {ExitCode.CANCELLED: "also: no seal.toml and you chose not to create one"},
    "token": {ExitCode.USAGE: "also: stdout is a terminal and --show was not given"},
    "env": {ExitCode.USAGE: "also: an untrusted base_url, or a terminal without --show"},
    "run": {
        ExitCode.CREDENTIAL: "a credential missing, rejected or expired: COMMAND not started",
        ExitCode.USAGE: "also: an untrusted seal.toml base_url",
    },
}
EXAMPLES: dict[str, tuple[str, ...]] = {
    "seal-setup": ("seal-setup", "seal-setup status --probe"),
    "onboard": (
        "seal-setup onboard --provider openrouter --model anthropic/claude-sonnet-4-6",
        "seal-setup onboard --non-interactive --provider anthropic --auth api_key "
        "--model sonnet < key.txt",
    ),
    "reauth": ("seal-setup reauth --provider anthropic --profile work",),
    "roles": ("seal-setup roles --agent research",),
    "status": ("seal-setup status --probe", "seal-setup status --json | jq '.providers[].state'"),
    "trust": ("seal-setup trust --config ./seal.toml", "seal-setup trust --list"),
    "token": ("ANTHROPIC_API_KEY=$(seal-setup token) some-tool",),
    "run": ("seal-setup run -- seal",),
    "env": ('eval "$(seal-setup env)"      # or in a direnv .envrc',),
    "logout": ("seal-setup logout --provider openrouter --profile work --yes",),
    "models": (
        "seal-setup models --provider anthropic",
        "seal-setup models --provider openrouter --live --json | jq '.providers[].models[].id'",
        "seal-setup models --refresh --provider openai",
    ),
    "completion": (
        "seal-setup completion bash > ~/.local/share/bash-completion/completions/seal-setup",
        "seal-setup completion zsh > ~/.zfunc/_seal-setup",
        "seal-setup completion fish > ~/.config/fish/completions/seal-setup.fish",
    ),
}
# What `completion --names` lists: the names a shell cannot know by itself.
NAME_KINDS = ("profiles", "agents")


def epilog(command: str) -> str:
    """The `Examples:` and `Exit codes:` paragraphs of a command's `--help`."""
    from backend.errors import EXIT_MEANINGS

    lines = ["Examples:", *(f"  {line}" for line in EXAMPLES[command]), "", "Exit codes:"]
    if command == "run":
        lines.append("  COMMAND's own once it started")
    notes = EXIT_NOTES.get(command, {})
    for code in EXIT_CODES[command]:
        meaning = notes.get(code, EXIT_MEANINGS[code])
        if meaning.startswith("also: "):
            meaning = f"{EXIT_MEANINGS[code]}; {meaning.removeprefix('also: ')}"
        lines += textwrap.wrap(
            meaning, 79, initial_indent=f"  {int(code):<3}  ", subsequent_indent=" " * 7
        )
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    """The parser for every subcommand; `onboard` is the default."""
    from backend.credentials.stores import ENV_STORE, STORE_CHOICES
    from backend.vocabulary import registry
    from backend.vocabulary.methods import METHOD_IDS

    providers = registry.ids()
    raw = argparse.RawDescriptionHelpFormatter
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="PATH",
        # SUPPRESS: a subcommand that is not given --config must not reset the one given
        # before it (`seal-setup --config X status`); main() defaults it to None.
        default=argparse.SUPPRESS,
        help="seal.toml to read and write (default: $SEAL_CONFIG or ./seal.toml)",
    )
    common.add_argument(
        "--store",
        choices=STORE_CHOICES,
        default=argparse.SUPPRESS,
        help=f"the credential store (default: ${ENV_STORE}, else the keyring when usable, "
        "else the file); vault: see README, Teams and CI",
    )
    parser = argparse.ArgumentParser(
        prog="seal-setup",
        description="Set up Seal: provider, sign-in or API key, models and seal.toml.\n"
        "Run without a command to start the setup wizard.",
        parents=[common],
        formatter_class=raw,
        epilog=epilog("seal-setup"),
    )
    parser.add_argument("--version", action="version", version=f"seal-setup {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            parents=[common],
            formatter_class=raw,
            help=SUMMARIES[name],
            description=SUMMARIES[name][0].upper() + SUMMARIES[name][1:] + ".",
            epilog=epilog(name),
        )

    provider_help = "provider: " + ", ".join(providers)
    onboard = command("onboard")
    onboard.add_argument(
        "--non-interactive",
        action="store_true",
        help="never prompt; the secret is read from stdin, never from arguments",
    )
    # In the wizard these preselect their answers, and the steps they answer are passed.
    onboard.add_argument("--provider", choices=providers, help=provider_help)
    onboard.add_argument("--auth", choices=METHOD_IDS, help="auth method: " + ", ".join(METHOD_IDS))
    onboard.add_argument(
        "--model",
        metavar="M",
        help="model id or alias (opus, sonnet, haiku) of --provider's models",
    )
    onboard.add_argument(
        "--profile", metavar="N", default=None, help="credential profile (default: default)"
    )
    onboard.add_argument(
        "--no-verify",
        action="store_true",
        help="store the credential marked unverified when it cannot be checked now, "
        "and take a --model the live list does not show",
    )
    _add_model_options(onboard)

    reauth = command("reauth")
    reauth.add_argument(
        "--provider", choices=providers, help="default: seal.toml's [model] provider"
    )
    reauth.add_argument("--profile", metavar="N", help="default: the one seal.toml uses")

    roles = command("roles")
    roles.add_argument("--agent", metavar="NAME", help="start at this agent's roles")

    status = command("status")
    status.add_argument(
        "--json", action="store_true", help="print one JSON object (the README has its shape)"
    )
    status.add_argument(
        "--probe", action="store_true", help="check every credential live (network)"
    )

    trust = command("trust")
    trust.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    trust.add_argument("--list", action="store_true", help="show every trusted server")
    trust.add_argument(
        "--forget", action="store_true", help="withdraw trust from this seal.toml's servers"
    )

    _add_handoff_commands(command, providers)

    logout = command("logout")
    logout.add_argument(
        "--provider", choices=providers, help="only this provider's (default: every one)"
    )
    logout.add_argument("--profile", metavar="N", help="only this profile's (default: every one)")
    logout.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    logout.add_argument(
        "--latest-only",
        action="store_true",
        help="Vault: delete only the latest version, keeping older ones (default: all versions)",
    )

    models = command("models")
    models.add_argument(
        "--provider", choices=providers, help="only this provider's (default: every one)"
    )
    models.add_argument(
        "--live",
        action="store_true",
        help="ask the provider (network), with the credential Seal would use",
    )
    models.add_argument(
        "--json", action="store_true", help="print one JSON object (the README has its shape)"
    )
    models.add_argument(
        "--refresh",
        action="store_true",
        help="fetch models.dev's catalog anew (network) into the user cache dir first; the "
        "wizard and every command then use it while it is newer than the shipped snapshot",
    )

    completion = command("completion")
    completion.add_argument(
        "shell",
        nargs="?",
        choices=COMPLETION_SHELLS,
        metavar="SHELL",
        help="bash, zsh or fish",
    )
    completion.add_argument(
        "--names",
        choices=NAME_KINDS,
        help="print the known profile or agent names, one a line (what completion runs)",
    )
    return parser


COMPLETION_SHELLS = ("bash", "zsh", "fish")


def _add_handoff_commands(
    command: Callable[[str], argparse.ArgumentParser], providers: tuple[str, ...]
) -> None:
    """`token`, `run` and `env`: give Seal, which reads only its environment, the
    credentials seal-setup keeps."""
    token = command("token")
    token.description = "Print the credential Seal would get for a provider, and nothing else."
    token.add_argument(
        "--provider",
        choices=providers,
        help="default: seal.toml's [model] provider, else anthropic",
    )
    token.add_argument("--profile", metavar="N", help="default: the one seal.toml uses")
    token.add_argument("--show", action="store_true", help="print even to a terminal")

    run = command("run")
    run.description = "Run COMMAND with every credential seal.toml uses in the variable Seal reads."
    run.add_argument(
        "--no-check",
        action="store_true",
        help="do not send each credential to its provider once before starting",
    )
    run.add_argument(
        "argv",
        nargs=argparse.REMAINDER,
        metavar="-- COMMAND [ARGS…]",
        help="the command to start, after --",
    )

    env = command("env")
    env.description = "Print shell lines that set the variables `seal-setup run` would set."
    from backend.system.shell import SHELLS

    env.add_argument("--shell", choices=SHELLS, default="sh", help="quoting (default: sh)")
    env.add_argument("--show", action="store_true", help="print even to a terminal")


def _add_model_options(onboard: argparse.ArgumentParser) -> None:
    """The Model and Roles steps as flags (what the Review screen's command prints)."""
    from backend.config.schema import choices

    def listed(key: str) -> str:
        return ", ".join(choices(key) or ())

    opts = onboard.add_argument_group("model options (with --non-interactive)")
    opts.add_argument("--thinking", choices=choices("thinking"), help=listed("thinking"))
    opts.add_argument("--thinking-budget", type=int, metavar="N", help="tokens, manual only")
    opts.add_argument("--effort", choices=choices("effort"), help=listed("effort"))
    opts.add_argument("--max-tokens", type=int, metavar="N", help="default: the model's ceiling")
    opts.add_argument(
        "--cache-retention",
        choices=choices("cache_retention"),
        help=listed("cache_retention") + " (api_key auth only)",
    )
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
    if hasattr(args, "store"):
        from backend.credentials.stores import ENV_STORE

        # The flag wins over the variable, for this run only (choose_store reads it).
        services.env[ENV_STORE] = args.store
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
    if command == "models":
        from tui.models_cmd import run_models

        return run_models(args, services)
    if command == "completion":
        from tui.completion_cmd import run_completion

        return run_completion(args, services, parser)
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

    if mode == "roles" and not _config_is_there(args, services):
        if not _offer_new_config(args, services):
            return ExitCode.CANCELLED
        mode = "onboard"  # the wizard creates seal.toml; its Roles step comes with it
        args.agent = None
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


def _config_is_there(args: argparse.Namespace, services: Services) -> bool:
    """Whether the seal.toml the command works on is there (a broken one counts: reading
    it says what is wrong, exit 3)."""
    from backend.config.location import default_config_path

    path = default_config_path(services.env, args.config)
    return path.exists() or path.is_symlink()


def _offer_new_config(args: argparse.Namespace, services: Services) -> bool:
    """`seal-setup roles` with no seal.toml: say why roles need one and offer to create it
    with the setup wizard; True when the person says yes (Enter is yes)."""
    from backend.config.location import default_config_path, shown_config_path
    from backend.system.display import visible

    path = shown_config_path(default_config_path(services.env, args.config))
    err = sys.stderr
    lines = [
        f"seal-setup roles: there is no seal.toml at {path} yet.",
        "  Roles (fast, escalate, fallbacks) are kept in seal.toml, per agent. The setup",
        "  wizard creates it: provider, sign-in or API key, model, then the roles.",
    ]
    err.write("\n".join(visible(line) for line in lines) + "\n")
    err.write("Create it now with the setup wizard? [Y/n] ")
    err.flush()
    line = sys.stdin.readline(64)
    # Enter is yes; end of input (no answer at all) is no.
    if line and line.strip().lower() in ("", "y", "yes"):
        return True
    from backend.system.shell import join, option

    again = join(["seal-setup", *([] if args.config is None else option("--config", args.config))])
    err.write(visible(f"Nothing written. Run `{again}` when you want to create it.") + "\n")
    return False


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
    code: int | str | None
    try:
        try:
            code = main()
        except SystemExit as done:  # argparse's --help, --version and usage errors
            code = done.code
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
