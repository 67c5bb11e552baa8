"""Old path of `backend.config.text`: the same module, while tests import it."""

import sys

from backend.config import text

sys.modules[__name__] = text
