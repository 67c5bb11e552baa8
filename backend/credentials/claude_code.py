"""Read Claude Code's own sign-in (`~/.claude/.credentials.json`) as a seal credential.

Read-only: seal never writes Claude Code's file. Shape (provider-protocols §4):
`{"claudeAiOauth": {"accessToken", "refreshToken", "expiresAt": <epoch ms>,
"subscriptionType", "rateLimitTier", …}}`. `CLAUDE_CONFIG_DIR` moves the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from backend.credentials.record import CredentialRecord
from backend.errors import CredentialStoreError
from backend.system.bounded import BadJSONFile, NotRegularFile, read_json_file
from backend.system.header_value import header_problem

PROFILE = "claude_code"
FILE_NAME = ".credentials.json"
# The sign-in plus MCP servers' tokens: a few KB. More is not Claude Code's file.
MAX_FILE_BYTES = 1024 * 1024


class ClaudeCodeError(CredentialStoreError):
    """Claude Code's credentials file exists but cannot be read or understood.

    A CredentialStoreError (hence a SealError), so callers that handle store failures
    handle this one too. The message names the file, never a token.
    """


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME")
    return Path(home) if home else Path.home()


def claude_credentials_path(env: Mapping[str, str]) -> Path:
    """`$CLAUDE_CONFIG_DIR/.credentials.json`, else `~/.claude/.credentials.json`."""
    config_dir = env.get("CLAUDE_CONFIG_DIR", "").strip()
    if config_dir:
        if config_dir == "~" or config_dir.startswith("~/"):
            return _home(env) / config_dir[2:] / FILE_NAME
        return Path(config_dir) / FILE_NAME
    return _home(env) / ".claude" / FILE_NAME


def display_path(path: Path, env: Mapping[str, str]) -> str:
    """`~/.claude/.credentials.json` for paths under HOME."""
    try:
        return "~/" + str(path.relative_to(_home(env)))
    except ValueError:
        return str(path)


def _fail(where: str, what: str) -> ClaudeCodeError:
    return ClaudeCodeError(
        f"Claude Code's credentials file {where} {what}",
        "sign in again with `claude` (then /login), or choose another auth method",
    )


def read_claude_code(env: Mapping[str, str]) -> CredentialRecord | None:
    """Claude Code's Claude.ai sign-in as an oauth record, or None when there is none.

    None: the file is missing, or holds no `claudeAiOauth` (e.g. only MCP tokens).
    Raises ClaudeCodeError when the file is unreadable or malformed, or is not a regular
    file (a symlink, FIFO, device or directory: never read through, never blocked on).
    """
    path = claude_credentials_path(env)
    where = display_path(path, env)
    try:
        found = read_json_file(path, MAX_FILE_BYTES)
    except NotRegularFile as exc:
        raise ClaudeCodeError(
            f"Claude Code's credentials file {where} is {exc.kind}, not a regular file "
            "(seal-setup did not read it): move it aside and sign in to Claude Code again",
            "Claude Code keeps its sign-in in a regular file there: run `claude` (then "
            "/login), or choose another auth method",
        ) from None
    except BadJSONFile as exc:
        raise _fail(where, exc.what) from None
    except OSError as exc:
        raise ClaudeCodeError(
            f"cannot read Claude Code's credentials file {where}: {exc.strerror}",
            "check that the file is yours and readable (it should be mode 0600)",
        ) from None
    if found is None:
        return None
    doc, info = found
    if not isinstance(doc, dict):
        raise _fail(where, "is not a JSON object")
    oauth = doc.get("claudeAiOauth")
    if oauth is None:
        return None
    if not isinstance(oauth, dict):
        raise _fail(where, "has a 'claudeAiOauth' entry that is not an object")
    access = oauth.get("accessToken")
    if not isinstance(access, str) or not access.strip():
        raise _fail(where, "has no accessToken")
    refresh = oauth.get("refreshToken")
    if refresh is not None and not isinstance(refresh, str):
        raise _fail(where, "has a refreshToken that is not a string")
    for name, token in (("an accessToken", access.strip()), ("a refreshToken", refresh or "")):
        problem = header_problem(token)
        if problem:
            raise _fail(where, f"has {name} with {problem}")
    expires_at = _expiry(oauth.get("expiresAt"), where)
    account = {
        name: oauth[source]
        for name, source in (
            ("subscription_type", "subscriptionType"),
            ("rate_limit_tier", "rateLimitTier"),
        )
        if isinstance(oauth.get(source), str) and oauth[source]
    }
    return CredentialRecord(
        provider="anthropic",
        profile=PROFILE,
        kind="oauth",
        access_token=access.strip(),
        refresh_token=refresh or None,
        expires_at=expires_at,
        # When Claude Code last wrote it: the closest thing to "created" we have.
        created_at=datetime.fromtimestamp(int(info.st_mtime), UTC),
        verified_at=None,
        account=account or None,
    )


def _expiry(value: object, where: str) -> datetime | None:
    """`expiresAt` is epoch milliseconds; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(where, "has an expiresAt that is not a number (epoch milliseconds)")
    try:
        return datetime.fromtimestamp(int(value) // 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise _fail(where, "has an expiresAt out of range") from None
