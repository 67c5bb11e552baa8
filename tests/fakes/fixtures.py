"""Pytest fixtures for the fake provider; tests/conftest.py imports them.

`fake_provider` gives a running FakeProvider (fast HTTP retries while it runs);
`fake_provider_env` also exports its SEAL_* variables into os.environ; `fake_keychain`
plays macOS's keychain for Claude Code's sign-in (tests/fakes/keychain.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from backend.system.http import RetryPolicy, using_retry_policy
from tests.fakes.keychain import FakeSecurity
from tests.fakes.provider import FakeProvider

# Real waits would make fault tests slow: keep the shape (3 tries), shrink the sleeps.
# The keychain tests that wait out a stand-in `security` which never answers use a short
# deadline; every other one a deadline no Python start on a loaded machine comes near, so
# how fast the stand-in starts never decides a test's outcome.
FAKE_KEYCHAIN_DEADLINE = 1.0
ANSWERING_KEYCHAIN_DEADLINE = 120.0
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


@pytest.fixture
def fake_keychain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeSecurity:
    """macOS as far as Claude Code's sign-in goes: the darwin path forced through its seam,
    a stand-in `security` first on PATH (holding nothing until told). A stand-in that is
    told to hang (`answer("slow")`) is given up on after FAKE_KEYCHAIN_DEADLINE; one that
    answers is waited for, however slowly a loaded machine starts it."""
    from backend.credentials import claude_code

    def shorten_the_deadline() -> None:
        monkeypatch.setattr(claude_code, "KEYCHAIN_DEADLINE", FAKE_KEYCHAIN_DEADLINE)

    fake = FakeSecurity.install(tmp_path / "keychain", on_slow=shorten_the_deadline)
    monkeypatch.setenv("PATH", fake.path_with(os.environ.get("PATH", "")))
    monkeypatch.setattr(claude_code, "on_macos", lambda: True)
    monkeypatch.setattr(claude_code, "KEYCHAIN_DEADLINE", ANSWERING_KEYCHAIN_DEADLINE)
    return fake
