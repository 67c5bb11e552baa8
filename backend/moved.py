"""Old import paths of modules that moved into backend's groups, kept while tests move.

A module that moved leaves a shim at its old path that makes the old name the very same
module object (`sys.modules[old] = new`), so an import, a patch or a monkeypatch through
the old name reaches what the code uses. Where a package took an old module's name
(`backend.config`, `backend.credentials`, `backend.providers`), its `__init__` cannot be
that module, so it `forward`s instead: a name asked of the package is read from, and a
name set on it is set in, the module that holds it now. That module is imported only
when such a name is first used, so importing the package stays light.

Every shim, and this module, goes once nothing imports an old path any more.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any


class _Forwarding(types.ModuleType):
    """A package that answers for the names of the module it replaced."""

    _moved_to: tuple[str, ...]

    def _holder(self, name: str) -> types.ModuleType | None:
        if name.startswith("__"):
            return None
        # A submodule not imported yet is the import system's to load, not a moved name.
        if importlib.util.find_spec(f"{self.__name__}.{name}") is not None:
            return None
        for target in self._moved_to:
            module = importlib.import_module(target)
            if hasattr(module, name):
                return module
        return None

    def __getattr__(self, name: str) -> Any:
        holder = self._holder(name)
        if holder is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        return getattr(holder, name)

    def __setattr__(self, name: str, value: Any) -> None:
        is_submodule = isinstance(value, types.ModuleType) and (
            value.__name__ == f"{self.__name__}.{name}"
        )
        holder = None if is_submodule or name in self.__dict__ else self._holder(name)
        if holder is None:
            super().__setattr__(name, value)
        else:
            setattr(holder, name, value)


def forward(package: str, *moved_to: str) -> None:
    """Make `package` answer for the old module's names, found in `moved_to` in order."""
    module = sys.modules[package]
    module.__class__ = _Forwarding
    module.__dict__["_moved_to"] = moved_to
