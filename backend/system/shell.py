"""Commands shown for a person to copy into a shell: every argument quoted.

Profile and agent names, paths, selectors and header values come from seal.toml, the
credential store or the command line. Quoted, none of them can end the command, start
another one (`;`, `$(…)`) or split into two arguments when the line is pasted into a
POSIX shell, and the shell hands the program exactly the arguments shown.
"""

from __future__ import annotations

import shlex


def join(args: list[str]) -> str:
    """One line a POSIX shell splits back into exactly `args`."""
    return shlex.join(args)


def option(flag: str, value: str) -> list[str]:
    """`--flag value`; `--flag=value` for a value starting with "-", which argparse would
    otherwise take for an option of its own."""
    return [f"{flag}={value}"] if value.startswith("-") else [flag, value]


def reauth_command(provider: str, profile: str) -> str:
    """`seal-setup reauth --provider P [--profile N]`."""
    args = ["seal-setup", "reauth", *option("--provider", provider)]
    if profile != "default":
        args += option("--profile", profile)
    return join(args)


def logout_command(provider: str, profile: str) -> str:
    """`seal-setup logout --provider P --profile N`."""
    args = ["seal-setup", "logout", *option("--provider", provider)]
    return join(args + option("--profile", profile))
