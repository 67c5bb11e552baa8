"""The reliability suite's tally type, for its tests' annotations. The `tally` fixture
itself is tests/support/tally.py's (a root plugin), so every folder can count cases."""

from __future__ import annotations

from tests.support.tally import Tally

__all__ = ["Tally"]
