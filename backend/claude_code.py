"""Old path of `backend.credentials.claude_code`: the same module, while tests import it."""

import sys

from backend.credentials import claude_code

sys.modules[__name__] = claude_code
