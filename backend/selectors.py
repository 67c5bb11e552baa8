"""Old path of `backend.vocabulary.selectors`: the same module, while tests import it."""

import sys

from backend.vocabulary import selectors

sys.modules[__name__] = selectors
