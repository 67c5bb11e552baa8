"""The Makefile's set-up as a newcomer meets it, run with real `make` in a copy of it.

A stand-in Python makes the venv (a `python` that logs what it is asked and a
`seal-setup` that exits as told), so no test installs anything.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# `python -m venv DIR` makes DIR/bin/python (logs its arguments, succeeds) and
# DIR/bin/seal-setup (logs SEAL_CONFIG, exits $SEAL_EXIT); PYTHON_FAILS: the venv module
# is missing, as on Debian without python3-venv.
FAKE_PYTHON = """#!/bin/sh
[ -n "$PYTHON_FAILS" ] && { mkdir -p "$3/bin"; echo 'ensurepip is not available' >&2; exit 1; }
mkdir -p "$3/bin"
printf '#!/bin/sh\\necho "python $*" >> "$LOG"\\n' > "$3/bin/python"
printf '#!/bin/sh\\necho "seal-setup $* config=$SEAL_CONFIG" >> "$LOG"\\nexit ${SEAL_EXIT:-0}\\n' \
    > "$3/bin/seal-setup"
chmod +x "$3/bin/python" "$3/bin/seal-setup"
"""


def executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def make(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "pyproject.toml").write_text("")
    fake = executable(tmp_path / "fake-python", FAKE_PYTHON)
    full = {**os.environ, "LOG": str(tmp_path / "log"), **env}
    full.pop("SEAL_CONFIG", None)
    full.pop("MAKEFLAGS", None)
    return subprocess.run(
        ["make", "--no-print-directory", f"PYTHON={fake}", *args],
        cwd=tmp_path,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


def log(tmp_path: Path) -> str:
    return (tmp_path / "log").read_text() if (tmp_path / "log").exists() else ""


def test_a_venv_without_pip_is_made_again(tmp_path):
    # What Debian leaves: a python that has no pip.
    executable(tmp_path / ".venv/bin/python", "#!/bin/sh\necho 'No module named pip' >&2\nexit 1\n")
    result = make(tmp_path, ".venv/.installed")
    assert result.returncode == 0, result.stdout + result.stderr
    assert ".venv has no pip" in result.stdout and "making it again" in result.stdout
    assert "python -m pip install --quiet -e .[test,dev]" in log(tmp_path)
    assert (tmp_path / ".venv/.installed").exists()


def test_a_venv_that_cannot_be_made_names_python3_venv_and_is_removed(tmp_path):
    result = make(tmp_path, ".venv/.installed", PYTHON_FAILS="1")
    assert result.returncode != 0
    assert "sudo apt install python3-venv" in result.stdout
    assert not (tmp_path / ".venv").exists()  # the next try starts clean


def test_run_writes_no_seal_toml_in_the_checkout_and_cancel_is_no_error(tmp_path):
    result = make(tmp_path, "run", SEAL_EXIT="130")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Error" not in result.stdout + result.stderr
    assert f"seal-setup  config={tmp_path}/.scratch/seal.toml" in log(tmp_path)
    assert (tmp_path / ".scratch").is_dir()
    assert ".scratch/" in (ROOT / ".gitignore").read_text().splitlines()


def test_run_passes_arguments_and_a_real_failure_still_fails(tmp_path):
    result = make(tmp_path, "run", "ARGS=status --probe", SEAL_EXIT="2")
    assert result.returncode != 0
    assert "seal-setup status --probe config=" in log(tmp_path)
