"""`seal-setup models --refresh`: models.dev fetched anew (the loopback fake serves its
api.json), kept in the user cache dir, used by later runs and by the wizard's catalog; a
failure changes nothing and says which list is used."""

from __future__ import annotations

import json
from typing import Any

from backend.providers import models_dev
from backend.services import Services
from tests.cli.helpers import run
from tests.fakes.provider import MODELS_DEV_PATH


def _api_with_a_new_opus() -> dict[str, Any]:
    shipped = models_dev.snapshot()
    api: dict[str, Any] = {p: {"models": dict(m)} for p, m in shipped.providers.items()}
    api["anthropic"]["models"]["claude-opus-5"] = {
        "id": "claude-opus-5",
        "name": "Claude Opus 5",
        "family": "claude-opus",
        "release_date": "2026-11-24",
        "last_updated": "2026-11-30",
        "reasoning": True,
        "limit": {"context": 1_000_000, "output": 128_000},
        "cost": {"input": 5, "output": 25},
        "modalities": {"input": ["text", "image"], "output": ["text"]},
    }
    api["unrelated-provider"] = {"models": {"m": {"id": "m"}}}
    return api


def test_refresh_fetches_keeps_and_later_runs_use_it(
    capsys, monkeypatch, fake_provider_env, tmp_path
):
    monkeypatch.chdir(tmp_path)
    fake_provider_env.models_dev = _api_with_a_new_opus()
    code, out, err = run(["models", "--refresh", "--provider", "anthropic"], capsys, monkeypatch)
    assert code == 0, err
    assert (
        "Refreshed: models.dev live copy of 2026-11-30 (1 models added, removed or changed)" in err
    )
    assert "+ anthropic claude-opus-5" in err
    assert out.splitlines()[0].startswith("Anthropic: the models.dev live copy of 2026-11-30")
    assert "claude-opus-5 " in out
    assert models_dev.cache_path().is_file()
    # A later run (no network asked) and the wizard's catalog use the newer copy.
    fake_provider_env.models_dev = None
    code, out, _ = run(["models", "--provider", "anthropic", "--json"], capsys, monkeypatch)
    (listing,) = json.loads(out)["providers"]
    assert listing["facts_from"] == "models.dev live copy of 2026-11-30"
    assert listing["models"][0]["id"] == "claude-opus-5"
    assert (
        Services(dict(fake_provider_env.env(), **_cache_env())).catalog().resolve_alias("opus")
        == "claude-opus-5"
    )


def _cache_env() -> dict[str, str]:
    import os

    return {"XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]}


def test_a_failed_refresh_changes_nothing_and_says_which_list_is_used(
    capsys, monkeypatch, fake_provider_env, tmp_path
):
    monkeypatch.chdir(tmp_path)
    fake_provider_env.models_dev = None  # 404
    code, out, err = run(["models", "--refresh"], capsys, monkeypatch)
    assert code == 1 and out == ""
    assert "could not refresh the model facts:" in err and "answered 404" in err
    assert f"nothing was changed; the {models_dev.snapshot().describe()} is used" in err
    assert not models_dev.cache_path().exists()
    # A good copy first, then a broken answer: the good copy stays.
    fake_provider_env.models_dev = _api_with_a_new_opus()
    assert run(["models", "--refresh"], capsys, monkeypatch)[0] == 0
    kept = models_dev.cache_path().read_bytes()
    fake_provider_env.malformed(MODELS_DEV_PATH)
    code, _, err = run(["models", "--refresh"], capsys, monkeypatch)
    assert code == 1 and "sent no JSON" in err
    assert "the models.dev live copy of 2026-11-30 is used" in err
    assert models_dev.cache_path().read_bytes() == kept
    fake_provider_env.models_dev = {"somebody": {"models": {}}}
    code, _, err = run(["models", "--refresh"], capsys, monkeypatch)
    assert code == 1 and "lists none of the providers seal-setup knows" in err
