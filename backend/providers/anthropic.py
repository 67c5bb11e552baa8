"""Anthropic: the live check is an authenticated, paginated GET /v1/models."""

from __future__ import annotations

from typing import Any

import httpx

from backend.config.schema import EFFORT_LEVELS
from backend.providers.base import (
    Auth,
    CheckFailed,
    CheckResult,
    ModelInfo,
    as_limit,
    get_json,
    line_of,
    malformed,
)

PROVIDER = "anthropic"
API_VERSION = "2023-06-01"
OAUTH_BETA = "oauth-2025-04-20"
PAGE_LIMIT = 1000
# A proxy that always says has_more must not keep us paging forever.
MAX_PAGES = 20


def headers(auth: Auth) -> dict[str, str]:
    """API key as x-api-key; subscription tokens as Bearer plus the oauth beta."""
    if auth.kind == "bearer":
        return {
            "authorization": f"Bearer {auth.value}",
            "anthropic-version": API_VERSION,
            "anthropic-beta": OAUTH_BETA,
        }
    return {"x-api-key": auth.value, "anthropic-version": API_VERSION}


def _supported(entry: object) -> bool:
    return isinstance(entry, dict) and entry.get("supported") is True


def parse_model(item: dict[str, Any]) -> ModelInfo | None:
    """A /v1/models entry; every field beyond id is optional (older API versions)."""
    model_id = item.get("id")
    if not isinstance(model_id, str) or not model_id:
        return None
    caps = item.get("capabilities")
    thinking: tuple[str, ...] = ()
    effort: tuple[str, ...] = ()
    vision: bool | None = None
    if isinstance(caps, dict):
        think = caps.get("thinking")
        types = think.get("types") if isinstance(think, dict) else None
        if isinstance(types, dict):
            thinking = tuple(k for k in ("adaptive", "enabled") if _supported(types.get(k)))
        eff = caps.get("effort")
        if isinstance(eff, dict):
            effort = tuple(k for k in EFFORT_LEVELS if _supported(eff.get(k)))
        if isinstance(caps.get("image_input"), dict):
            vision = _supported(caps["image_input"])
    line = item.get("line")
    created = item.get("created_at")
    context = as_limit(item.get("max_input_tokens"))
    return ModelInfo(
        provider=PROVIDER,
        id=model_id,
        display_name=str(item.get("display_name") or ""),
        context=context,
        max_output=as_limit(item.get("max_tokens")),
        thinking=thinking,
        effort=effort,
        vision=vision,
        context_1m=bool(context and context >= 1_000_000),
        line=line if isinstance(line, str) and line else line_of(model_id),
        created=created if isinstance(created, str) else None,
        source="live",
    )


def _fetch_all(
    auth: Auth, base: str, client: httpx.Client
) -> tuple[list[ModelInfo], httpx.Response]:
    url = f"{base}/v1/models"
    models: list[ModelInfo] = []
    after: str | None = None
    seen: set[str] = set()
    response: httpx.Response | None = None
    for _ in range(MAX_PAGES):
        params: dict[str, str | int] = {"limit": PAGE_LIMIT}
        if after:
            params["after_id"] = after
        response, body = get_json(PROVIDER, client, url, headers(auth), auth, params)
        data = body.get("data")
        if not isinstance(data, list):
            raise CheckFailed(malformed(PROVIDER, url))
        for item in data:
            if isinstance(item, dict) and (model := parse_model(item)) and model.id not in seen:
                seen.add(model.id)
                models.append(model)
        last = body.get("last_id")
        if body.get("has_more") is not True or not isinstance(last, str) or last == after:
            break
        after = last
    assert response is not None
    return models, response


def check(auth: Auth, base: str, client: httpx.Client) -> CheckResult:
    try:
        models, response = _fetch_all(auth, base, client)
    except CheckFailed as failed:
        return failed.result
    identity: dict[str, Any] = {"auth": "subscription" if auth.kind == "bearer" else "api_key"}
    org = response.headers.get("anthropic-organization-id")
    if org:
        identity["organization_id"] = org
    what = "subscription token" if auth.kind == "bearer" else "API key"
    return CheckResult(
        "verified",
        f"Verified: Anthropic accepted the {what} — {len(models)} models available",
        status_code=response.status_code,
        identity=identity,
        models=models,
    )


def list_models(auth: Auth, base: str, client: httpx.Client) -> list[ModelInfo]:
    return _fetch_all(auth, base, client)[0]
