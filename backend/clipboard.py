"""Old path of `backend.system.clipboard`: the same module, while tests import it."""

import sys

from backend.system import clipboard

sys.modules[__name__] = clipboard
