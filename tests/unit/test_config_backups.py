"""The versions a save keeps: seal.toml.bak, .bak.1, .bak.2 (backend.config.backups, save_bytes)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from backend.config import backups
from backend.config import io as config_io
from backend.config.document import load_config
from backend.errors import ConfigError

ORIGINAL = b'# mine\r\n[model]\r\nname = "opus"   # keep\r\n'


def make(folder: Path, data: bytes = ORIGINAL, mode: int = 0o644) -> Path:
    path = folder / "seal.toml"
    path.write_bytes(data)
    path.chmod(mode)
    return path


def edit(path: Path, effort: str) -> config_io.SaveResult:
    config = load_config(path)
    config.set("effort", effort)
    return config.save()


def kept(folder: Path) -> list[bytes | None]:
    """The bytes at .bak, .bak.1, .bak.2 (None where there is nothing)."""
    names = backups.slots(folder / "seal.toml")
    return [name.read_bytes() if name.exists() else None for name in names]


def test_three_saves_keep_the_original_byte_identical(tmp_path: Path) -> None:
    path = make(tmp_path, mode=0o600)
    written = []
    for effort in ("low", "medium", "high"):
        result = edit(path, effort)
        assert result.written and result.backup == tmp_path / "seal.toml.bak"
        written.append(path.read_bytes())
    assert kept(tmp_path) == [written[1], written[0], ORIGINAL]
    assert result.older == (tmp_path / "seal.toml.bak.1", tmp_path / "seal.toml.bak.2")
    for name in backups.slots(path):
        assert stat.S_IMODE(name.stat().st_mode) == 0o600
    # A fourth save drops the oldest: three versions are kept, never more.
    edit(path, "max")
    assert kept(tmp_path) == [written[2], written[1], written[0]]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "home") == [
        ".seal.toml.lock",
        "seal.toml",
        "seal.toml.bak",
        "seal.toml.bak.1",
        "seal.toml.bak.2",
    ]


def test_identical_bytes_write_nothing(tmp_path: Path) -> None:
    path = make(tmp_path)
    before = path.stat()
    result = config_io.save_bytes(path, ORIGINAL, ORIGINAL, lock_timeout=1)
    assert not result.written and result.backup is None and result.older == ()
    assert path.stat().st_ino == before.st_ino and path.stat().st_mtime_ns == before.st_mtime_ns
    assert kept(tmp_path) == [None, None, None]
    # The same through the document: a save without an edit keeps no backup.
    assert not load_config(path).save().written
    assert kept(tmp_path) == [None, None, None]


def test_identical_bytes_leave_the_kept_versions_alone(tmp_path: Path) -> None:
    path = make(tmp_path)
    edit(path, "low")
    edit(path, "high")
    before = kept(tmp_path)
    data = path.read_bytes()
    assert not config_io.save_bytes(path, data, data, lock_timeout=1).written
    assert kept(tmp_path) == before


def test_a_restored_version_is_not_kept_twice(tmp_path: Path) -> None:
    """cp seal.toml.bak seal.toml, then a save: .bak already holds it, nothing moves."""
    path = make(tmp_path)
    edit(path, "low")
    first = path.read_bytes()
    edit(path, "high")
    path.write_bytes((tmp_path / "seal.toml.bak").read_bytes())  # back to "low"
    edit(path, "max")
    assert kept(tmp_path) == [first, ORIGINAL, None]


def test_a_missing_place_is_filled_before_the_oldest_goes(tmp_path: Path) -> None:
    path = make(tmp_path)
    (tmp_path / "seal.toml.bak").write_bytes(b"# newest kept\n")
    (tmp_path / "seal.toml.bak.2").write_bytes(b"# oldest kept\n")
    edit(path, "low")
    assert kept(tmp_path) == [ORIGINAL, b"# newest kept\n", b"# oldest kept\n"]


def test_a_kill_between_link_and_write_loses_nothing(tmp_path: Path) -> None:
    """.bak and .bak.1 one file (a writer died after linking): the next save keeps both."""
    path = make(tmp_path)
    (tmp_path / "seal.toml.bak").write_bytes(b"# before\n")
    os.link(tmp_path / "seal.toml.bak", tmp_path / "seal.toml.bak.1")
    (tmp_path / "seal.toml.bak.2").write_bytes(b"# oldest\n")
    edit(path, "low")
    assert kept(tmp_path) == [ORIGINAL, b"# before\n", b"# oldest\n"]


def test_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    path = make(tmp_path)
    written = []
    for effort in ("low", "medium", "high"):
        edit(path, effort)
        written.append(path.read_bytes())
    assert kept(tmp_path) == [written[1], written[0], ORIGINAL]


def _special(place: Path, kind: str, outside: Path) -> None:
    if kind == "symlink":
        place.symlink_to(outside)
    elif kind == "dangling-symlink":
        place.symlink_to(outside.with_name("nothing-here"))
    elif kind == "fifo":
        os.mkfifo(place)
    else:
        place.mkdir()


@pytest.mark.parametrize("slot", [0, 1, 2])
@pytest.mark.parametrize("kind", ["symlink", "dangling-symlink", "fifo", "directory"])
def test_a_kept_name_that_is_not_a_file_stops_the_save(
    tmp_path: Path, slot: int, kind: str
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    path = make(project)
    outside = tmp_path / "elsewhere.txt"
    outside.write_bytes(b"not yours\n")
    outside.chmod(0o644)
    names = backups.slots(path)
    for i, name in enumerate(names):  # the other places hold versions
        if i != slot:
            name.write_bytes(f"# version {i}\n".encode())
    _special(names[slot], kind, outside)
    entries = sorted(p.name for p in project.iterdir())
    config = load_config(path)
    config.set("effort", "low")
    with pytest.raises(ConfigError) as info:
        config.save()
    assert f"{names[slot].name}, where its previous version is kept, is a" in info.value.message
    assert "nothing was written" in info.value.message
    assert "move" in info.value.hint and str(names[slot]) in info.value.hint
    assert path.read_bytes() == ORIGINAL
    assert outside.read_bytes() == b"not yours\n"
    assert stat.S_IMODE(outside.stat().st_mode) == 0o644
    assert sorted(p.name for p in project.iterdir()) == [".seal.toml.lock", *entries]
    for i, name in enumerate(names):
        if i != slot:
            assert name.read_bytes() == f"# version {i}\n".encode()


def test_a_symlinked_config_keeps_its_versions_by_its_target(tmp_path: Path) -> None:
    project, real = tmp_path / "project", tmp_path / "project" / "conf"
    real.mkdir(parents=True)
    target = make(real)
    link = project / "seal.toml"
    link.symlink_to(target)
    for effort in ("low", "medium", "high"):
        config = load_config(link)
        config.set("effort", effort)
        result = config.save(link_target=target)
    assert result.backup == real / "seal.toml.bak"
    assert (real / "seal.toml.bak.2").read_bytes() == ORIGINAL
    assert sorted(p.name for p in project.iterdir()) == ["conf", "seal.toml"]
    assert link.is_symlink()


def test_the_words() -> None:
    path = Path("seal.toml")
    assert backups.kept_as(path) == (
        "seal.toml.bak (older ones move to seal.toml.bak.1, seal.toml.bak.2)"
    )
    assert backups.describe("/p/seal.toml.bak", ()) == "/p/seal.toml.bak"
    older = ("/p/seal.toml.bak.1", "/p/seal.toml.bak.2")
    assert backups.describe("/p/seal.toml.bak", older) == (
        "/p/seal.toml.bak; older: seal.toml.bak.1, seal.toml.bak.2"
    )
