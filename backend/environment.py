"""Old path of `backend.system.environment`: the same module, while tests import it."""

import sys

from backend.system import environment

sys.modules[__name__] = environment
