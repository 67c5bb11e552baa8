"""`seal-setup trust`: let this seal.toml's base URLs receive this machine's credentials.

Like `direnv allow`: the person looks at the servers a project's seal.toml names and says
yes once, for that file and those exact URLs. `--list` shows what is trusted, `--forget`
withdraws it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from backend.errors import ConfigError, ExitCode, SealError
from tui.output import error, say

if TYPE_CHECKING:
    from backend.providers.trust import TrustList
    from backend.services import Services


def run_trust(args: argparse.Namespace, services: Services) -> ExitCode:
    """`seal-setup trust [--config PATH] [--yes] [--list] [--forget]`."""
    from backend.config.location import default_config_path
    from backend.providers.trust import TrustList, config_key, project_endpoints

    env = services.env
    try:
        trust = TrustList.load(env)
        if args.list:
            return _list(trust)
        path = default_config_path(env, args.config)
        if args.forget:
            gone = trust.forget(path)
            if gone:
                trust.save()
            say(f"Withdrew trust from {gone} server(s) for {config_key(path)}.")
            return ExitCode.OK
        try:
            config = services.load_config(path)
        except ConfigError as exc:
            error(exc.message, exc.hint or "fix seal.toml by hand; nothing was changed")
            return ExitCode.CONFIG
        if not config.exists:
            error(
                f"there is no seal.toml at {path}", "pass --config PATH of the project's seal.toml"
            )
            return ExitCode.USAGE
        endpoints = project_endpoints(config, env, trust)
    except SealError as exc:
        error(exc.message, exc.hint)
        return exc.exit_code
    where = config_key(path)
    if not endpoints:
        say(f"{where} sends every request to the providers' own servers: nothing to trust.")
        return ExitCode.OK
    refused = [e for e in endpoints if e.problem]
    if refused:
        for endpoint in refused:
            error(endpoint.problem, "fix base_url in seal.toml; nothing was trusted")
        return ExitCode.USAGE
    say(f"{where} sends requests to servers that are not the providers' own:")
    for e in endpoints:
        state = " (already trusted)" if e.trusted else ""
        say(f"  {e.provider} → {e.url}  [{e.host}, {e.table or '[model]'} base_url]{state}")
    providers = ", ".join(dict.fromkeys(e.provider for e in endpoints))
    say(
        f"Trusting them lets seal-setup send your {providers} credentials there when it "
        "checks them. Only do this for servers you know (your own or your company's proxy)."
    )
    if not args.yes:
        if not sys.stdin.isatty():
            error("trust needs a confirmation and there is no terminal to ask on", "pass --yes")
            return ExitCode.USAGE
        sys.stderr.write("Trust these servers for this seal.toml? [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            say("Nothing trusted.")
            return ExitCode.CANCELLED
    try:
        trust.set_for(path, endpoints)
        trust.save()
    except SealError as exc:
        error(exc.message, exc.hint)
        return exc.exit_code
    say(
        f"Trusted {len(endpoints)} server(s) for {where} (kept in {trust.path}). Changing "
        "base_url in the file withdraws it."
    )
    return ExitCode.OK


def _list(trust: TrustList) -> ExitCode:
    if not trust.entries:
        say("No seal.toml base_url is trusted on this machine.")
        return ExitCode.OK
    for entry in sorted(trust.entries, key=lambda e: (e.config, e.provider, e.base_url)):
        say(f"{entry.config}  {entry.provider} → {entry.base_url}  (since {entry.trusted_at})")
    return ExitCode.OK
