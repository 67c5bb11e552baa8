"""Old path of `backend.credentials.stores`: the same module, while tests import it."""

import sys

from backend.credentials import stores

sys.modules[__name__] = stores
