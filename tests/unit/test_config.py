"""seal.toml document: loading errors, path choice, reading, validated edits and diff."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomlkit

from backend.config.document import MODEL_KEYS, ROLE_NAMES, load_config
from backend.config.location import default_config_path
from backend.config.schema import profile_problem
from backend.errors import ConfigError, ConfigParseError, InputError
from backend.system import bounded

FULL = """\
# header
[model]
provider = "anthropic"  # which provider
name = "claude-sonnet-4-6"
auth = "api_key"

[model.headers]
"X-Title" = "demo"

# roles below
[model.roles]
fast = "haiku"
fallbacks = ["openrouter:anthropic/claude-sonnet-4-6"]

[agents.research.model]
name = "claude-opus-4-7"
effort = "high"

[agents.research.model.roles]
fast = "sonnet"

[agents.coder.model]
provider = "openai"
name = "gpt-5"
auth = "env"
profile = "work"
"""


def write(tmp_path: Path, text: str, name: str = "seal.toml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


# ----- paths -------------------------------------------------------------------------------


def test_default_config_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"SEAL_CONFIG": "/env/seal.toml"}
    assert default_config_path(env, "/cli/seal.toml") == Path("/cli/seal.toml")
    assert default_config_path(env, None) == Path("/env/seal.toml")
    assert default_config_path({}, None) == tmp_path / "seal.toml"
    assert default_config_path({"SEAL_CONFIG": "  "}, None) == tmp_path / "seal.toml"
    monkeypatch.setenv("SEAL_CONFIG", "/from/os/seal.toml")
    assert default_config_path() == Path("/from/os/seal.toml")


# ----- loading -----------------------------------------------------------------------------


def test_missing_file_gives_header_document(tmp_path: Path) -> None:
    cfg = load_config(tmp_path / "seal.toml")
    assert cfg.exists is False
    assert cfg.original_text == ""
    assert cfg.text().startswith("# ")
    assert cfg.changed() is False
    assert cfg.diff() == ""
    assert cfg.agents() == []
    assert cfg.get("name") is None
    cfg.set("provider", "anthropic")
    assert cfg.changed()
    assert tomlkit.parse(cfg.text())["model"]["provider"] == "anthropic"
    assert '+provider = "anthropic"' in cfg.diff()


def test_parse_error_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '[model]\nname = "x"\nauth = = "y"\n')
    with pytest.raises(ConfigParseError) as info:
        load_config(path)
    err = info.value
    assert (err.line, err.col) == (3, 8)
    assert err.message.startswith("seal.toml line 3, column 8: ")
    assert err.exit_code == 3


def test_duplicate_key_is_a_parse_error(tmp_path: Path) -> None:
    path = write(tmp_path, '[model]\nname = "x"\nname = "y"\n')
    with pytest.raises(ConfigParseError):
        load_config(path)


def test_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "seal.toml").mkdir()
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "seal.toml")
    assert "directory" in info.value.message and str(tmp_path) in info.value.message


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    path.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(ConfigError, match="binary"):
        load_config(path)


def test_undecodable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    path.write_bytes(b'name = "\xff\xfe"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        load_config(path)


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    path.write_bytes(b"# x\n" * (1024 * 1024))
    with pytest.raises(ConfigError, match="bytes"):
        load_config(path)


def test_read_permission_error_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "[model]\n")

    def denied(path: Path, *args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(bounded, "open_regular", denied)  # root reads any file: fake it
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.message == f"cannot read {path}: Permission denied"
    assert info.value.exit_code == 3


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('model = "x"\n', "[model]"),
        ("[[model]]\nname = 'a'\n", "[model]"),
        ("[model]\nroles = 5\n", "[model.roles]"),
        ("[model]\nheaders = ['a']\n", "[model.headers]"),
        ("agents = 3\n", "[agents]"),
        ("[agents]\nx.model = 1\n", "[agents.x.model]"),
    ],
)
def test_wrong_shapes_name_the_key(tmp_path: Path, text: str, where: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    assert where in info.value.message
    assert "must be a table" in info.value.message
    assert not isinstance(info.value, ConfigParseError)


# ----- reading -----------------------------------------------------------------------------


def test_get_own_and_inheritance(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL))
    assert cfg.get("provider") == "anthropic"
    assert cfg.get("provider", "research") == "anthropic"
    assert cfg.own("provider", "research") is None
    assert cfg.get("name", "research") == "claude-opus-4-7"
    assert cfg.own("effort") is None
    assert cfg.get("effort", "research") == "high"
    assert cfg.model("coder") == {
        "provider": "openai",
        "name": "gpt-5",
        "auth": "env",
        "profile": "work",
    }
    assert cfg.headers() == {"X-Title": "demo"}
    assert cfg.agents() == ["research", "coder"]


def test_roles_merge_and_primary(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL))
    assert cfg.roles() == {
        "primary": "claude-sonnet-4-6",
        "fast": "haiku",
        "fallbacks": ["openrouter:anthropic/claude-sonnet-4-6"],
    }
    assert cfg.roles("research") == {
        "primary": "claude-opus-4-7",
        "fast": "sonnet",
        "fallbacks": ["openrouter:anthropic/claude-sonnet-4-6"],
    }
    assert cfg.own_roles("research") == {"primary": "claude-opus-4-7", "fast": "sonnet"}
    assert type(cfg.roles()["fallbacks"]) is list


def test_providers_in_use(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL))
    assert cfg.providers_in_use() == [
        ("anthropic", "default", "api_key"),
        ("openrouter", "default", "api_key"),
        ("openai", "work", "env"),
    ]


def test_providers_in_use_infers_from_name(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, '[model]\nname = "anthropic/claude-opus-4-7"\n'))
    assert cfg.providers_in_use() == [("openrouter", "default", "api_key")]


def test_inline_dotted_and_out_of_order_are_read(tmp_path: Path) -> None:
    text = (
        'model.provider = "openrouter"\n'
        'model.roles = { fast = "vendor/small" }\n'
        "[agents.a.model]\n"
        'name = "gpt-5"\n'
        "[agents.b]\n"
        'model = { name = "o3", roles.escalate = "gpt-5" }\n'
        "[agents.a.model.roles]\n"
        'fast = "gpt-5-mini"\n'
    )
    cfg = load_config(write(tmp_path, text))
    assert cfg.get("provider") == "openrouter"
    assert cfg.roles() == {"fast": "vendor/small"}
    assert cfg.agents() == ["a", "b"]
    assert cfg.roles("a")["fast"] == "gpt-5-mini"
    assert cfg.roles("b") == {"primary": "o3", "fast": "vendor/small", "escalate": "gpt-5"}


# ----- editing -----------------------------------------------------------------------------


def test_set_validates_keys_and_values(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL))
    with pytest.raises(InputError, match="secrets"):
        cfg.set("api_key", "sk-ant-api03-xxx")
    bad = [
        ("provider", "azure"),
        ("auth", "password"),
        ("thinking", "sometimes"),
        ("effort", "extreme"),
        ("thinking_budget", 10),
        ("thinking_budget", True),
        ("max_tokens", "lots"),
        ("max_tokens", 0),
        ("context_1m", "yes"),
        ("base_url", "ftp://x"),
        ("cache_retention", "forever"),
        ("profile", "has space"),
        ("name", "two words"),
        ("name", 5),
    ]
    for key, value in bad:
        with pytest.raises(InputError):
            cfg.set(key, value)
    assert not cfg.changed()
    cfg.set("thinking_budget", 2048)
    cfg.set("context_1m", True)
    cfg.set("base_url", "https://proxy.example.com/v1")
    again = tomlkit.parse(cfg.text())["model"]
    assert again["thinking_budget"] == 2048 and again["context_1m"] is True
    assert set(MODEL_KEYS) >= {"provider", "name", "auth"}


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("default", True),
        ("work", True),
        ("user@example.com", True),
        ("me+ci@example.co.uk", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("", False),
        ("has space", False),
        ("@starts-with-at", False),
        ("anthropic:work", False),  # ':' splits the store key
        ("über", False),
        ("line\nbreak", False),
    ],
)
def test_profile_names_follow_one_rule(tmp_path: Path, name: str, ok: bool) -> None:
    assert (profile_problem(name) == "") is ok
    cfg = load_config(write(tmp_path, FULL))
    if ok:
        cfg.set("profile", name)
        assert cfg.own("profile") == name
    else:
        with pytest.raises(InputError, match="profile must be"):
            cfg.set("profile", name)


def test_set_none_removes_and_unknown_agent_refused(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL))
    cfg.set("effort", None, "research")
    assert cfg.own("effort", "research") is None
    with pytest.raises(InputError, match="no agent"):
        cfg.set("effort", "low", "ghost")


def test_set_existing_key_keeps_inline_comment(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL))
    cfg.set("provider", "openrouter")
    assert 'provider = "openrouter"  # which provider\n' in cfg.text()


def test_set_same_value_changes_nothing(tmp_path: Path) -> None:
    text = "[model]\nname = 'claude-sonnet-4-6'\n"
    cfg = load_config(write(tmp_path, text))
    cfg.set("name", "claude-sonnet-4-6")
    assert cfg.text() == text and not cfg.changed()


def test_set_role(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL))
    cfg.set_role("escalate", "opus", "coder")
    cfg.set_role("fallbacks", ["gpt-5", "openrouter:vendor/m"], "coder")
    cfg.set_role("primary", "openrouter:anthropic/claude-opus-4-7", "research")
    cfg.set_role("fast", None)
    again = tomlkit.parse(cfg.text())
    coder = again["agents"]["coder"]["model"]
    assert coder["roles"]["escalate"] == "opus"
    assert coder["roles"]["fallbacks"] == ["gpt-5", "openrouter:vendor/m"]
    research = again["agents"]["research"]["model"]
    assert research["name"] == "anthropic/claude-opus-4-7"
    assert research["provider"] == "openrouter"
    assert "fast" not in again["model"]["roles"]
    for role, value in [("fast", "azure:x"), ("boss", "opus"), ("fast", ["opus"])]:
        with pytest.raises(InputError):
            cfg.set_role(role, value)
    assert ROLE_NAMES == ("primary", "fast", "escalate", "fallbacks")


def test_removing_last_role_drops_new_table(tmp_path: Path) -> None:
    text = '[model]\nname = "opus"\n'
    cfg = load_config(write(tmp_path, text))
    cfg.set_role("fast", "haiku")
    assert "[model.roles]" in cfg.text()
    cfg.set_role("fast", None)
    assert cfg.text() == text


def test_a_new_table_emptied_again_gives_back_the_comments_it_took(tmp_path: Path) -> None:
    """A new table takes the comments that introduce the next section below itself; when
    it is emptied again it goes, and they go back above that section."""
    text = (
        '[model]\nname = "opus"\n\n[model.roles]\nfast = "haiku"\n\n'
        '# the agents\n[agents.a.model]\nname = "sonnet"\n'
    )
    cfg = load_config(write(tmp_path, text))
    cfg.set_header("X-Title", "app")
    assert '[model.headers]\nX-Title = "app"\n\n# the agents\n[agents.a.model]' in cfg.text()
    cfg.set_header("X-Title", None)
    assert cfg.text() == text
    assert not cfg.changed()


def test_headers(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL))
    cfg.set_header("x-title", "renamed")  # case-insensitive match keeps the written name
    cfg.set_header("HTTP-Referer", "https://example.com")
    assert cfg.headers() == {"X-Title": "renamed", "HTTP-Referer": "https://example.com"}
    cfg.set_header("X-Title", None)
    assert cfg.headers() == {"HTTP-Referer": "https://example.com"}
    for name, value in [
        ("Authorization", "Bearer x"),
        ("x-api-key", "abc"),
        ("X-Thing", "sk-or-v1-abc"),
        ("bad header", "v"),
        ("X-Multi", "a\nb"),
    ]:
        with pytest.raises(InputError):
            cfg.set_header(name, value)


def test_both_spellings_of_the_title_are_one_header(tmp_path: Path) -> None:
    # FULL writes X-Title (Seal's docs); OpenRouter also takes X-OpenRouter-Title.
    cfg = load_config(write(tmp_path, FULL))
    cfg.set_header("X-OpenRouter-Title", "renamed")
    assert cfg.headers()["X-Title"] == "renamed" and "X-OpenRouter-Title" not in cfg.headers()
    cfg.set_header("X-OpenRouter-Title", None)
    assert "X-Title" not in cfg.headers()
    both = '[model]\n\n[model.headers]\n"X-OpenRouter-Title" = "a"\n"X-Title" = "b"\n'
    cfg = load_config(write(tmp_path, both))
    cfg.set_header("X-Title", "c")
    assert cfg.headers() == {"X-OpenRouter-Title": "c"}


def test_agents_add_rename_remove(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL + "\n[agents.coder]\nprompt = 'keep'\n"))
    cfg.add_agent("writer")
    cfg.set("name", "haiku", "writer")
    assert cfg.agents() == ["research", "coder", "writer"]
    cfg.rename_agent("research", "scholar")
    assert cfg.agents() == ["scholar", "coder", "writer"]
    assert cfg.roles("scholar")["fast"] == "sonnet"
    cfg.remove_agent("coder")
    assert cfg.agents() == ["scholar", "writer"]
    again = tomlkit.parse(cfg.text())
    assert again["agents"]["coder"]["prompt"] == "keep"  # only the model override went
    assert "[agents.scholar.model.roles]" in cfg.text()
    assert again["agents"]["writer"]["model"]["name"] == "haiku"
    for call in [
        lambda: cfg.add_agent("writer"),
        lambda: cfg.add_agent("bad name"),
        lambda: cfg.add_agent(""),
        lambda: cfg.add_agent("x" * 65),
        lambda: cfg.rename_agent("writer", "scholar"),
        lambda: cfg.rename_agent("ghost", "new"),
        lambda: cfg.remove_agent("ghost"),
    ]:
        with pytest.raises(InputError):
            call()


def test_diff_labels(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, FULL))
    assert cfg.diff() == ""
    cfg.set("effort", "low")
    diff = cfg.diff()
    assert diff.startswith("--- seal.toml (on disk)\n+++ seal.toml (after)\n")
    assert '+effort = "low"' in diff


def test_no_final_newline_edit(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, '[model]\nname = "opus"'))
    cfg.set("effort", "low")
    assert cfg.text() == '[model]\nname = "opus"\neffort = "low"\n'


def test_bom_is_kept(tmp_path: Path) -> None:
    text = '\ufeff[model]\nname = "opus"\n'
    cfg = load_config(write(tmp_path, text))
    assert cfg.get("name") == "opus"
    cfg.set("effort", "low")
    assert cfg.text() == '\ufeff[model]\nname = "opus"\neffort = "low"\n'


def test_backend_imports_no_ui() -> None:
    import subprocess
    import sys

    code = (
        "import sys, backend.config, backend.vocabulary.selectors, backend.config.io;"
        "bad=[m for m in sys.modules if m.split('.')[0] in ('textual','tui','screens')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
