"""The seal.toml keys seal-setup manages: their types, their choices, role, agent and header
names, and the quick check of a file's values against them.

One place for what a value may be. `backend.config.document` validates edits with it, the
catalog rules name its choices, the Model step's menus and the CLI's `choices=` list them.
Provider and auth choices come from `backend.vocabulary.registry` and
`backend.vocabulary.methods`, read when asked, so a provider added to the registry is a
valid `provider` at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from backend.errors import InputError
from backend.vocabulary import registry
from backend.vocabulary.methods import AUTH_VALUES
from backend.vocabulary.selectors import check_model_id

MODEL_KEYS = (
    "provider",
    "name",
    "auth",
    "profile",
    "thinking",
    "thinking_budget",
    "effort",
    "max_tokens",
    "base_url",
    "cache_retention",
    "context_1m",
)
# The Model step's options (beyond provider, name, auth, profile and base_url).
MODEL_OPTIONS = (
    "thinking",
    "thinking_budget",
    "effort",
    "max_tokens",
    "cache_retention",
    "context_1m",
)
# How a person reads each option (the file's key is for the file and the diff).
OPTION_LABELS = {
    "thinking": "thinking",
    "thinking_budget": "thinking budget",
    "effort": "effort",
    "max_tokens": "max tokens",
    "cache_retention": "prompt cache",
    "context_1m": "1M context",
}
ROLE_NAMES = ("primary", "fast", "escalate", "fallbacks")

THINKING_MODES = ("adaptive", "manual", "disabled")
# What Seal uses with `thinking` unset (its docs, seed 000); the default effort is per
# model (the catalog's `default_effort`, from the model overlay).
SEAL_DEFAULT_THINKING = "adaptive"
EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")
CACHE_RETENTION = ("none", "short", "long")
MIN_THINKING_BUDGET = 1024
# How a menu names a choice where the value alone says too little.
CHOICE_LABELS = {
    ("thinking", "manual"): "manual budget",
    ("cache_retention", "short"): "short (5 min)",
    ("cache_retention", "long"): "long (1 h)",
}

_FIXED_CHOICES: dict[str, tuple[str, ...]] = {
    "auth": AUTH_VALUES,
    "thinking": THINKING_MODES,
    "effort": EFFORT_LEVELS,
    "cache_retention": CACHE_RETENTION,
}

# What a header name in [model.headers] may be (an HTTP token).
HEADER_NAME_RE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}")
# Headers that carry credentials: their values would be secrets in a project file.
SECRET_HEADERS = ("authorization", "proxy-authorization", "x-api-key", "api-key", "cookie")

# OpenRouter's attribution title: one setting under two names (Seal's own docs write
# X-Title, OpenRouter also takes X-OpenRouter-Title). Written once, under the name the
# file already has; the wizard's and the command line's answers call it TITLE_HEADER.
TITLE_HEADER = "X-OpenRouter-Title"
_SAME_HEADERS: tuple[frozenset[str], ...] = (frozenset({"x-openrouter-title", "x-title"}),)


def header_spellings(name: str) -> frozenset[str]:
    """Every lower-cased name that means the same header as `name` (itself included)."""
    low = name.lower()
    return next((same for same in _SAME_HEADERS if low in same), frozenset({low}))


def canonical_header(name: str) -> str:
    """`name`, or TITLE_HEADER for either spelling of the attribution title."""
    return TITLE_HEADER if name.lower() in header_spellings(TITLE_HEADER) else name


AGENT_NAME_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The Roles step shows [model] as the row of this name, so no agent may take it.
DEFAULT_ROW = "default"
# A credential profile: `profile` in seal.toml, --profile, the store key's second half
# (`<provider>:<profile>`). An account's email names one well, so '@' and '+' are in.
PROFILE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}")
PROFILE_RULE = "1-64 letters, digits, '.', '-', '_', '@' or '+', starting with a letter or digit"

# The type each managed key must have: what it must be, and the test.
_WANT_STR: tuple[str, Callable[[Any], bool]] = ("a string", lambda v: isinstance(v, str))
KINDS: dict[str, tuple[str, Callable[[Any], bool]]] = {key: _WANT_STR for key in MODEL_KEYS}
KINDS["thinking_budget"] = KINDS["max_tokens"] = (
    "a whole number",
    lambda v: isinstance(v, int) and not isinstance(v, bool),
)
KINDS["context_1m"] = ("true or false", lambda v: isinstance(v, bool))


def choices(key: str) -> tuple[str, ...] | None:
    """The values `key` may take, or None when it is not a choice."""
    if key == "provider":
        return registry.ids()
    return _FIXED_CHOICES.get(key)


def menu(key: str) -> list[tuple[str, str]]:
    """(label, value) for each choice of `key`, in order: a Select's options."""
    return [(CHOICE_LABELS.get((key, value), value), value) for value in choices(key) or ()]


def check_agent_name(name: str) -> None:
    """InputError unless `name` can name an agent table."""
    if not isinstance(name, str) or not AGENT_NAME_RE.fullmatch(name):
        raise InputError(
            f"{name!r} is not a valid agent name",
            "use 1-64 letters, digits, '-' or '_'",
        )
    if name == DEFAULT_ROW:
        # The Roles step shows [model] as the row "default"; an agent of that name would
        # be indistinguishable from it (the wizard refuses it too).
        raise InputError("'default' is not a valid agent name", "it names the [model] row")


def profile_problem(name: object) -> str:
    """Why `name` cannot name a credential profile ("" when it can)."""
    if isinstance(name, str) and PROFILE_RE.fullmatch(name):
        return ""
    return f"profile must be {PROFILE_RULE}"


def validate(key: str, value: Any) -> Any:
    """Check a value's type and range for `key`; returns the value to store."""
    allowed = choices(key)
    if allowed is not None:
        if not isinstance(value, str) or value not in allowed:
            raise InputError(f"{key} must be one of: " + ", ".join(allowed))
        return value
    if key == "name":
        if not isinstance(value, str):
            raise InputError("name must be a model id")
        return check_model_id(value.strip())
    if key == "profile":
        problem = profile_problem(value)
        if problem:
            raise InputError(problem)
        return value
    if key in ("thinking_budget", "max_tokens"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{key} must be a whole number")
        low = MIN_THINKING_BUDGET if key == "thinking_budget" else 1
        if value < low:
            raise InputError(f"{key} must be at least {low}")
        return value
    if key == "context_1m":
        if not isinstance(value, bool):
            raise InputError("context_1m must be true or false")
        return value
    if key == "base_url":
        if not isinstance(value, str) or not re.fullmatch(r"https?://\S+", value):
            raise InputError("base_url must be an http:// or https:// URL")
        return value
    raise InputError(f"seal-setup does not manage the key {key!r}")


def structure_looks_right(values: dict[str, Any]) -> bool:
    """A quick pass over the file's values for what `SealConfig` checks of its tables.

    True when every check holds. It is stricter: a sub-table or an array of tables
    where a managed value goes makes it False, though the document walk skips those.
    """
    models: list[Any] = []
    if "model" in values:
        models.append(values["model"])
    agents = values.get("agents", {})
    if not isinstance(agents, dict):
        return False
    for agent in agents.values():
        if isinstance(agent, dict) and "model" in agent:
            models.append(agent["model"])
    for model in models:
        if not isinstance(model, dict):
            return False
        for key, value in model.items():
            if key in KINDS and not KINDS[key][1](value):
                return False
        roles, headers = model.get("roles", {}), model.get("headers", {})
        if not isinstance(roles, dict) or not isinstance(headers, dict):
            return False
        if not all(role_value_ok(role, value) for role, value in roles.items()):
            return False
        if not all(isinstance(v, str) for v in headers.values()):
            return False
    return True


def role_value_ok(role: str, value: Any) -> bool:
    """A role is a selector string; fallbacks may also be a list of them."""
    items = value if role == "fallbacks" and isinstance(value, list) else [value]
    return all(isinstance(v, str) for v in items)
