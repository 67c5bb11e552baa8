"""Old path of `backend.credentials.health`: the same module, while tests import it."""

import sys

from backend.credentials import health

sys.modules[__name__] = health
