"""The reliability suite's `tally` fixture: cases tried and held, per category, summed
over the whole run (and over xdist workers) by tests/support/tally.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.tally import TALLY, Tally

__all__ = ["Tally", "tally"]


@pytest.fixture
def tally() -> Iterator[Tally]:
    """The session-wide tally."""
    yield TALLY
