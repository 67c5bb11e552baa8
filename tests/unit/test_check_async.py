"""Services.check_async: one check per credential and target, shared by whoever asks."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, cast

from backend.credentials.record import CredentialRecord
from backend.providers.waiting import CheckProgress
from backend.services import CheckReport, Services


class _Counting(Services):
    """Services whose live check is a stand-in: it counts, waits for `gate`, then answers
    with the next of `outcomes` (a report, or an error it raises)."""

    def __init__(self, *outcomes: object) -> None:
        super().__init__({})
        self.outcomes = list(outcomes)
        self.calls: list[tuple[str, str | None, str | None]] = []
        self.progress: list[CheckProgress | None] = []
        self.gate = threading.Event()
        self.gate.set()

    def check(
        self,
        provider: str,
        record: CredentialRecord,
        base_url: str | None = None,
        config_path: str | Path | None = None,
        progress: CheckProgress | None = None,
    ) -> CheckReport:
        self.calls.append((provider, base_url, None if config_path is None else str(config_path)))
        self.progress.append(progress)
        assert self.gate.wait(10)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return cast(CheckReport, outcome)


def _key(secret: str = "sk-ant-api03-same") -> CredentialRecord:
    return CredentialRecord("anthropic", "default", "api_key", secret=secret)


REPORT: Any = object()
OTHER: Any = object()


def test_asking_again_while_it_runs_gets_the_running_check() -> None:
    services = _Counting(REPORT)
    services.gate.clear()
    record = _key()
    first = services.check_async("anthropic", record, None, "seal.toml")
    again = services.check_async("anthropic", record, None, "seal.toml")
    assert again is first and not first.done()
    services.gate.set()
    assert first.result(10) is REPORT
    assert services.calls == [("anthropic", None, "seal.toml")]


def test_a_finished_check_is_kept_until_retry_asks_for_a_new_one() -> None:
    services = _Counting(REPORT, OTHER)
    record = _key()
    first = services.check_async("anthropic", record)
    assert first.result(10) is REPORT
    assert services.check_async("anthropic", record) is first
    retried = services.check_async("anthropic", record, fresh=True)
    assert retried is not first and retried.result(10) is OTHER
    assert len(services.calls) == 2
    # The newest one is the one kept.
    assert services.check_async("anthropic", record) is retried


def test_another_credential_or_target_is_another_check() -> None:
    services = _Counting(REPORT, REPORT, REPORT, REPORT)
    record = _key()
    first = services.check_async("anthropic", record, None, "a/seal.toml")
    first.result(10)
    # The same secret pasted again is a new credential: checked again, not assumed.
    assert services.check_async("anthropic", _key(), None, "a/seal.toml") is not first
    assert services.check_async("anthropic", record, "https://proxy.test", "a/seal.toml")
    assert services.check_async("anthropic", record, "https://proxy.test", "b/seal.toml")
    assert [c[1:] for c in services.calls] == [
        (None, "a/seal.toml"),
        (None, "a/seal.toml"),
        ("https://proxy.test", "a/seal.toml"),
        ("https://proxy.test", "b/seal.toml"),
    ]


def test_a_check_that_failed_is_sent_again() -> None:
    # An untrusted base_url refused before sending, then trusted: the next ask checks.
    services = _Counting(ValueError("refused"), REPORT)
    record = _key()
    failed = services.check_async("anthropic", record, "https://proxy.test")
    assert isinstance(failed.exception(10), ValueError)
    again = services.check_async("anthropic", record, "https://proxy.test")
    assert again is not failed and again.result(10) is REPORT
    assert len(services.calls) == 2


def test_the_latest_check_has_the_progress_its_waits_are_told_to() -> None:
    services = _Counting(REPORT, OTHER)
    first = services.check_async("anthropic", _key())
    assert first.result(10) is REPORT
    progress = services.check_progress(first)
    assert progress is not None and services.progress == [progress]
    again = services.check_async("anthropic", _key(), fresh=True)
    assert again.result(10) is OTHER
    # Retry's check has a progress of its own (its time starts again); the old one is gone.
    assert services.check_progress(again) is services.progress[1] is not progress
    assert services.check_progress(first) is None
