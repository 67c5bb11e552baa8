"""seal.toml: the document, its comment-keeping editor, schema, file I/O and backups.

Until the tests import the new paths, `backend.config` also answers for the names of the
module it replaced (`SealConfig`, `load_config`, … now in `backend.config.document`):
see `backend.moved`. Nothing is imported here until such a name is used.
"""

from backend.moved import forward

forward(__name__, "backend.config.document", "backend.config.toml_edit")
