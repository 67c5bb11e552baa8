"""Old path of `backend.providers.trust`: the same module, while tests import it."""

import sys

from backend.providers import trust

sys.modules[__name__] = trust
