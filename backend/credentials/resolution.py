"""Which credential a provider call would use, and what shadows what (DESIGN §3).

Highest first — anthropic: `CLAUDE_CODE_OAUTH_TOKEN` env → `ANTHROPIC_API_KEY` env → the
seal store profile → Claude Code's sign-in (the macOS keychain entry, then its credentials
file); openrouter: `OPENROUTER_API_KEY` → store; openai: `OPENAI_API_KEY` → store. `status`
reports the effective one and warns when a higher source shadows the one the config asks for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backend.credentials.claude_code import find_claude_code
from backend.credentials.record import CredentialRecord, CredentialStore
from backend.errors import InputError
from backend.system.header_value import header_problem
from backend.vocabulary import registry
from backend.vocabulary.methods import Origin, RecordKind, origin_of_auth

# Lower rank = higher precedence.
_RANK: dict[Origin, int] = {"env": 0, "store": 1, "claude_code": 2}


@dataclass(frozen=True)
class Source:
    """One place a credential was found. `record` is synthesized for env variables."""

    origin: Origin
    # env var name, store name ("keyring", "file"), or where Claude Code's sign-in was:
    # "macOS keychain (Claude Code-credentials)" or the file's path
    label: str
    record: CredentialRecord


@dataclass(frozen=True)
class Resolution:
    """Every source present for (provider, profile), highest first, and the effective one."""

    provider: str
    profile: str
    effective: Source | None
    candidates: list[Source]
    auth: str | None = None
    # The macOS keychain's trouble on the way to Claude Code's file (never a token).
    claude_code_problems: tuple[str, ...] = ()

    @property
    def wanted_origin(self) -> Origin:
        """The source the configured `auth` asks for (the store when no auth is given)."""
        return origin_of_auth(self.auth)

    @property
    def shadowed_by(self) -> str | None:
        """Label of the effective source when it outranks the wanted one, else None.

        Without `auth`, only a stored credential that is present counts as wanted.
        """
        if self.effective is None:
            return None
        wanted = self.wanted_origin
        if self.auth is None and not any(s.origin == wanted for s in self.candidates):
            return None
        if _RANK[self.effective.origin] < _RANK[wanted]:
            return self.effective.label
        return None


def env_record(provider: str, profile: str, name: str, value: str) -> CredentialRecord:
    """The credential the variable `name` holds (`value`, surrounding spaces removed).

    Raises InputError naming the variable when the value cannot be sent in a header.
    """
    problem = header_problem(value)
    if problem:
        raise InputError(
            f"{name} contains {problem} — a key or token is plain ASCII",
            f"set {name} again to the key copied straight from its source (not through a "
            "document or chat that reformats text), or unset it",
        )
    # A token variable (CLAUDE_CODE_OAUTH_TOKEN) always goes as Bearer; an API-key variable
    # holding a subscription token (sk-ant-oat…) does too.
    bearer = registry.get(provider).is_token_variable(name, value)
    kind: RecordKind = "setup_token" if bearer else "api_key"
    return CredentialRecord(provider=provider, profile=profile, kind=kind, secret=value)


def resolve(
    provider: str,
    profile: str,
    env: Mapping[str, str],
    store: CredentialStore | None,
    *,
    auth: str | None = None,
) -> Resolution:
    """Find every credential for `provider`/`profile`, highest precedence first.

    Blocks when `store` is a keyring. Store failures propagate as CredentialStoreError
    (ClaudeCodeError for a malformed Claude Code file), a variable that cannot be sent as
    InputError: the caller decides what to show.
    """
    known = registry.get(provider)  # InputError for an unknown one
    candidates: list[Source] = []
    for name in known.env_vars:
        value = env.get(name, "").strip()
        if value:  # an empty variable is unset for every client we know
            candidates.append(Source("env", name, env_record(provider, profile, name, value)))
    if store is not None:
        record = store.get(provider, profile)
        if record is not None:
            candidates.append(Source("store", store.name, record))
    problems: tuple[str, ...] = ()
    if "claude_code" in known.methods:
        found = find_claude_code(env)
        problems = found.problems
        if found.record is not None:
            candidates.append(Source("claude_code", found.where, found.record))
    return Resolution(
        provider=provider,
        profile=profile,
        effective=candidates[0] if candidates else None,
        candidates=candidates,
        auth=auth,
        claude_code_problems=problems,
    )
