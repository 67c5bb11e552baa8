"""Old path of `backend.system.http`: the same module, while tests import it."""

import sys

from backend.system import http

sys.modules[__name__] = http
