"""Old path of `backend.system.atomic`: the same module, while tests import it."""

import sys

from backend.system import atomic

sys.modules[__name__] = atomic
