"""Old path of `backend.system.display`: the same module, while tests import it."""

import sys

from backend.system import display

sys.modules[__name__] = display
