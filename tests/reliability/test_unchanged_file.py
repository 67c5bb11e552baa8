"""An unchanged seal.toml is never written (issue 12 §1).

"Unchanged" is decided from the edit: the text that would be written is the text read.
The files are generated here, in the shapes where the stdlib's and tomlkit's values
differ (multi-line strings in CRLF files, nan and inf) and with a BOM, literal strings,
arrays over several lines, interleaved arrays of tables and a last line without newline.
For every edit kind, a no-op edit and an edit undone leave the text read byte for byte,
and saving the way Write does writes nothing (no file change, no seal.toml.bak). Two
identical `onboard --non-interactive` runs: the second changes no byte of the file or of
its backup.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.config.document import SealConfig, load_config
from backend.errors import ConfigError
from backend.vocabulary import registry
from tests.cli.helpers import run_script, subprocess_env
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.reliability.conftest import Tally

CATEGORY = "seal.toml unchanged"

MODEL_KEYS = {
    "provider": list(registry.ids()),
    "name": ["claude-sonnet-4-6", "opus", "gpt-5"],
    "auth": ["api_key", "env", "oauth"],
    "max_tokens": [1024, 32000],
    "effort": ["high", "low"],
    "context_1m": [True, False],
}
EXTRAS = [
    'notes = """\nfirst line\n[not.a.table]\nname = "inside"\n"""',
    "path = '''\nC:\\dir\\[x]\n'''",
    'quoted = """one "" two\\\n   three"""',
    "ratio = nan",
    "limit = +inf",
    "low = -inf",
    "other = -nan",
    "# a comment inside the table",
    'hash = "a # not a comment"',
    "list = [\n  [1, 2],  # [x]\n  3,\n]",
]
INTERLEAVED = [
    "# languages and their grammars",
    "[[language]]",
    'name = "rust"',
    "# the rust grammar follows",
    "",
    "[[grammar]]",
    'name = "rust"',
    'source = { git = "https://example.com/rust", rev = "abc" }',
    "",
    "# python",
    "[[language]]",
    'name = "python"',
    "",
    "[[grammar]]",
    'name = "python"',
]


@dataclass
class Doc:
    blocks: list[list[str]]
    newline: str
    bom: bool
    ending: str
    interleaved: bool = field(default=False)

    def data(self) -> bytes:
        lines = ["# project seal.toml", ""]
        for block in self.blocks:
            lines += [*block, ""]
        text = "\n".join(lines).rstrip("\n") + self.ending
        text = text.replace("\n", self.newline)
        return (("\ufeff" if self.bom else "") + text).encode("utf-8")


@st.composite
def documents(draw: st.DrawFn) -> Doc:
    blocks: list[list[str]] = []
    if draw(st.booleans()):
        model = ["[model]"]
        for key in draw(st.lists(st.sampled_from(sorted(MODEL_KEYS)), unique=True)):
            value = draw(st.sampled_from(MODEL_KEYS[key]))
            model.append(f"{key} = {tomlkit_value(value)}")
        model += draw(st.lists(st.sampled_from(EXTRAS), unique=True, max_size=4))
        if draw(st.booleans()):
            model += ["", "[model.roles]", 'fast = "claude-haiku-4-5"']
            if draw(st.booleans()):
                model.append('fallbacks = [\n  "gpt-5",  # first\n  "o3",\n]')
        if draw(st.booleans()):
            model += ["", "[model.headers]", 'X-Title = "app"']
        blocks.append(model)
    for name in draw(st.lists(st.sampled_from(["research", "ops"]), unique=True)):
        agent = [f"# agent {name}", f"[agents.{name}.model]", 'name = "claude-opus-4-7"']
        agent += draw(st.lists(st.sampled_from(EXTRAS), unique=True, max_size=2))
        blocks.append(agent)
    if draw(st.booleans()):
        blocks.append(["[tool]", *draw(st.lists(st.sampled_from(EXTRAS), unique=True))])
    interleaved = draw(st.booleans())
    if interleaved:
        blocks.append(INTERLEAVED)
    blocks = draw(st.permutations(blocks))
    return Doc(
        blocks=list(blocks),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        bom=draw(st.booleans()),
        ending=draw(st.sampled_from(["\n", "", "\n   "])),
        interleaved=interleaved,
    )


def tomlkit_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else f'"{value}"'


def op(
    kinds: list[str], keys: list[str], remove: Any = None, on_agent: Any = None
) -> st.SearchStrategy[tuple[str, str, int, bool, bool]]:
    """An edit: (kind, key, choice index, remove, on an agent)."""
    return st.tuples(
        st.sampled_from(kinds),
        st.sampled_from(keys),
        st.integers(0, 3),
        st.booleans() if remove is None else st.just(remove),
        st.booleans() if on_agent is None else st.just(on_agent),
    )


edits = st.one_of(
    op(["set"], sorted(MODEL_KEYS)),
    op(["role"], ["fast", "escalate"]),
    op(["fallbacks"], [""]),
    op(["header"], ["X-Title", "X-B"], on_agent=False),
    op(["add", "remove", "rename"], [""], remove=False, on_agent=True),
)


def write_nothing_check(path: Path, cfg: SealConfig, data: bytes) -> bool:
    """What Write does (save only when changed): the file and its absent backup stay."""
    if cfg.changed():
        cfg.save()
    return path.read_bytes() == data and not path.with_name("seal.toml.bak").exists()


def noop_edits(cfg: SealConfig) -> None:
    """Every edit kind, each setting what is already there."""
    for agent in [None, *cfg.agents()]:
        for key in MODEL_KEYS:
            cfg.set(key, cfg.own(key, agent), agent)
        for role, value in cfg.own_roles(agent).items():
            cfg.set_role(role, value, agent)
    for name, value in cfg.headers().items():
        cfg.set_header(name, value)
    for agent in cfg.agents():
        cfg.rename_agent(agent, agent)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=documents())
def test_noop_edits_write_nothing(
    tmp_path_factory: pytest.TempPathFactory, tally: Tally, doc: Doc
) -> None:
    path = tmp_path_factory.mktemp("noop") / "seal.toml"
    data = doc.data()
    path.write_bytes(data)
    cfg = load_config(path)
    noop_edits(cfg)
    held = not cfg.changed() and cfg.text().encode("utf-8") == data
    held = held and write_nothing_check(path, cfg, data)
    tally.record(f"{CATEGORY}: no-op edits write nothing", held)
    assert held


def apply(cfg: SealConfig, op: tuple[str, str, int, bool, bool], undo: list[Any]) -> None:
    """One edit, and the edits that put back what it changed, pushed on `undo`."""
    kind, key, choice, remove, on_agent = op
    agents = cfg.agents()
    agent = agents[choice % len(agents)] if on_agent and agents else None
    if kind == "set":
        undo.append(("set", key, cfg.own(key, agent), agent))
        values = MODEL_KEYS[key]
        cfg.set(key, None if remove else values[choice % len(values)], agent)
    elif kind == "role":
        undo.append(("role", key, cfg.own_roles(agent).get(key), agent))
        cfg.set_role(key, None if remove else ["haiku", "gpt-5-mini", "o3"][choice % 3], agent)
    elif kind == "fallbacks":
        undo.append(("role", "fallbacks", cfg.own_roles(agent).get("fallbacks"), agent))
        lists = [["gpt-5"], ["openrouter:vendor/small", "o3"], ["opus", "gpt-5", "o3"]]
        cfg.set_role("fallbacks", None if remove else lists[choice % 3], agent)
    elif kind == "header":
        undo.append(("header", key, cfg.headers().get(key), None))
        cfg.set_header(key, None if remove else f"v{choice}")
    elif kind == "add" and "zz" not in agents:
        undo.append(("remove", "zz"))
        cfg.add_agent("zz")
    elif kind == "remove" and agent is not None and not unmanaged(cfg, agent):
        # Putting it back: the agent again, then each of its settings.
        restore: list[Any] = [("add", agent)]
        for name, value in cfg.model(agent).items():
            if cfg.own(name, agent) is not None:
                restore.append(("set", name, value, agent))
        for role, value in cfg.own_roles(agent).items():
            if role != "primary":
                restore.append(("role", role, value, agent))
        undo.extend(reversed(restore))
        cfg.remove_agent(agent)
    elif kind == "rename" and agent is not None and "renamed" not in agents:
        undo.append(("rename", "renamed", agent))
        cfg.rename_agent(agent, "renamed")


def unmanaged(cfg: SealConfig, agent: str) -> bool:
    """Whether the agent's model table holds keys no edit could put back."""
    names = {line.partition(" =")[0] for line in EXTRAS if " =" in line}
    return any(cfg.own(name, agent) is not None for name in names)


def put_back(cfg: SealConfig, undo: list[Any]) -> None:
    for step in reversed(undo):
        if step[0] == "set":
            cfg.set(step[1], step[2], step[3])
        elif step[0] == "role":
            cfg.set_role(step[1], step[2], step[3])
        elif step[0] == "header":
            cfg.set_header(step[1], step[2])
        elif step[0] == "add":
            cfg.add_agent(step[1])
        elif step[0] == "remove":
            cfg.remove_agent(step[1])
        else:
            cfg.rename_agent(step[1], step[2])


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=documents(), ops=st.lists(edits, min_size=1, max_size=6))
def test_undone_edits_write_nothing(
    tmp_path_factory: pytest.TempPathFactory, tally: Tally, doc: Doc, ops: list[Any]
) -> None:
    path = tmp_path_factory.mktemp("undo") / "seal.toml"
    data = doc.data()
    path.write_bytes(data)
    cfg = load_config(path)
    undo: list[Any] = []
    for op in ops:
        apply(cfg, op, undo)
    try:
        edited = cfg.text()
    except ConfigError as exc:
        # Only tomlkit's regrouping of interleaved arrays of tables ever needs this.
        landed = doc.interleaved and "interleaved" in exc.message
    else:
        landed = isinstance(tomllib.loads(edited.removeprefix("\ufeff")), dict)
    put_back(cfg, undo)
    held = landed and not cfg.changed() and cfg.text().encode("utf-8") == data
    held = held and write_nothing_check(path, cfg, data)
    tally.record(f"{CATEGORY}: edits undone write nothing", held)
    assert held, cfg.diff()


CRLF_FILE = (
    "\ufeff# project\r\n"
    "[model]\r\n"
    'provider = "openai"\r\n'
    'name = "gpt-5"\r\n'
    'auth = "env"\r\n'
    'notes = """\r\nfirst\r\nsecond\r\n"""\r\n'
    "path = '''\r\nC:\\dir\r\n'''\r\n"
    "ratio = nan\r\n"
    "limit = inf\r\n"
)


def test_second_identical_onboard_changes_no_byte(
    tmp_path: Path, fake_provider: FakeProvider, tally: Tally
) -> None:
    path = tmp_path / "seal.toml"
    path.write_bytes(CRLF_FILE.encode("utf-8"))
    env = subprocess_env(tmp_path / "home", fake_provider)
    args = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]
    args += ["--model", "claude-sonnet-4-6", "--fast", "haiku"]
    first = run_script(args, env, tmp_path, stdin=ANTHROPIC_KEY + "\n")
    assert first.returncode == 0, first.stderr
    assert "Wrote" in first.stdout
    after_first = path.read_bytes()
    backup = path.with_name("seal.toml.bak")
    assert backup.read_bytes() == CRLF_FILE.encode("utf-8")
    assert after_first.startswith(b"\xef\xbb\xbf") and b"\r\n" in after_first
    assert b"\n" not in after_first.replace(b"\r\n", b"")
    second = run_script(args, env, tmp_path, stdin=ANTHROPIC_KEY + "\n")
    held = (
        second.returncode == 0
        and "Wrote" not in second.stdout
        and "needs no change" in second.stdout
        and path.read_bytes() == after_first
        and backup.read_bytes() == CRLF_FILE.encode("utf-8")
    )
    tally.record(f"{CATEGORY}: second identical onboard", held)
    assert held, second.stdout + second.stderr
