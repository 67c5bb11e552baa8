"""Pytest fixtures for the fake provider; tests/conftest.py imports them.

`fake_provider` gives a running FakeProvider (fast HTTP retries while it runs);
`fake_provider_env` also exports its SEAL_* variables into os.environ.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backend.system.http import RetryPolicy, using_retry_policy
from tests.fakes.provider import FakeProvider

# Real waits would make fault tests slow: keep the shape (3 tries), shrink the sleeps.
FAST_RETRY = RetryPolicy(tries=3, max_total_wait=0.5, base_delay=0.01, max_delay=0.05)


@pytest.fixture
def fast_retries() -> Iterator[RetryPolicy]:
    with using_retry_policy(FAST_RETRY):
        yield FAST_RETRY


@pytest.fixture
def fake_provider() -> Iterator[FakeProvider]:
    with using_retry_policy(FAST_RETRY), FakeProvider() as fake:
        yield fake


@pytest.fixture
def fake_provider_env(fake_provider: FakeProvider, monkeypatch: pytest.MonkeyPatch) -> FakeProvider:
    for key, value in fake_provider.env().items():
        monkeypatch.setenv(key, value)
    return fake_provider
