"""Bounded HTTP: every network step against a server that trickles, floods or nests deep.

Steps are test_faults' (each provider's check, each model list, the token exchange, the
refresh, the Console key minting). Faults from the loopback fake:
- trickle: one byte every quarter second, forever (body, or headers and body). Each byte
  comes long before the read timeout, so only the overall deadline (SEAL_HTTP_DEADLINE,
  1 s here) ends the request; without it the call never returns (the watchdog fails it).
- huge: a 1 GiB body (with or without content-length) or a 256 KB gzip body that
  inflates to 256 MiB. Refused with "more than 8 MB"; the fake counts the body bytes it
  sent, and memory is traced for the gzip one, so reading it whole cannot pass.
- deep: valid JSON nested 100 000 levels: the classification malformed JSON gets.
"""

from __future__ import annotations

import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from backend.errors import OAuthError, ProviderError
from backend.providers import live as providers
from backend.providers.live import Auth
from backend.system.http import MAX_BODY_BYTES
from backend.vocabulary.registry import PROVIDER_LABELS
from tests.cli.helpers import run_script, subprocess_env, write_config
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.reliability.conftest import Tally
from tests.reliability.test_faults import OAUTH_WHAT, STEPS, Step, prepare

CATEGORY = "bounded http"
DEADLINE = "1"  # seconds (SEAL_HTTP_DEADLINE); the trickle's bytes come every 0.25 s
HANG = 30.0  # seconds: a call still running then would have run forever
ids = [s.name.replace(" ", "-") for s in STEPS]


def outcome(run: Callable[[dict[str, str]], Any], env: dict[str, str]) -> tuple[str, str]:
    """(outcome, message) of one step, in a thread: ("hung", "") if it never returns."""
    box: list[tuple[str, str]] = []

    def target() -> None:
        try:
            result = run(env)
        except (OAuthError, ProviderError) as exc:
            box.append(("error", exc.message))
        except Exception as exc:  # a traceback: the case fails, saying what it was
            box.append(("crash", repr(exc)))
        else:
            assert isinstance(result, providers.CheckResult), result
            box.append((result.outcome, result.message))

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(HANG)
    return box[0] if box else ("hung", "")


def provider_of(step: Step) -> str:
    if "openrouter" in step.name:
        return "openrouter"
    return "openai" if "openai" in step.name else "anthropic"


def expected(step: Step, problem: str) -> tuple[str, list[str]]:
    """(outcome, words the message must hold) for `step` under trickle or huge."""
    if step.kind == "oauth":
        what = OAUTH_WHAT[step.name]
        if problem == "trickle":
            return "error", [f"did not answer in time ({what})"]
        return "error", ["answered with more than 8 MB", f"({what})"]
    name = PROVIDER_LABELS[provider_of(step)]
    outcome = "unverifiable" if step.kind == "check" else "error"
    if problem == "trickle":
        return outcome, [f"{name} at 127.0.0.1 did not answer in time", "within 1 s"]
    return outcome, [f"{name} answered with more than 8 MB", f"really the {name} API?"]


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
@pytest.mark.parametrize("step", STEPS, ids=ids)
def test_trickle_ends_at_the_deadline(
    step: Step,
    headers_too: bool,
    fake_provider: FakeProvider,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    run = prepare(step, fake_provider, tmp_path)
    monkeypatch.setenv("SEAL_HTTP_DEADLINE", DEADLINE)
    fake_provider.trickle(step.path, rate=4, headers_too=headers_too, times=None)
    got, message = outcome(run, fake_provider.env())
    want, needles = expected(step, "trickle")
    # The bytes kept coming: a per-read timeout never fired, the deadline did.
    trickled = headers_too or fake_provider.body_bytes_sent(step.path) >= 1
    held = got == want and all(n in message for n in needles) and trickled
    tally.record(CATEGORY, held)
    assert held, (got, message, needles, fake_provider.body_bytes_sent(step.path))


HUGE = {
    "streamed": {"size": 1 << 30},
    "declared": {"size": 1 << 30, "content_length": True},
    "gzip": {"size": 256 << 20, "gzip": True},
}


@pytest.mark.parametrize("variant", HUGE)
@pytest.mark.parametrize("step", STEPS, ids=ids)
def test_huge_body_is_refused_unread(
    step: Step,
    variant: str,
    fake_provider: FakeProvider,
    tmp_path: Path,
    tally: Tally,
) -> None:
    run = prepare(step, fake_provider, tmp_path)
    fake_provider.huge(step.path, times=None, **HUGE[variant])
    tracemalloc.start()
    try:
        got, message = outcome(run, fake_provider.env())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    want, needles = expected(step, "huge")
    sent = fake_provider.body_bytes_sent(step.path)
    # Of 1 GiB, only what the cap and the socket buffers took left the fake. gzip sends
    # all of its 256 KB, but inflating one 64 KB chunk unbounded makes 64 MiB at once.
    bounded = sent < 64 << 20 and peak < 3 * MAX_BODY_BYTES
    held = got == want and all(n in message for n in needles) and bounded
    tally.record(CATEGORY, held)
    assert held, (got, message, needles, sent, peak)


@pytest.mark.parametrize("step", STEPS, ids=ids)
def test_deep_json_is_malformed_json(
    step: Step, fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    run = prepare(step, fake_provider, tmp_path)
    fake_provider.malformed(step.path, times=None)
    as_malformed = outcome(run, fake_provider.env())
    fake_provider.clear_faults()
    fake_provider.deep(step.path, times=None)
    as_deep = outcome(run, fake_provider.env())
    # Exactly what malformed JSON gets, and that is a classified failure, not a traceback.
    held = as_deep == as_malformed and as_deep[0] in ("unverifiable", "error")
    held = held and ("not the expected JSON" in as_deep[1] or "not JSON" in as_deep[1])
    tally.record(CATEGORY, held)
    assert held, (as_deep, as_malformed)


def test_deep_json_error_body_still_rejects(fake_provider: FakeProvider, tally: Tally) -> None:
    # A 401 whose body nests deep: the status still decides, the body is read as text.
    deep = b'{"error": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    fake_provider.fail("/v1/models", 401, body=deep, times=None)
    result = providers.check("anthropic", Auth("api_key", ANTHROPIC_KEY), env=fake_provider.env())
    held = result.outcome == "rejected" and "Rejected by Anthropic" in result.message
    tally.record(CATEGORY, held)
    assert held, result.message


def test_status_probe_ends_at_the_deadline(
    fake_provider: FakeProvider, tmp_path: Path, isolated_env: Path, tally: Tally
) -> None:
    # The installed command, a trickling Anthropic: `status --probe` says so and ends
    # (subprocess timeout: 60 s; the deadline is 1 s).
    project = tmp_path / "project"
    project.mkdir()
    write_config(
        project / "seal.toml",
        '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "env"\n',
    )
    fake_provider.trickle("/v1/models", rate=4, times=None)
    env = subprocess_env(
        isolated_env, fake_provider, SEAL_HTTP_DEADLINE=DEADLINE, ANTHROPIC_API_KEY=ANTHROPIC_KEY
    )
    done = run_script(["status", "--probe"], env, project)
    held = done.returncode == 2 and "no complete answer within 1 s" in done.stdout
    held = held and "Traceback" not in done.stderr
    tally.record(CATEGORY, held)
    assert held, (done.returncode, done.stdout, done.stderr)
