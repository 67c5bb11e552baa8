#!/usr/bin/env bash
# Build the wheel, install it into a fresh venv outside the checkout, and run it there:
# proves the package (assets included) works without the source tree.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$root/.venv/bin/python" -m build --wheel --outdir "$work/dist" "$root" >"$work/build.log" 2>&1 \
    || { cat "$work/build.log"; exit 1; }
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet "$work"/dist/*.whl
cd "$work"
"$work/venv/bin/seal-setup" --version
"$work/venv/bin/python" - <<'PY'
from importlib.resources import files
for name in ("wizard.tcss", "models.toml"):
    text = files("assets").joinpath(name).read_text()
    assert text.strip(), name
print("wheel smoke: assets found")
PY
