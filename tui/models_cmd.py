"""`seal-setup models [--provider P] [--json] [--live]`: the models and their facts, and
which list they come from.

Without --live it is models.dev's facts with Seal's overlay (the snapshot shipped with
seal-setup, or the newer copy --refresh fetched), and it says which and of what date. With
--live it is what the wizard's Check step fetches (`Services.check`, with the credential
Seal would use: env or store, seal.toml's profile and trusted base_url), merged with the
bundled list the way the Model step merges it (`Services.catalog`). Nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from backend.errors import ConfigError, ExitCode, SealError
from backend.providers.base import token_count
from tui.output import error, say, table

if TYPE_CHECKING:
    from backend.config.document import SealConfig
    from backend.providers.base import ModelInfo
    from backend.services import Services

PREFIX = "seal-setup models"
HEADER = ("MODEL", "CONTEXT", "MAX OUTPUT", "THINKING", "EFFORT", "$ IN / OUT PER 1M")


class _Listing:
    """One provider's models, where they came from, and why the live list is missing."""

    def __init__(
        self, provider: str, models: list[ModelInfo], source: str, facts_from: str
    ) -> None:
        self.provider = provider
        self.models = models
        self.source = source  # "bundled" | "live"
        self.facts_from = facts_from  # "models.dev snapshot of 2026-05-20"
        self.credential: str | None = None  # where the live list's credential came from
        self.problem = ""  # why --live got no list
        self.hint = ""


def run_models(args: argparse.Namespace, services: Services) -> ExitCode:
    """List the models; exit 1 when --live could not get a provider's list."""
    from backend.vocabulary import registry

    config = _load(args, services)
    if config is None:
        return ExitCode.CONFIG
    if args.refresh and not _refresh(services):
        return ExitCode.CREDENTIAL
    providers = [args.provider] if args.provider else list(registry.ids())
    try:
        listings = [_listing(p, args.live, config, services) for p in providers]
    except SealError as exc:  # an untrusted seal.toml base_url (exit 2)
        error(exc.message, exc.hint, prefix=PREFIX)
        return exc.exit_code
    if args.json:
        print(json.dumps({"providers": [_as_json(x) for x in listings]}, indent=2))
    else:
        _print(listings)
    for listing in listings:
        if listing.problem:
            error(listing.problem, listing.hint, prefix=PREFIX)
    return ExitCode.CREDENTIAL if any(x.problem for x in listings) else ExitCode.OK


def _refresh(services: Services) -> bool:
    """Fetch models.dev anew; say what changed (on stderr, so --json stays one object)."""
    from backend.providers.models_dev import RefreshFailed

    try:
        refreshed = services.refresh_models()
    except RefreshFailed as exc:
        error(
            f"could not refresh the model facts: {exc}",
            f"nothing was changed; the {services.catalog().facts_from} is used",
            prefix=PREFIX,
        )
        return False
    changed = refreshed.changes
    summary = f"{len(changed)} models added, removed or changed" if changed else "no change"
    print(
        f"Refreshed: {refreshed.copy.describe()} ({summary}), kept in {refreshed.path}",
        file=sys.stderr,
    )
    for line in changed[:_SHOWN_CHANGES]:
        print(f"  {line}", file=sys.stderr)
    if len(changed) > _SHOWN_CHANGES:
        print(f"  … and {len(changed) - _SHOWN_CHANGES} more", file=sys.stderr)
    return True


_SHOWN_CHANGES = 20


def _load(args: argparse.Namespace, services: Services) -> SealConfig | None:
    from backend.config.location import default_config_path

    try:
        return services.load_config(default_config_path(services.env, args.config))
    except ConfigError as exc:
        error(exc.message, exc.hint or "fix seal.toml by hand; nothing was changed", prefix=PREFIX)
        return None


def _listing(provider: str, live: bool, config: SealConfig, services: Services) -> _Listing:
    bundled = services.catalog()
    if not live:
        return _Listing(provider, bundled.models(provider), "bundled", bundled.facts_from)
    from backend.vocabulary.registry import ENV_VARS, PROVIDER_LABELS

    # seal.toml's profile and base_url, where its [model] is this provider's.
    mine = config.get("provider") == provider
    profile = config.get("profile") if mine else None
    profile = profile if isinstance(profile, str) and profile else "default"
    base_url = config.get("base_url") if mine else None
    base_url = base_url if isinstance(base_url, str) else None
    listing = _Listing(provider, [], "live", bundled.facts_from)
    effective = services.resolve(provider, profile).effective
    if effective is None:
        label = PROVIDER_LABELS[provider]
        listing.problem = f"--live needs a credential for {label}, and there is none"
        listing.hint = (
            f"set {ENV_VARS[provider][-1]} or store one (seal-setup onboard --provider "
            f"{provider}); without --live the bundled list is shown"
        )
        return listing
    from backend.providers.trust import refuse_untrusted

    refuse_untrusted([services.endpoint(provider, base_url, config.path)])
    listing.credential = effective.label
    report = services.check(provider, effective.record, base_url, config.path)
    if not report.models:
        why = report.models_error or report.result.message
        listing.problem = f"no live list from {PROVIDER_LABELS[provider]}: {why}"
        listing.hint = report.result.cause or "without --live the bundled list is shown"
        return listing
    listing.models = services.catalog(provider, report.models).models(provider)
    return listing


def _source_line(listing: _Listing) -> str:
    from backend.vocabulary.registry import PROVIDER_LABELS

    label = PROVIDER_LABELS[listing.provider]
    count = f"{len(listing.models)} models"
    if listing.source == "bundled":
        return f"{label}: the {listing.facts_from} ({count}; --live asks {label})"
    return (
        f"{label}: the live list ({count}, credential from {listing.credential}; "
        f"facts it lacks from the {listing.facts_from})"
    )


def _price(model: ModelInfo) -> str:
    if model.price_in is None or model.price_out is None:
        return "?"
    return f"{model.price_in:g} / {model.price_out:g}"


def _row(model: ModelInfo) -> list[str]:
    return [
        model.id,
        token_count(model.context),
        token_count(model.max_output),
        "/".join(model.thinking) or "-",
        ",".join(f"{e}*" if e == model.default_effort else e for e in model.effort) or "-",
        _price(model),
    ]


def _print(listings: list[_Listing]) -> None:
    from tui.output import use_colour

    colour = use_colour(sys.stdout)
    first = True
    for listing in listings:
        if listing.problem:
            continue
        if not first:
            say("")
        first = False
        say(_source_line(listing))
        if listing.models:
            for line in table(HEADER, [_row(m) for m in listing.models], colour=colour):
                print(line)  # table() escaped every cell
            if any(m.default_effort for m in listing.models):
                say("* the effort Seal uses when seal.toml leaves it unset")


def _as_json(listing: _Listing) -> dict[str, Any]:
    return {
        "provider": listing.provider,
        "source": listing.source,
        "facts_from": listing.facts_from,
        "credential": listing.credential,
        "error": listing.problem or None,
        "models": [_model_json(m) for m in listing.models],
    }


def _model_json(model: ModelInfo) -> dict[str, Any]:
    return {
        "id": model.id,
        "display_name": model.display_name or None,
        "context": model.context,
        "max_output": model.max_output,
        "max_input": model.max_input,
        "thinking": list(model.thinking),
        "effort": list(model.effort),
        "default_effort": model.default_effort,
        "vision": model.vision,
        "price_in": model.price_in,
        "price_out": model.price_out,
        "price_cache_read": model.price_cache_read,
        "price_cache_write": model.price_cache_write,
        "context_1m": model.context_1m,
        "line": model.line,
        "created": model.created,
        "aliases": list(model.aliases),
        "source": model.source,
    }
