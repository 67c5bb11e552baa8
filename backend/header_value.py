"""Old path of `backend.system.header_value`: the same module, while tests import it."""

import sys

from backend.system import header_value

sys.modules[__name__] = header_value
