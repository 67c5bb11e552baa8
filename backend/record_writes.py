"""Old path of `backend.credentials.writes`: the same module, while tests import it."""

import sys

from backend.credentials import writes

sys.modules[__name__] = writes
