"""`onboard --non-interactive` judges `--model` and `--max-tokens` on the live list merged
with the bundled one, as the wizard's Model step does (the bundled figures may be stale),
and a live limit of 0 or null is unknown: the bundled figure stands."""

from __future__ import annotations

from pathlib import Path

from backend.providers.catalog import check_settings
from backend.services import Services
from tests.cli.helpers import run
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY, openrouter_model
from tests.fakes.real_lists import anthropic_list, openrouter_list

BASE = ["onboard", "--non-interactive"]


def onboard(tmp_path: Path, provider: str, *flags: str) -> list[str]:
    path = str(tmp_path / "seal.toml")
    return [*BASE, "--config", path, "--provider", provider, "--auth", "api_key", *flags]


def test_a_max_tokens_the_live_ceiling_allows_is_taken(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    # The bundled list says 64K for Sonnet 4.6 through OpenRouter; the live list says 128K.
    argv = onboard(
        tmp_path, "openrouter", "--model", "anthropic/claude-sonnet-4.6", "--max-tokens", "100000"
    )
    code, _, err = run(argv, capsys, monkeypatch, OPENROUTER_KEY)
    assert code == 0, err
    assert "max_tokens = 100000" in (tmp_path / "seal.toml").read_text()


def test_a_max_tokens_above_the_live_ceiling_is_refused(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    # The bundled list says 128K for GPT-5 through OpenRouter; this live list says 32K.
    fake_provider_env.model_lists["openrouter"] = [
        openrouter_model("openai/gpt-5", "OpenAI: GPT-5", 400_000, 32_768, "0.00000125", "0.00001")
    ]
    argv = onboard(tmp_path, "openrouter", "--model", "openai/gpt-5", "--max-tokens", "100000")
    code, _, err = run(argv, capsys, monkeypatch, OPENROUTER_KEY)
    assert code == 2
    assert "Max tokens 100,000 is above openai/gpt-5's ceiling of 32,768" in err
    assert not (tmp_path / "seal.toml").exists()


def test_a_zero_or_missing_live_ceiling_leaves_the_bundled_one(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    # Haiku 4.5 comes back with max_tokens 0: unknown, so the bundled 64K is its ceiling.
    fake_provider_env.model_lists["anthropic"] = anthropic_list()
    argv = onboard(tmp_path, "anthropic", "--model", "claude-haiku-4-5", "--max-tokens", "32000")
    code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 0, err
    argv = onboard(tmp_path, "anthropic", "--model", "claude-haiku-4-5", "--max-tokens", "90000")
    code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 2
    assert "ceiling of 64,000" in err and "ceiling of 0" not in err


def test_the_wizard_and_the_command_line_judge_alike(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    """The same live list, the same model and limits: the Model step's rules (the wizard's
    merge of the check's models) and the command's exit agree, each way."""
    from backend.credentials.record import CredentialRecord

    fake_provider_env.model_lists["openrouter"] = openrouter_list()
    services = Services(fake_provider_env.env())
    record = CredentialRecord("openrouter", "default", "api_key", secret=OPENROUTER_KEY)
    report = services.check("openrouter", record)
    catalog = services.catalog("openrouter", report.models)
    cases = [
        ("anthropic/claude-sonnet-4.6", 100_000),
        ("anthropic/claude-sonnet-4.6", 200_000),
        ("anthropic/claude-haiku-4.5", 64_000),
        ("anthropic/claude-haiku-4.5", 64_001),
        # Live 0 and -1 mean unknown, not "a ceiling of 0": models.dev's 131,072 stands.
        ("nousresearch/hermes-4-70b", 100_000),
        ("nousresearch/hermes-4-70b", 500_000),
        ("mistralai/mistral-large-2411", 100_000),
    ]
    for model, limit in cases:
        wizard = check_settings(catalog.find("openrouter", model), {"max_tokens": limit}, "api_key")
        argv = onboard(tmp_path, "openrouter", "--model", model, "--max-tokens", str(limit))
        code, _, err = run(argv, capsys, monkeypatch, OPENROUTER_KEY)
        assert (code == 0) == (wizard == []), (model, limit, err, wizard)
        assert code in (0, 2), err
        for problem in wizard:
            assert problem in err
    verdicts = [
        check_settings(catalog.find("openrouter", m), {"max_tokens": n}, "api_key") == []
        for m, n in cases
    ]
    assert verdicts == [True, False, True, False, True, False, True]


def test_a_router_id_is_neither_listed_nor_taken(tmp_path, capsys, monkeypatch, fake_provider_env):
    fake_provider_env.model_lists["openrouter"] = openrouter_list()
    services = Services(fake_provider_env.env())
    catalog = services.catalog("openrouter", services.check("openrouter", _record()).models)
    ids = [m.id for m in catalog.models("openrouter")]
    assert "anthropic/claude-sonnet-4.6" in ids
    assert not [i for i in ids if i.startswith("~")]
    argv = onboard(tmp_path, "openrouter", "--model", "~anthropic/claude-sonnet-latest")
    code, _, err = run(argv, capsys, monkeypatch, OPENROUTER_KEY)
    assert code == 2
    assert "is an OpenRouter router id" in err and "--model sonnet" in err
    assert not (tmp_path / "seal.toml").exists()


def _record():
    from backend.credentials.record import CredentialRecord

    return CredentialRecord("openrouter", "default", "api_key", secret=OPENROUTER_KEY)


def test_an_alias_is_said_resolved_on_the_live_list_as_review_says_it(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    from tests.fakes.provider import anthropic_model

    fake_provider_env.extra_models["anthropic"] = [
        anthropic_model(
            "claude-sonnet-5",
            "Claude Sonnet 5",
            "2026-09-01T00:00:00Z",
            1_000_000,
            128_000,
            {"adaptive": True, "enabled": True},
            ("low", "medium", "high"),
        )
    ]
    argv = onboard(tmp_path, "anthropic", "--model", "sonnet")
    code, out, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 0, err
    assert "sonnet is claude-sonnet-5 now: the newest Sonnet on Anthropic's live list." in out
    assert 'name = "sonnet"' in (tmp_path / "seal.toml").read_text()
