"""The backup keeps what the person had: three writes in a row leave the original
byte-identical in seal.toml.bak.2, a write that changes nothing keeps nothing, and the
wizard and the CLI say where the previous versions are.

Through the config layer on files of several shapes (CRLF, a BOM, no final newline, tabs
and non-ASCII text, a 0600 file, a symlinked seal.toml), through the installed command,
and through the wizard. Crashes mid-save: test_crashes.py; a backup name that is a
symlink, FIFO, device or directory: test_special_files.py.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from backend.config import backups
from backend.config.document import load_config
from screens.done import DoneScreen
from screens.review import ReviewScreen
from tests.cli.helpers import run_script, subprocess_env
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.reliability.conftest import Tally
from tests.support.steps import start_at
from tests.tui.harness import SIZE, build, goto, press_next, text_of, wait_screen

SONNET = "claude-sonnet-4-6"
BASE = '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "api_key"\n'
SHAPES: dict[str, bytes] = {
    "lf": ("# the team's settings\n" + BASE + "\n# end\n").encode(),
    "crlf": ("# windows\n" + BASE).replace("\n", "\r\n").encode(),
    "bom": b"\xef\xbb\xbf" + BASE.encode(),
    "no-final-newline": BASE.rstrip("\n").encode(),
    "tabs-and-unicode": ("# réglages\t✓ 東京\n" + BASE.replace(" = ", "\t=\t")).encode(),
}
EFFORTS = ("low", "medium", "high")


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def three_saves(path: Path, target: Path | None = None) -> list[bytes]:
    """Three edits saved one after another; the bytes after each."""
    written = []
    for effort in EFFORTS:
        config = load_config(path)
        config.set("effort", effort)
        config.save(link_target=target)
        written.append((target or path).read_bytes())
    return written


def kept_problems(file: Path, original: bytes, written: list[bytes], mode: int) -> list[str]:
    """What is wrong with the versions kept next to `file` after three saves."""
    names = backups.slots(file)
    want = [written[1], written[0], original]
    problems = [
        f"{name.name} is not the version it should be"
        for name, data in zip(names, want, strict=True)
        if not name.exists() or name.read_bytes() != data
    ]
    problems += [
        f"{name.name} has mode {stat.S_IMODE(name.stat().st_mode):o}"
        for name in names
        if name.exists() and stat.S_IMODE(name.stat().st_mode) != mode
    ]
    return problems


@pytest.mark.parametrize("shape", SHAPES)
def test_three_saves_keep_the_original(shape: str, tmp_path: Path, tally: Tally) -> None:
    project = tmp_path / "project"
    project.mkdir()
    path = project / "seal.toml"
    original = SHAPES[shape]
    path.write_bytes(original)
    path.chmod(0o600)
    written = three_saves(path)
    problems = kept_problems(path, original, written, 0o600)
    # Restoring is one copy, and gives back exactly what the person had.
    restored = project / "restored.toml"
    restored.write_bytes(backups.slots(path)[2].read_bytes())
    if load_config(restored).own("effort") is not None:
        problems.append("the restored file does not read as the original")
    restored.unlink()
    tally.record("backups: three saves keep the original (api)", not problems)
    assert not problems, problems
    # A save that changes nothing writes nothing: no byte, no backup.
    before = folder_bytes(project)
    result = load_config(path).save()
    held = not result.written and folder_bytes(project) == before
    tally.record("backups: a save that changes nothing keeps nothing (api)", held)
    assert held


def test_three_saves_through_a_symlink(tmp_path: Path, tally: Tally) -> None:
    project = tmp_path / "project"
    conf = project / "conf"
    conf.mkdir(parents=True)
    target = conf / "seal.toml"
    target.write_bytes(SHAPES["lf"])
    link = project / "seal.toml"
    link.symlink_to(target)
    written = three_saves(link, target)
    problems = kept_problems(target, SHAPES["lf"], written, 0o644)
    if sorted(p.name for p in project.iterdir()) != ["conf", "seal.toml"] or not link.is_symlink():
        problems.append("something was written next to the link")
    tally.record("backups: three saves keep the original (api)", not problems)
    assert not problems, problems


def test_three_runs_of_the_command(
    tmp_path: Path, isolated_env: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    path = project / "seal.toml"
    original = SHAPES["lf"]
    path.write_bytes(original)
    env = subprocess_env(isolated_env, fake_provider)
    onboard = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]
    outputs, written = [], []
    for effort in EFFORTS:
        done = run_script([*onboard, "--effort", effort], env, project, ANTHROPIC_KEY + "\n")
        assert done.returncode == 0, done.stderr
        outputs.append(done.stdout)
        written.append(path.read_bytes())
    problems = kept_problems(path, original, written, 0o644)
    said = [
        f"Wrote {path} (previous version: {path}.bak).",
        f"Wrote {path} (previous version: {path}.bak; older: seal.toml.bak.1).",
        f"Wrote {path} (previous version: {path}.bak; older: seal.toml.bak.1, seal.toml.bak.2).",
    ]
    problems += [
        f"run {i + 1} did not say {s!r}" for i, s in enumerate(said) if s not in outputs[i]
    ]
    tally.record("backups: three runs keep the original (cli)", not problems)
    assert not problems, (problems, outputs)
    # The same run again: the file needs no change, and no version moves.
    before = folder_bytes(project)
    done = run_script([*onboard, "--effort", "high"], env, project, ANTHROPIC_KEY + "\n")
    held = (
        done.returncode == 0
        and f"{path} needs no change." in done.stdout
        and "Wrote" not in done.stdout
        and folder_bytes(project) == before
    )
    tally.record("backups: a run that changes nothing keeps nothing (cli)", held)
    assert held, done.stdout + done.stderr


async def test_the_wizard_says_where(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    """Review: where the current version will be kept; Done: where the previous ones are."""
    # Another model than the one the walk picks: Write has a change to make.
    text = SHAPES["lf"].decode().replace(SONNET, "claude-haiku-4-5")
    h = build(fake_provider, tmp_path, config_text=text)
    path = h.config_path
    (path.parent / "seal.toml.bak").write_bytes(b"# an earlier version\n")
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    shown: dict[str, str] = {}
    async with h.app.run_test(size=SIZE) as pilot:
        # seal.toml's model is preselected: the walk picks another.
        await goto(pilot, "review", method="api_key", secret=ANTHROPIC_KEY, model=SONNET)
        shown["review"] = text_of(pilot, "#kept")
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        shown["done"] = text_of(pilot, ".intro")
    review = (
        f"The current version will be kept as {path}.bak (older ones move to "
        "seal.toml.bak.1, seal.toml.bak.2)."
    )
    done = f"✓ Wrote {path} (previous version: {path}.bak; older: seal.toml.bak.1)."
    held = (
        review in " ".join(shown["review"].split())
        and done in " ".join(shown["done"].split())
        and (path.parent / "seal.toml.bak").read_text(encoding="utf-8") == text
        and (path.parent / "seal.toml.bak.1").read_bytes() == b"# an earlier version\n"
    )
    tally.record("backups: Review and Done say where (wizard)", held)
    assert held, shown


async def test_the_wizard_on_a_new_file(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    h = build(fake_provider, tmp_path)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        review = await goto(pilot, "review", method="api_key", secret=ANTHROPIC_KEY)
        assert isinstance(review, ReviewScreen)
        kept_shown = review.query_one("#kept").display
        await press_next(pilot)
        await wait_screen(pilot, DoneScreen)
        done = text_of(pilot, ".intro")
    held = (
        not kept_shown
        and f"✓ Wrote {h.config_path} (a new file)." in " ".join(done.split())
        and not any(os.path.lexists(name) for name in backups.slots(h.config_path))
    )
    tally.record("backups: Review and Done say where (wizard)", held)
    assert held, done
