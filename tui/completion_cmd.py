"""`seal-setup completion SHELL`: the shell completion script, generated from the parser.

shtab writes it from the argparse parser itself, so every command, flag and `choices=`
(providers, auth methods, option values) completes as `--help` lists them. Profile and
agent names are not in the parser: their flags complete with the output of
`seal-setup completion --names profiles|agents`, which the script runs when Tab is
pressed. Only names that pass seal.toml's own rules are printed, so nothing a shell
would expand (bash's `compgen -W` expands its word list) can come from seal.toml or
the store. shtab is imported here only: `--help` and the wizard never load it.
"""

from __future__ import annotations

import argparse
import contextlib
from typing import TYPE_CHECKING

from backend.errors import ExitCode, SealError
from tui.output import error

if TYPE_CHECKING:
    from backend.services import Services

# The flags whose values are names only this machine knows, and the kind each lists.
NAME_FLAGS = {"profile": "profiles", "agent": "agents"}


def run_completion(
    args: argparse.Namespace, services: Services, parser: argparse.ArgumentParser
) -> ExitCode:
    """Print the script for `args.shell`, or the names of `args.names`."""
    if args.names is not None:
        print("\n".join(known_names(args.names, args.config, services)))
        return ExitCode.OK
    if args.shell is None:
        error(
            "completion needs a shell: bash, zsh or fish",
            "e.g. seal-setup completion bash > ~/.local/share/bash-completion/completions/"
            "seal-setup (the README says where each shell looks)",
        )
        return ExitCode.USAGE
    print(script(parser, args.shell), end="")
    return ExitCode.OK


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for `shell`, from `parser`."""
    import shtab

    prog = parser.prog
    for action in _actions(parser):
        if action.dest == "config":
            action.complete = shtab.FILE  # type: ignore[attr-defined]
        elif action.dest in NAME_FLAGS:
            names = f"{prog} completion --names {NAME_FLAGS[action.dest]} 2>/dev/null"
            action.complete = shtab.cmd(names)  # type: ignore[attr-defined]
    text: str = shtab.complete(parser, shell=shell)
    return text


def _actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """Every action of `parser` and of its subcommands' parsers."""
    found: list[argparse.Action] = []
    for action in parser._actions:
        found.append(action)
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += _actions(child)
    return found


def known_names(kind: str, config_path: str | None, services: Services) -> list[str]:
    """The profiles (seal.toml's and the store's) or agents (seal.toml's) known here,
    each valid by seal.toml's rules; nothing when they cannot be read (Tab must not fail)."""
    from backend.config.location import default_config_path
    from backend.config.schema import AGENT_NAME_RE, profile_problem

    names: list[str] = []
    try:
        config = services.load_config(default_config_path(services.env, config_path))
    except SealError:
        config = None
    if kind == "agents":
        if config is not None:
            names = [a for a in config.agents() if AGENT_NAME_RE.fullmatch(a)]
        return list(dict.fromkeys(names))
    if config is not None:
        for agent in [None, *config.agents()]:
            profile = config.get("profile", agent)
            if isinstance(profile, str):
                names.append(profile)
    # A locked or broken store: the names from seal.toml are still offered.
    with contextlib.suppress(SealError, OSError, ValueError):
        names += [record.profile for record in services.store.list()]
    names.append("default")
    return [n for n in dict.fromkeys(names) if not profile_problem(n)]
