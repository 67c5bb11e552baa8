"""Read Claude Code's own sign-in as a seal credential: the macOS keychain, then the file.

Where, in Seal's order (seed 000, provider-protocols §4): on macOS the login keychain's
generic password `Claude Code-credentials` (read with `security find-generic-password -s
<service> -w`), then `~/.claude/.credentials.json` (`CLAUDE_CONFIG_DIR` moves the file and
adds `-<first 8 hex of sha256(dir)>` to the keychain service). Both hold the same JSON:
`{"claudeAiOauth": {"accessToken", "refreshToken", "expiresAt": <epoch ms>,
"subscriptionType", "rateLimitTier", …}}`, checked by one reader.

Read-only, both of them: seal-setup never writes Claude Code's file or its keychain item,
and never refreshes its token (that would rotate Claude Code's refresh token and sign it
out); Claude Code and Seal refresh it themselves.

Every keychain outcome has an answer: an entry → its record; none (exit 44) → the file,
silently; locked, denied, timed out, unreadable or malformed → a note saying so and what to
do (never a token), then the file. Trouble with the keychain never hides the file.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from backend.credentials.record import CredentialRecord, utcnow
from backend.errors import CredentialStoreError
from backend.system.bounded import BadJSONFile, NotRegularFile, parse_json_bytes, read_json_file
from backend.system.command import CommandOutputTooLarge, CommandTimeout, run_bounded
from backend.system.header_value import header_problem

PROFILE = "claude_code"
FILE_NAME = ".credentials.json"
# The sign-in plus MCP servers' tokens: a few KB. More is not Claude Code's file.
MAX_FILE_BYTES = 1024 * 1024
KEYCHAIN_SERVICE = "Claude Code-credentials"
# `security` answers in milliseconds; a keychain that waits on a dialog no one sees
# (a locked keychain over SSH) must not hold status or the wizard.
KEYCHAIN_DEADLINE = 5.0
# `security` exit codes: 44 errSecItemNotFound; 36 errSecInteractionNotAllowed (locked,
# no one to unlock it); 51 errSecAuthFailed; 128 the person denied or cancelled access.
_NOT_FOUND = 44
_LOCKED_OR_DENIED = frozenset({36, 51, 128})
_LOCKED_WORDS = ("user interaction is not allowed", "locked", "denied", "cancel", "authoriz")


def on_macos() -> bool:
    """Whether to look in the macOS keychain. The one seam tests force the darwin path with."""
    return sys.platform == "darwin"


class ClaudeCodeError(CredentialStoreError):
    """Claude Code's credentials file exists but cannot be read or understood.

    A CredentialStoreError (hence a SealError), so callers that handle store failures
    handle this one too. The message names the file, never a token.
    """


@dataclass(frozen=True)
class ClaudeCodeSignIn:
    """What a look for Claude Code's sign-in found.

    `record` is None when there is none; `where` names where it came from (the keychain
    label or the file's display path; the file when nothing was found); `problems` are the
    keychain's trouble, each a line with what to do, never a token.
    """

    record: CredentialRecord | None
    where: str
    problems: tuple[str, ...] = ()

    @property
    def place(self) -> str:
        """`the macOS keychain (Claude Code-credentials)` or `~/.claude/.credentials.json`,
        to follow "from" or "in" in a sentence."""
        return f"the {self.where}" if is_keychain_label(self.where) else self.where


def _home(env: Mapping[str, str]) -> Path:
    home = env.get("HOME")
    return Path(home) if home else Path.home()


def _config_dir(env: Mapping[str, str]) -> str:
    """`CLAUDE_CONFIG_DIR` with `~` expanded, or "" when it is not set."""
    config_dir = env.get("CLAUDE_CONFIG_DIR", "").strip()
    if config_dir == "~" or config_dir.startswith("~/"):
        return str(_home(env)) + config_dir[1:]
    return config_dir


def claude_credentials_path(env: Mapping[str, str]) -> Path:
    """`$CLAUDE_CONFIG_DIR/.credentials.json`, else `~/.claude/.credentials.json`."""
    config_dir = _config_dir(env)
    if config_dir:
        return Path(config_dir) / FILE_NAME
    return _home(env) / ".claude" / FILE_NAME


def keychain_service(env: Mapping[str, str]) -> str:
    """`Claude Code-credentials`, or with `-<8 hex of sha256(CLAUDE_CONFIG_DIR)>` when set."""
    config_dir = _config_dir(env)
    if not config_dir:
        return KEYCHAIN_SERVICE
    digest = hashlib.sha256(config_dir.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{KEYCHAIN_SERVICE}-{digest[:8]}"


def keychain_label(env: Mapping[str, str]) -> str:
    """`macOS keychain (Claude Code-credentials)`: how every output names the entry."""
    return f"macOS keychain ({keychain_service(env)})"


def is_keychain_label(label: str) -> bool:
    return label.startswith("macOS keychain (")


def display_path(path: Path, env: Mapping[str, str]) -> str:
    """`~/.claude/.credentials.json` for paths under HOME."""
    try:
        return "~/" + str(path.relative_to(_home(env)))
    except ValueError:
        return str(path)


def searched(env: Mapping[str, str], *, macos: bool | None = None) -> str:
    """Where a look goes, for "no Claude Code sign-in {searched}"."""
    at = f"at {display_path(claude_credentials_path(env), env)}"
    if on_macos() if macos is None else macos:
        return f"in the {keychain_label(env)} or {at}"
    return at


def find_claude_code(env: Mapping[str, str], *, macos: bool | None = None) -> ClaudeCodeSignIn:
    """Claude Code's sign-in, keychain first (on macOS), then the file.

    Raises ClaudeCodeError only for the file (unreadable, malformed, not a regular file),
    as before; the keychain's trouble goes into `problems` and the file is read.
    """
    problems: tuple[str, ...] = ()
    if on_macos() if macos is None else macos:
        try:
            record = _read_keychain(env)
        except ClaudeCodeError as exc:
            problems = (str(exc),)
        else:
            if record is not None:
                return ClaudeCodeSignIn(record, keychain_label(env))
    path = claude_credentials_path(env)
    return ClaudeCodeSignIn(_read_file(path, env), display_path(path, env), problems)


def read_claude_code(env: Mapping[str, str]) -> CredentialRecord | None:
    """`find_claude_code(env).record`: the record alone, for callers that need no more."""
    return find_claude_code(env).record


# --- the keychain -----------------------------------------------------------------------


def _keychain_fail(env: Mapping[str, str], what: str, hint: str = "") -> ClaudeCodeError:
    where = display_path(claude_credentials_path(env), env)
    return ClaudeCodeError(
        f"Claude Code's {keychain_label(env)} entry {what}",
        hint or f"sign in again with `claude` (then /login); seal-setup also looks at {where}",
    )


def _read_keychain(env: Mapping[str, str]) -> CredentialRecord | None:
    """The keychain entry's record; None when there is no entry (or no sign-in in it)."""
    found = shutil.which("security", path=env.get("PATH") or None)
    if found is None:
        raise _keychain_fail(
            env, "could not be read: the `security` command was not found", "check PATH"
        )
    service = keychain_service(env)
    argv = [found, "find-generic-password", "-s", service, "-w"]
    try:
        done = run_bounded(argv, timeout=KEYCHAIN_DEADLINE, max_bytes=MAX_FILE_BYTES)
    except CommandTimeout:
        raise _keychain_fail(
            env,
            f"did not answer in {KEYCHAIN_DEADLINE:g} s (the keychain may be waiting to be "
            "unlocked)",
            "unlock the login keychain (`security unlock-keychain`), then try again",
        ) from None
    except CommandOutputTooLarge:
        raise _keychain_fail(
            env, f"is larger than {MAX_FILE_BYTES} bytes, more than it can be"
        ) from None
    except OSError as exc:
        raise _keychain_fail(
            env, f"could not be read: `security` did not start ({exc.strerror})"
        ) from None
    if done.returncode == _NOT_FOUND:
        return None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").lower()
        if done.returncode in _LOCKED_OR_DENIED or any(w in said for w in _LOCKED_WORDS):
            raise _keychain_fail(
                env,
                "could not be read: the login keychain is locked, or access was denied",
                "unlock it (`security unlock-keychain`, or log in at the Mac) and allow "
                "access when asked, then try again",
            )
        raise _keychain_fail(env, f"could not be read (`security` exited with {done.returncode})")
    try:
        doc = parse_json_bytes(_password_bytes(done.stdout), MAX_FILE_BYTES)
    except BadJSONFile as exc:
        raise _keychain_fail(env, exc.what) from None
    try:
        # No modification time to read: when seal-setup found it is the closest thing.
        return _record(doc, f"Claude Code's {keychain_label(env)} entry", utcnow())
    except ClaudeCodeError as exc:  # what is wrong with it, and where seal-setup looks next
        raise ClaudeCodeError(exc.message, _keychain_fail(env, "").hint) from None


def _password_bytes(stdout: bytes) -> bytes:
    """The password `security -w` printed: without the newline it adds, and decoded from
    the hex it prints instead when the value holds bytes it will not print as text."""
    value = stdout.removesuffix(b"\n")
    text = value.strip()
    if text and len(text) % 2 == 0 and not text.startswith((b"{", b"[")):
        try:
            return bytes.fromhex(text.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            pass
    return value


# --- the file ---------------------------------------------------------------------------


def _read_file(path: Path, env: Mapping[str, str]) -> CredentialRecord | None:
    """None: the file is missing, or holds no `claudeAiOauth` (e.g. only MCP tokens).
    Raises ClaudeCodeError when the file is unreadable or malformed, or is not a regular
    file (a symlink, FIFO, device or directory: never read through, never blocked on)."""
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
        raise _fail(f"Claude Code's credentials file {where}", exc.what) from None
    except OSError as exc:
        raise ClaudeCodeError(
            f"cannot read Claude Code's credentials file {where}: {exc.strerror}",
            "check that the file is yours and readable (it should be mode 0600)",
        ) from None
    if found is None:
        return None
    doc, info = found
    # When Claude Code last wrote it: the closest thing to "created" we have.
    created = datetime.fromtimestamp(int(info.st_mtime), UTC)
    return _record(doc, f"Claude Code's credentials file {where}", created)


# --- the JSON both hold -----------------------------------------------------------------


def _fail(what_holds_it: str, what: str) -> ClaudeCodeError:
    return ClaudeCodeError(
        f"{what_holds_it} {what}",
        "sign in again with `claude` (then /login), or choose another auth method",
    )


def _record(doc: object, holder: str, created_at: datetime) -> CredentialRecord | None:
    """The oauth record in Claude Code's JSON; None without `claudeAiOauth`. `holder`
    names the file or the keychain entry in the errors, which never quote a token."""
    if not isinstance(doc, dict):
        raise _fail(holder, "is not a JSON object")
    oauth = doc.get("claudeAiOauth")
    if oauth is None:
        return None
    if not isinstance(oauth, dict):
        raise _fail(holder, "has a 'claudeAiOauth' entry that is not an object")
    access = oauth.get("accessToken")
    if not isinstance(access, str) or not access.strip():
        raise _fail(holder, "has no accessToken")
    refresh = oauth.get("refreshToken")
    if refresh is not None and not isinstance(refresh, str):
        raise _fail(holder, "has a refreshToken that is not a string")
    for name, token in (("an accessToken", access.strip()), ("a refreshToken", refresh or "")):
        problem = header_problem(token)
        if problem:
            raise _fail(holder, f"has {name} with {problem}")
    expires_at = _expiry(oauth.get("expiresAt"), holder)
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
        created_at=created_at,
        verified_at=None,
        account=account or None,
    )


def _expiry(value: object, holder: str) -> datetime | None:
    """`expiresAt` is epoch milliseconds; None when absent."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _fail(holder, "has an expiresAt that is not a number (epoch milliseconds)")
    try:
        return datetime.fromtimestamp(int(value) // 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise _fail(holder, "has an expiresAt out of range") from None
