"""CLI tests always use the file store in the per-test XDG dirs (never a real keyring)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAL_CREDENTIAL_STORE", "file")
