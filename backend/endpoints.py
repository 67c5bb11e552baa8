"""Old path of `backend.providers.endpoints`: the same module, while tests import it."""

import sys

from backend.providers import endpoints

sys.modules[__name__] = endpoints
