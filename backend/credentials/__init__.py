"""Credentials: the record, its stores and writes, which one a call uses, and its health.

Until the tests import the new paths, `backend.credentials` also answers for the names of
the module it replaced (`CredentialRecord`, `utcnow`, … now in
`backend.credentials.record`): see `backend.moved`.
"""

from backend.moved import forward

forward(__name__, "backend.credentials.record")
