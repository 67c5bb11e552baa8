"""Fetch what tests/corpus/sources.toml pins into .cache/toml-test/ (`make corpus`).

Each archive is downloaded with its registry's own client into `downloads/`, checked
against its pinned sha256, and only the files the tests use are taken out of it. A
download already there with the right sha256 is reused, so once fetched this works
offline; a stamp records a complete fetch, so a second run does nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from tests.corpus import CACHE, STAMP, Archive, archives, fetched, stamp_text

DOWNLOADS = CACHE / "downloads"


class FetchError(Exception):
    """A step failed; the message says which archive and what to do."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download(archive: Archive) -> Path:
    """The archive file, from the download folder or else from its registry."""
    folder = DOWNLOADS / f"{archive.package}-{archive.version}"
    for found in sorted(folder.glob("*")) if folder.is_dir() else []:
        if found.is_file() and sha256(found.read_bytes()) == archive.sha256:
            return found
    if archive.registry != "pypi":
        raise FetchError(f"{archive.id}: unknown registry {archive.registry!r}")
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            # The sdist of this package only: build tools it needs may come as wheels.
            "--no-binary",
            archive.package,
            "--dest",
            tmp,
            f"{archive.package}=={archive.version}",
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        files = sorted(Path(tmp).iterdir())
        if done.returncode != 0 or len(files) != 1:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise FetchError(
                f"{archive.id}: pip could not download {archive.package}=={archive.version} "
                f"({' / '.join(tail) or 'no file'}); run `make corpus` again when online"
            )
        got = sha256(files[0].read_bytes())
        if got != archive.sha256:
            raise FetchError(
                f"{archive.id}: {files[0].name} has sha256 {got}, not the pinned "
                f"{archive.sha256}; nothing was kept"
            )
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / files[0].name
        shutil.move(str(files[0]), target)
        return target


def _relative(name: str, archive: Archive) -> PurePosixPath:
    """A path inside the archive's root; anything that could leave the folder is refused."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or ".." in path.parts:
        raise FetchError(f"{archive.id}: refusing the path {name!r}")
    return path


def _extract(archive: Archive, source: Path, into: Path) -> int:
    """Copy the archive's files the tests use into `into`; returns how many."""
    with tarfile.open(source) as tar:

        def read(rel: PurePosixPath) -> bytes:
            name = f"{archive.root}/{rel}"
            try:
                member = tar.getmember(name)
            except KeyError:
                raise FetchError(f"{archive.id}: {source.name} has no {name}") from None
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                raise FetchError(f"{archive.id}: {name} is not a regular file")
            return handle.read()

        wanted = [_relative(archive.licence_file, archive)]
        if archive.list is not None:
            listing = _relative(archive.list, archive)
            wanted.append(listing)
            for line in read(listing).decode("utf-8").splitlines():
                if line.strip():
                    # The list's paths are relative to the folder the list is in.
                    wanted.append(_relative(f"{listing.parent}/{line.strip()}", archive))
        if archive.file is not None:
            wanted.append(_relative(archive.file, archive))
        for rel in wanted:
            data = read(rel)
            if rel == PurePosixPath(archive.file or "") and sha256(data) != archive.file_sha256:
                raise FetchError(f"{archive.id}: {rel} does not have the pinned sha256")
            out = into.joinpath(*rel.parts)
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(data)
        return len(wanted)


def fetch() -> None:
    """Fetch every archive not yet in place, then write the stamp."""
    if fetched():
        STAMP.touch()  # newer than this script, so make knows too
        print(f"test corpus: up to date in {CACHE}")
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    STAMP.unlink(missing_ok=True)
    for archive in archives():
        source = _download(archive)
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            count = _extract(archive, source, Path(tmp) / "files")
            shutil.rmtree(archive.folder, ignore_errors=True)
            (Path(tmp) / "files").rename(archive.folder)
        print(f"test corpus: {archive.id}: {count} files from {archive.package} {archive.version}")
    STAMP.write_text(stamp_text(), encoding="utf-8")


def main() -> int:
    try:
        fetch()
    except FetchError as exc:
        print(f"test corpus: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
