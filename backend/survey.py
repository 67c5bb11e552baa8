"""Old path of `backend.wizard.survey`: the same module, while tests import it."""

import sys

from backend.wizard import survey

sys.modules[__name__] = survey
