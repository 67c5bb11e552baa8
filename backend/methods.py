"""Old path of `backend.vocabulary.methods`: the same module, while tests import it."""

import sys

from backend.vocabulary import methods

sys.modules[__name__] = methods
