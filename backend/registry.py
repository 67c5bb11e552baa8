"""Old path of `backend.vocabulary.registry`: the same module, while tests import it."""

import sys

from backend.vocabulary import registry

sys.modules[__name__] = registry
