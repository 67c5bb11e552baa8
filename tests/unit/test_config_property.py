"""Property: any sequence of wizard edits keeps the file valid, its comments, and undoes cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.config.document import SealConfig, load_config
from backend.config.schema import header_spellings
from backend.vocabulary import registry
from tests.unit.test_config_corpus import CORPUS, comments

VALUES: dict[str, list[Any]] = {
    "provider": list(registry.ids()),
    "name": ["claude-sonnet-4-6", "opus", "anthropic/claude-opus-4-7", "gpt-5"],
    "auth": ["api_key", "oauth", "env", "setup_token"],
    "effort": ["low", "high", "max"],
    "max_tokens": [1024, 32000],
    "context_1m": [True, False],
    "profile": ["default", "work"],
}
ROLE_VALUES: dict[str, list[Any]] = {
    "fast": ["haiku", "openrouter:vendor/small", "gpt-5-mini"],
    "escalate": ["opus", "o3"],
    "fallbacks": [["gpt-5"], ["openrouter:anthropic/claude-sonnet-4-6", "o3"], []],
}

edit = st.one_of(
    st.tuples(
        st.just("set"),
        st.sampled_from(sorted(VALUES)),
        st.integers(0, 3),
        st.booleans(),
        st.booleans(),
    ),
    st.tuples(
        st.just("role"),
        st.sampled_from(sorted(ROLE_VALUES)),
        st.integers(0, 2),
        st.booleans(),
        st.booleans(),
    ),
    st.tuples(
        st.just("header"),
        st.sampled_from(["X-Title", "X-B"]),
        st.integers(0, 1),
        st.booleans(),
        st.booleans(),
    ),
)


def apply(cfg: SealConfig, op: tuple[str, str, int, bool, bool], expected: dict[Any, Any]) -> None:
    kind, key, choice, remove, on_agent = op
    agents = cfg.agents()
    agent = agents[0] if on_agent and agents else None
    if kind == "set":
        value = None if remove else VALUES[key][choice % len(VALUES[key])]
        cfg.set(key, value, agent)
        expected[("own", key, agent)] = value
    elif kind == "role":
        value = None if remove else ROLE_VALUES[key][choice % len(ROLE_VALUES[key])]
        cfg.set_role(key, value, agent)
        expected[("role", key, agent)] = value
    else:
        value = None if remove else f"v{choice}"
        cfg.set_header(key, value)
        expected[("header", key, None)] = value


def check(cfg: SealConfig, expected: dict[Any, Any]) -> None:
    for (kind, key, agent), value in expected.items():
        if kind == "own":
            assert cfg.own(key, agent) == value
        elif kind == "role":
            assert cfg.own_roles(agent).get(key) == value
        else:
            assert header(cfg, key)[1] == value


def header(cfg: SealConfig, key: str) -> tuple[str, str | None]:
    """(the name the file uses, the value) of header `key` under any of its spellings
    (X-Title is X-OpenRouter-Title); (key, None) when it is not there."""
    same = header_spellings(key)
    found = [(name, value) for name, value in cfg.headers().items() if name.lower() in same]
    assert len(found) <= 1  # never two spellings of one header
    return found[0] if found else (key, None)


def snapshot(cfg: SealConfig, ops: list[tuple[str, str, int, bool, bool]]) -> list[Any]:
    """The current value of everything `ops` touches, to put back afterwards."""
    out: list[Any] = []
    for kind, key, _choice, _remove, on_agent in ops:
        agents = cfg.agents()
        agent = agents[0] if on_agent and agents else None
        if kind == "set":
            out.append((kind, key, agent, cfg.own(key, agent)))
        elif kind == "role":
            out.append((kind, key, agent, cfg.own_roles(agent).get(key)))
        else:
            out.append((kind, *header(cfg, key)[:1], None, header(cfg, key)[1]))
    return out


def array_lines(text: str) -> set[int]:
    """Lines inside a multi-line `fallbacks = [...]`: replacing the list may drop them."""
    out: set[int] = set()
    inside = False
    for n, line in enumerate(text.splitlines()):
        if "fallbacks" in line and "[" in line and "]" not in line:
            inside = True
        elif inside:
            out.add(n)
            if line.strip().startswith("]"):
                inside = False
    return out


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    source=st.sampled_from(CORPUS),
    crlf=st.booleans(),
    ops=st.lists(edit, max_size=8),
)
def test_random_edit_sequences(tmp_path: Path, source: Path, crlf: bool, ops: list[Any]) -> None:
    data = source.read_bytes()
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    path = tmp_path / "seal.toml"
    path.write_bytes(data)
    cfg = load_config(path)
    before = snapshot(cfg, ops)
    expected: dict[Any, Any] = {}
    for op in ops:
        apply(cfg, op, expected)
    text = cfg.text()
    tomlkit.parse(text)  # always parses
    # changed() judges by values: it must agree with comparing the texts.
    assert cfg.changed() == (text.encode() != data)
    check(cfg, expected)
    # Whole-line comments always survive (inline ones only go with a removed value).
    new_comments = [c for _, c, whole in comments(text)]
    inside = array_lines(data.decode()) if any(op[1] == "fallbacks" for op in ops) else set()
    for n, comment, whole in comments(data.decode()):
        if whole and n not in inside:
            assert comment in new_comments
    # Re-loading gives the values set.
    out = tmp_path / "again.toml"
    out.write_bytes(text.encode())
    check(load_config(out), expected)
    # Undoing every edit (restoring each touched value) gives the original bytes.
    for kind, key, agent, value in reversed(before):
        if kind == "set":
            cfg.set(key, value, agent)
        elif kind == "role":
            cfg.set_role(key, value, agent)
        else:
            cfg.set_header(key, value)
    assert cfg.text().encode() == data
    assert not cfg.changed()
