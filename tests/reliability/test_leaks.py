"""A canary secret through every auth method: it may live in the credential store only.

Each canary is registered as valid at the fake provider (or issued by it: OAuth tokens, the
Console's minted key), then taken through the non-interactive CLI as a subprocess (stdout,
stderr, and the argv of its process tree sampled while it runs), through the wizard's
error paths (Pilot, logs at DEBUG, Textual's own log file, a screenshot at every step), and
one real-terminal walk under tmux. Afterwards the canary (and any 12-char window of its
hidden part) must be found nowhere but the store: not in seal.toml or its backup, not in
any other file, not in logs, messages or tracebacks, not on screen, not in the repr of
what holds it. The wizard's own walk of every method carries the same checks: the flows of
tests/tui/test_flows.py walk with canaries (tests/support/leaks.py).
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from backend.credentials.stores import KeyringStore, StoreChoice
from tests.cli.helpers import SEAL_SETUP, subprocess_env
from tests.conftest import require_tools
from tests.fakes.provider import (
    ANTHROPIC_KEY,
    OPENAI_KEY,
    OPENROUTER_KEY,
    SETUP_TOKEN,
    FakeProvider,
)
from tests.reliability.conftest import Tally
from tests.reliability.leakcheck import ArgvSamples, RecordingHandler, canary, svg_text
from tests.support.leaks import (
    CASE_IDS,
    CASES,
    EXISTING_TOML,
    Case,
    Shots,
    arm,
    check,
    check_files,
    write_claude_code,
)
from tests.tui.harness import (
    SIZE,
    Harness,
    browser_sign_in,
    build,
    paste,
    press_next,
    sign_in_url,
    text_of,
    wait_check,
    wait_for,
)

REPO = Path(__file__).resolve().parents[2]


# --- errors after the paste: messages and tracebacks ------------------------------------------


def anthropic_echo(status: int, secret: str) -> dict[str, Any]:
    """An error body that repeats the key sent (some proxies do)."""
    message = f"invalid x-api-key {secret}"
    return {"type": "error", "error": {"type": "authentication_error", "message": message}}


class ExplodingStore:
    """A store whose put fails with a bare exception (a bug, not a CredentialStoreError)."""

    name = "memory"
    location = "memory (exploding)"

    def get(self, provider: str, profile: str) -> None:
        return None

    def put(self, record: object) -> None:
        raise RuntimeError("the store exploded")

    def delete(self, provider: str, profile: str) -> bool:
        return False

    def list(self) -> list[object]:
        return []


ERROR_CASES = [
    "check-fails",  # a 401 whose body echoes the key, then Retry: a 500, keep unverified
    "store-fails",  # the keyring echoes the password in its error; then a store raises
    "token-lifetime-overflow",
    "sign-in-crashes",
    "console-mint-500",
]


@pytest.mark.parametrize("scenario", ERROR_CASES)
async def test_errors_after_the_paste_keep_the_canary_out(
    scenario: str,
    fake_provider: FakeProvider,
    tmp_path: Path,
    logs: RecordingHandler,
    caplog: pytest.LogCaptureFixture,
    textual_log: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    from tests.reliability.flaky_keyring import FlakyKeyring

    key = canary("sk-ant-api03-", 108, "Er")
    access, refresh = canary("sk-ant-oat01-", 108, "Ea"), canary("sk-ant-ort01-", 108, "Eb")
    secrets = (key, access, refresh)
    fake_provider.add_key("anthropic", key)
    h = build(fake_provider, tmp_path, config_text=EXISTING_TOML)
    before = h.config_text()
    flaky = FlakyKeyring(tmp_path / "keyring.json", fail_on_set=1, echo=True)
    if scenario == "store-fails":
        store = KeyringStore(flaky, lock_dir=tmp_path / "locks")
        h.services._store_factory = lambda: StoreChoice(store, "keyring", "test keyring")
    shots = await _error_walk(scenario, h, key, access, refresh, fake_provider, monkeypatch)
    out, err = capsys.readouterr()
    for label, text in shots.texts:
        check(tally, "screen", text, secrets, f"({scenario}: {label})")
    check(tally, "tracebacks", out + err, secrets, f"({scenario}: crash report)")
    check(tally, "logs", logs.text + caplog.text, secrets, f"({scenario})")
    textual_text = textual_log.read_text(encoding="utf-8") if textual_log.exists() else ""
    check(tally, "textual log", textual_text, secrets, f"({scenario})")
    reprs = repr(h.app.answers) + repr(h.app.answers.record)
    check(tally, "repr", reprs, secrets, f"({scenario})")
    if scenario == "store-fails":
        assert h.app.return_code in (None, 0)  # a message on Review, not a crash
    if scenario != "token-lifetime-overflow":
        # Nothing half-written on any failure: seal.toml untouched, nothing stored.
        assert h.config_text() == before
        assert not h.config_path.with_name("seal.toml.bak").exists()
        assert h.store.list() == []
        assert flaky.entries() == {}
    check_files(tally, [tmp_path], secrets, {tmp_path / "keyring.json"})


async def _error_walk(
    scenario: str,
    h: Harness,
    key: str,
    access: str,
    refresh: str,
    fake_provider: FakeProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> Shots:
    from screens.authorize import AuthorizeScreen
    from tests.tui.harness import goto, press

    async with h.app.run_test(size=SIZE) as pilot:
        shots = Shots(pilot)
        if scenario == "check-fails":
            fake_provider.fail("/v1/models", 401, body=anthropic_echo(401, key))
            await goto(pilot, "api_key", secret=key)
            await shots.take("pasted")
            await press_next(pilot)
            await wait_check(pilot, "✗")
            await shots.take("rejected")
            fake_provider.fail("/v1/models", 500, times=None)
            await press(pilot, "retry")
            await wait_for(pilot, lambda: text_of(pilot, "#check-status").startswith("⚠"), "⚠")
            await shots.take("unverifiable")
            await press(pilot, "unverified")
            await shots.take("keep unverified?")
        elif scenario == "store-fails":
            await goto(pilot, "review", secret=key, model="claude-sonnet-4-6")
            await shots.take("review")
            await press_next(pilot)  # Write
            await wait_for(pilot, lambda: text_of(pilot, "#write-status").startswith("✗"), "error")
            status = text_of(pilot, "#write-status")
            assert "SEAL_CREDENTIAL_STORE=file" in status
            assert "[redacted]" in status, status
            await shots.take("keyring refused")
            # Now a store that fails with a bare exception (a backend's own bug): Review
            # says so on screen, and the wizard stays up.
            crashing = ExplodingStore()
            h.services._store_choice = StoreChoice(crashing, "memory", "exploding")  # type: ignore[arg-type]
            await press_next(pilot)  # Write again
            await wait_for(
                pilot,
                lambda: "failed unexpectedly (RuntimeError)" in text_of(pilot, "#write-status"),
                "the unexpected-error message",
            )
            await shots.take("store raised")
        else:
            method = "console_oauth" if scenario == "console-mint-500" else "oauth"
            body: dict[str, Any] = {
                "access_token": access,
                "refresh_token": refresh,
                "expires_in": 1e300 if scenario == "token-lifetime-overflow" else 3600,
                "scope": "user:inference user:profile org:create_api_key",
            }
            if scenario == "console-mint-500":
                fake_provider.next_tokens.append((access, refresh))
                fake_provider.fail("/api/oauth/claude_cli/create_api_key", 500, times=None)
            else:
                fake_provider.fail("/v1/oauth/token", 200, body=body)
                fake_provider.add_key("anthropic-bearer", access)
            if scenario == "sign-in-crashes":
                import backend.auth.oauth

                def crash(*args: object, **kwargs: object) -> object:
                    raise RuntimeError("record_from_tokens broke")

                monkeypatch.setattr(backend.auth.oauth, "record_from_tokens", crash)
            await goto(pilot, "authorize", method=method)
            _, url = await sign_in_url(pilot)
            code = await asyncio.to_thread(browser_sign_in, url)
            await paste(pilot, "#code", code)
            await shots.take("code pasted")
            await press_next(pilot)
            if scenario == "token-lifetime-overflow":
                # A nonsense lifetime is not a crash: the sign-in goes on (1 h assumed).
                await wait_check(pilot, "✓")
                assert h.app.answers.record is not None
                assert h.app.answers.record.access_token == access
            else:
                await wait_for(
                    pilot, lambda: text_of(pilot, "#feedback").startswith("✗"), "sign-in error"
                )
                assert isinstance(pilot.app.screen, AuthorizeScreen)
            await shots.take("after sign-in")
    return shots


# --- the non-interactive CLI, as a subprocess ----------------------------------------------


def run_cli(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    stdin: str | None,
    fake: FakeProvider,
    samples: ArgvSamples,
) -> tuple[int, str, str]:
    """Run the console script; sample its process tree's argv until it exits. For a
    sign-in (stdin None) play the browser: read the URL from stderr, answer code#state."""
    proc = subprocess.Popen(
        [str(SEAL_SETUP), *argv],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )
    stop = threading.Event()

    def sampler() -> None:
        # Until the process is gone, not until a sample finds nothing: while it execs, its
        # /proc cmdline reads empty for a moment, and a first sample there ended sampling.
        while not stop.is_set() and proc.poll() is None:
            samples.sample(proc.pid)
            time.sleep(0.02)

    chunks: dict[str, list[str]] = {"out": [], "err": []}

    def reader(name: str, stream: Any) -> None:
        for line in stream:
            chunks[name].append(line)

    threads = [threading.Thread(target=sampler, daemon=True)]
    threads += [
        threading.Thread(target=reader, args=(name, stream), daemon=True)
        for name, stream in (("out", proc.stdout), ("err", proc.stderr))
    ]
    for thread in threads:
        thread.start()
    try:
        assert proc.stdin is not None
        if stdin is None:
            deadline = time.monotonic() + 30
            url = ""
            while not url and time.monotonic() < deadline and proc.poll() is None:
                url = next((x.strip() for x in chunks["err"] if "/oauth/authorize?" in x), "")
                time.sleep(0.02)
            assert url, "".join(chunks["err"])
            proc.stdin.write(browser_sign_in(url) + "\n")
        else:
            proc.stdin.write(stdin)
        proc.stdin.close()
        proc.wait(timeout=60)
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for thread in threads:
            thread.join(timeout=10)
    return proc.returncode, "".join(chunks["out"]), "".join(chunks["err"])


def cli_args(case: Case, config: Path) -> list[str]:
    return [
        "onboard",
        "--non-interactive",
        "--config",
        str(config),
        "--provider",
        case.provider,
        "--auth",
        case.method,
        "--model",
        case.model,
    ]


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_cli_keeps_the_canary_in_the_store(
    case: Case, fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    assert SEAL_SETUP.exists(), SEAL_SETUP
    arm(fake_provider, case)
    # The check takes a moment, so the argv sampler sees the process at work: on every
    # path (OpenAI's and OpenRouter's checks are not /v1/models, and without the pause a
    # quick run was sometimes over before the first sample).
    fake_provider.latency("*", 0.3)
    home = tmp_path / "home"
    project = tmp_path / "project"
    project.mkdir()
    config = project / "seal.toml"
    config.write_text(EXISTING_TOML, encoding="utf-8")
    extra = {"SEAL_HTTP_TRIES": "1"}
    if case.method == "env":
        extra["ANTHROPIC_API_KEY"] = case.canaries[0]
    env = subprocess_env(home, fake_provider, **extra)
    cc_file = None
    if case.method == "claude_code":
        cc_file = write_claude_code(home / ".claude" / ".credentials.json", *case.canaries[:2])
    stdin = f"{case.canaries[0]}\n" if case.method in ("api_key", "setup_token") else None
    if case.method in ("oauth", "console_oauth", "claude_code", "env"):
        stdin = None if case.method in ("oauth", "console_oauth") else ""
    samples = ArgvSamples()
    code, out, err = run_cli(cli_args(case, config), env, project, stdin, fake_provider, samples)
    assert code == 0, err
    secrets = case.canaries
    credentials = home / ".config" / "seal" / "credentials.json"
    if case.stored:
        assert case.canaries[0] in credentials.read_text(encoding="utf-8")
    else:
        assert not credentials.exists()
    assert samples.cmdlines, "the process was never seen running"
    assert any("--non-interactive" in line for line in samples.cmdlines)
    check(tally, "argv", samples.text, secrets)
    check(tally, "stdout/stderr", out + err, secrets)
    allowed = {credentials} | ({cc_file} if cc_file else set())
    check_files(tally, [home, project], secrets, allowed)
    assert config.with_name("seal.toml.bak").exists()


CLI_ERRORS = ["check-401-echoes-key", "check-500", "keyring-echoes-password", "store-unwritable"]


@pytest.mark.parametrize("scenario", CLI_ERRORS)
def test_cli_errors_keep_the_canary_out(
    scenario: str, fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    key = canary("sk-ant-api03-", 108, "Ce")
    fake_provider.add_key("anthropic", key)
    home = tmp_path / "home"
    project = tmp_path / "project"
    project.mkdir()
    config = project / "seal.toml"
    config.write_text(EXISTING_TOML, encoding="utf-8")
    extra = {"SEAL_HTTP_TRIES": "1"}
    if scenario == "check-401-echoes-key":
        fake_provider.fail("/v1/models", 401, body=anthropic_echo(401, key))
    elif scenario == "check-500":
        fake_provider.fail("/v1/models", 500, times=None)
    elif scenario == "keyring-echoes-password":
        extra.update(
            SEAL_CREDENTIAL_STORE="keyring",
            PYTHON_KEYRING_BACKEND="tests.reliability.flaky_keyring.FlakyKeyring",
            PYTHONPATH=str(REPO),
            SEAL_TEST_KEYRING_FILE=str(tmp_path / "keyring.json"),
            SEAL_TEST_KEYRING_FAIL_SET="1",
            SEAL_TEST_KEYRING_ECHO="1",
        )
    else:
        # A directory where the credentials file should be (works as root, unlike chmod).
        (home / ".config" / "seal" / "credentials.json").mkdir(parents=True)
    env = subprocess_env(home, fake_provider, **extra)
    case = CASES[0]
    samples = ArgvSamples()
    code, out, err = run_cli(
        cli_args(case, config), env, project, key + "\n", fake_provider, samples
    )
    assert code != 0, out
    assert err.strip(), "the failure is explained"
    if scenario == "keyring-echoes-password":
        assert "[redacted]" in err and "SEAL_CREDENTIAL_STORE=file" in err, err
    check(tally, "stdout/stderr", out + err, (key,), f"({scenario})")
    check(tally, "tracebacks", err, (key,), f"({scenario})")
    check(tally, "argv", samples.text, (key,), f"({scenario})")
    assert config.read_text(encoding="utf-8") == EXISTING_TOML
    assert not config.with_name("seal.toml.bak").exists()
    check_files(tally, [home, project], (key,), set())


# --- a real terminal (tmux) -------------------------------------------------------------


@pytest.mark.system
def test_tmux_walk_never_shows_the_canary(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    require_tools("tmux")

    from tests.e2e.conftest import Fake
    from tests.e2e.test_wizard_tmux import Wizard, start_setup
    from tests.e2e.tmux_driver import TmuxSession

    key = canary("sk-ant-api03-", 108, "Tm")
    fake_provider.add_key("anthropic", key)
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    project = tmp_path / "project"
    project.mkdir()
    (project / "seal.toml").write_text(EXISTING_TOML, encoding="utf-8")
    env = subprocess_env(home, TERM="xterm-256color", SEAL_NO_BROWSER="1", **fake_provider.env())
    with TmuxSession(f"{SEAL_SETUP}; echo EXIT=$?", cwd=project, env=env) as term:
        w = Wizard(term, home, project, env, Fake(fake_provider.base_url))
        start_setup(w)
        term.keys("Enter")  # API key
        term.wait_for("Paste your API key")
        term.paste(f'  "{key}"\n')
        term.wait_for("✓ Looks right")
        term.keys("Enter")
        term.wait_for("✓ Verified")
        term.keys("C-n")
        term.wait_for(lambda s: "Live list from Anthropic" in s and "max output" in s)
        term.type("sonnet")
        term.wait_for(lambda s: "claude-sonnet-4-6" in s and "claude-opus-4-8" not in s)
        term.keys("Enter")
        term.wait_for("Review and write")
        term.wait_for('+name = "claude-sonnet-4-6"')
        term.keys("C-n")  # Write
        term.wait_for("All set")
        term.keys("C-n")  # Finish
        assert w.wait_exit() == 0
        screens = list(term.screens)
    assert len(screens) >= 8, "a screen capture at every step"
    for number, screen in enumerate(screens):
        check(tally, "screen", screen, (key,), f"(tmux capture {number})")
    credentials = home / ".config" / "seal" / "credentials.json"
    assert key in credentials.read_text(encoding="utf-8")
    check_files(tally, [home, project], (key,), {credentials})


def test_snapshots_hold_no_secret(tally: Tally) -> None:
    """The committed snapshot SVGs were made with the fake's keys: none may show one."""
    folder = REPO / "tests" / "snapshots" / "__snapshots__"
    svgs = sorted(folder.rglob("*.svg")) if folder.exists() else []
    if not svgs:
        pytest.skip("no snapshot SVGs in this checkout")
    keys = (ANTHROPIC_KEY, SETUP_TOKEN, OPENROUTER_KEY, OPENAI_KEY)
    for svg in svgs:
        raw = svg.read_text(encoding="utf-8")
        check(tally, "snapshots", raw + "\n" + svg_text(raw), keys, f"({svg.name})")
