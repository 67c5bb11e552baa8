"""Old path of `backend.auth.paste`: the same module, while tests import it."""

import sys

from backend.auth import paste

sys.modules[__name__] = paste
