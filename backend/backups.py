"""Old path of `backend.config.backups`: the same module, while tests import it."""

import sys

from backend.config import backups

sys.modules[__name__] = backups
