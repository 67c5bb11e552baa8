"""Every wizard edit on a corpus of real-looking seal.toml files keeps what it must keep.

For each file (and its CRLF twin, generated here so git's autocrlf cannot interfere) and
each edit: the result parses, the edit took effect, every comment outside what the edit
removed is still there, every key seal-setup does not manage keeps its value, and each
comment that introduced a section still sits right above that section's header.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from backend.config.document import MODEL_KEYS, SealConfig, load_config

CORPUS = sorted((Path(__file__).parent / "config_corpus").glob("*.toml"))
HEADER_RE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")


def split_comment(line: str) -> tuple[str, str]:
    """(code, comment) of one line, minding quoted strings."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i], line[i:].rstrip("\r\n")
    return line, ""


def comments(text: str) -> list[tuple[int, str, bool]]:
    """(line number, comment, is a whole-line comment) for every comment."""
    out = []
    for n, line in enumerate(text.splitlines()):
        code, comment = split_comment(line)
        if comment:
            out.append((n, comment.strip(), not code.strip()))
    return out


def intro_blocks(text: str) -> dict[str, list[str]]:
    """Header -> the comment lines directly above it (no blank line in between)."""
    lines = text.splitlines()
    blocks: dict[str, list[str]] = {}
    for n, line in enumerate(lines):
        found = HEADER_RE.match(line)
        if not found or line.lstrip().startswith("[["):
            continue
        block = []
        k = n - 1
        while k >= 0 and lines[k].strip().startswith("#"):
            block.insert(0, lines[k].strip())
            k -= 1
        if block:
            blocks[re.sub(r"\s+", "", found.group(1))] = block
    return blocks


def unmanaged(value: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every leaf value seal-setup does not manage, by its key path."""
    out: dict[tuple[str, ...], Any] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(unmanaged(v, (*path, k)))
        return out
    managed = (
        (len(path) == 2 and path[0] == "model" and path[1] in MODEL_KEYS)
        or (len(path) >= 2 and path[0] == "model" and path[1] in ("roles", "headers"))
        or (len(path) >= 3 and path[0] == "agents" and path[2] == "model")
    )
    if not managed:
        out[path] = value
    return out


@dataclass
class Edit:
    name: str
    apply: Callable[[SealConfig], None]
    check: Callable[[SealConfig], bool]
    removes: tuple[str, ...] = ()  # keys whose lines (and inline comments) go away
    new_line: str | None = None  # the line a new key should appear as
    renames: dict[str, str] = field(default_factory=dict)
    drops_agent: str | None = None


def first_agent(cfg: SealConfig) -> str | None:
    agents = cfg.agents()
    return agents[0] if agents else None


def edits_for(cfg: SealConfig) -> list[Edit]:
    edits = [
        Edit(
            "provider",
            lambda c: c.set("provider", "openrouter"),
            lambda c: c.get("provider") == "openrouter",
        ),
        Edit(
            "name",
            lambda c: c.set("name", "claude-opus-4-7"),
            lambda c: c.get("name") == "claude-opus-4-7",
        ),
        Edit("auth", lambda c: c.set("auth", "oauth"), lambda c: c.get("auth") == "oauth"),
        Edit(
            "effort",
            lambda c: c.set("effort", "xhigh"),
            lambda c: c.get("effort") == "xhigh",
            new_line='effort = "xhigh"',
        ),
        Edit(
            "add-roles",
            lambda c: (c.set_role("fast", "haiku"), c.set_role("escalate", "opus")),
            lambda c: c.roles()["fast"] == "haiku" and c.roles()["escalate"] == "opus",
        ),
        Edit(
            "remove-role",
            lambda c: c.set_role("fast", None),
            lambda c: "fast" not in c.own_roles(),
            removes=("fast",),
        ),
        Edit(
            "fallbacks",
            lambda c: c.set_role("fallbacks", ["openrouter:anthropic/claude-sonnet-4-6", "o3"]),
            lambda c: c.roles()["fallbacks"] == ["openrouter:anthropic/claude-sonnet-4-6", "o3"],
            removes=('"gpt-5"',),
        ),
        Edit(
            "add-agent",
            lambda c: (c.add_agent("newbie"), c.set("name", "gpt-5", "newbie")),
            lambda c: c.agents()[-1] == "newbie" and c.get("name", "newbie") == "gpt-5",
        ),
        Edit(
            "header",
            lambda c: c.set_header("X-Extra", "yes"),
            lambda c: c.headers().get("X-Extra") == "yes",
        ),
    ]
    agent = first_agent(cfg)
    if agent:
        edits.append(
            Edit(
                "rename-agent",
                lambda c: c.rename_agent(agent, "renamed"),
                lambda c: "renamed" in c.agents() and agent not in c.agents(),
                renames={f"agents.{agent}.": "agents.renamed."},
            )
        )
        edits.append(
            Edit(
                "remove-agent",
                lambda c: c.remove_agent(agent),
                lambda c: agent not in c.agents(),
                drops_agent=agent,
            )
        )
    return edits


def removed_lines(text: str, edit: Edit) -> set[int]:
    """Line numbers whose comments the edit may legitimately drop."""
    lines = text.splitlines()
    gone: set[int] = set()
    for n, line in enumerate(lines):
        code, _ = split_comment(line)
        if any(re.match(rf"\s*([\w.]*\.)?{re.escape(k)}\b", code) for k in edit.removes):
            gone.add(n)
    if edit.drops_agent:
        prefix = f"agents.{edit.drops_agent}.model"
        inside = False
        section: list[int] = []
        for n, line in enumerate([*lines, "[end]"]):
            found = HEADER_RE.match(line)
            if found and re.sub(r"\s+", "", found.group(1)).startswith(prefix):
                gone.add(n)
            if found:
                if inside:
                    # Comments after the section's last key introduce the next one: kept.
                    keyed = [i for i in section if split_comment(lines[i])[0].strip()]
                    gone.update(i for i in section if keyed and i <= keyed[-1])
                inside = re.sub(r"\s+", "", found.group(1)).startswith(prefix)
                section = []
            elif inside:
                section.append(n)
            elif re.match(r"\s*model\s*=", line) and edit.drops_agent in text:
                gone.add(n)
    return gone


def variants() -> list[tuple[str, bytes]]:
    out = []
    for path in CORPUS:
        data = path.read_bytes()
        out.append((path.name, data))
        out.append((path.name + "-crlf", data.replace(b"\n", b"\r\n")))
    return out


def test_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 12


@pytest.mark.parametrize(("name", "data"), variants(), ids=[n for n, _ in variants()])
def test_unchanged_is_byte_identical(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / "seal.toml"
    path.write_bytes(data)
    cfg = load_config(path)
    assert cfg.text().encode() == data
    assert not cfg.changed() and cfg.diff() == ""
    cfg.save()
    assert path.read_bytes() == data


@pytest.mark.parametrize(("name", "data"), variants(), ids=[n for n, _ in variants()])
def test_every_edit_keeps_the_rest(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / "seal.toml"
    path.write_bytes(data)
    original = data.decode()
    crlf = name.endswith("-crlf")
    base = load_config(path)
    original_unmanaged = unmanaged(tomlkit.parse(original).unwrap())
    original_intros = intro_blocks(original)
    for edit in edits_for(base):
        cfg = load_config(path)
        edit.apply(cfg)
        text = cfg.text()
        parsed = tomlkit.parse(text).unwrap()  # always parses
        assert edit.check(load_config(_write(tmp_path, text))), (name, edit.name)
        assert edit.check(cfg), (name, edit.name)
        # Unknown keys keep their values (an agent rename moves its own keys).
        now = unmanaged(parsed)
        for key_path, value in original_unmanaged.items():
            dotted = ".".join(key_path) + "."
            for old, new in edit.renames.items():
                if dotted.startswith(old):
                    key_path = tuple((new + dotted[len(old) :]).rstrip(".").split("."))
            assert now.get(key_path) == value, (name, edit.name, key_path)
        # Comments survive, except inline ones on lines the edit removed.
        gone = removed_lines(original, edit)
        new_comments = [c for _, c, _ in comments(text)]
        for n, comment, _whole in comments(original):
            if n in gone:
                continue
            assert comment in new_comments, (name, edit.name, comment)
            new_comments.remove(comment)
        # Section-introducing comments still sit right above their header.
        new_intros = intro_blocks(text)
        for header, block in original_intros.items():
            for old, new in edit.renames.items():
                header = header.replace(old.rstrip("."), new.rstrip("."))
            if edit.drops_agent and header.startswith(f"agents.{edit.drops_agent}.model"):
                continue
            assert new_intros.get(header, [])[-len(block) :] == block, (name, edit.name, header)
        # A new key sits right after a sibling or its header, never after a blank/comment.
        if edit.new_line:
            lines = text.splitlines()
            hits = [i for i, line in enumerate(lines) if line.strip().endswith(edit.new_line)]
            for i in hits:
                before = lines[i - 1].strip()
                assert before and not before.startswith("#"), (name, edit.name, lines)
        # New tables are separated from what comes before them by a blank line.
        lines = text.splitlines()
        renamed_original = original
        for old, new in edit.renames.items():
            renamed_original = re.sub(
                re.escape(old.rstrip(".")) + r"(?=[.\]])", new.rstrip("."), renamed_original
            )
        for i, line in enumerate(lines):
            if i and HEADER_RE.match(line) and line not in renamed_original.splitlines():
                assert lines[i - 1].strip() == "" or lines[i - 1].strip().startswith("["), (
                    name,
                    edit.name,
                    text,
                )
        if crlf and "\n" in original:
            assert "\n" not in text.replace("\r\n", ""), (name, edit.name)


def _write(tmp_path: Path, text: str) -> Path:
    out = tmp_path / "check.toml"
    out.write_bytes(text.encode())
    return out


def test_new_key_goes_above_next_sections_comment(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    path.write_text('[model]\nname = "opus"\n\n# Agents start here\n[agents.a.model]\nname = "x"\n')
    cfg = load_config(path)
    cfg.set("effort", "low")
    cfg.set_role("fast", "haiku")
    assert cfg.text() == (
        "[model]\n"
        'name = "opus"\n'
        'effort = "low"\n'
        "\n"
        "[model.roles]\n"
        'fast = "haiku"\n'
        "\n"
        "# Agents start here\n"
        "[agents.a.model]\n"
        'name = "x"\n'
    )


def test_remove_agent_keeps_next_sections_comment(tmp_path: Path) -> None:
    path = tmp_path / "seal.toml"
    path.write_text(
        '[model]\nname = "opus"\n\n[agents.a.model]\nname = "x"  # gone\n'
        '\n# the b agent\n[agents.b.model]\nname = "y"\n'
    )
    cfg = load_config(path)
    cfg.remove_agent("a")
    assert cfg.text() == ('[model]\nname = "opus"\n\n# the b agent\n[agents.b.model]\nname = "y"\n')


def test_new_file_layout(tmp_path: Path) -> None:
    cfg = load_config(tmp_path / "seal.toml")
    cfg.set("provider", "anthropic")
    cfg.set("name", "claude-sonnet-4-6")
    cfg.set_role("fast", "haiku")
    cfg.add_agent("research")
    cfg.set("name", "opus", "research")
    body = cfg.text().split("\n\n", 1)[1]
    assert body == (
        '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\n\n'
        '[model.roles]\nfast = "haiku"\n\n'
        '[agents.research.model]\nname = "opus"\n'
    )
