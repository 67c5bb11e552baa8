"""`--model` against `--provider` (DESIGN §4's selector rules, with the seed's exception
for Claude through OpenRouter), the live list's "did you mean", and OpenRouter's title
header under either of its names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import run, store, write_config
from tests.fakes.provider import ANTHROPIC_KEY, OPENROUTER_KEY

BASE = ["onboard", "--non-interactive"]


def onboard(tmp_path: Path, provider: str, *flags: str, auth: str = "api_key") -> list[str]:
    path = str(tmp_path / "seal.toml")
    return [*BASE, "--config", path, "--provider", provider, "--auth", auth, *flags]


@pytest.mark.parametrize(
    ("provider", "model", "said", "instead"),
    [
        (
            "anthropic",
            "gpt-5",
            "--model gpt-5 is an OpenAI model, but --provider is anthropic",
            "write --provider openai --model gpt-5, or --provider openrouter --model "
            "openai/gpt-5, or an Anthropic model such as claude-opus-4-8",
        ),
        (
            "openrouter",
            "claude-sonnet-4-6",
            "--model claude-sonnet-4-6 is an Anthropic model, but --provider is openrouter",
            "write --model anthropic/claude-sonnet-4.6, or --provider anthropic "
            "--model claude-sonnet-4-6",
        ),
        (
            "openrouter",
            "gpt-5",
            "--model gpt-5 is an OpenAI model, but --provider is openrouter",
            "write --model openai/gpt-5, or --provider openai --model gpt-5",
        ),
        (
            "anthropic",
            "anthropic/claude-opus-4.7",
            "is an OpenRouter vendor/model id, but --provider is anthropic",
            "write --provider openrouter --model anthropic/claude-opus-4.7, or --model "
            "claude-opus-4-7",
        ),
        (
            "openai",
            "opus",
            "--model opus is an Anthropic model, but --provider is openai",
            "write --provider anthropic --model opus, or --provider openrouter --model "
            "anthropic/claude-opus-4.7",
        ),
    ],
)
def test_another_providers_model_is_refused_with_what_to_write(
    tmp_path, capsys, monkeypatch, fake_provider_env, provider, model, said, instead
):
    code, out, err = run(onboard(tmp_path, provider, "--model", model), capsys, monkeypatch)
    assert code == 2 and out == ""
    assert said in err and instead in err
    assert fake_provider_env.requests() == []  # refused before stdin or any request
    assert not (tmp_path / "seal.toml").exists() and store().list() == []


@pytest.mark.parametrize(
    ("alias", "slug"),
    [
        ("opus", "anthropic/claude-opus-4.7"),
        ("sonnet", "anthropic/claude-sonnet-4.6"),
    ],
)
def test_a_bare_claude_alias_with_openrouter_is_claude_through_openrouter(
    tmp_path, capsys, monkeypatch, fake_provider_env, alias, slug
):
    # Seed 001 (Sinatra's routing): the exception wins over the refusal above.
    argv = onboard(tmp_path, "openrouter", "--model", alias)
    code, out, err = run(argv, capsys, monkeypatch, OPENROUTER_KEY)
    assert code == 0, err
    assert f"Model: {alias} → {slug}." in out
    assert f'name = "{slug}"' in (tmp_path / "seal.toml").read_text()


def test_a_claude_line_the_live_list_lacks_is_refused_unless_no_verify(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    # The fake's OpenRouter list has no Haiku; the bundled list's slug is only a guess.
    argv = onboard(tmp_path, "openrouter", "--model", "haiku")
    code, _, err = run(argv, capsys, monkeypatch, OPENROUTER_KEY)
    assert code == 2
    assert "openrouter's live model list has no 'anthropic/claude-haiku-4.5'" in err
    assert not (tmp_path / "seal.toml").exists()
    code, out, err = run([*argv, "--no-verify"], capsys, monkeypatch, OPENROUTER_KEY)
    assert code == 0, err
    assert "Model: haiku → anthropic/claude-haiku-4.5." in out


def test_the_wizard_refuses_the_same_before_its_screen(tmp_path, capsys, monkeypatch):
    import sys

    from tests.cli.helpers import TTYInput

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    argv = ["onboard", "--config", str(tmp_path / "seal.toml"), "--provider", "anthropic"]
    code, out, err = run([*argv, "--model", "gpt-5"], capsys, monkeypatch, TTYInput())
    assert code == 2 and out == ""
    assert "--model gpt-5 is an OpenAI model, but --provider is anthropic" in err


def test_a_model_missing_from_the_live_list_gets_did_you_mean(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    argv = onboard(tmp_path, "anthropic", "--model", "claude-sonet-4-6")
    code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 2
    assert "anthropic's live model list has no 'claude-sonet-4-6'" in err
    assert "did you mean claude-sonnet-4-6" in err and "--no-verify" in err
    assert not (tmp_path / "seal.toml").exists() and store().list() == []


def test_no_verify_takes_a_model_the_live_list_lacks(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    argv = onboard(tmp_path, "anthropic", "--model", "claude-sonnet-9", "--no-verify")
    code, _, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    assert code == 0, err
    assert 'name = "claude-sonnet-9"' in (tmp_path / "seal.toml").read_text()


def test_an_alias_and_a_listed_id_pass_the_live_list(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    for model in ("sonnet", "claude-opus-4-7"):
        code, _, err = run(
            onboard(tmp_path, "anthropic", "--model", model), capsys, monkeypatch, ANTHROPIC_KEY
        )
        assert code == 0, (model, err)


# --- the attribution title: X-Title and X-OpenRouter-Title are one setting -----------------


@pytest.mark.parametrize(
    ("has", "given"),
    [
        ("X-Title", "X-OpenRouter-Title"),
        ("X-OpenRouter-Title", "X-Title"),
        ("X-Title", "x-title"),
    ],
)
def test_the_title_header_keeps_the_name_the_file_has(
    tmp_path, capsys, monkeypatch, fake_provider_env, has, given
):
    path = write_config(
        tmp_path / "seal.toml",
        f'[model]\nprovider = "openrouter"\n\n[model.headers]\n"{has}" = "old"\n',
    )
    flags = ["--model", "anthropic/claude-sonnet-4.6", "--header", f"{given}=new"]
    code, _, err = run(onboard(tmp_path, "openrouter", *flags), capsys, monkeypatch, OPENROUTER_KEY)
    assert code == 0, err
    text = path.read_text()
    assert f'"{has}" = "new"' in text
    assert text.lower().count("title") == 1  # never both


def test_a_file_with_both_title_names_ends_with_one(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    path = write_config(
        tmp_path / "seal.toml",
        '[model]\nprovider = "openrouter"\n\n[model.headers]\n'
        '"X-Title" = "a"\n"X-OpenRouter-Title" = "b"\n',
    )
    flags = ["--model", "anthropic/claude-sonnet-4.6", "--header", "X-Title=c"]
    code, _, err = run(onboard(tmp_path, "openrouter", *flags), capsys, monkeypatch, OPENROUTER_KEY)
    assert code == 0, err
    text = path.read_text()
    assert '"X-Title" = "c"' in text and "X-OpenRouter-Title" not in text
