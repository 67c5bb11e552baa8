"""An edit touches only what it edits (issue 12 §3).

tomlkit regroups interleaved arrays of tables (`[[language]]`, `[[grammar]]`,
`[[language]]`, … as in an editor's languages file) on any edit, moving whole tables and
the comments between them. Each wizard edit of a table that follows such arrays lands,
and every other line stays where it was (LF, CRLF and BOM alike); where the edit cannot
be written without moving lines it did not mean to, it is refused with the cause named,
by the document, the CLI and the wizard, and nothing is written. The guard itself is
tried on a change made outside the edited tables. A new table never lands on a last line
that holds only spaces.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from backend.config.document import SealConfig, load_config
from backend.errors import ConfigError
from screens.review import ReviewScreen
from tests.cli.helpers import run, store
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider
from tests.reliability.conftest import Tally
from tests.support.steps import start_at
from tests.tui.harness import (
    SIZE,
    build,
    cancel,
    goto,
    next_enabled,
    press_next,
    wait_screen,
    wait_text,
)

CATEGORY = "edits touch only what they edit"

ARRAYS = """\
# Languages, each followed by its grammar.
[[language]]
name = "rust"
roots = ["Cargo.toml"]  # the workspace root
# the rust grammar follows

[[grammar]]
name = "rust"
source = { git = "https://example.com/tree-sitter-rust", rev = "0a1b2c" }

# ---- python ----
[[language]]
name = "python"
file-types = [
  "py",
  "pyi",  # stubs
]

[[grammar]]
name = "python"
source = { git = "https://example.com/tree-sitter-python", rev = "3d4e5f" }

# toml, no grammar of its own here
[[language]]
name = "toml"
"""

AFTER = """
# the project's model
[model]
provider = "anthropic"
name = "claude-sonnet-4-6"  # the default
auth = "api_key"

# agents
[agents.research.model]
name = "claude-opus-4-7"
"""

ARRAYS_THEN_TABLES = ARRAYS + AFTER


def edit_name(cfg: SealConfig) -> None:
    cfg.set("name", "claude-opus-4-7")


def edit_new_key(cfg: SealConfig) -> None:
    cfg.set("max_tokens", 16000)


def edit_role(cfg: SealConfig) -> None:
    cfg.set_role("fast", "haiku")


def edit_fallbacks(cfg: SealConfig) -> None:
    cfg.set_role("fallbacks", ["gpt-5", "openrouter:vendor/small"])


def edit_header(cfg: SealConfig) -> None:
    cfg.set_header("X-Title", "my-app")


def edit_add_agent(cfg: SealConfig) -> None:
    cfg.add_agent("ops")
    cfg.set("name", "haiku", "ops")


def edit_agent(cfg: SealConfig) -> None:
    cfg.set("name", "sonnet", "research")
    cfg.set_role("fast", "haiku", "research")


def edit_remove_agent(cfg: SealConfig) -> None:
    cfg.remove_agent("research")


def edit_rename_agent(cfg: SealConfig) -> None:
    cfg.rename_agent("research", "writer")


EDITS: dict[str, Callable[[SealConfig], None]] = {
    "name": edit_name,
    "new key": edit_new_key,
    "role": edit_role,
    "fallbacks": edit_fallbacks,
    "header": edit_header,
    "add agent": edit_add_agent,
    "agent": edit_agent,
    "remove agent": edit_remove_agent,
    "rename agent": edit_rename_agent,
}
VARIANTS = {"lf": ("\n", False), "crlf": ("\r\n", False), "bom": ("\n", True)}


def encode(text: str, newline: str, bom: bool) -> bytes:
    return (("\ufeff" if bom else "") + text.replace("\n", newline)).encode("utf-8")


def expected_values(edit: Callable[[SealConfig], None], tmp_path: Path) -> dict[str, object]:
    """What the edit gives on the same tables without the arrays: what must land."""
    path = tmp_path / "plain" / "seal.toml"
    path.parent.mkdir()
    path.write_text(AFTER, encoding="utf-8")
    cfg = load_config(path)
    edit(cfg)
    return tomllib.loads(cfg.text())


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_after_interleaved_arrays_moves_nothing(
    tmp_path: Path, tally: Tally, name: str, variant: str
) -> None:
    newline, bom = VARIANTS[variant]
    path = tmp_path / "seal.toml"
    data = encode(ARRAYS_THEN_TABLES, newline, bom)
    path.write_bytes(data)
    cfg = load_config(path)
    EDITS[name](cfg)
    assert cfg.changed()
    cfg.save()
    written = path.read_bytes()
    text = written.decode("utf-8").removeprefix("\ufeff")
    values = tomllib.loads(text)
    want = expected_values(EDITS[name], tmp_path)
    landed = all(values.get(key) == want.get(key) for key in ("model", "agents"))
    # The arrays, their comments and the blank lines between them: byte for byte, in place.
    arrays = encode(ARRAYS, newline, bom)
    kept = written.startswith(arrays) and written.startswith(b"\xef\xbb\xbf") == bom
    crlf_kept = (b"\n" in written.replace(b"\r\n", b"")) == (newline == "\n")
    held = landed and kept and crlf_kept
    tally.record(f"{CATEGORY}: edit after interleaved arrays", held)
    assert held, text
    assert path.with_name("seal.toml.bak").read_bytes() == data


# [model] between two elements of an array: tomlkit moves the array's elements together,
# and the longer element wins the comparison, so the edit has no place to go.
WEDGED = """\
[[hook]]
name = "fmt"

[model]
name = "claude-sonnet-4-6"

[[hook]]
name = "lint"
run = "ruff check"
when = "pre-commit"
files = ["*.py"]
"""


def test_an_edit_that_cannot_stay_in_place_is_refused(tmp_path: Path, tally: Tally) -> None:
    path = tmp_path / "seal.toml"
    path.write_text(WEDGED, encoding="utf-8")
    cfg = load_config(path)
    cfg.set("name", "claude-opus-4-7")
    with pytest.raises(ConfigError) as raised:
        cfg.save()
    message = str(raised.value)
    named = "seal.toml has interleaved [[hook]] and [model] tables" in message
    named = named and "outside [model]" in message and "nothing was written" in message
    untouched = path.read_text(encoding="utf-8") == WEDGED
    held = named and untouched and not path.with_name("seal.toml.bak").exists()
    tally.record(f"{CATEGORY}: refusal names the cause", held)
    assert held, message


def test_the_cli_refuses_before_asking_for_the_key(
    tmp_path: Path,
    tally: Tally,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "seal.toml"
    path.write_text(WEDGED, encoding="utf-8")
    argv = ["onboard", "--non-interactive", "--config", str(path)]
    argv += ["--provider", "anthropic", "--auth", "api_key", "--model", "claude-opus-4-7"]
    code, out, err = run(argv, capsys, monkeypatch, ANTHROPIC_KEY)
    held = (
        code == 3
        and "interleaved [[hook]] and [model]" in err
        and path.read_text(encoding="utf-8") == WEDGED
        and not path.with_name("seal.toml.bak").exists()
        and store().list() == []
    )
    tally.record(f"{CATEGORY}: CLI refuses, writes nothing", held)
    assert held, out + err


async def test_the_wizard_shows_the_refusal_on_review(
    fake_provider: FakeProvider, tmp_path: Path, tally: Tally
) -> None:
    h = build(fake_provider, tmp_path, config_text=WEDGED)
    start_at(h.app, "model", secret=ANTHROPIC_KEY)
    async with h.app.run_test(size=SIZE) as pilot:
        await goto(pilot, "model", secret=ANTHROPIC_KEY, model="claude-opus-4-7")
        await press_next(pilot)
        await wait_screen(pilot, ReviewScreen)
        summary = await wait_text(pilot, "#summary", "✗")
        blocked = not next_enabled(pilot)
        await cancel(pilot)
    held = (
        "interleaved [[hook]] and [model]" in summary
        and "Nothing will be written" in summary
        and blocked
        and h.config_text() == WEDGED
        and h.store.list() == []
    )
    tally.record(f"{CATEGORY}: wizard shows the refusal", held)
    assert held, summary


STABLE = '[model]\nname = "claude-sonnet-4-6"\n\n[tool]\n# keep this comment\nlevel = 3\n'


def test_the_guard_refuses_a_change_outside_the_edit(tmp_path: Path, tally: Tally) -> None:
    """A change in [tool] that no edit asked for (made here by hand in the document, as a
    bug in the placement code would) is never written."""
    from tomlkit.items import Comment

    path = tmp_path / "seal.toml"
    path.write_text(STABLE, encoding="utf-8")
    cfg = load_config(path)
    for key, item in cfg._doc["tool"].value.body:
        if key is None and isinstance(item, Comment):
            item.trivia.comment = "# changed behind the edit's back"
    cfg.set("name", "claude-opus-4-7")
    with pytest.raises(ConfigError) as raised:
        cfg.save()
    message = str(raised.value)
    held = (
        "would also change 1 line outside [model] (from line 5)" in message
        and path.read_text(encoding="utf-8") == STABLE
        and not path.with_name("seal.toml.bak").exists()
    )
    tally.record(f"{CATEGORY}: guard on a collateral change", held)
    assert held, message


@pytest.mark.parametrize(
    ("text", "edit", "want"),
    [
        (
            '[model]\nname = "opus"\n   ',
            edit_role,
            '[model]\nname = "opus"\n   \n[model.roles]\nfast = "haiku"\n',
        ),
        ("# header only\n  ", edit_name, '# header only\n  \n[model]\nname = "claude-opus-4-7"\n'),
        (
            '[model]\nname = "opus"\n\n  ',
            edit_add_agent,
            '[model]\nname = "opus"\n\n  \n[agents.ops.model]\nname = "haiku"\n',
        ),
        (
            '[model]\nname = "opus"',
            edit_header,
            '[model]\nname = "opus"\n\n[model.headers]\nX-Title = "my-app"\n',
        ),
    ],
)
def test_a_new_table_starts_on_its_own_line(
    tmp_path: Path, tally: Tally, text: str, edit: Callable[[SealConfig], None], want: str
) -> None:
    path = tmp_path / "seal.toml"
    path.write_text(text, encoding="utf-8")
    cfg = load_config(path)
    edit(cfg)
    held = cfg.text() == want
    tally.record(f"{CATEGORY}: new table after a spaces-only last line", held)
    assert held, repr(cfg.text())
