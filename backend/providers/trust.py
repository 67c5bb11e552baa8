"""Which API bases a project's seal.toml may send this machine's credentials to.

A `base_url` in seal.toml comes with the project (a clone, a pull request), so it never
decides by itself where a key or token goes. Like `direnv allow` and `mise trust`, the
person trusts one exact (seal.toml, provider, base_url) on this machine (`seal-setup
trust`, or the wizard's confirmation that shows the host); editing the base_url in the
file is a new entry, so it is untrusted again. The list lives in the user config dir,
mode 0600, never in the project.

The provider's own base (the default, or the person's SEAL_*_BASE_URL) needs no trust.
Plain http:// is refused for every base except loopback (`endpoints.check_transport`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import platformdirs

from backend.credentials.record import to_rfc3339, utcnow
from backend.errors import InputError
from backend.providers.endpoints import api_base, check_transport, clean_url, host_of
from backend.system.atomic import LockTimeout, atomic_write, file_lock

if TYPE_CHECKING:
    from backend.config.document import SealConfig

TRUST_FILE = "trusted-endpoints.json"
TRUST_VERSION = 1
# Thousands of entries fit; anything larger is not a list this tool wrote.
MAX_TRUST_FILE = 1 << 20

Source = Literal["provider", "project"]


def trust_path(env: Mapping[str, str] | None = None) -> Path:
    """`<user config dir>/seal/trusted-endpoints.json` (XDG_CONFIG_HOME from `env` wins)."""
    if env is not None and env.get("XDG_CONFIG_HOME"):
        return Path(env["XDG_CONFIG_HOME"]) / "seal" / TRUST_FILE
    return Path(platformdirs.user_config_dir("seal")) / TRUST_FILE


def config_key(config_path: str | Path) -> str:
    """The seal.toml a trust entry is for: absolute, symlinks resolved."""
    return os.path.realpath(os.path.abspath(os.path.expanduser(str(config_path))))


def trust_command(config_path: str | Path) -> str:
    """The command that trusts this seal.toml's base URLs, quoted for a shell."""
    from backend.system.shell import join, option

    return join(["seal-setup", "trust", *option("--config", config_key(config_path))])


@dataclass(frozen=True)
class Endpoint:
    """Where one provider's requests go, and whether this machine's credentials may go there.

    `source` "provider": the provider's own base (default or SEAL_*_BASE_URL), always
    trusted. "project": a seal.toml `base_url` (`table` says which table set it), trusted
    only when the person trusted it; `problem` is why it can never be used (plain http).
    """

    provider: str
    url: str
    source: Source = "provider"
    config_path: str | None = None
    table: str | None = None
    trusted: bool = True
    problem: str = ""

    @property
    def host(self) -> str:
        return host_of(self.url)

    @property
    def usable(self) -> bool:
        """Whether a credential may be sent here, and so whether its answer may change the
        stored credential's stamps (verified, rejected/stale)."""
        return self.trusted and not self.problem

    def describe(self) -> str:
        """`https://proxy.example.com/v1 ([model] base_url in /p/seal.toml)`."""
        if self.source == "provider":
            return self.url
        return f"{self.url} ({self.table or '[model]'} base_url in {self.config_path})"


class UntrustedEndpoint(InputError):
    """A seal.toml base_url that this machine's credentials may not be sent to (exit 2)."""

    def __init__(self, endpoints: Iterable[Endpoint]) -> None:
        refused = list(dict.fromkeys(endpoints))
        self.endpoints = refused
        problems = [e.problem for e in refused if e.problem]
        if problems:
            super().__init__(problems[0], "fix base_url in seal.toml; nothing was sent")
            return
        path = refused[0].config_path or "seal.toml"
        where = "; ".join(
            f"{e.provider} requests to {e.host} ({e.table or '[model]'} base_url)" for e in refused
        )
        super().__init__(
            f"{path} sends {where}, not trusted on this machine: nothing was sent",
            f"if you know this server, trust it with `{trust_command(path)}`, or remove "
            "base_url from seal.toml",
        )


@dataclass(frozen=True)
class TrustEntry:
    """One trusted (seal.toml, provider, base_url) and when it was trusted."""

    config: str
    provider: str
    base_url: str
    trusted_at: str


class TrustList:
    """The trusted entries of this machine, read from and written to `trust_path`."""

    def __init__(self, path: Path, entries: list[TrustEntry] | None = None) -> None:
        self.path = path
        self.entries: list[TrustEntry] = list(entries or [])

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None) -> TrustList:
        """The list on disk (empty when there is none); InputError when it is unusable."""
        path = trust_path(env)
        raw = _read_small(path)
        if raw is None:
            return cls(path)
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise _broken(path, "is not valid JSON") from None
        if not isinstance(doc, dict) or doc.get("version") != TRUST_VERSION:
            raise _broken(path, f"is not a version {TRUST_VERSION} trust list")
        items = doc.get("trusted")
        if not isinstance(items, list):
            raise _broken(path, "has no 'trusted' list")
        entries = []
        for item in items:
            if not isinstance(item, dict):
                raise _broken(path, "has an entry that is not an object")
            values = [item.get(k) for k in ("config", "provider", "base_url", "trusted_at")]
            strings = [v for v in values if isinstance(v, str)]
            if len(strings) != len(values):
                raise _broken(path, "has an entry with a missing field")
            entries.append(TrustEntry(*strings))
        return cls(path, entries)

    def allows(self, config_path: str | Path, provider: str, url: str) -> bool:
        key, wanted = config_key(config_path), clean_url(url)
        return any(
            e.config == key and e.provider == provider and e.base_url == wanted
            for e in self.entries
        )

    def for_config(self, config_path: str | Path) -> list[TrustEntry]:
        key = config_key(config_path)
        return [e for e in self.entries if e.config == key]

    def set_for(self, config_path: str | Path, endpoints: Iterable[Endpoint]) -> None:
        """Trust exactly `endpoints` for this seal.toml: entries for base URLs the file no
        longer names are dropped, so an old URL does not come back trusted."""
        key = config_key(config_path)
        now = to_rfc3339(utcnow()) or ""
        kept = [e for e in self.entries if e.config != key]
        fresh = {
            (e.provider, clean_url(e.url)): TrustEntry(key, e.provider, clean_url(e.url), now)
            for e in endpoints
        }
        self.entries = kept + list(fresh.values())

    def add(self, endpoint: Endpoint) -> None:
        """Trust one more endpoint for its seal.toml (the wizard's confirmation)."""
        if endpoint.config_path is None or endpoint.problem:
            raise ValueError("only a usable seal.toml base_url can be trusted")
        if not self.allows(endpoint.config_path, endpoint.provider, endpoint.url):
            now = to_rfc3339(utcnow()) or ""
            self.entries.append(
                TrustEntry(config_key(endpoint.config_path), endpoint.provider, endpoint.url, now)
            )

    def forget(self, config_path: str | Path) -> int:
        """Drop every entry for this seal.toml; how many went."""
        key = config_key(config_path)
        before = len(self.entries)
        self.entries = [e for e in self.entries if e.config != key]
        return before - len(self.entries)

    def save(self) -> None:
        """Write the list atomically, 0600 in a 0700 folder."""
        folder = self.path.parent
        doc: dict[str, Any] = {
            "version": TRUST_VERSION,
            "trusted": [vars(e) for e in self.entries],
        }
        data = (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8")
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            with file_lock(folder / (TRUST_FILE + ".lock")):
                atomic_write(self.path, data, mode=0o600)
        except LockTimeout:
            raise InputError(
                f"another seal-setup holds the lock on {self.path}", "try again in a moment"
            ) from None
        except OSError as exc:
            raise InputError(
                f"cannot write the trust list {self.path}: {exc.strerror}",
                "check that the folder is yours and writable",
            ) from None


def _broken(path: Path, what: str) -> InputError:
    return InputError(
        f"the trust list {path} {what}",
        f"move it aside (mv {path} {path}.broken) and trust the projects again",
    )


def _read_small(path: Path) -> bytes | None:
    """The file's bytes, None when absent; refuses what is not a small regular file."""
    from backend.system.bounded import read_regular

    try:
        found = read_regular(path, MAX_TRUST_FILE)
    except OSError as exc:
        raise _broken(path, f"cannot be read ({exc.strerror})") from None
    return None if found is None else found.data


# --- resolving --------------------------------------------------------------------------


def table_name(agent: str | None) -> str:
    return "[model]" if agent is None else f"[agents.{agent}.model]"


def endpoint_for(
    provider: str,
    base_url: str | None,
    config_path: str | Path | None,
    env: Mapping[str, str] | None = None,
    *,
    trust: TrustList | None = None,
    agent: str | None = None,
) -> Endpoint:
    """The endpoint for `provider` given the base_url seal.toml sets (None: none).

    A base_url equal to the provider's own base is the provider's. Otherwise the trust
    list (loaded when not given) decides `trusted`; plain http to another machine gets a
    `problem`. Nothing here sends anything.
    """
    own = api_base(provider, env)
    if not isinstance(base_url, str) or not base_url.strip() or clean_url(base_url) == own:
        return Endpoint(provider, own)
    table = table_name(agent)
    path = config_key(config_path or "seal.toml")
    try:
        url = check_transport(base_url, f"{table} base_url in {path}")
    except InputError as exc:
        return Endpoint(provider, clean_url(base_url), "project", path, table, False, exc.message)
    if trust is None:
        trust = TrustList.load(env)
    return Endpoint(provider, url, "project", path, table, trust.allows(path, provider, url))


def project_endpoints(
    config: SealConfig, env: Mapping[str, str] | None = None, trust: TrustList | None = None
) -> list[Endpoint]:
    """Every base other than a provider's own that seal.toml's tables would use, once each.

    An agent inherits [model]'s base_url even when it names another provider: that is
    where Seal sends that provider's requests, so it is listed for that provider.
    """
    found: dict[tuple[str, str], Endpoint] = {}
    if not config.exists:
        return []
    for agent in [None, *config.agents()]:
        base_url = config.get("base_url", agent)
        if not isinstance(base_url, str):
            continue
        provider = table_provider(config, agent)
        if trust is None:
            trust = TrustList.load(env)
        where = agent if config.own("base_url", agent) is not None else None
        endpoint = endpoint_for(provider, base_url, config.path, env, trust=trust, agent=where)
        if endpoint.source == "project":
            found.setdefault((provider, endpoint.url), endpoint)
    return list(found.values())


def table_provider(config: SealConfig, agent: str | None) -> str:
    """The provider a table's requests go to: `provider`, else from the model name."""
    from backend.vocabulary.selectors import infer_provider

    value = config.get("provider", agent)
    if isinstance(value, str):
        return value
    name = config.get("name", agent)
    return (infer_provider(name) if isinstance(name, str) else None) or "anthropic"


def refuse_untrusted(endpoints: Iterable[Endpoint]) -> None:
    """UntrustedEndpoint for any endpoint that is not trusted (or unusable); else nothing."""
    refused = [e for e in endpoints if not e.usable]
    if refused:
        raise UntrustedEndpoint(refused)
