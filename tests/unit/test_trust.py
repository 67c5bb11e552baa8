"""The trust rule for seal.toml base URLs: what needs trust, what is refused, the list."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from backend.config.document import load_config
from backend.errors import InputError
from backend.providers.trust import (
    TrustList,
    UntrustedEndpoint,
    config_key,
    endpoint_for,
    project_endpoints,
    refuse_untrusted,
    trust_command,
    trust_path,
)

PROXY = "https://proxy.example.com/v1"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "seal.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("provider", "base_url", "env"),
    [
        ("anthropic", None, {}),
        ("anthropic", "", {}),
        ("anthropic", "https://api.anthropic.com/", {}),
        ("openrouter", " https://openrouter.ai/api/v1 ", {}),
        ("openai", "https://api.openai.com/v1", {}),
        # The person's own SEAL_*_BASE_URL is the provider's base: no trust needed.
        ("anthropic", "http://127.0.0.1:9", {"SEAL_ANTHROPIC_BASE_URL": "http://127.0.0.1:9/"}),
    ],
)
def test_the_providers_own_base_needs_no_trust(
    tmp_path: Path, provider: str, base_url: str | None, env: dict[str, str]
) -> None:
    endpoint = endpoint_for(provider, base_url, tmp_path / "seal.toml", env)
    assert endpoint.source == "provider"
    assert endpoint.usable


def test_a_project_base_url_is_untrusted_until_trusted(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    endpoint = endpoint_for("anthropic", PROXY + "/", path, {})
    assert (endpoint.source, endpoint.url, endpoint.trusted) == ("project", PROXY, False)
    assert endpoint.host == "proxy.example.com"
    with pytest.raises(UntrustedEndpoint) as caught:
        refuse_untrusted([endpoint])
    error = caught.value
    assert error.exit_code == 2
    assert "proxy.example.com" in error.message and str(path) in error.message
    assert trust_command(path) in error.hint

    trust = TrustList.load({})
    trust.add(endpoint)
    trust.save()
    again = endpoint_for("anthropic", PROXY, path, {})
    assert again.trusted and again.usable
    refuse_untrusted([again])  # nothing raised


def test_trust_is_for_the_exact_file_provider_and_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "seal.toml"
    trust = TrustList.load({})
    trust.add(endpoint_for("anthropic", PROXY, path, {}))
    trust.save()
    other_project = tmp_path / "other" / "seal.toml"
    assert not endpoint_for("anthropic", PROXY, other_project, {}).trusted
    assert not endpoint_for("openrouter", PROXY, path, {}).trusted
    assert not endpoint_for("anthropic", PROXY + "/evil", path, {}).trusted
    assert not endpoint_for("anthropic", "https://proxy.example.com:444/v1", path, {}).trusted
    # The same file named another way is the same file.
    monkeypatch.chdir(tmp_path)
    assert endpoint_for("anthropic", PROXY, "seal.toml", {}).trusted
    link = tmp_path / "link.toml"
    link.symlink_to(path)
    assert config_key(link) == config_key(path)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://proxy.example.com/v1",
        "http://10.1.2.3:8080",
        "http://[2001:db8::1]/",
        "http://localhost.example.com",
        "https://proxy.example.com/\x1b]52;c;eA==\x07",
        "https://pr\u202eoxy.example.com",
        "https://proxy.example.com/a b",
    ],
)
def test_plain_http_or_a_mangled_url_can_never_be_trusted(tmp_path: Path, base_url: str) -> None:
    endpoint = endpoint_for("openai", base_url, tmp_path / "seal.toml", {})
    assert endpoint.problem and (
        "plain http://" in endpoint.problem or "control" in endpoint.problem
    )
    assert not endpoint.usable
    with pytest.raises(UntrustedEndpoint):
        refuse_untrusted([endpoint])
    with pytest.raises(ValueError):
        TrustList.load({}).add(endpoint)


def test_plain_http_to_loopback_is_a_project_base_like_any_other(tmp_path: Path) -> None:
    endpoint = endpoint_for("openai", "http://127.0.0.1:4000", tmp_path / "seal.toml", {})
    assert endpoint.source == "project" and not endpoint.problem and not endpoint.trusted


def test_project_endpoints_cover_every_table_and_inheritance(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        f"""
[model]
provider = "anthropic"
name = "claude-sonnet-4-6"
base_url = "{PROXY}"

[agents.same.model]
name = "claude-opus-4-7"

[agents.router.model]
provider = "openrouter"
name = "anthropic/claude-sonnet-4.6"

[agents.own.model]
provider = "openai"
name = "gpt-5"
base_url = "https://gpt.example.net"

[agents.plain.model]
provider = "openai"
name = "gpt-5"
base_url = "https://api.openai.com/v1"
""",
    )
    found = project_endpoints(load_config(path), {})
    described = [(e.provider, e.url, e.table) for e in found]
    # [model]'s base_url is inherited by every agent without its own: an agent naming
    # another provider sends that provider's key there too.
    assert described == [
        ("anthropic", PROXY, "[model]"),
        ("openrouter", PROXY, "[model]"),
        ("openai", "https://gpt.example.net", "[agents.own.model]"),
    ]


def test_set_for_replaces_what_the_file_no_longer_names(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    trust = TrustList.load({})
    old = endpoint_for("anthropic", PROXY, path, {})
    trust.set_for(path, [old])
    new = endpoint_for("anthropic", "https://proxy2.example.com", path, {})
    trust.set_for(path, [new])
    trust.save()
    reread = TrustList.load({})
    assert not reread.allows(path, "anthropic", PROXY)
    assert reread.allows(path, "anthropic", "https://proxy2.example.com")
    assert reread.forget(path) == 1 and not reread.entries


def test_the_list_is_private(tmp_path: Path) -> None:
    trust = TrustList.load({})
    trust.add(endpoint_for("anthropic", PROXY, tmp_path / "seal.toml", {}))
    trust.save()
    file = trust_path({})
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert stat.S_IMODE(file.parent.stat().st_mode) == 0o700
    doc = json.loads(file.read_text())
    assert doc["version"] == 1
    assert doc["trusted"][0]["config"] == config_key(tmp_path / "seal.toml")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("not json", "not valid JSON"),
        ('{"version": 2, "trusted": []}', "version 1"),
        ('{"version": 1}', "'trusted' list"),
        ('{"version": 1, "trusted": [1]}', "not an object"),
        ('{"version": 1, "trusted": [{"config": "/x"}]}', "missing field"),
        ("[" * 100_000, "not valid JSON"),
    ],
)
def test_a_broken_list_is_said_and_trusts_nothing(tmp_path: Path, content: str, says: str) -> None:
    file = trust_path({})
    file.parent.mkdir(parents=True)
    file.write_text(content)
    with pytest.raises(InputError, match=says) as caught:
        TrustList.load({})
    assert "move it aside" in caught.value.hint


def test_a_list_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    file = trust_path({})
    file.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere.json"
    target.write_text('{"version": 1, "trusted": []}')
    file.symlink_to(target)
    with pytest.raises(InputError, match="symbolic link, not a regular file"):
        TrustList.load({})
    file.unlink()
    os.mkfifo(file)
    with pytest.raises(InputError, match="not a regular file"):
        TrustList.load({})  # never blocks on the FIFO
