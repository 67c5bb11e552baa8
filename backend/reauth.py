"""Old path of `backend.wizard.reauth`: the same module, while tests import it."""

import sys

from backend.wizard import reauth

sys.modules[__name__] = reauth
