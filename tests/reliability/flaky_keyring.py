"""A keyring backend for failure tests: entries in a JSON file, a chosen set_password fails.

Usable in-process (`FlakyKeyring(path, fail_on_set=2)`) and in a subprocess through
keyring's own switch: `PYTHON_KEYRING_BACKEND=tests.reliability.flaky_keyring.FlakyKeyring`
with `SEAL_TEST_KEYRING_FILE` (where entries live), `SEAL_TEST_KEYRING_FAIL_SET` (which
set_password call fails, 1-based; 0 = none) and `SEAL_TEST_KEYRING_ECHO=1` (the error
message repeats the password, as a careless backend's might). Calls are counted in the
file too, so "the second set_password" holds across processes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend, properties
from keyring.errors import PasswordDeleteError, PasswordSetError


class FlakyKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        # keyring instantiates every viable backend class it knows of when it picks a
        # default; outside the tests that point it at a file, this one must not be viable.
        if "SEAL_TEST_KEYRING_FILE" not in os.environ:
            raise RuntimeError("FlakyKeyring is only for tests that set SEAL_TEST_KEYRING_FILE")
        return 1

    def __init__(
        self, path: Path | None = None, *, fail_on_set: int | None = None, echo: bool | None = None
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.path = path or Path(os.environ["SEAL_TEST_KEYRING_FILE"])
        self.fail_on_set = (
            fail_on_set
            if fail_on_set is not None
            else int(os.environ.get("SEAL_TEST_KEYRING_FAIL_SET", "0"))
        )
        self.echo = echo if echo is not None else os.environ.get("SEAL_TEST_KEYRING_ECHO") == "1"

    # -- the file

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"sets": 0, "entries": {}}
        data: dict[str, Any] = json.loads(self.path.read_text(encoding="utf-8"))
        return data

    def _save(self, data: dict[str, Any]) -> None:
        self.path.write_text(json.dumps(data), encoding="utf-8")

    def entries(self) -> dict[str, str]:
        """username -> password under every service (service is always `seal` here)."""
        return {k.split("\0", 1)[1]: v for k, v in self._load()["entries"].items()}

    # -- KeyringBackend

    def get_password(self, service: str, username: str) -> str | None:
        value = self._load()["entries"].get(f"{service}\0{username}")
        return value if isinstance(value, str) else None

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data["sets"] += 1
        self._save(data)
        if data["sets"] == self.fail_on_set:
            detail = f" (value {password})" if self.echo else ""
            raise PasswordSetError(f"the keyring daemon went away mid-write{detail}")
        data["entries"][f"{service}\0{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data["entries"].pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._save(data)
