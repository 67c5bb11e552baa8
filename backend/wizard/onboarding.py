"""Turning the wizard's answers into changes: seal.toml edits, the stored credential, and
the equivalent non-interactive command. Shared by the Review screen and the CLI path.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from backend.config.schema import TITLE_HEADER, header_spellings
from backend.credentials.record import CredentialRecord, CredentialStore, utcnow
from backend.credentials.stores import store_where
from backend.credentials.writes import same_token, stamp_verified, update_record
from backend.errors import SealError
from backend.system.shell import join, option
from backend.vocabulary.methods import STORED_METHODS as STORED_METHODS  # the Review step asks here
from backend.vocabulary.selectors import infer_provider
from backend.wizard.answers import Answers, CommitResult

if TYPE_CHECKING:
    from backend.config.document import SealConfig

# Options of the Model step, in the order the equivalent command lists them.
SETTING_FLAGS = (
    ("thinking", "--thinking"),
    ("thinking_budget", "--thinking-budget"),
    ("effort", "--effort"),
    ("max_tokens", "--max-tokens"),
    ("cache_retention", "--cache-retention"),
)
# Role -> flag of the non-interactive command; `--fallback` repeats, in order.
ROLE_FLAGS = {"fast": "--fast", "escalate": "--escalate", "fallbacks": "--fallback"}


def record_to_store(answers: Answers) -> CredentialRecord | None:
    """The record to save, stamped verified (or not), or None when nothing is stored (the
    stored one kept is not stored again)."""
    if answers.method not in STORED_METHODS or answers.record is None or answers.kept:
        return None
    verified = answers.check_outcome == "verified"
    return answers.record.with_changes(
        provider=answers.provider or answers.record.provider,
        profile=answers.profile,
        verified_at=utcnow() if verified else None,
        stale=False,
    )


def apply_answers(config: SealConfig, answers: Answers) -> None:
    """Edit the document in memory; nothing is written here. A ConfigError now (before a
    credential is asked for or stored) when the edits cannot be written without changing
    lines outside the tables they touch."""
    _apply(config, answers)
    config.check_edits()


def _apply(config: SealConfig, answers: Answers) -> None:
    if answers.mode == "reauth":
        # Re-auth touches seal.toml only when the method changed, and only when seal.toml
        # configures the provider being re-authenticated (`reauth_auth` is its auth then).
        if answers.reauth_auth is not None and answers.auth_value != answers.reauth_auth:
            from backend.wizard.reauth import no_longer_allowed, remove_not_allowed

            # What the new method cannot use goes too (Review says why), or the file
            # would hold settings the equivalent command refuses.
            remove_not_allowed(config, no_longer_allowed(config, answers))
            config.set("auth", answers.auth_value)
        return
    if answers.mode == "roles":
        # Only role and agent keys change: the edits the Roles step collected, in order.
        from backend.wizard.roles import apply_role_edits

        apply_role_edits(config, answers.role_edits)
        return
    agent = answers.agent
    # A second run started from the file: what the person left as it was read stays in
    # the file as it is (an absent default, an alias, a value seal-setup does not accept).
    read = answers.existing if answers.existing and answers.existing.agent == agent else None

    def edit(key: str, value: object) -> None:
        if read is None or not read.unchanged(key, value):
            config.set(key, value, agent)

    if agent is not None and agent not in config.agents():
        config.add_agent(agent)
    edit("provider", answers.provider)
    # The file names no provider, so the model's name says it: a name that says another
    # needs the provider written.
    named = (infer_provider(answers.model) or "anthropic") if answers.model else answers.provider
    if read is not None and config.get("provider", agent) is None and named != answers.provider:
        config.set("provider", answers.provider, agent)
    if answers.model is not None:
        edit("name", answers.model)
    edit("auth", answers.auth_value)
    if answers.profile != "default" or config.own("profile", agent) is not None:
        edit("profile", answers.profile)
    for key, value in answers.settings.items():
        if key == "base_url" and value is None and config.own("base_url", agent) is not None:
            continue
        edit(key, value)
    # The answers name the title TITLE_HEADER; set_header writes it under the spelling the
    # file already has (X-Title stays X-Title), never both.
    attribution = ("HTTP-Referer", TITLE_HEADER)
    owned = answers.provider == "openrouter" and answers.model is not None
    if owned:
        # The Model step owns these two: an empty field removes the header.
        for name in attribution:
            value = answers.headers.get(name)
            if read is not None and read.headers.get(name) == value:
                continue
            there = any(h.lower() in header_spellings(name) for h in config.headers(agent))
            if value or there:
                config.set_header(name, value or None, agent)
    for name, value in answers.headers.items():
        if read is not None and read.headers.get(name) == value:
            continue
        if name not in attribution or not owned:
            config.set_header(name, value, agent)
    for role in ROLE_FLAGS:
        if role in answers.roles:
            if read is not None and read.roles.get(role) == answers.roles[role]:
                continue
            config.set_role(role, answers.roles[role], agent)
    if answers.role_edits:
        # The Roles step after the Model step: its changes go on top of the model choice.
        from backend.wizard.roles import apply_role_edits

        apply_role_edits(config, answers.role_edits)


def equivalent_command(answers: Answers, config_path: str | None = None) -> str:
    """The `seal-setup onboard --non-interactive …` that makes the same changes, every
    argument shell-quoted (a hostile name or value stays one argument when pasted)."""
    args = ["seal-setup", "onboard", "--non-interactive"]
    if config_path and config_path != "seal.toml":
        args += option("--config", config_path)
    args += option("--provider", answers.provider or "anthropic")
    args += option("--auth", answers.method or "api_key")
    if answers.model and answers.mode != "reauth":
        args += option("--model", answers.model)
    if answers.profile != "default":
        args += option("--profile", answers.profile)
    if answers.mode != "reauth":
        if answers.agent is not None:
            args += option("--agent", answers.agent)
        for key, flag in SETTING_FLAGS:
            value = answers.settings.get(key)
            if value is not None:
                args += option(flag, str(value))
        if answers.settings.get("context_1m"):
            args.append("--context-1m")
        for name, value in answers.headers.items():
            args += option("--header", f"{name}={value}")
        for role, flag in ROLE_FLAGS.items():
            value = answers.roles.get(role)
            for selector in value if isinstance(value, list) else [value]:
                if selector:
                    args += option(flag, str(selector))
    if answers.store_unverified:
        args.append("--no-verify")
    command = join(args)
    if answers.method in ("api_key", "setup_token"):
        return command + " < secret.txt"
    return command


def commit(
    answers: Answers,
    config: SealConfig | None,
    store: CredentialStore,
    *,
    env: Mapping[str, str] | None = None,
    link_target: Path | None = None,
) -> CommitResult:
    """Store the credential, then save seal.toml; if the save fails, the store is rolled back.

    Both store writes go through the record's lock (backend.credentials.writes), so a refresh
    running in another process neither undoes them nor is undone. `link_target` is the
    target of a symlinked seal.toml that was shown or checked (SealConfig.save).
    Blocking (keyring, disk): call from a worker thread.
    """
    record = record_to_store(answers)
    previous: list[CredentialRecord | None] = []
    stored_where: str | None = None
    if answers.kept and answers.record is not None and answers.check_outcome == "verified":
        # The kept credential was just checked: its stamp says so (its secret is not
        # written; a refresh since made another record, which keeps its own stamps). Only
        # bookkeeping: a store that cannot take it now does not stop seal.toml's write.
        with contextlib.suppress(SealError):
            stamp_verified(store, answers.record, utcnow(), env=env)
    if record is not None:
        ours = record

        def store_ours(current: CredentialRecord | None) -> CredentialRecord:
            previous.append(current)
            return ours

        update_record(store, record.provider, record.profile, store_ours, env=env)
        stored_where = store_where(store, record.provider, record.profile)
    written = False
    backup: str | None = None
    older: tuple[str, ...] = ()
    try:
        if config is not None and config.changed():
            result = config.save(link_target=link_target)
            written = result.written
            backup = str(result.backup) if result.backup else None
            older = tuple(str(p) for p in result.older)
    except BaseException:
        if record is not None:
            ours, before = record, previous[0]

            def roll_back(current: CredentialRecord | None) -> CredentialRecord | None:
                # Only our own write is undone: a record written since is someone else's.
                if current is not None and same_token(current, ours):
                    return before
                return current

            update_record(store, record.provider, record.profile, roll_back, env=env)
        raise
    return CommitResult(stored_where, written, backup, older)
