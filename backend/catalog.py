"""Old path of `backend.providers.catalog`: the same module, while tests import it."""

import sys

from backend.providers import catalog

sys.modules[__name__] = catalog
