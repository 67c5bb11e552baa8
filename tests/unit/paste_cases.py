"""The paste table: raw text as it arrives from a terminal, a browser or a chat app.

Each case: (id, raw, provider, method, expected value or None when refused, a distinctive
part of the message ("" when accepted), notes that must be present).
"""

from __future__ import annotations

import random
import string
from typing import NamedTuple

_ALPHABET = string.ascii_letters + string.digits + "-_"


def _body(n: int, seed: int) -> str:
    rng = random.Random(seed)
    # No "sk-" inside the body: a real key may contain it, but it would confuse the
    # "pasted twice" rule in a test about something else.
    while True:
        text = "".join(rng.choice(_ALPHABET) for _ in range(n))
        if "sk-" not in text:
            return text


API = "sk-ant-api03-" + _body(93, 1) + "AA"  # 108 chars, like real keys
TOKEN = "sk-ant-oat01-" + _body(95, 2)  # 108 chars
ADMIN = "sk-ant-admin01-" + _body(93, 3)
REFRESH = "sk-ant-ort01-" + _body(95, 4)
LEGACY_ANT = "sk-ant-" + _body(101, 5)
OR_KEY = "sk-or-v1-" + "".join(random.Random(6).choice("0123456789abcdef") for _ in range(64))
OA_PROJ = "sk-proj-" + _body(156, 7)
OA_SVC = "sk-svcacct-" + _body(150, 8)
OA_LEGACY = "sk-" + "".join(random.Random(9).choice(string.ascii_letters) for _ in range(48))
OA_ADMIN = "sk-admin-" + _body(120, 10)

NBSP = "\u00a0"
ZW = "\u200b"


class Case(NamedTuple):
    id: str
    raw: str
    provider: str
    method: str
    value: str | None
    message: str
    notes: tuple[str, ...] = ()


CASES: list[Case] = [
    # --- clean and whitespace kinds
    Case("clean-api-key", API, "anthropic", "api_key", API, ""),
    Case(
        "trailing-newline",
        API + "\n",
        "anthropic",
        "api_key",
        API,
        "",
        ("removed a trailing line break",),
    ),
    Case(
        "crlf-trailing",
        API + "\r\n",
        "anthropic",
        "api_key",
        API,
        "",
        ("removed a trailing line break",),
    ),
    Case(
        "leading-spaces-tabs",
        " \t " + API + "  ",
        "anthropic",
        "api_key",
        API,
        "",
        ("removed surrounding spaces",),
    ),
    Case(
        "nbsp-around",
        NBSP + API + NBSP,
        "anthropic",
        "api_key",
        API,
        "",
        ("removed surrounding spaces (including non-breaking spaces)",),
    ),
    Case(
        "wrapped-line-lf",
        API[:60] + "\n" + API[60:],
        "anthropic",
        "api_key",
        API,
        "",
        ("removed a line break",),
    ),
    Case(
        "wrapped-line-crlf-indented",
        TOKEN[:40] + "\r\n    " + TOKEN[40:] + "\n",
        "anthropic",
        "setup_token",
        TOKEN,
        "",
        ("removed a line break",),
    ),
    Case(
        "wrapped-twice",
        TOKEN[:30] + "\n" + TOKEN[30:70] + "\n" + TOKEN[70:],
        "anthropic",
        "setup_token",
        TOKEN,
        "",
        ("removed 2 line breaks",),
    ),
    Case(
        "lone-cr",
        API[:50] + "\r" + API[50:],
        "anthropic",
        "api_key",
        API,
        "",
        ("removed a line break",),
    ),
    # --- quotes
    Case(
        "double-quotes",
        '"' + API + '"',
        "anthropic",
        "api_key",
        API,
        "",
        ("removed surrounding quotes",),
    ),
    Case(
        "single-quotes",
        "'" + OR_KEY + "'",
        "openrouter",
        "api_key",
        OR_KEY,
        "",
        ("removed surrounding quotes",),
    ),
    Case(
        "backticks",
        "`" + OA_PROJ + "`",
        "openai",
        "api_key",
        OA_PROJ,
        "",
        ("removed surrounding quotes",),
    ),
    Case(
        "smart-double-quotes",
        "“" + API + "”",
        "anthropic",
        "api_key",
        API,
        "",
        ("removed surrounding quotes",),
    ),
    Case(
        "smart-single-quotes",
        "‘" + TOKEN + "’",
        "anthropic",
        "setup_token",
        TOKEN,
        "",
        ("removed surrounding quotes",),
    ),
    Case(
        "stray-trailing-quote",
        API + '"',
        "anthropic",
        "api_key",
        API,
        "",
        ("removed a stray quote at the end",),
    ),
    Case(
        "quotes-and-spaces",
        '  "' + API + '"\n',
        "anthropic",
        "api_key",
        API,
        "",
        ("removed surrounding quotes",),
    ),
    # --- terminal escapes
    Case(
        "bracketed-paste",
        "\x1b[200~" + API + "\x1b[201~",
        "anthropic",
        "api_key",
        API,
        "",
        ("removed bracketed-paste markers",),
    ),
    Case(
        "bracketed-paste-esc-eaten",
        "[200~" + API + "[201~",
        "anthropic",
        "api_key",
        API,
        "",
        ("removed bracketed-paste markers",),
    ),
    Case(
        "ansi-colour",
        "\x1b[1;32m" + TOKEN + "\x1b[0m",
        "anthropic",
        "setup_token",
        TOKEN,
        "",
        ("removed terminal escape codes",),
    ),
    Case(
        "osc-title",
        "\x1b]0;title\x07" + OR_KEY,
        "openrouter",
        "api_key",
        OR_KEY,
        "",
        ("removed terminal escape codes",),
    ),
    # --- invisible characters
    Case(
        "zero-width-inside",
        API[:30] + ZW + API[30:],
        "anthropic",
        "api_key",
        API,
        "",
        ("removed a zero-width character",),
    ),
    Case(
        "bom-and-joiners",
        "\ufeff" + OA_PROJ + "\u2060\u200d",
        "openai",
        "api_key",
        OA_PROJ,
        "",
        ("removed 3 zero-width characters",),
    ),
    # --- shell prefixes
    Case(
        "export-prefix",
        f"export ANTHROPIC_API_KEY={API}",
        "anthropic",
        "api_key",
        API,
        "",
        ("removed the 'export ANTHROPIC_API_KEY=' prefix",),
    ),
    Case(
        "export-prefix-quoted",
        f'export OPENROUTER_API_KEY="{OR_KEY}"\n',
        "openrouter",
        "api_key",
        OR_KEY,
        "",
        ("removed the 'export OPENROUTER_API_KEY=' prefix", "removed surrounding quotes"),
    ),
    Case(
        "bare-assignment",
        f"CLAUDE_CODE_OAUTH_TOKEN={TOKEN}",
        "anthropic",
        "setup_token",
        TOKEN,
        "",
        ("removed the 'CLAUDE_CODE_OAUTH_TOKEN=' prefix",),
    ),
    # --- accepted variants per provider
    Case(
        "legacy-anthropic-key",
        LEGACY_ANT,
        "anthropic",
        "api_key",
        LEGACY_ANT,
        "",
        ("not the usual sk-ant-api03- prefix; the live check will tell if it works",),
    ),
    Case("openrouter-key", OR_KEY, "openrouter", "api_key", OR_KEY, ""),
    Case("openai-service-account", OA_SVC, "openai", "api_key", OA_SVC, ""),
    Case("openai-legacy", OA_LEGACY, "openai", "api_key", OA_LEGACY, ""),
    # --- empty
    Case("empty", "", "anthropic", "api_key", None, "nothing pasted — paste an Anthropic API key"),
    Case("only-whitespace", " \n\t ", "openrouter", "api_key", None, "nothing pasted — paste"),
    Case(
        "only-invisible",
        ZW + NBSP + '""',
        "openai",
        "api_key",
        None,
        "nothing pasted (only spaces, quotes or invisible characters)",
    ),
    # --- non-ASCII and spaces
    Case(
        "accented-letter",
        API[:11] + "é" + API[12:],
        "anthropic",
        "api_key",
        None,
        "contains a non-ASCII character at position 12 (an accented or non-Latin letter)",
    ),
    Case(
        "smart-quote-inside",
        OR_KEY[:20] + "’" + OR_KEY[20:],
        "openrouter",
        "api_key",
        None,
        "contains a non-ASCII character at position 21 (a smart quote)",
    ),
    Case(
        "en-dash-in-prefix",
        "sk–ant-api03-" + API[13:],
        "anthropic",
        "api_key",
        None,
        "contains a non-ASCII character at position 3 (a typographic dash",
    ),
    Case(
        "internal-space",
        API[:40] + " " + API[40:],
        "anthropic",
        "api_key",
        None,
        "contains a space at position 41",
    ),
    Case(
        "internal-nbsp",
        API[:40] + NBSP + API[41:],
        "anthropic",
        "api_key",
        None,
        "contains a non-ASCII character at position 41 (a special space)",
    ),
    Case(
        "two-things-pasted",
        "key: " + OR_KEY,
        "openrouter",
        "api_key",
        None,
        "contains a space at position 5",
    ),
    # --- truncated and too long
    Case(
        "setup-token-cut-short",
        TOKEN[:70],
        "anthropic",
        "setup_token",
        None,
        "looks cut short: 70 chars, a setup-token has at least 80 — a wrapped line may have "
        "been lost; copy it again",
    ),
    Case(
        "api-key-cut-short",
        API[:64],
        "anthropic",
        "api_key",
        None,
        "looks cut short: 64 chars, an Anthropic API key has about 108",
    ),
    Case(
        "openrouter-cut-short",
        OR_KEY[:40],
        "openrouter",
        "api_key",
        None,
        "looks cut short: 40 chars, an OpenRouter key has about 73",
    ),
    Case(
        "pasted-twice",
        API + API,
        "anthropic",
        "api_key",
        None,
        "the key appears more than once (216 chars) — paste it once",
    ),
    Case(
        "too-long",
        OR_KEY + "a" * 60,
        "openrouter",
        "api_key",
        None,
        "too long for an OpenRouter key (sk-or-v1-…): 133 chars",
    ),
    # --- wrong provider
    Case(
        "openrouter-as-anthropic",
        OR_KEY,
        "anthropic",
        "api_key",
        None,
        "this is an OpenRouter key, not an Anthropic API key (sk-ant-api03-…) — choose "
        "OpenRouter as the provider",
    ),
    Case(
        "anthropic-as-openrouter",
        API,
        "openrouter",
        "api_key",
        None,
        "this is an Anthropic API key, not an OpenRouter key (sk-or-v1-…) — choose Anthropic",
    ),
    Case(
        "anthropic-as-openai",
        API,
        "openai",
        "api_key",
        None,
        "this is an Anthropic API key, not an OpenAI key",
    ),
    Case(
        "openai-as-anthropic",
        OA_PROJ,
        "anthropic",
        "api_key",
        None,
        "this is an OpenAI project key, not an Anthropic API key",
    ),
    Case(
        "setup-token-as-openrouter",
        TOKEN,
        "openrouter",
        "api_key",
        None,
        "this is an Anthropic subscription token (setup-token), not an OpenRouter key",
    ),
    # --- wrong kind
    Case(
        "setup-token-as-api-key",
        TOKEN,
        "anthropic",
        "api_key",
        None,
        "this is a subscription token (setup-token) — choose setup-token instead",
    ),
    Case(
        "api-key-as-setup-token",
        API,
        "anthropic",
        "setup_token",
        None,
        "that is an API key, not a setup-token — choose API key instead",
    ),
    Case(
        "refresh-token",
        REFRESH,
        "anthropic",
        "setup_token",
        None,
        "this is an OAuth refresh token (sk-ant-ort01-…), not a usable key",
    ),
    Case(
        "unknown-shape-anthropic",
        _body(108, 11),
        "anthropic",
        "api_key",
        None,
        "does not look like an Anthropic API key (sk-ant-api03-…) — create one at "
        "platform.claude.com/settings/keys",
    ),
    Case(
        "unknown-shape-setup-token",
        "abc" + _body(100, 12),
        "anthropic",
        "setup_token",
        None,
        "does not look like a setup-token (sk-ant-oat01-…) — run `claude setup-token`",
    ),
    # --- admin keys
    Case(
        "anthropic-admin-key",
        ADMIN,
        "anthropic",
        "api_key",
        None,
        "this is an Anthropic Admin key (sk-ant-admin01-…): admin keys cannot call models",
    ),
    Case(
        "openai-admin-key",
        OA_ADMIN,
        "openai",
        "api_key",
        None,
        "this is an OpenAI Admin key (sk-admin-…): admin keys cannot call models",
    ),
    # --- other mistakes
    Case(
        "oauth-code-state",
        _body(40, 13) + "#" + _body(43, 14),
        "anthropic",
        "api_key",
        None,
        "this looks like a sign-in code (code#state), not a key",
    ),
    Case(
        "url",
        "https://console.anthropic.com/settings/keys",
        "anthropic",
        "api_key",
        None,
        "this is a web address, not a key",
    ),
    Case(
        "control-char",
        API[:30] + "\x07" + API[30:],
        "anthropic",
        "api_key",
        None,
        "contains a control character at position 31",
    ),
]
