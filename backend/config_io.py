"""Old path of `backend.config.io`: the same module, while tests import it."""

import sys

from backend.config import io

sys.modules[__name__] = io
