"""Old path of `backend.config.schema`: the same module, while tests import it."""

import sys

from backend.config import schema

sys.modules[__name__] = schema
