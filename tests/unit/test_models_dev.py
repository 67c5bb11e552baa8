"""models.dev copies: trimming what arrives, reading the snapshot and the cached live copy,
folding dated twins, and what a refresh reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backend.providers import models_dev, overlay
from backend.providers.catalog import Catalog


def _api(**anthropic: dict[str, Any]) -> dict[str, Any]:
    return {
        "anthropic": {"id": "anthropic", "models": anthropic},
        "somebody-else": {"models": {"x": {"id": "x"}}},
    }


def _model(model_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": model_id,
        "name": model_id.title(),
        "family": "claude-opus",
        "release_date": "2026-09-01",
        "last_updated": "2026-09-02",
        "reasoning": True,
        "limit": {"context": 1_000_000, "output": 128_000},
        "cost": {"input": 5, "output": 25, "cache_read": 0.5},
        "modalities": {"input": ["text", "image"], "output": ["text"]},
        **fields,
    }


def test_trim_keeps_our_providers_and_fields_and_drops_what_is_not_data() -> None:
    api = _api(
        **{
            "claude-opus-5": _model(
                "claude-opus-5", secret_field="x", limit={"context": -1, "output": "9"}
            ),
            "bad": {"id": 7},
            "also-bad": "not an object",
        }
    )
    copy = models_dev.trim(api, "a test")
    assert set(copy) == {"_copy", "anthropic", "openrouter", "openai"}
    assert copy["_copy"] == {"data_as_of": "2026-09-02", "made_from": "a test"}
    entry = copy["anthropic"]["claude-opus-5"]
    assert "secret_field" not in entry
    assert entry["limit"] == {}  # -1 and a string are not limits
    assert list(copy["anthropic"]) == ["claude-opus-5"]


def test_a_cached_live_copy_is_used_only_while_newer(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    path = models_dev.cache_path(env)
    assert path == tmp_path / "seal-setup" / "models_dev.json"
    assert models_dev.current(env).origin == "snapshot"
    path.parent.mkdir(parents=True)
    newer = models_dev.trim(_api(**{"claude-opus-5": _model("claude-opus-5")}), "u", "live")
    path.write_text(models_dev.dumps(newer))
    live = models_dev.current(env)
    assert live.origin == "live" and live.describe() == "models.dev live copy of 2026-09-02"
    catalog = Catalog.bundled(env)
    assert catalog.resolve_alias("opus") == "claude-opus-5"
    assert catalog.facts_from == "models.dev live copy of 2026-09-02"
    older = models_dev.trim(
        _api(**{"claude-opus-5": _model("claude-opus-5", last_updated="2020-01-01")}), "u"
    )
    path.write_text(models_dev.dumps(older))
    assert models_dev.current(env).origin == "snapshot"
    for damaged in ("{", "[]", '{"_copy": 3}', "x" * (models_dev.MAX_COPY_BYTES + 1)):
        path.write_text(damaged)
        assert models_dev.current(env).origin == "snapshot", damaged[:10]


def test_dated_twins_fold_and_unoffered_models_are_left_out() -> None:
    api = _api(
        **{
            "claude-haiku-9": _model(
                "claude-haiku-9", family="claude-haiku", name="Claude Haiku 9 (latest)"
            ),
            "claude-haiku-9-20260101": _model("claude-haiku-9-20260101", family="claude-haiku"),
            "claude-opus-9-20260101": _model("claude-opus-9-20260101"),
            "claude-opus-9-0": _model("claude-opus-9-0"),
            "claude-old": _model("claude-old", status="deprecated"),
            "claude-nope": _model("claude-nope"),
        }
    )
    copy = models_dev.from_data(models_dev.trim(api, "t"), "snapshot")
    assert copy is not None
    empty = overlay.parse({})
    models = models_dev.models(copy, "anthropic", empty, lambda m: m != "claude-nope")
    by_id = {m.id: m for m in models}
    assert set(by_id) == {"claude-haiku-9", "claude-opus-9-0"}
    assert by_id["claude-haiku-9"].aliases == ("claude-haiku-9-20260101",)
    assert by_id["claude-haiku-9"].display_name == "Claude Haiku 9"
    assert by_id["claude-opus-9-0"].aliases == ("claude-opus-9-20260101",)
    # No overlay: a reasoning model gets no thinking or effort it was not given.
    assert by_id["claude-haiku-9"].thinking == () and by_id["claude-haiku-9"].effort == ()


def test_changes_say_what_was_added_removed_and_changed() -> None:
    old = models_dev.trim(_api(a=_model("a"), b=_model("b")), "t")
    new = models_dev.trim(
        _api(a=_model("a", limit={"context": 1, "output": 2}), c=_model("c")), "t"
    )
    lines = models_dev.changes(old, new)
    assert lines[0] == "+ anthropic c" and lines[1] == "- anthropic b"
    assert lines[2].startswith("~ anthropic a: limit") and "'context': 1" in lines[2]
    assert models_dev.changes(new, new) == []


def test_the_snapshot_file_is_what_dumps_writes() -> None:
    """The shipped file is stable output (so a refresh diffs well) and says its source."""
    text = (Path(models_dev.__file__).parents[2] / "assets" / "models_dev.json").read_text()
    data = json.loads(text)
    assert models_dev.dumps(data) == text
    assert data["_copy"]["made_from"].startswith("models-dev ")
