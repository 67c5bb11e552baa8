"""OpenAI: GET /models with the key both checks it and lists what it can use."""

from __future__ import annotations

import re
from typing import Any

import httpx

from backend.providers.base import (
    Auth,
    CheckFailed,
    CheckResult,
    ModelInfo,
    get_json,
    iso_from_unix,
    malformed,
)

PROVIDER = "openai"
# /models lists every kind of model; only chat/reasoning ones make sense for an agent:
# not embeddings, speech, transcription, images or video, moderation, completions-only
# models (instruct, davinci, babbage), realtime or audio ones, search and deep research
# (which need their own tools), or computer use.
_NOT_CHAT = re.compile(
    r"embedding|whisper|tts|dall-e|davinci|babbage|moderation|transcribe|realtime|"
    r"audio|image|search|computer-use|sora|instruct",
    re.IGNORECASE,
)


def headers(auth: Auth) -> dict[str, str]:
    return {"authorization": f"Bearer {auth.value}"}


def is_chat_model(model_id: str) -> bool:
    """Whether an OpenAI model id is one an agent can chat with (see _NOT_CHAT)."""
    return _NOT_CHAT.search(model_id) is None


def parse_model(item: dict[str, Any]) -> ModelInfo | None:
    model_id = item.get("id")
    if not isinstance(model_id, str) or not model_id or not is_chat_model(model_id):
        return None
    return ModelInfo(
        provider=PROVIDER, id=model_id, created=iso_from_unix(item.get("created")), source="live"
    )


def _fetch(auth: Auth, base: str, client: httpx.Client) -> tuple[int, list[ModelInfo]]:
    url = f"{base}/models"
    response, body = get_json(PROVIDER, client, url, headers(auth), auth)
    data = body.get("data")
    if not isinstance(data, list):
        raise CheckFailed(malformed(PROVIDER, url))
    models = [m for item in data if isinstance(item, dict) and (m := parse_model(item))]
    return response.status_code, models


def check(auth: Auth, base: str, client: httpx.Client) -> CheckResult:
    try:
        status, models = _fetch(auth, base, client)
    except CheckFailed as failed:
        return failed.result
    return CheckResult(
        "verified",
        f"Verified: OpenAI accepted the key — {len(models)} chat models available",
        status_code=status,
        models=models,
    )


def list_models(auth: Auth, base: str, client: httpx.Client) -> list[ModelInfo]:
    return _fetch(auth, base, client)[1]
