"""seal.toml: the document, its comment-keeping editor, schema, file I/O and backups."""
