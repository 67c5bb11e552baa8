"""Typed, user-facing errors and the exit codes they map to.

The CLI maps `exit_code` straight to the process exit status (DESIGN §5), and the
screens show `message` and `hint` as they are. Messages never contain secrets.
`ExitCode` is the one table of exit statuses: the commands, the wizard and the errors
all take theirs from it.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The process exit status of every `seal-setup` command (DESIGN §5)."""

    OK = 0
    # A credential missing, rejected, expired or not checkable (or, for status, invalid).
    CREDENTIAL = 1
    # An error nothing handled: a short message and a report without secrets. The same
    # status as a credential problem, as DESIGN §5 has it; an alias of CREDENTIAL.
    UNEXPECTED = 1
    # A usage or input error (and, for status, a warning: expiring, unverified, untrusted).
    USAGE = 2
    # seal.toml unreadable, not parseable or not writable; nothing was written.
    CONFIG = 3
    # `seal-setup run`'s COMMAND could not be started, as POSIX shells say it.
    NOT_EXECUTABLE = 126
    NOT_FOUND = 127
    CANCELLED = 130


# What each exit status means, in the words every `--help` and the README use; a command's
# help adds what is particular to it (`tui.cli`).
EXIT_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: "ok",
    ExitCode.CREDENTIAL: (
        "a credential missing, rejected or expired, or an unexpected error "
        "(a short message and a report without secrets)"
    ),
    ExitCode.USAGE: "usage or input error",
    ExitCode.CONFIG: "seal.toml unreadable or not parseable (nothing written)",
    ExitCode.NOT_EXECUTABLE: "COMMAND cannot be executed",
    ExitCode.NOT_FOUND: "COMMAND not found",
    ExitCode.CANCELLED: "cancelled (nothing written)",
}


class SealError(Exception):
    """Base of every error a person may see. `message` says what went wrong, `hint` what to do."""

    exit_code: ExitCode = ExitCode.CREDENTIAL

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class InputError(SealError):
    """Something a person typed or pasted is not acceptable."""

    exit_code = ExitCode.USAGE


class ConfigError(SealError):
    """seal.toml cannot be read, parsed or written; nothing was written."""

    exit_code = ExitCode.CONFIG


class ConfigParseError(ConfigError):
    """seal.toml is not valid TOML; `line` and `col` are 1-based."""

    def __init__(self, message: str, hint: str = "", *, line: int = 0, col: int = 0) -> None:
        super().__init__(message, hint)
        self.line = line
        self.col = col


class ConfigConflictError(ConfigError):
    """seal.toml changed on disk since it was read: reload and apply the edits again."""


class ConfigLockedError(ConfigError):
    """Another process holds the seal.toml lock longer than we are willing to wait."""


class CredentialStoreError(SealError):
    """The credential store (keyring or file) cannot be used; the hint names the fix."""


class StoreConflict(CredentialStoreError):
    """A check-and-set write lost (a shared store): the record changed since it was read."""


class ProviderError(SealError):
    """A provider call failed in a way that is not a plain check outcome."""


class OAuthError(SealError):
    """A sign-in step failed: bad paste, foreign state, expired sign-in, token endpoint error."""


class CredentialFailure(SealError):
    """The credential is missing, rejected or could not be checked (exit 1)."""


class RulesError(InputError):
    """The model options break the catalog's rules for the model (exit 2)."""
