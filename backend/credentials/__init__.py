"""Credentials: the record, its stores and writes, which one a call uses, and its health."""
