"""What this machine already holds for a provider, for the top of the Auth step.

As Claude Code does: when the provider's variable is set ("Use $ANTHROPIC_API_KEY —
sk-ant-api03-AbC…xYz9"), or Claude Code's sign-in is there, that method comes first, with
enough to recognise it (a fingerprint, a path) and never the secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from backend.auth.paste import fingerprint
from backend.vocabulary import registry
from backend.vocabulary.registry import ENV_VARS


@dataclass(frozen=True)
class Found:
    """A method whose credential is already here: its row's title and detail."""

    method: str
    title: str
    detail: str


def found_on_machine(
    provider: str, env: Mapping[str, str], claude_code: str | None = None
) -> list[Found]:
    """The provider's methods that need nothing more, in the order the step lists them.

    `claude_code`: where Claude Code's sign-in was found (the Welcome survey's look), or
    None. The variable is the one Seal would read first (its own order).
    """
    offered = registry.get(provider).methods
    found: list[Found] = []
    if "env" in offered:
        for var in ENV_VARS[provider]:
            value = env.get(var, "").strip()
            if value:
                found.append(
                    Found(
                        "env",
                        f"Use ${var}",
                        f"Environment variable set in this shell: {fingerprint(value)}. "
                        "Seal reads it; nothing is stored.",
                    )
                )
                break
    if "claude_code" in offered and claude_code:
        found.append(
            Found(
                "claude_code",
                "Use Claude Code's sign-in",
                f"Found at {claude_code}. Nothing to paste.",
            )
        )
    return found
