"""Old path of `backend.system.http_limits`: the same module, while tests import it."""

import sys

from backend.system import http_limits

sys.modules[__name__] = http_limits
