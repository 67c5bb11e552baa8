"""Old path of `backend.wizard.answers`: the same module, while tests import it."""

import sys

from backend.wizard import answers

sys.modules[__name__] = answers
