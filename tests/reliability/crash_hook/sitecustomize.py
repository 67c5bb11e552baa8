"""Loaded by Python at start-up when this folder is on PYTHONPATH: makes one function fail.

`SEAL_TEST_FAIL_AT=module:attr.path` names the function (a module function or a class's
method); it is replaced by one that raises ValueError with `SEAL_TEST_FAIL_SECRETS`
(space-separated) in its message and in a local variable of its frame. This is how the
crash tests force an unexpected error inside the real console script.
"""

from __future__ import annotations

import importlib
import os
from typing import Any


def _install() -> None:
    target = os.environ.get("SEAL_TEST_FAIL_AT")
    if not target:
        return
    module_name, _, path = target.partition(":")
    *owners, name = path.split(".")
    holder: Any = importlib.import_module(module_name)
    for owner in owners:
        holder = getattr(holder, owner)

    def forced_failure(*args: object, **kwargs: object) -> None:
        secrets = os.environ.get("SEAL_TEST_FAIL_SECRETS", "").split()
        raise ValueError("forced failure holding " + " and ".join(secrets))

    setattr(holder, name, forced_failure)


_install()
