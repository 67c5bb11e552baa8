"""A configured project's seal.toml: every kind of [model] setting seal-setup manages (an
alias for the name, a profile, each option, a header, roles), for the second-run tests."""

from __future__ import annotations

CONFIGURED = """\
# my project
[model]
provider = "anthropic"
name = "sonnet"              # the alias, kept as written
auth = "api_key"
profile = "work"
thinking = "manual"
thinking_budget = 4096
effort = "high"
max_tokens = 32000
cache_retention = "long"
context_1m = true

[model.headers]
"X-Team" = "infra"

[model.roles]
fast = "claude-haiku-4-5"
fallbacks = ["openrouter:anthropic/claude-sonnet-4.6"]
"""
