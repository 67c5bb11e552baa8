"""Old path of `backend.auth.oauth`: the same module, while tests import it."""

import sys

from backend.auth import oauth

sys.modules[__name__] = oauth
