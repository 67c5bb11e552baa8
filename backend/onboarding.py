"""Old path of `backend.wizard.onboarding`: the same module, while tests import it."""

import sys

from backend.wizard import onboarding

sys.modules[__name__] = onboarding
