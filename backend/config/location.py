"""Which seal.toml a command works on: the one resolver for the wizard and every command.

`--config PATH` beats `$SEAL_CONFIG` beats `./seal.toml`; `~` is expanded in both, and a
`$SEAL_CONFIG` of only spaces counts as unset. Kept apart from `backend.config.io` so the
wizard can resolve its path before the first paint without loading tomlkit.

`shown_config_path` is only how the wizard names the file it resolved: a seal.toml inside
the current folder by its relative path, so its one-line messages fit a narrow terminal.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def default_config_path(env: Mapping[str, str] | None = None, cli_path: str | None = None) -> Path:
    """--config beats SEAL_CONFIG beats ./seal.toml (absolute, in the current folder)."""
    if cli_path:
        return Path(cli_path).expanduser()
    environ = os.environ if env is None else env
    from_env = environ.get("SEAL_CONFIG", "").strip()
    if from_env:
        return Path(from_env).expanduser()
    try:
        return Path.cwd() / "seal.toml"
    except OSError:  # the current folder was removed: reading it says so in words
        return Path("seal.toml")


def shown_config_path(path: Path) -> Path:
    """`path` relative to the current folder when it lies inside it (./seal.toml is
    `seal.toml`), else as it is: the same file, in fewer characters."""
    if not path.is_absolute():
        return path
    try:
        return path.relative_to(Path.cwd())
    except (ValueError, OSError):  # elsewhere, or the current folder is gone
        return path
