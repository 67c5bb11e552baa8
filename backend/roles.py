"""Old path of `backend.wizard.roles`: the same module, while tests import it."""

import sys

from backend.wizard import roles

sys.modules[__name__] = roles
