"""Bad input, field by field: what a person may type or paste, and what they must be told.

Each entry names the field, the input, the flag or stdin it goes through on the command
line, the distinctive part of the message `seal-setup onboard --non-interactive` prints
(`cli`, None when the field does not exist there), the one the wizard shows (`wizard`,
None when the wizard has no such field or refuses the input silently, e.g. an empty
paste that is ignored), and the exit code (2 input, 3 config path; DESIGN §5).

`{tmp}` in a config path is the test's folder. Secrets are the fake provider's keys.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.fakes.provider import ANTHROPIC_KEY, OPENAI_KEY, OPENROUTER_KEY, SETUP_TOKEN

BIG = "A" * 100_000  # a 100 KB paste
ADMIN_ANT = "sk-ant-admin01-" + "x" * 93
REFRESH = "sk-ant-ort01-" + "r" * 95
OPENAI_ADMIN = "sk-admin-" + "a" * 100

# Messages shared by several entries.
NO_MATCH = "No model matches"  # the wizard's picker filter: a typed selector is never taken
NAME_CHARS = "Use only letters, digits, '-' and '_'"
BAD_AGENT = "is not a valid agent name"
BAD_ID = "contains characters a model id cannot have"
EMPTY_SEL = "model selector is empty"
BUDGET_MIN = "below the minimum of 1,024"
WHOLE = "must be a whole number of tokens"
ASCII_HEADER = "must be plain ASCII text"


@dataclass(frozen=True)
class Bad:
    id: str
    field: (
        str  # api_key setup_token sign_in model role agent header thinking_budget max_tokens config
    )
    value: str
    cli: str | None
    wizard: str | None = None
    provider: str = "anthropic"
    flag: str = ""  # the option the value goes to (stdin for secrets and sign-in codes)
    exit_code: int = 2

    @property
    def where(self) -> str:
        return "+".join(w for w, m in (("cli", self.cli), ("wizard", self.wizard)) if m)


def _key(id_: str, value: str, msg: str, provider: str = "anthropic", wizard: bool = True) -> Bad:
    return Bad(id_, "api_key", value, msg, msg if wizard else None, provider)


def _token(id_: str, value: str, msg: str, wizard: bool = True) -> Bad:
    return Bad(id_, "setup_token", value, msg, msg if wizard else None)


def _code(id_: str, value: str, msg: str, wizard: bool = True, method: str = "oauth") -> Bad:
    return Bad(id_, "sign_in", value, msg, msg if wizard else None, flag=method)


BAD_INPUTS: list[Bad] = [
    # --- API keys, Anthropic -------------------------------------------------------------
    # An empty or blank paste is ignored by the wizard's field (Next stays disabled).
    _key("ant-empty", "", "nothing pasted", wizard=False),
    _key("ant-blank", "  \n\t ", "nothing pasted", wizard=False),
    _key("ant-openrouter-key", OPENROUTER_KEY, "this is an OpenRouter key"),
    _key("ant-openai-key", OPENAI_KEY, "this is an OpenAI project key"),
    _key("ant-setup-token", SETUP_TOKEN, "choose setup-token instead"),
    _key("ant-cut-short", ANTHROPIC_KEY[:50], "looks cut short: 50 chars"),
    _key("ant-huge-paste", BIG, "too long: more than 4,096 characters"),
    _key("ant-control-char", ANTHROPIC_KEY[:20] + "\x07" + ANTHROPIC_KEY[21:], "control character"),
    _key(
        "ant-non-ascii", "sk-ant-api03-é" + ANTHROPIC_KEY[14:], "non-ASCII character at position 14"
    ),
    _key("ant-url", "https://console.anthropic.com/settings/keys", "this is a web address"),
    _key("ant-sign-in-code", "abcdef#ghijkl", "looks like a sign-in code"),
    _key("ant-doubled", ANTHROPIC_KEY + ANTHROPIC_KEY, "appears more than once"),
    _key("ant-admin-key", ADMIN_ANT, "admin keys cannot call models"),
    _key("ant-refresh-token", REFRESH, "OAuth refresh token"),
    _key("ant-inner-space", ANTHROPIC_KEY[:30] + " " + ANTHROPIC_KEY[30:], "contains a space"),
    _key("ant-nul-bytes", "\x00" * 10, "control character at position 1"),
    # --- API keys, OpenRouter and OpenAI -------------------------------------------------
    _key("or-anthropic-key", ANTHROPIC_KEY, "this is an Anthropic API key", "openrouter"),
    _key("or-openai-key", OPENAI_KEY, "this is an OpenAI project key", "openrouter"),
    _key("or-cut-short", "sk-or-v1-0123456789abcdef", "looks cut short", "openrouter"),
    _key("or-junk", "hello-world", "does not look like an OpenRouter key", "openrouter"),
    _key("oa-openrouter-key", OPENROUTER_KEY, "this is an OpenRouter key", "openai"),
    _key("oa-anthropic-key", ANTHROPIC_KEY, "this is an Anthropic API key", "openai"),
    _key("oa-admin-key", OPENAI_ADMIN, "OpenAI Admin key", "openai"),
    _key("oa-junk", "password123", "does not look like an OpenAI key", "openai"),
    # --- setup-tokens ----------------------------------------------------------------------
    _token("tok-empty", "", "nothing pasted", wizard=False),
    _token("tok-api-key", ANTHROPIC_KEY, "that is an API key, not a setup-token"),
    _token("tok-cut-short", SETUP_TOKEN[:60], "a setup-token has at least 80"),
    _token("tok-refresh-token", REFRESH, "OAuth refresh token"),
    _token("tok-huge-paste", BIG, "too long: more than 4,096 characters"),
    _token("tok-openrouter-key", OPENROUTER_KEY, "this is an OpenRouter key"),
    # --- pasted sign-in codes and callback URLs (stdin line / the Authorize step) --------
    # The wizard keeps Sign in disabled for an empty field; the CLI needs a line.
    _code("code-empty", "", "no sign-in code on stdin", wizard=False),
    _code("code-bare", "abcdef123456", "including the part after #"),
    _code("code-foreign-state", "abcdef#not-our-state", "belongs to another sign-in"),
    _code(
        "code-error-url",
        "https://platform.claude.com/oauth/code/callback?error=access_denied"
        "&error_description=The+user+denied+access",
        "Sign-in failed: access_denied: The user denied access",
    ),
    _code("code-error-query", "error=invalid_scope&state=x", "Sign-in failed: invalid_scope"),
    _code("code-junk-escapes", "\x1b[31mjunk\x1b[0m\x07", "including the part after #"),
    # The wizard refuses it as it is pasted, so Sign in never comes on: tested in
    # test_bounded_input.py.
    _code("code-huge-paste", BIG, "too long: more than 16,384 characters", wizard=False),
    _code("code-bad-chars", "!!!#???", "characters a sign-in code never has"),
    _code(
        "code-foreign-callback",
        "https://platform.claude.com/oauth/code/callback?code=abc123&state=zzz",
        "belongs to another sign-in",
    ),
    _code("code-no-code", "code=&state=abc", "There is no code in what was pasted"),
    # The wizard's field once took `code=` for a shell assignment and cut it off.
    _code("code-query-foreign", "code=abc123&state=zzz", "belongs to another sign-in"),
    _code(
        "code-console-foreign", "abc#other", "belongs to another sign-in", method="console_oauth"
    ),
    # --- --model and the Model step's filter ----------------------------------------------
    # The wizard's model comes from a list: a typed name only filters it.
    Bad("model-empty", "model", "", "model selector '' names no model", flag="--model"),
    Bad("model-blank", "model", "   ", "names no model", flag="--model"),
    Bad("model-foo-prefix", "model", "foo:bar", "unknown provider 'foo'", NO_MATCH, flag="--model"),
    Bad("model-bare-prefix", "model", "anthropic:", "names no model", NO_MATCH, flag="--model"),
    Bad("model-path", "model", "../x", BAD_ID, NO_MATCH, flag="--model"),
    Bad("model-unicode", "model", "clâude-sonnet", BAD_ID, NO_MATCH, flag="--model"),
    Bad("model-spaces", "model", "claude sonnet 4", BAD_ID, flag="--model"),
    Bad("model-emoji", "model", "claude-🦭", BAD_ID, NO_MATCH, flag="--model"),
    Bad(
        "model-other-provider",
        "model",
        "openai:gpt-5",
        "is a openai model, but --provider is anthropic",
        NO_MATCH,
        flag="--model",
    ),
    # --- role selectors (--fast / --escalate / --fallback; the role picker's filter) ------
    Bad("fast-empty", "role", "", EMPTY_SEL, flag="--fast"),
    Bad("fast-foo-prefix", "role", "foo:bar", "unknown provider 'foo'", NO_MATCH, flag="--fast"),
    Bad(  # In the role picker "anthropic:" is a fine filter (its ids are selectors): CLI only.
        "fast-bare-prefix", "role", "anthropic:", "names no model", flag="--fast"
    ),
    Bad("escalate-empty", "role", "", EMPTY_SEL, flag="--escalate"),
    Bad("escalate-path", "role", "../x", BAD_ID, NO_MATCH, flag="--escalate"),
    Bad("escalate-unicode", "role", "ü", BAD_ID, NO_MATCH, flag="--escalate"),
    Bad("fallback-empty", "role", "", EMPTY_SEL, flag="--fallback"),
    Bad("fallback-blank", "role", "  ", EMPTY_SEL, flag="--fallback"),
    Bad(
        "fallback-openrouter-shape",
        "role",
        "openrouter:x",
        "must be written vendor/model",
        NO_MATCH,
        flag="--fallback",
    ),
    Bad(
        "fallback-unknown-shape",
        "role",
        "mystery-model",
        "cannot tell which provider",
        NO_MATCH,
        flag="--fallback",
    ),
    # --- agent names (--agent / Add agent in the Roles step) ------------------------------
    Bad("agent-empty", "agent", "", BAD_AGENT, "Type a name.", flag="--agent"),
    Bad("agent-65-chars", "agent", "a" * 65, BAD_AGENT, "At most 64 characters.", flag="--agent"),
    Bad("agent-spaces", "agent", "my agent", BAD_AGENT, NAME_CHARS, flag="--agent"),
    Bad("agent-dots", "agent", "a.b", BAD_AGENT, NAME_CHARS, flag="--agent"),
    Bad(
        "agent-default",
        "agent",
        "default",
        "'default' is not a valid agent name",
        "'default' is the [model] row",
        flag="--agent",
    ),
    Bad("agent-unicode", "agent", "ägent", BAD_AGENT, NAME_CHARS, flag="--agent"),
    Bad("agent-slash", "agent", "x/y", BAD_AGENT, NAME_CHARS, flag="--agent"),
    # --agent NAME of an existing agent edits it: a duplicate only exists in the wizard.
    Bad("agent-duplicate", "agent", "research", None, "There is already an agent called research"),
    # --- request headers (--header NAME=VALUE / the OpenRouter title on the Model step) ---
    Bad("header-no-equals", "header", "X-Title", "is not NAME=VALUE", flag="--header"),
    Bad("header-empty-name", "header", "=v", "is not NAME=VALUE", flag="--header"),
    Bad("header-blank-name", "header", "  =v", "is not NAME=VALUE", flag="--header"),
    Bad(
        "header-newline",
        "header",
        "X-T=a\nb",
        "must be one line of text",
        ASCII_HEADER,
        flag="--header",
    ),
    Bad(
        "header-crlf",
        "header",
        "X-T=a\r\nInjected: 1",
        "must be one line of text",
        ASCII_HEADER,
        flag="--header",
    ),
    Bad("header-non-ascii", "header", "X-T=café", ASCII_HEADER, ASCII_HEADER, flag="--header"),
    Bad("header-tab", "header", "X-T=a\tb", ASCII_HEADER, ASCII_HEADER, flag="--header"),
    Bad(
        "header-authorization",
        "header",
        "Authorization=Bearer x",
        "carries a credential",
        flag="--header",
    ),
    Bad("header-x-api-key", "header", "x-api-key=abc", "carries a credential", flag="--header"),
    Bad(
        "header-sk-value",
        "header",
        "X-T=sk-abc123",
        "looks like a secret",
        "looks like a secret",
        flag="--header",
    ),
    Bad(
        "header-bearer-value",
        "header",
        "X-T=Bearer abc",
        "looks like a secret",
        "looks like a secret",
        flag="--header",
    ),
    Bad(
        "header-bad-name",
        "header",
        "Bad Name=v",
        "is not a valid HTTP header name",
        flag="--header",
    ),
    # --- thinking budget (with --thinking manual on claude-sonnet-4-6, 64,000 max) -------
    Bad(
        "budget-100",
        "thinking_budget",
        "100",
        "thinking_budget must be at least 1024",
        BUDGET_MIN,
        flag="--thinking-budget",
    ),
    Bad(
        "budget-1023",
        "thinking_budget",
        "1023",
        "thinking_budget must be at least 1024",
        BUDGET_MIN,
        flag="--thinking-budget",
    ),
    Bad(
        "budget-zero",
        "thinking_budget",
        "0",
        "thinking_budget must be at least 1024",
        "Thinking budget must be greater than 0.",
        flag="--thinking-budget",
    ),
    Bad(
        "budget-negative",
        "thinking_budget",
        "-5",
        "thinking_budget must be at least 1024",
        "Thinking budget must be greater than 0.",
        flag="--thinking-budget",
    ),
    Bad(
        "budget-not-integer",
        "thinking_budget",
        "abc",
        "invalid int value: 'abc'",
        "Thinking budget " + WHOLE,
        flag="--thinking-budget",
    ),
    Bad(
        "budget-decimal",
        "thinking_budget",
        "1.5e4",
        "invalid int value: '1.5e4'",
        "Thinking budget " + WHOLE,
        flag="--thinking-budget",
    ),
    Bad(
        "budget-at-max",
        "thinking_budget",
        "128000",
        "Thinking budget 128,000 must be below",
        "Thinking budget 128,000 must be below",
        flag="--thinking-budget",
    ),
    Bad(
        "budget-huge",
        "thinking_budget",
        "99999999999999999999",
        "must be below",
        "must be below",
        flag="--thinking-budget",
    ),
    Bad(
        "budget-without-manual",
        "thinking_budget",
        "2000",
        "A thinking budget only applies with manual thinking",
        flag="--thinking-budget",
    ),
    # --- max tokens (claude-sonnet-4-6: ceiling 64,000) -----------------------------------
    Bad(
        "max-zero",
        "max_tokens",
        "0",
        "max_tokens must be at least 1",
        "Max tokens must be greater than 0.",
        flag="--max-tokens",
    ),
    Bad(
        "max-negative",
        "max_tokens",
        "-1",
        "max_tokens must be at least 1",
        "Max tokens must be greater than 0.",
        flag="--max-tokens",
    ),
    Bad(
        "max-above-ceiling",
        "max_tokens",
        "128001",
        "above claude-sonnet-4-6's ceiling of 128,000",
        "above claude-sonnet-4-6's ceiling of 128,000",
        flag="--max-tokens",
    ),
    Bad(
        "max-abc",
        "max_tokens",
        "abc",
        "invalid int value: 'abc'",
        "Max tokens " + WHOLE,
        flag="--max-tokens",
    ),
    Bad(
        "max-1e9",
        "max_tokens",
        "1e9",
        "invalid int value: '1e9'",
        "Max tokens " + WHOLE,
        flag="--max-tokens",
    ),
    Bad(
        "max-billion",
        "max_tokens",
        "1000000000",
        "Max tokens 1,000,000,000 is above",
        "Max tokens 1,000,000,000 is above",
        flag="--max-tokens",
    ),
    Bad("max-empty", "max_tokens", "", "invalid int value: ''", flag="--max-tokens"),
    # --- config paths (--config; the wizard's Welcome says the same) ----------------------
    Bad(
        "config-directory",
        "config",
        "{tmp}/adir",
        "it is a directory",
        "it is a directory",
        exit_code=3,
    ),
    Bad(
        "config-missing-folder",
        "config",
        "{tmp}/missing/seal.toml",
        "the folder {tmp}/missing does not exist",
        "does not exist",
        exit_code=3,
    ),
    Bad(
        "config-nul",
        "config",
        "{tmp}/seal.toml\x00x",
        "a path cannot contain a NUL byte",
        exit_code=3,
    ),
    Bad(
        "config-under-a-file",
        "config",
        "{tmp}/afile/seal.toml",
        "Not a directory",
        "Not a directory",
        exit_code=3,
    ),
    Bad(
        "config-device",
        "config",
        "{tmp}/devnull",
        "it is not a regular file",
        "it is not a regular file",
        exit_code=3,
    ),
    Bad(
        "config-fifo",
        "config",
        "{tmp}/fifo",
        "it is not a regular file",
        "it is not a regular file",
        exit_code=3,
    ),
    Bad("config-empty", "config", "", "--config is empty"),
]

# /dev/null itself is tried only after {tmp}/devnull (the same device) was refused: a
# regression must never get the chance to replace the machine's /dev/null.
DEV_NULL = Bad("config-dev-null", "config", "/dev/null", "it is not a regular file", exit_code=3)

FIELDS = sorted({b.field for b in BAD_INPUTS})
