"""Providers: the live calls, each provider's module, the catalog, base URLs and trust.

Until the tests import the new paths, `backend.providers` also answers for the names of
the module it replaced (`check`, `list_models`, `Auth`, … now in
`backend.providers.live`), reading and setting them there: see `backend.moved`.
"""

from backend.moved import forward

forward(__name__, "backend.providers.live")
