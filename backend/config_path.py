"""Old path of `backend.config.location`: the same module, while tests import it."""

import sys

from backend.config import location

sys.modules[__name__] = location
