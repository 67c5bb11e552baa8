"""OpenRouter: GET /key proves a key (the public /models list proves nothing about it)."""

from __future__ import annotations

from typing import Any

import httpx

from backend.providers import overlay
from backend.providers.base import (
    Auth,
    CheckFailed,
    CheckResult,
    ModelInfo,
    as_limit,
    get_json,
    iso_from_unix,
    line_of,
    malformed,
)

PROVIDER = "openrouter"
IDENTITY_FIELDS = ("label", "limit", "limit_remaining", "limit_reset", "is_free_tier", "usage")


def headers(auth: Auth | None) -> dict[str, str]:
    return {"authorization": f"Bearer {auth.value}"} if auth else {}


def _money(value: object) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"${value:,.2f}"
    return str(value)


def check(auth: Auth, base: str, client: httpx.Client) -> CheckResult:
    url = f"{base}/key"
    try:
        response, body = get_json(PROVIDER, client, url, headers(auth), auth)
    except CheckFailed as failed:
        return failed.result
    data = body.get("data")
    if not isinstance(data, dict):
        return malformed(PROVIDER, url)
    identity = {k: data[k] for k in IDENTITY_FIELDS if k in data}
    parts = [f"Verified: OpenRouter key '{data.get('label') or '?'}'"]
    limit = data.get("limit")
    if limit is None:
        parts.append("no spending limit")
    else:
        left = data.get("limit_remaining")
        extra = f" ({_money(left)} left)" if left is not None and left != limit else ""
        parts.append(f"limit {_money(limit)}{extra}")
    if data.get("is_free_tier") is True:
        parts.append("free tier")
    elif data.get("is_free_tier") is False:
        parts.append("paid account")
    return CheckResult(
        "verified", ", ".join(parts), status_code=response.status_code, identity=identity
    )


def _per_million(value: object) -> float | None:
    # Prices come as decimal strings in USD per token; "-1" marks a variable price.
    try:
        price = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return round(price * 1_000_000, 6) if price >= 0 else None


ROUTER_PREFIX = "~"


def is_router_id(model_id: str) -> bool:
    """A router id (`~anthropic/claude-sonnet-latest`): it names "the newest of a line" and
    moves to another model, with other limits, under the person. Not offered: seal.toml
    names a model, and an alias (sonnet) is resolved to one when it is written."""
    return model_id.strip().startswith(ROUTER_PREFIX)


def parse_model(item: dict[str, Any]) -> ModelInfo | None:
    model_id = item.get("id")
    if not isinstance(model_id, str) or not model_id or is_router_id(model_id):
        return None
    top = item.get("top_provider") if isinstance(item.get("top_provider"), dict) else {}
    assert isinstance(top, dict)
    pricing = item.get("pricing") if isinstance(item.get("pricing"), dict) else {}
    assert isinstance(pricing, dict)
    arch = item.get("architecture") if isinstance(item.get("architecture"), dict) else {}
    assert isinstance(arch, dict)
    params = item.get("supported_parameters")
    params = params if isinstance(params, list) else []
    modalities = arch.get("input_modalities")
    vision = "image" in modalities if isinstance(modalities, list) else None
    reasoning = "reasoning" in params or "include_reasoning" in params
    takes = overlay.load().reasoning_defaults(PROVIDER) if reasoning else overlay.Facts()
    context = as_limit(item.get("context_length")) or as_limit(top.get("context_length"))
    return ModelInfo(
        provider=PROVIDER,
        id=model_id,
        display_name=str(item.get("name") or ""),
        context=context,
        max_output=as_limit(top.get("max_completion_tokens")),
        thinking=takes.thinking or (),
        effort=takes.effort or (),
        vision=vision,
        price_in=_per_million(pricing.get("prompt")),
        price_out=_per_million(pricing.get("completion")),
        line=line_of(model_id),
        created=iso_from_unix(item.get("created")),
        source="live",
    )


def list_models(auth: Auth | None, base: str, client: httpx.Client) -> list[ModelInfo]:
    """GET /models (public; the key is sent when there is one, for account-specific lists)."""
    url = f"{base}/models"
    _, body = get_json(PROVIDER, client, url, headers(auth), auth)
    data = body.get("data")
    if not isinstance(data, list):
        raise CheckFailed(malformed(PROVIDER, url))
    return [m for item in data if isinstance(item, dict) and (m := parse_model(item))]
