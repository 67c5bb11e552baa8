"""What a finished wizard did, in words: Done shows it, and the shell keeps it after exit.

The wizard runs on the terminal's alternate screen, which takes everything away when it
closes; the same lines printed after exit leave what was written, where the secret went
and what to run next in the scrollback (as `gh auth login` does).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from backend.config.backups import describe
from backend.credentials.handoff import RUN_COMMAND, Instruction, how_seal_gets
from backend.vocabulary import registry
from backend.vocabulary.methods import METHODS, auth_label, seal_variable
from backend.vocabulary.registry import PROVIDER_LABELS
from backend.wizard.answers import Answers
from backend.wizard.resume import kept_label, masked

if TYPE_CHECKING:
    from backend.credentials.record import CredentialRecord
    from backend.providers.catalog import Catalog

CANCELLED = "Nothing was written: seal.toml and your stored credentials are as they were."


def alias_line(a: Answers, catalog: Catalog) -> str | None:
    """What an alias model name (sonnet) stands for now: the newest of its line on the
    live list the check fetched, else on the bundled list (onboarding's Review says it);
    None for an id."""
    provider = a.provider or "anthropic"
    if a.mode != "onboard" or a.model is None or registry.alias_owner(a.model) is None:
        return None
    resolved = catalog.resolve_alias(a.model, provider)
    if resolved is None:
        return None
    which = f"{PROVIDER_LABELS[provider]}'s live list" if a.live_models else "the bundled list"
    line = a.model.strip().lower()
    return f"{a.model} is {resolved} now: the newest {line.title()} on {which}."


def outcome_lines(a: Answers) -> list[str]:
    """The ✓ lines: what Seal will use, what was written where, where the secret went."""
    lines = []
    provider = PROVIDER_LABELS.get(a.provider or "", a.provider or "")
    if a.mode == "roles":
        lines.append("✓ Model roles updated.")
    elif a.model:
        lines.append(f"✓ Seal will use {a.model} from {provider} ({auth_label(a.auth_value)}).")
    else:
        lines.append(f"✓ {provider} authentication updated ({auth_label(a.auth_value)}).")
    if a.saved_path and a.backup:
        kept = describe(a.backup, a.older_backups)
        lines.append(f"✓ Wrote {a.saved_path} (previous version: {kept}).")
    elif a.saved_path:
        lines.append(f"✓ Wrote {a.saved_path} (a new file).")
    else:
        lines.append("✓ seal.toml needed no change.")
    if a.stored_where:
        verified = a.check_outcome == "verified"
        mark = "" if verified else " marked unverified"
        lines.append(f"✓ Credential stored{mark} in {a.stored_where}.")
    elif a.kept and a.record is not None:
        lines.append("✓ " + kept_line(a, a.record))
    return lines


def kept_line(a: Answers, record: CredentialRecord) -> str:
    """What happens to the stored credential kept: nothing new is stored."""
    what = kept_label(record)
    shown = masked(record)
    checked = (
        "checked just now" if a.check_outcome == "verified" else "not checked now (unverified)"
    )
    return f"Kept the stored {what} {record.key} ({shown}; {checked}): nothing new is stored."


def instruction(a: Answers) -> Instruction | None:
    """How Seal gets the credential chosen (None when no method was chosen: roles)."""
    if a.mode == "roles" or a.provider is None or a.method is None:
        return None
    return how_seal_gets(a.provider, a.method)


def outranking_line(a: Answers, env: Mapping[str, str]) -> str | None:
    """A warning when a variable set here would win over the credential chosen, in Seal's
    order (as `gh` says "GH_TOKEN is being used"); None when nothing outranks it."""
    method = METHODS.get(a.method or "")
    provider = registry.find(a.provider or "")
    if a.mode == "roles" or method is None or provider is None or method.origin == "env":
        return None  # no credential chosen, or the person's own variable is the credential
    variable = seal_variable(provider.id, method.id) if method.origin == "store" else None
    names = [n for n in provider.outranking(variable) if env.get(n, "").strip()]
    if not names:
        return None
    listed = ", ".join(f"${n}" for n in names)
    one = len(names) == 1
    it, verb = ("it", "is") if one else ("them", "are")
    if variable is None:
        return (
            f"⚠ {listed} {verb} set in this shell, and Seal reads {it} before Claude Code's "
            f"sign-in: unset {it}, or start Seal with `{RUN_COMMAND} …`, which sets {it} aside."
        )
    return (
        f"⚠ {listed} {verb} set in this shell, and Seal reads {it} before ${variable}: "
        f"started without `{RUN_COMMAND} …` (which sets {it} aside), Seal would use {it}."
    )


def after_exit(a: Answers, code: int | None, env: Mapping[str, str]) -> list[str]:
    """The lines left in the shell once the wizard has exited with `code`."""
    if code == 0:
        found = instruction(a)
        how = [f"How Seal gets it: {found.sentence}"] if found is not None else []
        warning = outranking_line(a, env)
        return [*outcome_lines(a), *how, *([warning] if warning else [])]
    if code == 130:
        return [CANCELLED]
    return []  # an error says its own lines (and where its report is)
