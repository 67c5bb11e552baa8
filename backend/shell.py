"""Old path of `backend.system.shell`: the same module, while tests import it."""

import sys

from backend.system import shell

sys.modules[__name__] = shell
