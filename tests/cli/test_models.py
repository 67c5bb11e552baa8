"""`seal-setup models`: the bundled list (saying so), or with --live the list the wizard's
check fetches, merged as the Model step merges it, with the credential Seal would use."""

from __future__ import annotations

import json

from backend.providers import models_dev
from backend.providers.catalog import Catalog
from tests.cli.helpers import put, run, write_config
from tests.fakes.provider import ANTHROPIC_KEY, OPENAI_KEY, OPENROUTER_KEY
from tests.fakes.real_lists import (
    OPENROUTER_ROUTERS,
    anthropic_list,
    openai_chat_ids,
    openai_list,
    openrouter_list,
)


def test_without_live_it_is_the_bundled_list_and_says_so(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["models", "--provider", "anthropic"], capsys, monkeypatch)
    assert code == 0, err
    lines = out.splitlines()
    # Which list and its date: the models.dev snapshot shipped with seal-setup.
    assert lines[0].startswith(f"Anthropic: the {models_dev.snapshot().describe()} (")
    assert "--live asks Anthropic" in lines[0]
    assert lines[1].split() == [
        "MODEL",
        "CONTEXT",
        "MAX",
        "OUTPUT",
        "THINKING",
        "EFFORT",
        "$",
        "IN",
        "/",
        "OUT",
        "PER",
        "1M",
    ]
    ids = [line.split()[0] for line in lines[2:-1]]
    assert ids == [m.id for m in Catalog.bundled().models("anthropic")]
    # The default effort Seal applies is marked (Opus 4.7: xhigh, seed 000).
    opus = next(line.split() for line in lines if line.startswith("claude-opus-4-7 "))
    assert opus[4] == "low,medium,high,xhigh*,max"
    assert lines[-1] == "* the effort Seal uses when seal.toml leaves it unset"
    assert fake_provider_env.requests() == []  # nothing asked


def test_the_bundled_list_as_json_for_every_provider(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["models", "--json"], capsys, monkeypatch)
    assert code == 0, err
    data = json.loads(out)
    assert [p["provider"] for p in data["providers"]] == ["anthropic", "openrouter", "openai"]
    assert {p["source"] for p in data["providers"]} == {"bundled"}
    sonnet = next(m for m in data["providers"][0]["models"] if m["id"] == "claude-sonnet-4-6")
    assert sonnet["context"] == 1_000_000 and sonnet["line"] == "sonnet"


def test_live_without_a_credential_says_so_and_is_exit_1(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["models", "--provider", "openai", "--live"], capsys, monkeypatch)
    assert code == 1
    assert out == ""
    assert "--live needs a credential for OpenAI, and there is none" in err
    assert "set OPENAI_API_KEY or store one" in err and "without --live" in err


def test_live_openai_offers_the_chat_models_of_a_real_list(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    fake_provider_env.model_lists["openai"] = openai_list(150)
    code, out, err = run(["models", "--provider", "openai", "--live"], capsys, monkeypatch)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("OpenAI: the live list (90 models, credential from OPENAI_API_KEY")
    assert {line.split()[0] for line in lines[2:]} == openai_chat_ids(150)
    assert OPENAI_KEY not in out + err


def test_live_openrouter_with_a_stored_key_as_json(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    monkeypatch.chdir(tmp_path)
    put("openrouter", secret=OPENROUTER_KEY)
    fake_provider_env.model_lists["openrouter"] = openrouter_list(320)
    argv = ["models", "--provider", "openrouter", "--live", "--json"]
    code, out, err = run(argv, capsys, monkeypatch)
    assert code == 0, err
    (listing,) = json.loads(out)["providers"]
    assert listing["source"] == "live" and listing["credential"] == "file"
    ids = [m["id"] for m in listing["models"]]
    assert len(ids) == 320 - len(OPENROUTER_ROUTERS)
    assert not set(OPENROUTER_ROUTERS) & set(ids)
    hermes = next(m for m in listing["models"] if m["id"] == "nousresearch/hermes-4-70b")
    # Live 0 is unknown: the figures are models.dev's (its snapshot), never 0.
    assert hermes["max_output"] == hermes["context"] == 131_072


def test_live_anthropic_zeros_show_the_bundled_figures(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANTHROPIC_API_KEY", ANTHROPIC_KEY)
    fake_provider_env.model_lists["anthropic"] = anthropic_list()
    code, out, err = run(["models", "--provider", "anthropic", "--live"], capsys, monkeypatch)
    assert code == 0, err
    rows = {
        line.split()[0]: line.split() for line in out.splitlines()[2:] if not line.startswith("* ")
    }
    assert set(rows) == {"claude-sonnet-4-6", "claude-opus-4-7", "claude-haiku-4-5-20251001"}
    assert rows["claude-haiku-4-5-20251001"][1:3] == ["200K", "64K"]  # live sent 0 and 0
    assert rows["claude-sonnet-4-6"][1:3] == ["1M", "128K"]  # live beats bundled 64K


def test_live_with_a_rejected_key_is_exit_1(tmp_path, capsys, monkeypatch, fake_provider_env):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-proj-" + "Wrong000" * 8)
    code, out, err = run(["models", "--provider", "openai", "--live"], capsys, monkeypatch)
    assert code == 1 and out == ""
    assert "no live list from OpenAI: Rejected by OpenAI" in err


def test_live_follows_seal_toml_profile_and_refuses_an_untrusted_base_url(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    monkeypatch.chdir(tmp_path)
    put("openai", "work", secret=OPENAI_KEY)
    write_config(tmp_path / "seal.toml", '[model]\nprovider = "openai"\nprofile = "work"\n')
    code, out, err = run(["models", "--provider", "openai", "--live"], capsys, monkeypatch)
    assert code == 0, err
    assert out.startswith("OpenAI: the live list (")
    write_config(
        tmp_path / "seal.toml",
        '[model]\nprovider = "openai"\nprofile = "work"\nbase_url = "https://proxy.example/v1"\n',
    )
    before = len(fake_provider_env.requests())
    code, out, err = run(["models", "--provider", "openai", "--live"], capsys, monkeypatch)
    assert code == 2 and out == ""
    assert "proxy.example" in err
    assert len(fake_provider_env.requests()) == before


def test_a_broken_seal_toml_is_exit_3(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_config(tmp_path / "seal.toml", "[model\n")
    code, out, err = run(["models"], capsys, monkeypatch)
    assert code == 3 and out == ""
    assert "seal-setup models:" in err and "seal.toml" in err


def test_the_readme_documents_every_json_key(tmp_path, capsys, monkeypatch):
    import re
    from pathlib import Path

    monkeypatch.chdir(tmp_path)
    _, out, _ = run(["models", "--provider", "anthropic", "--json"], capsys, monkeypatch)
    doc = json.loads(out)
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("`models --json` prints one object:\n\n```json\n", 1)[1].split("```")[0]
    documented = re.findall(r'"([a-z_0-9]+)":', block)
    listing = doc["providers"][0]
    assert documented == [*doc, *listing, *listing["models"][0]]
