"""Exit codes: one table (`ExitCode`), and every error a person may see takes its code from it."""

from __future__ import annotations

import importlib
import pkgutil

import backend
import tui
from backend.errors import EXIT_MEANINGS, ExitCode, SealError


def _subclasses(cls: type[SealError]) -> list[type[SealError]]:
    found: list[type[SealError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_the_codes_are_the_documented_ones() -> None:
    # DESIGN §5; an unexpected error shares 1 with a credential problem.
    assert {c.name: int(c) for c in ExitCode} == {
        "OK": 0,
        "CREDENTIAL": 1,
        "USAGE": 2,
        "CONFIG": 3,
        "NOT_EXECUTABLE": 126,  # `run`'s COMMAND, as POSIX shells say it
        "NOT_FOUND": 127,
        "CANCELLED": 130,
    }
    assert ExitCode.UNEXPECTED is ExitCode.CREDENTIAL


def test_every_code_has_its_words_for_help() -> None:
    assert set(EXIT_MEANINGS) == set(ExitCode)
    assert all(EXIT_MEANINGS.values())


def test_every_error_class_exits_with_a_code_of_the_table() -> None:
    # Import every module of backend and tui, so each error class defined anywhere exists.
    for package in (backend, tui):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
    classes = [SealError, *_subclasses(SealError)]
    names = {cls.__name__ for cls in classes}
    # Guards the walk: errors of backend.errors, backend.providers.trust and
    # backend.auth.oauth are found.
    assert {"InputError", "UntrustedEndpoint", "CredentialFailure", "RulesError"} <= names
    wrong = {cls.__name__: cls.exit_code for cls in classes if type(cls.exit_code) is not ExitCode}
    assert wrong == {}


def test_the_codes_of_the_kinds_of_error() -> None:
    from backend.errors import ConfigError, CredentialFailure, InputError, RulesError
    from backend.providers.trust import UntrustedEndpoint

    assert CredentialFailure("x").exit_code is ExitCode.CREDENTIAL
    assert InputError("x").exit_code is ExitCode.USAGE
    assert RulesError("x").exit_code is ExitCode.USAGE
    assert UntrustedEndpoint.exit_code is ExitCode.USAGE
    assert ConfigError("x").exit_code is ExitCode.CONFIG
