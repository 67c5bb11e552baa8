"""backend.shell: commands to copy read back as exactly their arguments."""

from __future__ import annotations

import shlex

import pytest

from backend.system.shell import logout_command, option, reauth_command
from tui.cli import build_parser

NAMES = ["default", "work", "a b", "x'y\"z", "$(id)", "; rm -rf ~", "--yes", "-rf", "-", ""]


@pytest.mark.parametrize("profile", NAMES, ids=repr)
def test_reauth_and_logout_parse_back(profile: str) -> None:
    reauth = build_parser().parse_args(shlex.split(reauth_command("openai", profile))[1:])
    assert (reauth.command, reauth.provider) == ("reauth", "openai")
    assert reauth.profile == (None if profile == "default" else profile)
    logout = build_parser().parse_args(shlex.split(logout_command("openai", profile))[1:])
    assert (logout.command, logout.provider, logout.profile) == ("logout", "openai", profile)


def test_option_uses_the_equals_form_only_for_a_leading_dash() -> None:
    assert option("--agent", "research") == ["--agent", "research"]
    assert option("--agent", "--yes") == ["--agent=--yes"]
    assert reauth_command("anthropic", "default") == "seal-setup reauth --provider anthropic"
