"""Writes of a rotating sign-in never undo a refresh (issue 11 §6).

A refresh spends the old refresh token. A write made from a record read before the
refresh puts the spent token back, and the next refresh gets invalid_grant: the person is
signed out. Each case sets one interleaving up exactly (a hook in the fake provider, or a
store that runs something between a writer's read and its write), then checks that the
store holds a refresh token the provider still accepts and that a further refresh works:

- the probe reads R1, a refresh rotates it to R2 while the probe's check is under way,
  then the probe stamps (verified) or marks (stale, after a 401): R2 is kept, and the
  stamp is not put on R2, whose token was never checked;
- a refresh comes while the stamp or the stale mark is between its read and its write:
  it waits for the write (the lock is held there), then rotates the record as written;
- a failed seal.toml save rolls back only seal-setup's own credential write;
- two processes probing the same sign-in at once (each round refreshes): every refresh
  used a live token, and the one stored at the end still works.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from backend.auth import oauth
from backend.config.document import load_config
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.stores import FileStore
from backend.credentials.writes import lock_path
from backend.errors import ConfigError
from backend.status import Report, build_report, probe
from backend.system.atomic import LockTimeout, file_lock
from backend.wizard.answers import Answers
from backend.wizard.onboarding import apply_answers, commit
from tests.cli.helpers import subprocess_env
from tests.fakes.provider import FakeProvider
from tests.reliability.concurrent_writer import run_together
from tests.reliability.conftest import Tally

ROOT = Path(__file__).resolve().parents[2]
TOKEN_PATH = "/v1/oauth/token"
MODELS_PATH = "/v1/models"
CATEGORY = "oauth writes"


def signed_in(
    fake: FakeProvider, verified_at: Any = None, lifetime: timedelta = timedelta(hours=1)
) -> CredentialRecord:
    """A sign-in as the token endpoint issued it (an hour: no refresh due)."""
    return fake.signed_in(lifetime.total_seconds(), verified_at)


class PausingStore:
    """A FileStore that runs `between` once, at its next put: after the writer's read
    and before its write, the window a concurrent writer could land in."""

    name = "file"

    def __init__(self, inner: FileStore) -> None:
        self.inner = inner
        self.between: Callable[[], None] | None = None

    @property
    def location(self) -> str:
        return self.inner.location

    def get(self, provider: str, profile: str) -> CredentialRecord | None:
        return self.inner.get(provider, profile)

    def put(self, record: CredentialRecord) -> None:
        between, self.between = self.between, None
        if between is not None:
            between()
        self.inner.put(record)

    def delete(self, provider: str, profile: str) -> bool:
        return self.inner.delete(provider, profile)

    def list(self) -> list[CredentialRecord]:
        return self.inner.list()


@pytest.fixture
def env(fake_provider: FakeProvider) -> dict[str, str]:
    """The fake's URLs and this test's state dir (where the record lock lives)."""
    return {**fake_provider.env(), "XDG_STATE_HOME": os.environ["XDG_STATE_HOME"]}


def refresh_now(store: Any, env: dict[str, str]) -> CredentialRecord:
    """What Seal or another seal-setup does when the sign-in is due: refresh it."""
    return oauth.ensure_fresh(store, "anthropic", "default", env=env, skew=2 * 3600)


def still_signed_in(store: Any, env: dict[str, str], fake: FakeProvider) -> bool:
    """The stored refresh token is live at the provider, and refreshing with it works."""
    stored = store.get("anthropic", "default")
    if stored is None or stored.refresh_token not in fake.live_refresh_tokens():
        return False
    try:
        refresh_now(store, env)
    except oauth.OAuthError:
        return False
    return True


def probe_store(store: Any, env: dict[str, str]) -> Report:
    return probe(build_report(None, store, env), env, store)


@pytest.mark.parametrize("answer", ["verified", "rejected"])
def test_refresh_during_the_check_is_kept(
    answer: str,
    fake_provider: FakeProvider,
    env: dict[str, str],
    tmp_path: Path,
    tally: Tally,
) -> None:
    """Probe reads R1 → a refresh rotates it to R2 → the probe stamps or marks R1."""
    earlier = utcnow() - timedelta(hours=3)
    r1 = signed_in(fake_provider, verified_at=earlier)
    store = FileStore(tmp_path / "credentials.json")
    store.put(r1)
    rotated: list[CredentialRecord] = []
    errors: list[BaseException] = []

    def rotate_while_checking() -> None:
        try:
            rotated.append(refresh_now(store, env))
            if answer == "rejected":
                fake_provider.revoke(r1.access_token or "")  # the check of R1 gets a 401
        except BaseException as exc:  # reported below, not lost in the server thread
            errors.append(exc)

    fake_provider.on_request(MODELS_PATH, rotate_while_checking)
    report = probe_store(store, env)
    assert not errors, errors
    (entry,) = report.entries
    (r2,) = rotated
    stored = store.get("anthropic", "default")
    assert stored is not None
    held = (
        entry.state == ("ok" if answer == "verified" else "rejected")
        and stored.refresh_token == r2.refresh_token
        and stored.access_token == r2.access_token
        # R2's token was not the one checked: it keeps its own stamps.
        and stored.verified_at == earlier
        and stored.stale is False
        and still_signed_in(store, env, fake_provider)
    )
    tally.record(CATEGORY, held)
    assert held, (entry, stored)


@pytest.mark.parametrize("answer", ["verified", "rejected"])
def test_refresh_between_read_and_write_waits(
    answer: str,
    fake_provider: FakeProvider,
    env: dict[str, str],
    tmp_path: Path,
    tally: Tally,
) -> None:
    """A refresh that comes while the stamp (or stale mark) has read R1 and not yet
    written: the record lock is held, so the refresh waits and rotates what was written."""
    r1 = signed_in(fake_provider)
    store = PausingStore(FileStore(tmp_path / "credentials.json"))
    store.put(r1)
    if answer == "rejected":
        fake_provider.revoke(r1.access_token or "")
    lock = lock_path("anthropic", "default", env)
    seen: dict[str, bool] = {}
    refresher: list[threading.Thread] = []
    errors: list[BaseException] = []

    def refresh_in_thread() -> None:
        try:
            refresh_now(store, env)
        except BaseException as exc:  # reported below
            errors.append(exc)

    def refresh_comes() -> None:
        try:
            with file_lock(lock, timeout=0):
                seen["locked"] = False
        except LockTimeout:
            seen["locked"] = True
        thread = threading.Thread(target=refresh_in_thread)
        refresher.append(thread)
        thread.start()
        if not seen["locked"]:
            # Nothing holds the writer back: the refresh runs to its end inside the window.
            thread.join(timeout=30)

    store.between = refresh_comes
    report = probe_store(store, env)
    for thread in refresher:
        thread.join(timeout=30)
    assert refresher and not any(t.is_alive() for t in refresher)
    assert not errors, errors
    (entry,) = report.entries
    stored = store.get("anthropic", "default")
    assert stored is not None
    mark = (
        stored.verified_at is not None  # stamped on R1, carried over by the refresh
        if answer == "verified"
        else stored.stale is False  # R1 marked stale, and the refresh cleared it
    )
    held = (
        seen.get("locked") is True
        and entry.state == ("ok" if answer == "verified" else "rejected")
        and stored.access_token != r1.access_token
        and fake_provider.count(TOKEN_PATH) == 1
        and mark
        and still_signed_in(store, env, fake_provider)
    )
    tally.record(CATEGORY, held)
    assert held, (seen, entry, stored)


def test_failed_save_rolls_back_only_its_own_write(
    fake_provider: FakeProvider,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    """Write stores a new sign-in N, then the seal.toml save fails. Untouched, the
    rollback puts the old sign-in back; when N was refreshed to N2 meanwhile (Seal used
    it), the rollback leaves N2: it is no longer seal-setup's write to undo."""
    config_path = tmp_path / "seal.toml"
    results: dict[str, bool] = {}
    for case in ("untouched", "refreshed meanwhile"):
        store = FileStore(tmp_path / case / "credentials.json")
        old, new = signed_in(fake_provider), signed_in(fake_provider)
        store.put(old)
        answers = Answers(provider="anthropic", method="oauth", model="claude-sonnet-4-6")
        answers.record, answers.config_path = new, str(config_path)
        config = load_config(config_path)
        apply_answers(config, answers)
        refreshed: list[CredentialRecord] = []

        def save_fails(
            case: str = case,
            store: FileStore = store,
            refreshed: list[CredentialRecord] = refreshed,
            **_: Any,
        ) -> Any:
            if case == "refreshed meanwhile":
                refreshed.append(refresh_now(store, env))
            raise ConfigError("cannot write seal.toml: No space left on device")

        monkeypatch.setattr(config, "save", save_fails)
        with pytest.raises(ConfigError):
            commit(answers, config, store, env=env)
        stored = store.get("anthropic", "default")
        if refreshed:
            results[case] = (
                stored is not None
                and stored.refresh_token == refreshed[0].refresh_token
                and stored.refresh_token in fake_provider.live_refresh_tokens()
            )
        else:
            results[case] = stored == old
        tally.record(CATEGORY, results[case])
    assert all(results.values()), results


PROBES = 25


def test_two_processes_probing_never_lose_the_rotated_token(tmp_path: Path, tally: Tally) -> None:
    """Two `status --probe` loops on one sign-in whose every use refreshes it."""
    with FakeProvider(token_lifetime=30) as fake:
        home = tmp_path / "home"
        store = FileStore(home / ".config" / "seal" / "credentials.json")
        store.put(signed_in(fake, lifetime=timedelta(seconds=30)))
        command = [sys.executable, "-m", "tests.reliability.oauth_writer", str(PROBES)]
        reports = run_together([command, command], subprocess_env(home, fake))
        states = [s for r in reports for s in r["states"]]
        notes = [n for r in reports for n in r["notes"] if n]
        refreshes = fake.count(TOKEN_PATH)
        stored = store.get("anthropic", "default")
        held = (
            states == ["ok"] * (2 * PROBES)
            and refreshes == 2 * PROBES  # one per round: each used a live token
            and stored is not None
            and stored.refresh_token in fake.live_refresh_tokens()
            and stored.verified_at is not None
        )
        tally.record(CATEGORY, held)
        assert held, (states, notes, refreshes)
        # And the sign-in still works afterwards.
        assert oauth.refresh(stored, env=fake.env()).access_token
