"""Old path of `backend.credentials.resolution`: the same module, while tests import it."""

import sys

from backend.credentials import resolution

sys.modules[__name__] = resolution
