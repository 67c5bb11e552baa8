"""Typed, user-facing errors: each carries a message and a hint that says what to do.

The CLI maps `exit_code` straight to the process exit status (DESIGN §5), and the
screens show `message` and `hint` as they are. Messages never contain secrets.
"""

from __future__ import annotations


class SealError(Exception):
    """Base of every error a person may see. `message` says what went wrong, `hint` what to do."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class InputError(SealError):
    """Something a person typed or pasted is not acceptable."""

    exit_code = 2


class ConfigError(SealError):
    """seal.toml cannot be read, parsed or written; nothing was written."""

    exit_code = 3


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


class ProviderError(SealError):
    """A provider call failed in a way that is not a plain check outcome."""


class OAuthError(SealError):
    """A sign-in step failed: bad paste, foreign state, expired sign-in, token endpoint error."""
