"""A stand-in for the Seal runtime: it finds credentials only where Seal's docs say Seal does.

It knows nothing of seal-setup (it imports the standard library only, and runs with
`python -I -S`, without site-packages). Anthropic, in the documented order:
`CLAUDE_CODE_OAUTH_TOKEN`, then `ANTHROPIC_API_KEY` (an `sk-ant-oat…` value goes as
Bearer, anything else as `x-api-key`), then the macOS keychain entry `Claude
Code-credentials` (macOS only), then `.credentials.json` under `CLAUDE_CONFIG_DIR` or
`~/.claude`. OpenRouter: `OPENROUTER_API_KEY`; OpenAI: `OPENAI_API_KEY`. An empty
variable counts as unset.

It sends one authenticated request to the base URL it is given (`--base-url`, else
`STAND_IN_BASE_URL`) and prints `source=<where> auth=<how> status=<code>`, never the
secret. Exit 0 on 200, 1 on any other answer, 3 when no credential is found.
`--marker PATH` writes a file as the first thing it does (to prove it started).

    python -I -S tests/fakes/runtime.py --provider anthropic --base-url http://127.0.0.1:PORT
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

TOKEN_PREFIX = "sk-ant-oat"
OAUTH_BETA = "oauth-2025-04-20"
KEYCHAIN_SERVICE = "Claude Code-credentials"


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _config_dir() -> Path:
    configured = _env("CLAUDE_CONFIG_DIR")
    if configured:
        return Path(os.path.expanduser(configured))
    return Path(os.environ.get("HOME") or Path.home()) / ".claude"


def _keychain() -> str | None:
    """The access token in Claude Code's macOS keychain entry (macOS only)."""
    if sys.platform != "darwin":
        return None
    service = KEYCHAIN_SERVICE
    if _env("CLAUDE_CONFIG_DIR"):
        digest = hashlib.sha256(str(_config_dir()).encode()).hexdigest()[:8]
        service = f"{service}-{digest}"
    try:
        found = subprocess.run(
            ["security", "find-generic-password", "-s", service, "-w"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if found.returncode != 0:
        return None
    return _access_token(found.stdout)


def _access_token(text: str) -> str | None:
    try:
        token = json.loads(text)["claudeAiOauth"]["accessToken"]
    except (ValueError, KeyError, TypeError):
        return None
    return token if isinstance(token, str) and token else None


def anthropic_credential() -> tuple[str, str, str] | None:
    """(source, "bearer" | "x-api-key", value), in the documented order; None if none."""
    token = _env("CLAUDE_CODE_OAUTH_TOKEN")
    if token:
        return "CLAUDE_CODE_OAUTH_TOKEN", "bearer", token
    key = _env("ANTHROPIC_API_KEY")
    if key:
        return "ANTHROPIC_API_KEY", "bearer" if key.startswith(TOKEN_PREFIX) else "x-api-key", key
    token = _keychain()
    if token:
        return "keychain", "bearer", token
    path = _config_dir() / ".credentials.json"
    try:
        token = _access_token(path.read_text(encoding="utf-8"))
    except OSError:
        token = None
    if token:
        return "claude_code_file", "bearer", token
    return None


KEY_VARIABLES = {"openrouter": "OPENROUTER_API_KEY", "openai": "OPENAI_API_KEY"}
PATHS = {"anthropic": "/v1/models?limit=1", "openrouter": "/key", "openai": "/models"}


def credential(provider: str) -> tuple[str, str, str] | None:
    if provider == "anthropic":
        return anthropic_credential()
    name = KEY_VARIABLES[provider]
    value = _env(name)
    return (name, "bearer", value) if value else None


def request(provider: str, base_url: str, how: str, value: str) -> int:
    """Send one authenticated GET; the status code (0 when nothing answered)."""
    headers = {"user-agent": "seal-stand-in"}
    if how == "x-api-key":
        headers["x-api-key"] = value
    else:
        headers["authorization"] = f"Bearer {value}"
    if provider == "anthropic":
        headers["anthropic-version"] = "2023-06-01"
        if how == "bearer":
            headers["anthropic-beta"] = OAUTH_BETA
    req = urllib.request.Request(base_url.rstrip("/") + PATHS[provider], headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A stand-in Seal runtime (tests only).")
    parser.add_argument("--provider", choices=("anthropic", "openrouter", "openai"))
    parser.add_argument("--base-url", default=os.environ.get("STAND_IN_BASE_URL", ""))
    parser.add_argument("--marker", help="write this file first (proves the runtime started)")
    args = parser.parse_args(argv)
    if args.marker:
        Path(args.marker).write_text("started\n", encoding="utf-8")
    provider = args.provider or "anthropic"
    found = credential(provider)
    if found is None:
        print(f"source=none provider={provider}")
        return 3
    source, how, value = found
    if not args.base_url:
        print("no base URL: pass --base-url or set STAND_IN_BASE_URL", file=sys.stderr)
        return 2
    status = request(provider, args.base_url, how, value)
    print(f"source={source} auth={how} status={status}")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
