"""Reading Claude Code's credentials file: location, shape, ms expiry and clear errors."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from backend.credentials.claude_code import (
    ClaudeCodeError,
    claude_credentials_path,
    read_claude_code,
)
from backend.errors import CredentialStoreError, SealError

ACCESS = "sk-ant-oat01-" + "A1b2C3" * 16
REFRESH = "sk-ant-ort01-" + "z9Y8x7" * 16
EXPIRES_MS = 1_790_000_000_123


def write(path: Path, doc: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def full_doc(**extra: object) -> dict[str, object]:
    oauth = {
        "accessToken": ACCESS,
        "refreshToken": REFRESH,
        "expiresAt": EXPIRES_MS,
        "scopes": ["user:inference", "user:profile"],
        "subscriptionType": "max",
        "rateLimitTier": "default_claude_max_5x",
    }
    oauth.update(extra)
    return {"claudeAiOauth": oauth, "mcpOAuth": {"x": {"accessToken": "other"}}}


def test_default_path(isolated_env: Path) -> None:
    env = {"HOME": str(isolated_env)}
    assert claude_credentials_path(env) == isolated_env / ".claude" / ".credentials.json"


def test_config_dir_honoured(tmp_path: Path, isolated_env: Path) -> None:
    assert claude_credentials_path({"CLAUDE_CONFIG_DIR": str(tmp_path / "cc")}) == (
        tmp_path / "cc" / ".credentials.json"
    )
    env = {"HOME": str(isolated_env), "CLAUDE_CONFIG_DIR": "~/alt"}
    assert claude_credentials_path(env) == isolated_env / "alt" / ".credentials.json"
    env = {"HOME": str(isolated_env), "CLAUDE_CONFIG_DIR": ""}
    assert claude_credentials_path(env) == isolated_env / ".claude" / ".credentials.json"


def test_read_full(isolated_env: Path) -> None:
    path = write(isolated_env / ".claude" / ".credentials.json", full_doc())
    os.utime(path, (1_700_000_000, 1_700_000_000))
    record = read_claude_code({"HOME": str(isolated_env)})
    assert record is not None
    assert (record.provider, record.profile, record.kind) == ("anthropic", "claude_code", "oauth")
    assert record.access_token == ACCESS
    assert record.refresh_token == REFRESH
    assert record.expires_at == datetime.fromtimestamp(1_790_000_000, UTC)
    assert record.account == {
        "subscription_type": "max",
        "rate_limit_tier": "default_claude_max_5x",
    }
    assert record.verified_at is None
    assert record.created_at == datetime.fromtimestamp(1_700_000_000, UTC)
    assert ACCESS not in repr(record)


def test_read_from_config_dir(tmp_path: Path, isolated_env: Path) -> None:
    write(tmp_path / "cc" / ".credentials.json", full_doc())
    # The default location is empty: only CLAUDE_CONFIG_DIR's file can be found.
    env = {"HOME": str(isolated_env), "CLAUDE_CONFIG_DIR": str(tmp_path / "cc")}
    record = read_claude_code(env)
    assert record is not None and record.access_token == ACCESS
    assert read_claude_code({"HOME": str(isolated_env)}) is None


def test_minimal_without_account_or_expiry(isolated_env: Path) -> None:
    write(
        isolated_env / ".claude" / ".credentials.json", {"claudeAiOauth": {"accessToken": ACCESS}}
    )
    record = read_claude_code({"HOME": str(isolated_env)})
    assert record is not None
    assert record.account is None and record.expires_at is None and record.refresh_token is None


def test_missing_file_and_no_claude_ai_login(isolated_env: Path) -> None:
    env = {"HOME": str(isolated_env)}
    assert read_claude_code(env) is None
    write(isolated_env / ".claude" / ".credentials.json", {"mcpOAuth": {}})
    assert read_claude_code(env) is None


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        ('{"claudeAiOauth": {"accessToken": "' + ACCESS + '"', "is not valid JSON (line 1"),
        ("[1, 2]", "is not a JSON object"),
        ({"claudeAiOauth": "x"}, "'claudeAiOauth' entry that is not an object"),
        ({"claudeAiOauth": {"refreshToken": REFRESH}}, "has no accessToken"),
        ({"claudeAiOauth": {"accessToken": ACCESS, "refreshToken": 5}}, "refreshToken"),
        (full_doc(expiresAt="soon"), "expiresAt that is not a number"),
        (full_doc(expiresAt=True), "expiresAt that is not a number"),
        (full_doc(expiresAt=10**30), "expiresAt out of range"),
    ],
)
def test_malformed(isolated_env: Path, doc: object, fragment: str) -> None:
    write(isolated_env / ".claude" / ".credentials.json", doc)
    with pytest.raises(ClaudeCodeError) as info:
        read_claude_code({"HOME": str(isolated_env)})
    text = str(info.value)
    assert fragment in text
    assert "~/.claude/.credentials.json" in text
    assert "sign in again with `claude`" in info.value.hint
    assert ACCESS[13:40] not in text and REFRESH[13:40] not in text
    assert isinstance(info.value, CredentialStoreError) and isinstance(info.value, SealError)


def test_unreadable(isolated_env: Path) -> None:
    (isolated_env / ".claude").write_text("a file, not a folder\n")  # reading: ENOTDIR
    with pytest.raises(ClaudeCodeError, match="cannot read Claude Code's credentials file"):
        read_claude_code({"HOME": str(isolated_env)})


def test_folder_in_place_of_the_file(isolated_env: Path) -> None:
    (isolated_env / ".claude" / ".credentials.json").mkdir(parents=True)
    with pytest.raises(ClaudeCodeError, match="is a directory, not a regular file"):
        read_claude_code({"HOME": str(isolated_env)})
