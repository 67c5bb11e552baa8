"""A stand-in for macOS `security`, put first on PATH, answering like the real one.

`FakeSecurity.install(folder)` writes an executable `security` into `folder/bin`; each run
appends its argv (one JSON line) to `folder/calls` and answers as `answer(...)` last said:
- found: the password (JSON text) and a newline on stdout, exit 0;
- not_found: `security: SecKeychainSearchCopyNext: The specified item could not be found
  in the keychain.` on stderr, exit 44;
- locked: `… User interaction is not allowed.` on stderr, exit 36;
- denied: `… The user name or passphrase you entered is not correct.`, exit 51;
- slow: sleeps past any deadline (its pid goes to `folder/pid` first).
The real one answers the same for any service it does not hold, so `service` names the one
entry it holds: another service is not found.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SCRIPT = """\
#!{python}
import json, os, sys, time
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
with open(os.path.join(here, "calls"), "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
with open(os.path.join(here, "answer")) as f:
    answer = json.load(f)
args = sys.argv[1:]
service = args[args.index("-s") + 1] if "-s" in args else None
mode = answer["mode"]
if service != answer["service"] and mode in ("found",):
    mode = "not_found"
if mode == "found":
    sys.stdout.write(answer["stdout"] + "\\n")
    sys.exit(0)
if mode == "not_found":
    sys.stderr.write("security: SecKeychainSearchCopyNext: The specified item could not be "
                     "found in the keychain.\\n")
    sys.exit(44)
if mode == "locked":
    sys.stderr.write("security: SecKeychainSearchCopyNext: User interaction is not allowed.\\n")
    sys.exit(36)
if mode == "denied":
    sys.stderr.write("security: SecKeychainSearchCopyNext: The user name or passphrase you "
                     "entered is not correct.\\n")
    sys.exit(51)
if mode == "slow":
    with open(os.path.join(here, "pid"), "w") as f:
        f.write(str(os.getpid()))
    time.sleep(60)
    sys.exit(0)
sys.exit(2)
"""

SERVICE = "Claude Code-credentials"


@dataclass(frozen=True)
class FakeSecurity:
    folder: Path
    # Called when told to hang: the fixture shortens the deadline for that test only.
    on_slow: Callable[[], None] = lambda: None

    @classmethod
    def install(cls, folder: Path, on_slow: Callable[[], None] = lambda: None) -> FakeSecurity:
        (folder / "bin").mkdir(parents=True, exist_ok=True)
        script = folder / "bin" / "security"
        script.write_text(SCRIPT.format(python=sys.executable))
        script.chmod(0o755)
        fake = cls(folder, on_slow)
        fake.answer("not_found")
        return fake

    @property
    def bin(self) -> Path:
        return self.folder / "bin"

    def path_with(self, path: str = "") -> str:
        """PATH with this `security` first."""
        return os.pathsep.join(p for p in (str(self.bin), path) if p)

    def answer(self, mode: str, stdout: str = "", service: str = SERVICE) -> None:
        if mode == "slow":
            self.on_slow()
        doc = {"mode": mode, "stdout": stdout, "service": service}
        (self.folder / "answer").write_text(json.dumps(doc))

    def holds(self, doc: object, service: str = SERVICE) -> None:
        """Found: the entry holds `doc` as JSON text."""
        self.answer("found", json.dumps(doc), service)

    def calls(self) -> list[list[str]]:
        log = self.folder / "calls"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]

    def slow_pid(self) -> int:
        return int((self.folder / "pid").read_text())
