"""What Seal reads, and what `seal-setup run` gives it: the handoff, as pure decisions.

Seal knows nothing of seal-setup's store. It reads, per provider, the variables of the
registry in their order (anthropic: `CLAUDE_CODE_OAUTH_TOKEN`, then `ANTHROPIC_API_KEY`,
then Claude Code's own sign-in; openrouter: `OPENROUTER_API_KEY`; openai:
`OPENAI_API_KEY`). So a credential seal-setup keeps reaches Seal only through a variable
`run` (or `env`, or `token`) sets, and a variable already in the parent environment that
Seal reads first must be taken out, or it would win.

`plan` decides, for one account seal.toml uses, which credential is the configured one,
the variable Seal would read it from, whether `run` supplies it and which variables would
outrank it. `how_seal_gets` is the sentence and command the wizard's Done step shows. Pure:
nothing here blocks, and no text holds a secret (`Supply.value` is the one that does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from backend.credentials.health import (
    CLAUDE_CODE_LABEL,
    FAILING,
    Health,
    judge,
    wanted_source,
)
from backend.credentials.record import utcnow
from backend.credentials.resolution import Resolution, Source
from backend.vocabulary import registry
from backend.vocabulary.methods import METHODS, seal_variable

RUN_COMMAND = "seal-setup run -- seal"
# An access token closer than this to its expiry is refreshed before it is handed on:
# the child (a long-running Seal) gets a token that lasts.
REFRESH_WITHIN = timedelta(minutes=5)


@dataclass(frozen=True)
class Supply:
    """How Seal gets the credential of one account.

    `variable` is the one Seal reads it from (None: Seal reads Claude Code's sign-in
    itself); `supplied` says whether `run` sets it; `outranked_by` names the variables Seal
    reads before it, which `run` takes out of the child's environment. `health` is the
    judge's verdict on the configured credential (its `source`).
    """

    provider: str
    profile: str
    auth: str | None
    variable: str | None
    supplied: bool
    health: Health
    outranked_by: tuple[str, ...] = ()
    note: str = ""
    _value: str = field(default="", repr=False, compare=False)

    @property
    def key(self) -> str:
        return f"{self.provider}:{self.profile}"

    @property
    def source(self) -> Source | None:
        return self.health.source

    @property
    def failing(self) -> bool:
        """Missing, rejected or expired beyond refresh: Seal would not authenticate."""
        return self.health.state in FAILING

    @property
    def value(self) -> str:
        """The secret `run` puts in `variable` ("" when it supplies nothing)."""
        return self._value

    @property
    def advice(self) -> str:
        """`anthropic:default: <reason>; <what to do>`, the words `status` uses."""
        step = self.health.next_step
        reason = self.health.reason
        return f"{self.key}: {reason}" + (f"; {step}" if step else "")


def _fresh(source: Source, now: datetime) -> bool:
    expires = source.record.expires_at
    return expires is None or expires - now > REFRESH_WITHIN


def configured_source(resolution: Resolution) -> Source | None:
    """The credential seal.toml's `auth` asks for, even when a variable shadows it; for
    `auth = "env"`, or when that one is absent, the judge's choice (what `status` shows)."""
    if resolution.auth != "env":
        wanted = wanted_source(resolution)
        if wanted is not None:
            return wanted
    return None


def plan(
    resolution: Resolution, now: datetime | None = None, *, env: Mapping[str, str] | None = None
) -> Supply:
    """How Seal gets the configured credential of `resolution`'s account (see `Supply`)."""
    now = now or utcnow()
    provider = registry.get(resolution.provider)
    auth = resolution.auth
    wanted = configured_source(resolution)
    health = judge(wanted, auth, now) if wanted is not None else judge(resolution, now=now, env=env)
    source = health.source
    base = Supply(provider.id, resolution.profile, auth, None, False, health)
    if source is None:
        method = METHODS.get(auth or "")
        variable = seal_variable(provider.id, method.id) if method else provider.key_env
        return replace(base, variable=variable)
    record = source.record
    if source.origin == "env":
        # The person's own variable: Seal reads it as it is; nothing to add or take away.
        return replace(base, variable=source.label)
    if source.origin == "claude_code" and not _fresh(source, now):
        # Refreshing would rotate Claude Code's refresh token and sign Claude Code out:
        # Seal reads (and renews) Claude Code's sign-in itself; only what outranks it goes.
        return replace(
            base,
            outranked_by=provider.outranking(None),
            note=f"{CLAUDE_CODE_LABEL} has an expired access token: Seal reads it itself",
        )
    variable = provider.seal_reads(record.is_bearer)
    return replace(
        base,
        variable=variable,
        supplied=health.state not in FAILING,
        outranked_by=provider.outranking(variable),
        _value=record.token,
    )


@dataclass(frozen=True)
class Instruction:
    """What the Done step says: how Seal gets the credential, and a command to copy."""

    sentence: str
    command: str | None
    variable: str


def how_seal_gets(provider: str, method_id: str) -> Instruction:
    """How Seal gets the credential of `method_id` with `provider`; KeyError if unknown."""
    method = METHODS[method_id]
    variable = seal_variable(provider, method_id)
    if method.origin == "store":
        return Instruction(
            f"Start Seal with `{RUN_COMMAND} …`: it gives Seal the credential in "
            f"${variable}, refreshed first when it is a sign-in. Seal does not read "
            "seal-setup's store on its own.",
            RUN_COMMAND,
            variable,
        )
    if method.origin == "claude_code":
        return Instruction(
            f"Seal reads Claude Code's sign-in itself: start Seal as usual. `{RUN_COMMAND} …` "
            f"also works, and sets aside variables that would outrank it.",
            RUN_COMMAND,
            variable,
        )
    return Instruction(
        f"Export {variable} before running Seal: seal-setup stores nothing for this method.",
        None,
        variable,
    )
