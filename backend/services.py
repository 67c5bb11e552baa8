"""The services the UI is handed: one facade over stores, providers, OAuth and seal.toml.

Every method may block (network, keyring, disk): screens call them from thread workers.
Heavy modules (httpx, keyring, tomlkit) are imported on first use so that starting the
wizard stays light.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future
    from datetime import datetime

    import httpx

    from backend.auth.loopback import LoopbackListener
    from backend.auth.oauth import Mode, PendingSignIn
    from backend.config.document import SealConfig
    from backend.credentials.claude_code import ClaudeCodeSignIn
    from backend.credentials.record import CredentialRecord, CredentialStore
    from backend.credentials.resolution import Resolution
    from backend.credentials.stores import StoreChoice
    from backend.providers.base import CheckResult, ModelInfo
    from backend.providers.catalog import Catalog
    from backend.providers.models_dev import Refreshed
    from backend.providers.trust import Endpoint
    from backend.providers.waiting import CheckProgress
    from backend.system.browser import BrowserResult
    from backend.system.clipboard import CopyResult
    from backend.system.environment import Environment

_T = TypeVar("_T")


@dataclass(frozen=True)
class CheckReport:
    """A live check plus the models fetched alongside it (empty if that failed), and where
    it was sent (None: the provider's own base)."""

    result: CheckResult
    models: list[ModelInfo]
    models_error: str = ""
    endpoint: Endpoint | None = None


class Services:
    """What the wizard needs from the world, injected by the App (tests pass fakes)."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        store_factory: Callable[[], StoreChoice] | None = None,
        browser: Callable[[str, Environment], BrowserResult] | None = None,
        clipboard: Callable[[str], CopyResult] | None = None,
    ) -> None:
        self.env: dict[str, str] = dict(os.environ if env is None else env)
        self._store_factory = store_factory
        self._store_choice: StoreChoice | None = None
        self._browser = browser
        self._clipboard = clipboard
        self._lock = threading.Lock()
        self._catalog: Catalog | None = None
        self._http: httpx.Client | None = None
        # The latest check_async: (record, (provider, base_url, seal.toml), its future,
        # its progress).
        self._last_check: (
            tuple[
                CredentialRecord,
                tuple[str, str | None, str | None],
                Future[CheckReport],
                CheckProgress,
            ]
            | None
        ) = None

    # -- environment -----------------------------------------------------------------

    def environment(self) -> Environment:
        """SSH / display / WSL / SEAL_NO_BROWSER as seen from our env."""
        from backend.system.environment import detect

        return detect(self.env)

    def open_browser(self, url: str) -> BrowserResult:
        """Open the URL if a local browser makes sense; the result says what happened."""
        if self._browser is None:
            from backend.system.browser import open_in_browser

            self._browser = open_in_browser
        return self._browser(url, self.environment())

    def copy_native(self, text: str) -> CopyResult:
        """Copy with the system's clipboard tool; the UI falls back to OSC 52 when this fails."""
        if self._clipboard is None:
            from backend.system.clipboard import copy_native

            env = self.env
            self._clipboard = lambda text: copy_native(text, env)
        return self._clipboard(text)

    def osc52_known_unsupported(self) -> bool:
        """The terminal is known to ignore OSC 52 (the UI's fallback for copying)."""
        from backend.system.clipboard import osc52_known_unsupported

        return osc52_known_unsupported(self.env)

    # -- credentials -----------------------------------------------------------------

    def store_choice(self) -> StoreChoice:
        """The credential store in use, chosen once (keyring, else file) with its reason."""
        with self._lock:
            if self._store_choice is None:
                if self._store_factory is not None:
                    self._store_choice = self._store_factory()
                else:
                    from backend.credentials.stores import choose_store

                    self._store_choice = choose_store(self.env)
            return self._store_choice

    @property
    def store(self) -> CredentialStore:
        """Shortcut for `store_choice().store`."""
        return self.store_choice().store

    def stored(self, provider: str, profile: str) -> CredentialRecord | None:
        """The stored record for provider:profile, or None."""
        return self.store.get(provider, profile)

    def resolve(self, provider: str, profile: str, auth: str | None = None) -> Resolution:
        """Which credential Seal would use, and what shadows what."""
        from backend.credentials.resolution import resolve

        return resolve(provider, profile, self.env, self.store, auth=auth)

    def import_claude_code(self) -> ClaudeCodeSignIn:
        """Claude Code's saved sign-in (macOS keychain first, then its file), where it was
        found and the keychain's trouble; `record` is None when there is none. Blocks for
        up to the keychain's deadline; raises ClaudeCodeError for a malformed file."""
        from backend.credentials.claude_code import find_claude_code

        return find_claude_code(self.env)

    def claude_code_searched(self) -> str:
        """Where a look for Claude Code's sign-in goes: `at ~/.claude/.credentials.json`,
        on macOS `in the macOS keychain (Claude Code-credentials) or at …`."""
        from backend.credentials.claude_code import searched

        return searched(self.env)

    def claude_code_path(self) -> Path:
        """Where Claude Code keeps its credentials (CLAUDE_CONFIG_DIR honoured)."""
        from backend.credentials.claude_code import claude_credentials_path

        return claude_credentials_path(self.env)

    # -- providers -------------------------------------------------------------------

    def http_client(self) -> httpx.Client:
        """One client for every call, so connections and TLS setup are reused."""
        # Imported before taking the lock: close() (quitting) must not wait for httpx to
        # load in the warm-up thread.
        from backend.system.http import make_client

        with self._lock:
            if self._http is None:
                self._http = make_client(env=self.env)
            return self._http

    def warm_up(self) -> None:
        """Load the network stack, open the client and read the catalog ahead of the
        first check, while the person is still pasting (called from a worker)."""
        import backend.providers.live  # noqa: F401  (the import is the work)

        self.http_client()
        self.catalog()

    def close(self) -> None:
        """Close the shared client (at exit)."""
        with self._lock:
            client, self._http = self._http, None
        if client is not None:
            client.close()

    def endpoint(
        self,
        provider: str,
        base_url: str | None = None,
        config_path: str | Path | None = None,
        *,
        agent: str | None = None,
    ) -> Endpoint:
        """Where `provider`'s requests go for a seal.toml `base_url` (None: its own base),
        and whether this machine trusts it; `agent` names the table that sets it, when
        that is not [model]. Reads the trust list; sends nothing."""
        from backend.providers.trust import endpoint_for

        return endpoint_for(provider, base_url, config_path, self.env, agent=agent)

    def project_endpoints(self, config: SealConfig) -> list[Endpoint]:
        """Every base_url in seal.toml that is not a provider's own, with its trust."""
        from backend.providers.trust import project_endpoints

        return project_endpoints(config, self.env)

    def trust_endpoint(self, endpoint: Endpoint) -> Endpoint:
        """Remember that the person trusts this seal.toml base_url; the trusted endpoint."""
        from dataclasses import replace

        from backend.providers.trust import TrustList

        trust = TrustList.load(self.env)
        trust.add(endpoint)
        trust.save()
        return replace(endpoint, trusted=True)

    def check(
        self,
        provider: str,
        record: CredentialRecord,
        base_url: str | None = None,
        config_path: str | Path | None = None,
        progress: CheckProgress | None = None,
    ) -> CheckReport:
        """Verify the credential live and fetch the model list, both at once.

        `base_url` is seal.toml's for this credential (from `config_path`): an untrusted
        one raises UntrustedEndpoint before anything is sent. `progress` hears of every
        pause before a retry.
        """
        from concurrent.futures import ThreadPoolExecutor

        from backend.providers import live
        from backend.providers.base import Auth

        endpoint = self.endpoint(provider, base_url, config_path)
        auth = Auth.from_record(record)
        client = self.http_client()
        on_wait = progress.waiting if progress is not None else None

        def call(ask: Callable[..., _T]) -> _T:
            # Both of this check's calls: the same target, client and wait listener.
            return ask(
                provider, auth, endpoint=endpoint, env=self.env, client=client, on_wait=on_wait
            )

        if provider != "openrouter":
            # Anthropic's and OpenAI's checks are the model list itself.
            result = call(live.check)
            return CheckReport(result, list(result.models), endpoint=endpoint)
        with ThreadPoolExecutor(max_workers=2) as pool:
            checked = pool.submit(call, live.check)
            listed = pool.submit(call, live.list_models)
            result = checked.result()
            try:
                models = listed.result()
                error = ""
            except Exception as exc:
                models, error = [], _message(exc)
        return CheckReport(result, models, error, endpoint)

    def check_async(
        self,
        provider: str,
        record: CredentialRecord,
        base_url: str | None = None,
        config_path: str | Path | None = None,
        *,
        fresh: bool = False,
    ) -> Future[CheckReport]:
        """`check` running in the background: the App starts it as Next is pressed, so the
        request overlaps the switch to the Check step, and the step asks for it again.

        The same call gets the same future (the same record object, base_url and
        seal.toml), running or done, unless it failed or was cancelled: an untrusted
        base_url just trusted, say, is checked anew. `fresh` (Retry) always sends again.
        """
        from concurrent.futures import Future

        key = (provider, base_url, _path(config_path))
        with self._lock:
            last = self._last_check
            if (
                not fresh
                and last is not None
                and last[0] is record
                and last[1] == key
                and _reusable(last[2])
            ):
                return last[2]
            from backend.providers.waiting import CheckProgress

            future: Future[CheckReport] = Future()
            progress = CheckProgress()
            self._last_check = (record, key, future, progress)

        def run() -> None:
            # Running: a cancel() by an awaiting screen that went away is then a no-op,
            # instead of making set_result raise InvalidStateError in this thread.
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(
                    self.check(provider, record, base_url, config_path, progress=progress)
                )
            except BaseException as exc:  # handed to whoever awaits the future
                future.set_exception(exc)

        # A daemon thread: a check stalled on the network must not hold up quitting.
        threading.Thread(target=run, name="seal-check", daemon=True).start()
        return future

    def check_progress(self, future: Future[CheckReport]) -> CheckProgress | None:
        """How far the check behind `future` (from check_async) is: since when it runs
        and what it waits for; None for a check that is not the latest."""
        with self._lock:
            last = self._last_check
        if last is None or last[2] is not future:
            return None
        return last[3]

    def catalog(self, provider: str | None = None, live: list[ModelInfo] | None = None) -> Catalog:
        """The bundled catalog (loaded once), merged with a live list when given."""
        from backend.providers.catalog import Catalog

        with self._lock:
            catalog = self._catalog
        if catalog is None:
            # Read outside the lock, for the same reason; two first readers at once both
            # read it, and the first one kept is the one everybody gets.
            loaded = Catalog.bundled(self.env)
            with self._lock:
                if self._catalog is None:
                    self._catalog = loaded
                catalog = self._catalog
        if provider and live:
            return catalog.merged(provider, live)
        return catalog

    def refresh_models(self) -> Refreshed:
        """Fetch models.dev anew into the user cache dir (RefreshFailed when it cannot);
        the catalog read afterwards, here and in later runs, uses it when it is newer."""
        from backend.providers import models_dev

        refreshed = models_dev.refresh(self.env, self.http_client())
        with self._lock:
            self._catalog = None
        return refreshed

    # -- sign-in ---------------------------------------------------------------------

    def start_sign_in(self, mode: Mode, redirect_uri: str = "") -> PendingSignIn:
        """A new PKCE sign-in, saved so a code pasted after a restart still works;
        `redirect_uri` is a loopback listener's callback (open_loopback)."""
        from backend.auth.oauth import start_sign_in

        return start_sign_in(mode, self.env, redirect_uri=redirect_uri)

    def open_loopback(self, state: str, deadline: datetime) -> LoopbackListener:
        """A one-shot callback listener on 127.0.0.1 (LoopbackUnavailable if no port);
        only where a browser opens here (environment().can_open_browser)."""
        from backend.auth.loopback import LoopbackListener

        return LoopbackListener(state, deadline)

    def pending_sign_in(self, mode: Mode) -> PendingSignIn | None:
        """A sign-in started earlier and not yet completed (may be expired)."""
        from backend.auth.oauth import load_pending

        return load_pending(mode, self.env)

    def complete_sign_in(
        self, pending: PendingSignIn, pasted: str, profile: str
    ) -> CredentialRecord:
        """Parse the paste, exchange the code, and (Console) mint an API key."""
        from backend.auth.oauth import complete_sign_in

        return complete_sign_in(pending, pasted, profile=profile, env=self.env)

    def abandon_sign_in(self, pending: PendingSignIn) -> None:
        """The person left the sign-in (Back, Cancel): its saved file goes."""
        from backend.auth.oauth import discard_pending

        discard_pending(pending, self.env)

    # -- errors --------------------------------------------------------------------

    def report_unexpected(
        self,
        error: BaseException,
        records: Sequence[CredentialRecord | None] = (),
        secrets: Sequence[str] = (),
    ) -> str:
        """Save a report without secrets of an error a step caught and showed; the
        sentence that says where it is (or why there is none). Never raises.

        `records` and `secrets` are values the step holds that must not appear in it.
        """
        try:
            from backend.crash_report import save_crash_report
            from backend.credentials.claude_code import display_path

            report = save_crash_report(error, env=self.env, records=records, secrets=tuple(secrets))
            if report.path is None:
                return f"Could not save a report: {report.problem}."
            return f"A report without secrets is at {display_path(report.path, self.env)}."
        except Exception as exc:  # a report must never become a second failure
            return f"Could not save a report ({type(exc).__name__})."

    # -- seal.toml -------------------------------------------------------------------

    def load_config(self, path: str | Path) -> SealConfig:
        """Read seal.toml (a missing file gives a new document)."""
        from backend.config.document import load_config

        return load_config(Path(path))


def _reusable(future: Future[CheckReport]) -> bool:
    """Running, or done with a report (not cancelled, not failed)."""
    return not future.cancelled() and (not future.done() or future.exception() is None)


def _path(config_path: str | Path | None) -> str | None:
    return None if config_path is None else str(config_path)


def _message(exc: BaseException) -> str:
    text = getattr(exc, "message", None)
    return text if isinstance(text, str) else type(exc).__name__
