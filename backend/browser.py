"""Old path of `backend.system.browser`: the same module, while tests import it."""

import sys

from backend.system import browser

sys.modules[__name__] = browser
