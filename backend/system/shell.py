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


# --- setting variables, for `eval "$(seal-setup env)"` ------------------------------------

SHELLS = ("sh", "fish", "powershell")
# PowerShell takes these as single quotes too (its tokenizer's "single quote" class): each
# is doubled inside a single-quoted string like the ASCII one.
_PS_QUOTES = ("'", "\u2018", "\u2019", "\u201a", "\u201b")


def quote(shell: str, value: str) -> str:
    """`value` as one literal word of `shell` (sh: POSIX, as shlex.quote; fish: single
    quotes with `\\` and `'` escaped; powershell: single quotes, each quote doubled)."""
    if shell == "sh":
        return shlex.quote(value)
    if shell == "fish":
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if shell == "powershell":
        for q in _PS_QUOTES:
            value = value.replace(q, q + q)
        return "'" + value + "'"
    raise ValueError(f"unknown shell {shell!r}")


def assign(shell: str, name: str, value: str) -> str:
    """The line that exports variable `name` (an identifier) with `value` in `shell`."""
    if shell == "sh":
        return f"export {name}={quote(shell, value)}"
    if shell == "fish":
        return f"set -gx {name} {quote(shell, value)}"
    return f"$env:{name} = {quote(shell, value)}"


def unassign(shell: str, name: str) -> str:
    """The line that removes variable `name` from `shell`'s environment."""
    if shell == "sh":
        return f"unset {name}"
    if shell == "fish":
        return f"set -e {name}"
    return f"Remove-Item -ErrorAction SilentlyContinue Env:{name}"
