"""Old path of `backend.config.guard`: the same module, while tests import it."""

import sys

from backend.config import guard

sys.modules[__name__] = guard
