"""Old path of `backend.system.bounded`: the same module, while tests import it."""

import sys

from backend.system import bounded

sys.modules[__name__] = bounded
