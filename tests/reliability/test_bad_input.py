"""Bad input, field by field (bad_inputs.py): every entry through the non-interactive command
line, and through the wizard where the field exists there.

Each case must hold all of: the specific message (a distinctive substring, never a generic
one), the exit code of DESIGN §5 (2 input, 3 config), no traceback, and nothing written:
seal.toml byte-identical, no backup or temp file, the credential store byte-identical.
The wizard runs one app per field kind and tries every input in the same field.
"""

from __future__ import annotations

import io
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static

from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.stores import FileStore
from backend.wizard.answers import Answers
from tests.cli.helpers import run_script, subprocess_env
from tests.fakes.provider import ANTHROPIC_KEY, OPENAI_KEY, OPENROUTER_KEY, FakeProvider
from tests.reliability.bad_inputs import BAD_INPUTS, DEV_NULL, Bad
from tests.reliability.conftest import Tally
from tests.reliability.crashcheck import crashed
from tests.tui.harness import SIZE, build, next_enabled, text_of, wait_for, wait_screen
from tui.cli import main

VALID_KEYS = {"anthropic": ANTHROPIC_KEY, "openrouter": OPENROUTER_KEY, "openai": OPENAI_KEY}
PREVIOUS_KEY = "sk-ant-api03-" + "PreviousKey00000" * 5 + "zz00zzzzzz"  # 108 chars

CONFIG = """\
# project settings: must survive every refusal byte for byte
[model]
provider = "anthropic"
name = "claude-sonnet-4-6"   # the default model
auth = "api_key"

[agents.research.model]
name = "claude-opus-4-7"
"""


@pytest.fixture(autouse=True)
def _file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEAL_CREDENTIAL_STORE", "file")


# --- the command line ---------------------------------------------------------------------


def _project(tmp_path: Path) -> Path:
    """seal.toml, the odd paths the config cases point at, and a stored credential."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "seal.toml").write_text(CONFIG, encoding="utf-8")
    (project / "adir").mkdir()
    (project / "afile").write_text("a file, not a folder\n", encoding="utf-8")
    os.mknod(project / "devnull", stat.S_IFCHR | 0o666, os.makedev(1, 3))  # /dev/null's twin
    os.mkfifo(project / "fifo")  # reading it would block forever: it must be refused first
    FileStore().put(
        CredentialRecord("anthropic", "default", "api_key", secret=PREVIOUS_KEY).with_changes(
            verified_at=utcnow()
        )
    )
    return project


def _snapshot(project: Path) -> dict[str, Any]:
    """Every name in the project folder with its bytes, and the credential file's bytes."""
    files: dict[str, Any] = {}
    for entry in sorted(project.iterdir()):
        mode = entry.lstat().st_mode
        files[entry.name] = entry.read_bytes() if stat.S_ISREG(mode) else stat.S_IFMT(mode)
    store_file = FileStore().path
    files["<store>"] = store_file.read_bytes() if store_file.exists() else None
    return files


def _argv(bad: Bad, project: Path) -> tuple[list[str], str]:
    """The command line and stdin for one case."""
    config = str(project / "seal.toml")
    provider, method = bad.provider, "api_key"
    flags: list[str] = []
    stdin = VALID_KEYS[provider]
    if bad.field == "api_key":
        stdin = bad.value
    elif bad.field == "setup_token":
        method, stdin = "setup_token", bad.value
    elif bad.field == "sign_in":
        method, stdin = bad.flag, bad.value + ("\n" if bad.value else "")
    elif bad.field == "config":
        config = bad.value.replace("{tmp}", str(project))
    elif bad.field == "thinking_budget":
        model = ["--model", "claude-sonnet-4-6"]
        manual = [] if bad.id == "budget-without-manual" else ["--thinking", "manual"]
        flags = [*model, *manual, bad.flag, bad.value]
    elif bad.field == "max_tokens":
        flags = ["--model", "claude-sonnet-4-6", bad.flag, bad.value]
    else:
        flags = [bad.flag, bad.value]
    argv = ["onboard", "--non-interactive", "--config", config, "--provider", provider]
    return [*argv, "--auth", method, *flags], stdin


def _run_cli(
    argv: list[str], stdin: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own refusals
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _check_cli(
    bad: Bad,
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    assert bad.cli is not None
    before = _snapshot(project)
    argv, stdin = _argv(bad, project)
    code, out, err = _run_cli(argv, stdin, capsys, monkeypatch)
    expected = bad.cli.replace("{tmp}", str(project))
    problems = []
    if code != bad.exit_code:
        problems.append(f"exit {code}, expected {bad.exit_code}")
    if expected not in err:
        problems.append(f"message {expected!r} not in stderr")
    if "Traceback" in out + err:
        problems.append("a traceback")
    if _snapshot(project) != before:
        problems.append("something was written")
    tally.record("bad input (cli)", not problems)
    assert not problems, f"{bad.id}: {problems}\nstdout: {out[-500:]}\nstderr: {err[-800:]}"


@pytest.mark.parametrize("bad", [b for b in BAD_INPUTS if b.cli], ids=lambda b: b.id)
def test_cli_refuses_bad_input(
    bad: Bad,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: FakeProvider,
    tally: Tally,
) -> None:
    _check_cli(bad, _project(tmp_path), capsys, monkeypatch, tally)


def test_cli_refuses_dev_null_without_touching_it(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fake_provider_env: FakeProvider,
    tally: Tally,
) -> None:
    """--config /dev/null once replaced the machine's /dev/null with a plain file."""
    project = _project(tmp_path)
    twin = next(b for b in BAD_INPUTS if b.id == "config-device")
    _check_cli(twin, project, capsys, monkeypatch, tally)  # fails here, before /dev/null
    before = os.stat("/dev/null")
    _check_cli(DEV_NULL, project, capsys, monkeypatch, tally)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert not Path("/dev/null.bak").exists()


SUBPROCESS_SAMPLE = ("ant-openrouter-key", "code-foreign-state", "header-crlf", "config-directory")


@pytest.mark.parametrize("case_id", SUBPROCESS_SAMPLE)
def test_console_script_refuses_bad_input(
    case_id: str,
    tmp_path: Path,
    fake_provider: FakeProvider,
    monkeypatch: pytest.MonkeyPatch,
    tally: Tally,
) -> None:
    """A sample through the installed `seal-setup`, as a script would run it."""
    bad = next(b for b in BAD_INPUTS if b.id == case_id)
    assert bad.cli is not None
    home = tmp_path / "home"
    env = subprocess_env(home, fake_provider)
    for key in ("XDG_CONFIG_HOME", "HOME"):
        monkeypatch.setenv(key, env[key])  # so _project's FileStore is the script's
    project = _project(tmp_path)
    before = _snapshot(project)
    argv, stdin = _argv(bad, project)
    result = run_script(argv, env, cwd=project, stdin=stdin)
    after = _snapshot(project)
    expected = bad.cli.replace("{tmp}", str(project))
    held = (
        result.returncode == bad.exit_code
        and expected in result.stderr
        and not crashed(result.stdout + result.stderr)
        and after == before
    )
    tally.record("bad input (cli)", held)
    assert held, (result.returncode, result.stderr[-800:], after == before)


# --- the wizard ---------------------------------------------------------------------------


def _wizard_cases(*fields: str, provider: str | None = None) -> list[Bad]:
    return [
        b
        for b in BAD_INPUTS
        if b.field in fields and b.wizard and (provider is None or b.provider == provider)
    ]


def _plain(widget: Static) -> str:
    visual = widget.visual
    plain = getattr(visual, "plain", None)
    return plain if isinstance(plain, str) else str(visual)


class WizardRun:
    """Collects the outcome of every case tried in one app; asserts once at the end."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.failures: list[str] = []

    def record(self, bad: Bad, held: bool, seen: str) -> None:
        self.tally.record("bad input (wizard)", held)
        if not held:
            self.failures.append(f"{bad.id}: expected {bad.wizard!r}, saw {seen[-300:]!r}")

    def finish(self, harness: Any, config_before: bytes) -> None:
        assert harness.config_path.read_bytes() == config_before
        assert not harness.config_path.with_name("seal.toml.bak").exists()
        assert harness.store.list() == []
        assert not self.failures, "\n".join(self.failures)


def _surveyed(screen: Any) -> Callable[[], bool]:
    """The Welcome's survey has come back."""
    return lambda: screen.facts is not None


async def _cleared(pilot: Pilot[Any], bad: Bad, shown: Callable[[], str]) -> None:
    """After a reset: the previous case's message is gone, so a stale one cannot pass."""
    wanted = bad.wizard
    assert wanted is not None
    await wait_for(pilot, lambda: wanted not in shown(), "previous message cleared")


async def _expect(
    pilot: Pilot[Any],
    bad: Bad,
    run: WizardRun,
    shown: Callable[[], str],
    blocked: Callable[[], bool],
) -> None:
    """Wait for `bad.wizard` in `shown()`; it holds when `blocked()` too and no traceback."""
    wanted = bad.wizard
    assert wanted is not None
    try:
        await wait_for(pilot, lambda: wanted in shown(), f"{wanted!r}", timeout=5)
        seen = shown()
        held = blocked() and "Traceback" not in seen
    except AssertionError:
        seen, held = shown(), False
    run.record(bad, held, seen)


async def _secret_field(pilot: Pilot[Any], value: str) -> None:
    """Empty the field, then paste `value` as a terminal's bracketed paste does."""
    from textual import events

    from screens.widgets.secret_input import SecretInput

    field = pilot.app.screen.query_one("SecretInput", SecretInput)
    if not field.value:
        # A refused paste leaves the field empty with its message showing: emptying it
        # must be a change, so that the message is cleared.
        field.value = "x"
    field.value = ""
    await wait_for(pilot, lambda: text_of(pilot, "#feedback") == "", "feedback cleared")
    field.post_message(events.Paste(value))
    await pilot.pause()


@pytest.mark.parametrize(
    ("provider", "method"),
    [
        ("anthropic", "api_key"),
        ("openrouter", "api_key"),
        ("openai", "api_key"),
        ("anthropic", "setup_token"),
    ],
)
async def test_wizard_refuses_bad_secrets(
    provider: str, method: str, fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """API key / setup-token step: the message under the field, Next disabled."""
    from screens.secret_entry import SecretEntryScreen

    field = "api_key" if method == "api_key" else "setup_token"
    cases = _wizard_cases(field, provider=provider)
    assert cases
    h = build(
        fake_provider,
        tmp_path,
        config_text=CONFIG,
        answers=Answers(provider=provider, method=method),
        start=method,
    )
    before = h.config_path.read_bytes()
    run = WizardRun(tally)
    async with h.app.run_test(size=SIZE) as pilot:
        await wait_screen(pilot, SecretEntryScreen)
        for bad in cases:
            await _secret_field(pilot, bad.value)
            await _expect(
                pilot,
                bad,
                run,
                lambda: text_of(pilot, "#feedback"),
                lambda: text_of(pilot, "#feedback").startswith("✗") and not next_enabled(pilot),
            )
    run.finish(h, before)


@pytest.mark.parametrize("method", ["oauth", "console_oauth"])
async def test_wizard_refuses_bad_sign_in_codes(
    method: str, fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """Authorize step: Sign in with a bad paste says why and stays on the step."""
    from screens.authorize import AuthorizeScreen

    cases = [b for b in _wizard_cases("sign_in") if b.flag == method]
    assert cases
    h = build(
        fake_provider,
        tmp_path,
        config_text=CONFIG,
        answers=Answers(provider="anthropic", method=method),
        start="authorize",
    )
    before = h.config_path.read_bytes()
    run = WizardRun(tally)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, AuthorizeScreen)
        await wait_for(pilot, lambda: screen.pending is not None, "sign-in link")
        for bad in cases:
            await _secret_field(pilot, bad.value)
            await wait_for(pilot, lambda: next_enabled(pilot), "Sign in enabled")
            screen.action_next()
            await _expect(
                pilot,
                bad,
                run,
                lambda: text_of(pilot, "#feedback"),
                lambda: (
                    isinstance(pilot.app.screen, AuthorizeScreen)
                    and text_of(pilot, "#feedback").startswith("✗")
                    and h.store.list() == []
                ),
            )
    assert fake_provider.count("/v1/oauth/token") == 0  # refused before any exchange
    run.finish(h, before)


async def _model_screen(pilot: Pilot[Any]) -> Any:
    from screens.model import ModelScreen
    from screens.widgets.model_picker import ModelPicker

    screen = await wait_screen(pilot, ModelScreen)
    await wait_for(pilot, lambda: screen.query_one("#picker", ModelPicker), "model list")
    await wait_for(pilot, lambda: next_enabled(pilot), "a model chosen")
    return screen


async def test_wizard_model_step_refuses_bad_input(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """Model step (Anthropic): the filter, the thinking budget and max tokens."""
    from backend.credentials.record import CredentialRecord
    from screens.widgets.model_picker import ModelPicker
    from tests.fakes.provider import ANTHROPIC_KEY

    answers = Answers(provider="anthropic", method="api_key", model="claude-sonnet-4-6")
    h = build(fake_provider, tmp_path, config_text=CONFIG, answers=answers, start="model")
    # The live list the check brings, as on the way here: the limits the command line
    # judges too (the bundled figures may be older).
    record = CredentialRecord("anthropic", "default", "api_key", secret=ANTHROPIC_KEY)
    answers.live_models = list(h.services.check("anthropic", record).models)
    before = h.config_path.read_bytes()
    run = WizardRun(tally)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await _model_screen(pilot)
        picker = screen.query_one("#picker", ModelPicker)
        model_filter = screen.query_one("#model-filter", Input)
        details = screen.query_one("#model-details", Static)
        for bad in _wizard_cases("model"):
            model_filter.value = ""
            await _cleared(pilot, bad, lambda: _plain(details))
            model_filter.value = bad.value
            await _expect(
                pilot,
                bad,
                run,
                lambda: _plain(details),
                lambda: picker.highlighted_model is None and not next_enabled(pilot),
            )
        model_filter.value = ""
        await wait_for(pilot, lambda: picker.select("claude-sonnet-4-6"), "model back")
        await wait_for(pilot, lambda: next_enabled(pilot), "valid again")

        rules = screen.query_one("#rules", Static)
        screen.query_one("#thinking", Select).value = "manual"
        budget = screen.query_one("#thinking_budget", Input)
        max_tokens = screen.query_one("#max_tokens", Input)
        for field, widget in (("thinking_budget", budget), ("max_tokens", max_tokens)):
            if field == "max_tokens":
                budget.value = "2048"  # a valid budget: only max_tokens is wrong
            for bad in _wizard_cases(field):
                widget.value = "2048" if field == "thinking_budget" else ""
                await _cleared(pilot, bad, lambda: _plain(rules))
                widget.value = bad.value
                await _expect(
                    pilot,
                    bad,
                    run,
                    lambda: _plain(rules),
                    lambda: _plain(rules).startswith("✗") and not next_enabled(pilot),
                )
            widget.value = ""
    run.finish(h, before)


async def test_wizard_headers_refused(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """Model step (OpenRouter): the app-title header field."""
    h = build(
        fake_provider,
        tmp_path,
        config_text=CONFIG,
        answers=Answers(
            provider="openrouter", method="api_key", model="anthropic/claude-sonnet-4.6"
        ),
        start="model",
    )
    before = h.config_path.read_bytes()
    run = WizardRun(tally)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await _model_screen(pilot)
        rules = screen.query_one("#rules", Static)
        title = screen.query_one("#hdr-title", Input)
        for bad in _wizard_cases("header"):
            title.value = ""
            await _cleared(pilot, bad, lambda: _plain(rules))
            title.value = bad.value.partition("=")[2]
            await _expect(
                pilot,
                bad,
                run,
                lambda: _plain(rules),
                lambda: _plain(rules).startswith("✗") and not next_enabled(pilot),
            )
    run.finish(h, before)


async def test_wizard_roles_refuse_bad_agent_names_and_selectors(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """Roles step: the Add-agent dialog, and the role picker's filter."""
    from textual.coordinate import Coordinate
    from textual.widgets import DataTable

    from screens.roles import MODEL_ROW, RolesScreen
    from screens.widgets.model_picker import ModelPicker
    from screens.widgets.role_dialogs import AgentNameModal, RolePickerModal
    from tui.app import prepare_roles

    h = build(fake_provider, tmp_path, config_text=CONFIG, answers=Answers(mode="roles"))
    prepare_roles(h.app.answers, h.services, None)
    before = h.config_path.read_bytes()
    run = WizardRun(tally)
    async with h.app.run_test(size=SIZE) as pilot:
        screen = await wait_screen(pilot, RolesScreen)
        await wait_for(pilot, lambda: screen.config is not None, "seal.toml loaded")
        await pilot.pause()
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, AgentNameModal), "dialog")
        dialog = pilot.app.screen
        name = dialog.query_one("#agent-name", Input)
        problem = dialog.query_one("#name-problem", Static)
        ok = dialog.query_one("#ok", Button)
        for bad in _wizard_cases("agent"):
            name.value = "placeholder"
            await wait_for(pilot, lambda: not ok.disabled, "a good name first")
            await _cleared(pilot, bad, lambda: _plain(problem))
            name.value = bad.value
            await pilot.pause()
            if not bad.value:
                await pilot.press("enter")  # an empty field says why only when submitted
            await _expect(pilot, bad, run, lambda: _plain(problem), lambda: ok.disabled)
        await pilot.press("escape")
        await wait_for(pilot, lambda: pilot.app.screen is screen, "dialog closed")

        table = screen.query_one("#roles-table", DataTable)
        table.focus()
        coordinate = Coordinate(table.get_row_index(MODEL_ROW), table.get_column_index("fast"))
        table.cursor_coordinate = coordinate
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, RolePickerModal), "picker")
        picker_screen = pilot.app.screen
        picker = picker_screen.query_one(ModelPicker)
        details = picker_screen.query_one("#model-details", Static)
        choose = picker_screen.query_one("#choose", Button)
        role_filter = picker_screen.query_one("#model-filter", Input)
        for bad in _wizard_cases("role"):
            role_filter.value = ""
            await _cleared(pilot, bad, lambda: _plain(details))
            role_filter.value = bad.value
            await _expect(
                pilot,
                bad,
                run,
                lambda: _plain(details),
                lambda: picker.highlighted_model is None and choose.disabled,
            )
        await pilot.press("escape")
        await pilot.pause()
    run.finish(h, before)


async def test_wizard_welcome_refuses_bad_config_paths(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """--config handed to the wizard: the Welcome says what is wrong, Next stays disabled."""
    from screens.welcome import WelcomeScreen

    project = _project(tmp_path)
    before = _snapshot(project)
    run = WizardRun(tally)
    for bad in _wizard_cases("config"):
        h = build(fake_provider, tmp_path / bad.id)
        h.app.answers.config_path = bad.value.replace("{tmp}", str(project))
        async with h.app.run_test(size=SIZE) as pilot:
            screen = await wait_screen(pilot, WelcomeScreen)
            await wait_for(pilot, _surveyed(screen), "survey")
            await _expect(
                pilot,
                bad,
                run,
                lambda: text_of(pilot, "#survey"),
                lambda: text_of(pilot, "#survey").startswith("✗") and not next_enabled(pilot),
            )
        assert h.store.list() == []
    assert _snapshot(project) == before
    assert not run.failures, "\n".join(run.failures)
