"""Saving seal.toml: lock, conflict refusal, backup, file mode, and crash safety."""

from __future__ import annotations

import os
import random
import shlex
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from backend.config import io as config_io
from backend.config.document import load_config
from backend.errors import ConfigConflictError, ConfigError, ConfigLockedError
from backend.system.atomic import TEMP_PREFIX, file_lock

ROOT = Path(__file__).resolve().parents[2]
TEXT = '# keep me\n[model]\nprovider = "anthropic"  # inline\nname = "opus"\n'


def make(tmp_path: Path, text: str = TEXT) -> Path:
    path = tmp_path / "seal.toml"
    path.write_bytes(text.encode())
    return path


def test_save_writes_keeps_backup_and_mode(tmp_path: Path) -> None:
    path = make(tmp_path)
    path.chmod(0o600)
    cfg = load_config(path)
    cfg.set("effort", "high")
    result = cfg.save()
    assert result.path == path and result.created is False
    assert result.backup == tmp_path / "seal.toml.bak"
    assert result.backup.read_bytes() == TEXT.encode()
    assert path.read_text() == TEXT + 'effort = "high"\n'
    assert path.stat().st_mode & 0o777 == 0o600
    assert result.backup.stat().st_mode & 0o777 == 0o600
    # After a save the loaded state is the new text: a second edit saves cleanly.
    assert not cfg.changed() and cfg.original_text == path.read_text()
    cfg.set("effort", "low")
    cfg.save()
    assert 'effort = "low"' in path.read_text()
    assert 'effort = "high"' in (tmp_path / "seal.toml.bak").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_new_file_is_0644_without_backup(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    cfg = load_config(path)
    cfg.set("provider", "openai")
    result = cfg.save()
    assert result.created is True and result.backup is None
    assert path.stat().st_mode & 0o777 == 0o644
    assert not (tmp_path / "seal.toml.bak").exists()
    assert load_config(path).get("provider") == "openai"
    assert load_config(path).exists


def test_unchanged_save_is_byte_identical(tmp_path: Path) -> None:
    data = b'[model]\r\nname = "opus"   \r\n# no final newline, unicode \xc3\xa9'
    path = tmp_path / "seal.toml"
    path.write_bytes(data)
    load_config(path).save()
    assert path.read_bytes() == data


@pytest.mark.parametrize("change", ["modify", "delete"])
def test_conflict_is_refused(tmp_path: Path, change: str) -> None:
    path = make(tmp_path)
    cfg = load_config(path)
    cfg.set("effort", "high")
    if change == "modify":
        path.write_text(TEXT + "# someone else\n")
    else:
        path.unlink()
    with pytest.raises(ConfigConflictError) as info:
        cfg.save()
    assert "reload" in info.value.hint
    assert "since it was read" in info.value.message
    if change == "modify":
        assert path.read_text() == TEXT + "# someone else\n"
        fresh = cfg.reload()
        fresh.set("effort", "high")
        fresh.save()
        assert "# someone else" in path.read_text() and 'effort = "high"' in path.read_text()
    else:
        assert not path.exists()


def test_conflict_when_file_appears(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    cfg = load_config(path)
    cfg.set("effort", "high")
    path.write_text("[other]\n")
    with pytest.raises(ConfigConflictError, match="created"):
        cfg.save()
    assert path.read_text() == "[other]\n"


def test_lock_contention(tmp_path: Path) -> None:
    path = make(tmp_path)
    cfg = load_config(path)
    cfg.set("effort", "high")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, pathlib; from backend.system.atomic import file_lock\n"
            "with file_lock(pathlib.Path(sys.argv[1])):\n"
            "    print('held', flush=True); time.sleep(30)\n",
            str(tmp_path / ".seal.toml.lock"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(ConfigLockedError) as info:
            cfg.save(lock_timeout=0.3)
        assert time.monotonic() - started >= 0.3
        assert "another program" in info.value.message
        assert path.read_text() == TEXT
    finally:
        holder.kill()
        holder.wait()
    cfg.save(lock_timeout=2)  # the kernel dropped the dead holder's lock
    assert 'effort = "high"' in path.read_text()


def test_lock_is_the_hidden_sibling(tmp_path: Path) -> None:
    path = make(tmp_path)
    cfg = load_config(path)
    cfg.set("effort", "high")
    with file_lock(tmp_path / ".seal.toml.lock"), pytest.raises(ConfigLockedError):
        cfg.save(lock_timeout=0.05)


def test_unparseable_file_on_disk_is_never_overwritten(tmp_path: Path) -> None:
    path = make(tmp_path)
    cfg = load_config(path)
    cfg.set("effort", "high")
    path.write_text("[model\nbroken")
    with pytest.raises(ConfigConflictError):
        cfg.save()
    assert path.read_text() == "[model\nbroken"


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from backend.config.document import load_config

    path = Path(sys.argv[1])
    flip = 0
    while True:
        cfg = load_config(path)
        flip ^= 1
        cfg.set("effort", "high" if flip else "low")
        cfg.set_role("fast", "haiku" if flip else "sonnet")
        cfg.save()
        print("saved", flush=True)
    """
)


def big_config() -> str:
    agents = "".join(
        f'\n# agent {i}\n[agents.a{i}.model]\nname = "claude-opus-4-7"  # n{i}\n'
        f'effort = "medium"\n\n[agents.a{i}.model.roles]\nfast = "haiku"\n'
        for i in range(60)
    )
    return (
        '# large file\n[model]\nprovider = "anthropic"\nname = "sonnet"\n'
        'effort = "low"\n\n[model.roles]\nfast = "sonnet"\n' + agents
    )


def versions(text: str) -> tuple[dict[str, object], dict[str, object]]:
    base = tomllib.loads(text)

    def with_(effort: str, fast: str) -> dict[str, object]:
        data = tomllib.loads(text)
        data["model"]["effort"] = effort
        data["model"]["roles"]["fast"] = fast
        return data

    assert base == with_("low", "sonnet")
    return with_("high", "haiku"), with_("low", "sonnet")


def crash_trials(folder: Path, trials: int, seed: int) -> int:
    """Spawn a writer on its own file and SIGKILL it at random moments, `trials` times."""
    folder.mkdir()
    text = big_config()
    path = make(folder, text)
    version_a, version_b = versions(text)
    rng = random.Random(seed)
    kills = 0
    for _ in range(trials):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # saves are under way; now kill at a random moment
        time.sleep(rng.uniform(0, 0.04))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        data = tomllib.loads(path.read_text())
        assert data in (version_a, version_b)
        backup = tomllib.loads((folder / "seal.toml.bak").read_text())
        assert backup in (version_a, version_b)
    return kills


@pytest.mark.slow
def test_sigkill_during_saves_leaves_old_or_new(tmp_path: Path) -> None:
    # Independent files in parallel keep the 50+ kills within a few seconds.
    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = [pool.submit(crash_trials, tmp_path / f"w{i}", 11, i) for i in range(5)]
        kills = sum(f.result() for f in futures)
    assert kills >= 50
    # Temp files of killed writers are cleaned up by a later save once stale.
    folder = tmp_path / "w0"
    for temp in folder.glob(TEMP_PREFIX + "*"):
        os.utime(temp, (0, 0))
    cfg = load_config(folder / "seal.toml")
    cfg.set("effort", "max")
    cfg.save()
    assert not list(folder.glob(TEMP_PREFIX + "*"))


# --- a symlinked seal.toml ------------------------------------------------------------------


def _link(tmp_path: Path, inside: bool) -> tuple[Path, Path]:
    project = tmp_path / "project"
    folder = project / "conf" if inside else tmp_path / "elsewhere"
    folder.mkdir(parents=True)
    project.mkdir(exist_ok=True)
    target = make(folder)
    link = project / "seal.toml"
    link.symlink_to(target)
    return link, target


def test_a_link_is_written_only_to_the_target_shown(tmp_path: Path) -> None:
    link, target = _link(tmp_path, inside=False)
    cfg = load_config(link)
    found = cfg.link()
    assert found is not None and found.target == target and not found.inside
    assert found.describe() == f"seal.toml → {target} (a symlink)"
    cfg.set("name", "sonnet")
    with pytest.raises(ConfigError, match="it was not shown") as info:
        cfg.save()
    assert shlex.join(["--config", str(target)]) in info.value.hint
    with pytest.raises(ConfigError, match="points elsewhere than shown"):
        cfg.save(link_target=tmp_path / "other.toml")
    assert target.read_text() == TEXT
    cfg.save(link_target=found.target)
    assert link.is_symlink() and 'name = "sonnet"' in target.read_text()
    assert (target.parent / "seal.toml.bak").read_text() == TEXT


def test_checked_link_allows_only_a_link_inside_its_folder(tmp_path: Path) -> None:
    plain = make(tmp_path)
    assert config_io.checked_link(plain) is None
    assert config_io.config_link(plain) is None
    link, target = _link(tmp_path, inside=True)
    assert config_io.checked_link(link) == target
    other = tmp_path / "two"
    other.mkdir()
    outside, _ = _link(other, inside=False)
    with pytest.raises(ConfigError, match="outside the project's folder"):
        config_io.checked_link(outside)
