"""Non-wizard commands: `status` and `logout` (DESIGN §5), on the wizard's `Services`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from backend.errors import ConfigError, ExitCode, SealError
from backend.system.display import visible
from tui.output import error, paint, say, table, use_colour

if TYPE_CHECKING:
    from backend.credentials.record import CredentialRecord, CredentialStore
    from backend.services import Services
    from backend.status import Entry, Report

STATE_COLOURS = {
    "ok": "green",
    "expiring": "yellow",
    "unverified": "yellow",
    "missing": "red",
    "rejected": "red",
    "stale": "red",
    "expired": "red",
}


# --- status -------------------------------------------------------------------------------


def run_status(args: argparse.Namespace, services: Services) -> ExitCode:
    """`seal-setup status [--json] [--probe] [--config PATH]`."""
    from backend.config.location import default_config_path
    from backend.status import build_report, probe

    env = services.env
    path = default_config_path(env, args.config)
    try:
        config = services.load_config(path)
    except ConfigError as exc:
        error(exc.message, exc.hint or "fix seal.toml by hand; nothing was changed")
        return ExitCode.CONFIG
    try:
        choice = services.store_choice()
        report = build_report(config, choice.store, env)
        if args.probe:
            report = probe(report, env, choice.store)
    except SealError as exc:
        error(exc.message, exc.hint)
        return exc.exit_code
    if args.json:
        # ensure_ascii (the default) writes every control and bidi character as \uXXXX.
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=True))
    else:
        print("\n".join(status_lines(report, choice.store.location, str(path), choice.store)))
    return ExitCode(report.exit_code)


def status_lines(
    report: Report,
    store_location: str,
    config_path: str,
    store: CredentialStore | None = None,
) -> list[str]:
    """The human report: where from, the table, shadowing, notes and what to do.

    Every line is escaped here (the table escapes its cells): colour is added after.
    """
    from backend.credentials.record import utcnow
    from backend.status import advice, ago, countdown, freshness, shadow_line, source_label

    colour = use_colour(sys.stdout)
    now = utcnow()
    lines: list[str] = []
    if report.config_path is None:
        lines.append(visible(f"No seal.toml at {config_path}: showing what is stored and set."))
    else:
        lines.append(visible(f"seal.toml: {report.config_path}"))
    lines.append(visible(f"Credential store: {store_location}"))
    lines += endpoint_lines(report, colour)
    lines.append("")
    if not report.entries:
        lines.append("No credentials found.")
        lines.append("Run `seal-setup` to set one up.")
        return lines
    header = ("PROVIDER", "PROFILE", "AUTH", "SOURCE", "STATE", "EXPIRES", "VERIFIED", "SEAL READS")
    rows, tints = [], []
    for e in report.entries:
        verified = ago(e.verified_at, now) if e.origin == "store" or e.verified_at else "—"
        rows.append(
            (
                e.provider,
                e.profile,
                e.auth,
                source_label(e),
                e.state,
                countdown(e.expires_at, now) + (" (est.)" if e.expires_estimated else ""),
                verified,
                seal_reads(e),
            )
        )
        tints.append(("", "", "", "", STATE_COLOURS[e.state], "", "", ""))
    lines += table(header, rows, tints, colour=colour)
    checked = [f"{e.key}: {freshness(e, now)}" for e in report.entries]
    if store is not None and getattr(store, "where", None) is not None:
        from backend.credentials.stores import store_where

        # A shared store (Vault): each credential's address and path, as its own line.
        for e in report.entries:
            if e.origin == "store":
                checked.append(f"{e.key}: stored in {store_where(store, e.provider, e.profile)}")
    shadows = [s for s in (shadow_line(e) for e in report.entries) if s]
    # A failed live check's answer is in its Checked line and its advice already.
    notes = [f"{e.key}: {e.note}" for e in report.entries if e.note and e.note != e.check_failed]
    notes += [f"{e.key}: {e.reason}" for e in report.entries if e.expires_estimated]
    todo = list(dict.fromkeys(a for a in (advice(e, now) for e in report.entries) if a))
    if any(e.run_supplies for e in report.entries):
        from backend.credentials.handoff import RUN_COMMAND

        notes.append(
            f"Seal does not read seal-setup's store: start it with `{RUN_COMMAND} …` "
            '("via run"), or see `seal-setup env` and `seal-setup token`'
        )
    sections = (("Checked", checked), ("Shadowing", shadows), ("Notes", notes), ("To do", todo))
    for title, items in sections:
        if items:
            lines.append("")
            lines.append(paint(title + ":", "bold", colour))
            lines += [f"  {visible(item)}" for item in items]
    return lines


def seal_reads(entry: Entry) -> str:
    """`$ANTHROPIC_API_KEY via run`, `$OPENAI_API_KEY`, or `Claude Code's sign-in`."""
    from backend.credentials.health import CLAUDE_CODE_LABEL

    if entry.seal_reads is None:
        return CLAUDE_CODE_LABEL
    return f"${entry.seal_reads}" + (" via run" if entry.run_supplies else "")


def endpoint_lines(report: Report, colour: bool) -> list[str]:
    """seal.toml's base URLs, said before anything else: where keys would be sent."""
    from backend.providers.trust import trust_command

    if not report.endpoints:
        return []
    lines = ["", paint("Requests go to servers set in seal.toml:", "bold", colour)]
    for e in report.endpoints:
        head = visible(f"  {e.provider} → {e.url} ({e.table or '[model]'} base_url): ")
        if e.problem:
            lines.append(head + paint(visible("refused — " + e.problem), "red", colour))
        elif e.trusted:
            lines.append(head + paint("trusted on this machine", "green", colour))
        else:
            lines.append(
                head + paint("NOT trusted — --probe sends nothing there", "yellow", colour)
            )
    if any(not e.trusted and not e.problem for e in report.endpoints):
        path = report.config_path or "seal.toml"
        lines.append(visible(f"  If you know these servers: {trust_command(path)}"))
    return lines


# --- logout -------------------------------------------------------------------------------


def run_logout(args: argparse.Namespace, services: Services) -> ExitCode:
    """`seal-setup logout [--provider P] [--profile N] [--yes]`; seal.toml is never touched."""
    env = services.env
    try:
        store = services.store
        doomed = _to_remove(store.list(), args.provider, args.profile)
    except SealError as exc:
        error(exc.message, exc.hint)
        return exc.exit_code
    from backend.credentials.vault import VaultStore

    where = store.location
    keeps_history = bool(getattr(args, "latest_only", False))
    if keeps_history and not isinstance(store, VaultStore):
        error(
            "--latest-only is for a versioned store (Vault)",
            f"the credentials are in {where}, which keeps no history",
        )
        return ExitCode.USAGE
    if isinstance(store, VaultStore):
        store.keep_history = keeps_history
        where += (
            " (only the latest version: older ones stay and can be restored)"
            if keeps_history
            else " (every version and its history)"
        )
    if not doomed:
        say(f"Nothing to remove: {_scope(args)} is stored in {where}.")
        _print_remaining(services, _providers(args, doomed))
        return ExitCode.OK
    from backend.vocabulary.methods import auth_label

    # Words, not ids: "anthropic:default (API key)".
    names = [f"{r.key} ({auth_label(r.kind)})" for r in doomed]
    if len(doomed) == 1:
        question = f"Remove {names[0]} from {where}? [y/N] "
    else:
        say(f"These {len(doomed)} stored credentials will be removed from {where}:")
        say(*(f"  {name}" for name in names))
        question = f"Remove these {len(doomed)} credentials? [y/N] "
    if not args.yes:
        if not sys.stdin.isatty():
            error(
                "logout needs a confirmation and there is no terminal to ask on",
                "pass --yes to remove without asking",
            )
            return ExitCode.USAGE
        sys.stderr.write(visible(question))
        sys.stderr.flush()
        answer = sys.stdin.readline()
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing removed.")
            return ExitCode.CANCELLED
    from backend.credentials.writes import remove_record

    try:
        for record in doomed:
            # Under the record's lock: a refresh running now cannot write it back after.
            remove_record(store, record.provider, record.profile, env=env)
            say(f"Removed {record.key} ({auth_label(record.kind)}) from {where}.")
    except SealError as exc:
        error(exc.message, exc.hint)
        return exc.exit_code
    _print_remaining(services, _providers(args, doomed))
    return ExitCode.OK


def _to_remove(
    records: list[CredentialRecord], provider: str | None, profile: str | None
) -> list[CredentialRecord]:
    return [
        r
        for r in records
        if (provider is None or r.provider == provider)
        and (profile is None or r.profile == profile)
    ]


def _scope(args: argparse.Namespace) -> str:
    if args.provider and args.profile:
        return f"no credential for {args.provider}:{args.profile}"
    if args.provider:
        return f"no credential for {args.provider}"
    if args.profile:
        return f"no credential with profile {args.profile}"
    return "no credential"


def _providers(args: argparse.Namespace, removed: list[CredentialRecord]) -> list[str]:
    from backend.vocabulary.registry import ENV_VARS

    if args.provider:
        return [args.provider]
    found = list(dict.fromkeys(r.provider for r in removed))
    return found or list(ENV_VARS)


def _claude_code_place(services: Services) -> str | None:
    """Where Claude Code's sign-in is (`at <file>`, `in the macOS keychain (…)`): its file
    when there is one, else (macOS) the keychain entry when it holds one; None if neither."""
    from backend.credentials.claude_code import display_path

    path = services.claude_code_path()
    if path.exists():
        return f"at {display_path(path, services.env)}"
    try:
        found = services.import_claude_code()
    except SealError:  # only a file raises, and it was not there a moment ago
        return None
    return f"in {found.place}" if found.record is not None else None


def _print_remaining(services: Services, providers: list[str]) -> None:
    """Say which credentials Seal still finds: logout only empties seal's own store."""
    from backend.vocabulary.registry import ENV_VARS

    env = services.env
    for provider in providers:
        for name in ENV_VARS[provider]:
            if env.get(name, "").strip():
                say(
                    f"Note: {name} is still set in the environment; Seal keeps using it "
                    f"for {provider} (unset it to sign out fully)."
                )
    if "anthropic" in providers and (where := _claude_code_place(services)):
        say(
            f"Note: Claude Code's sign-in {where} still provides a credential for "
            "anthropic; seal-setup never changes it (run `claude /logout` to remove it)."
        )
