"""A provider that exists only in tests: one registry entry plus this module.

It proves that adding a provider takes nothing else. Its API is OpenAI-shaped (GET
/models with a Bearer key), so the loopback fake serves it under its OpenAI prefix once
the fake accepts `DUMMY_KEY` (`fake.openai_keys.add(DUMMY_KEY)`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

import httpx

from backend.providers.base import Auth, CheckFailed, CheckResult, ModelInfo, get_json, malformed
from backend.vocabulary import registry
from backend.vocabulary.registry import KeyFormat, Provider

ID = "dummy"
DUMMY_KEY = "dk-" + "DummyProviderKey" * 3  # 51 chars
MODEL = "dummy-large-1"

DUMMY = Provider(
    id=ID,
    label="Dummy Cloud",
    blurb="A provider registered by a test, to prove one entry is enough.",
    key_env="DUMMY_API_KEY",
    base_url_env="SEAL_DUMMY_BASE_URL",
    default_base_url="https://dummy.invalid/v1",
    key_page="https://dummy.invalid/account/keys",
    key_wanted="a Dummy Cloud key (dk-…)",
    key_summary="Paste a dk-… key from dummy.invalid. Pay per token.",
    keys=(KeyFormat("dk-", "a Dummy Cloud key", "key", (40, 100), "about 51"),),
    methods=("api_key", "env"),
    module=__name__,
)


@contextmanager
def registered() -> Iterator[Provider]:
    """The registry with DUMMY added after the real providers, for as long as this lasts."""
    before = registry.PROVIDERS
    registry.PROVIDERS = MappingProxyType({**before, ID: DUMMY})
    try:
        yield DUMMY
    finally:
        registry.PROVIDERS = before


def _fetch(auth: Auth | None, base: str, client: httpx.Client) -> list[ModelInfo]:
    url = f"{base}/models"
    headers = {"authorization": f"Bearer {auth.value}"} if auth else {}
    _, body = get_json(ID, client, url, headers, auth)
    data = body.get("data")
    if not isinstance(data, list):
        raise CheckFailed(malformed(ID, url))
    # The fake lists OpenAI's models; this provider offers one of its own first.
    ids = [MODEL] + [item["id"] for item in data if isinstance(item, dict) and "id" in item]
    return [ModelInfo(provider=ID, id=i, source="live") for i in ids[:5]]


def check(auth: Auth, base: str, client: httpx.Client) -> CheckResult:
    try:
        models = _fetch(auth, base, client)
    except CheckFailed as failed:
        return failed.result
    return CheckResult(
        "verified", f"Verified: Dummy Cloud accepted the key — {len(models)} models", models=models
    )


def list_models(auth: Auth | None, base: str, client: httpx.Client) -> list[ModelInfo]:
    return _fetch(auth, base, client)


def env(fake: Any) -> dict[str, str]:
    """The variable that points this provider at the loopback fake."""
    return {DUMMY.base_url_env: fake.openai_url}
