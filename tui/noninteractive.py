"""`seal-setup onboard --non-interactive`: the wizard's steps without screens.

Order: seal.toml (exit 3 if unreadable) → every flag checked and applied in memory, and
the rules that hold for any model (exit 2) → the credential (stdin / sign-in / import /
env) → the live check (exit 1) → the model's rules on the live list merged with the
bundled one, as the wizard's Model step has them (exit 2) → one commit of store +
seal.toml. Any failure writes nothing. The secret comes from stdin only; nothing here
prints it. Every line goes out through tui.output, escaped.

It runs on the wizard's `Services` and its backend steps: the same sign-in, the same live
check (`Services.check`, which sends nothing to a base_url this machine does not trust)
and the same `onboarding.commit`. What is its own is the answer with no one to ask: an
untrusted base_url or a check that could not be made stops it (unless `--no-verify`).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from backend.config.schema import MODEL_OPTIONS
from backend.errors import (
    ConfigError,
    CredentialFailure,
    ExitCode,
    InputError,
    RulesError,
    SealError,
)
from backend.vocabulary.methods import auth_label
from tui.output import error, say

if TYPE_CHECKING:
    from pathlib import Path

    from backend.config.document import SealConfig
    from backend.credentials.record import CredentialRecord
    from backend.providers.base import ModelInfo
    from backend.providers.catalog import Catalog
    from backend.services import Services
    from backend.wizard.answers import Answers


def run_noninteractive(args: argparse.Namespace, services: Services) -> ExitCode:
    """Never prompts; the secret comes from stdin. Returns the exit code."""
    try:
        return _run(args, services)
    except SealError as exc:
        error(exc.message, exc.hint)
        return exc.exit_code


def _run(args: argparse.Namespace, services: Services) -> ExitCode:
    from backend.config.io import checked_link
    from backend.config.location import default_config_path
    from backend.wizard.onboarding import apply_answers
    from backend.wizard.summary import alias_line

    path = default_config_path(services.env, args.config)
    config = services.load_config(path)  # ConfigError: exit 3 before anything else
    # No one to show a symlink's target to: only one within the project's folder is
    # written through (ConfigError otherwise, naming the --config that writes it).
    link_target = checked_link(path)
    if not config.exists and not path.parent.is_dir():
        # Say it now, not after the sign-in and the live check.
        raise ConfigError(
            f"cannot create {path}: the folder {path.parent} does not exist",
            "create the folder first, or pass another --config",
        )
    if not args.provider or not args.auth:
        raise InputError(
            "--non-interactive needs --provider and --auth",
            "e.g. seal-setup onboard --non-interactive --provider anthropic --auth api_key "
            "< key.txt",
        )
    answers = build_answers(args, str(path))
    apply_answers(config, answers)  # InputError for any bad value: nothing fetched yet
    # What holds for any model is refused now; what depends on the model's facts waits for
    # the live list, as the wizard's Model step does (the bundled figures may be stale).
    _check_rules(config, answers, None)
    # Before stdin is read or a sign-in starts: an untrusted base_url stops it here.
    _refuse_untrusted(answers, config, services)

    record = acquire(answers, services)
    answers.record = record
    models: list[ModelInfo] = []
    if record is not None:
        models = _live_check(answers, record, services, args.no_verify)
        answers.live_models = models
    else:
        say(_env_unset_line(answers), file=sys.stderr)
    # The wizard's merge: the live list when there is one, the bundled one otherwise.
    catalog = services.catalog(answers.provider, models)
    if models:
        _route_alias_live(args.model, answers, config, catalog)
        if answers.model is not None and not args.no_verify:
            _in_live_list(answers.model, answers.provider or "anthropic", catalog)
    _check_rules(config, answers, catalog)
    resolved = []
    if args.model is not None and answers.model != args.model.strip():
        # `--provider openrouter --model opus`: say which model that became.
        resolved.append(f"Model: {args.model.strip()} → {answers.model}.")
    alias = alias_line(answers, catalog)  # what Review says of an alias, said here too
    if alias is not None:
        resolved.append(alias)
    _commit(answers, config, services, link_target, resolved)
    return ExitCode.OK


def _route_alias_live(
    given: str | None, answers: Answers, config: SealConfig, catalog: Catalog
) -> None:
    """`--provider openrouter --model opus`: the newest slug of that line the live list
    has (the bundled list chose one before the check)."""
    from backend.vocabulary import registry

    if given is None or answers.provider != "openrouter" or answers.model is None:
        return
    if registry.alias_owner(given.strip()) is None:
        return
    slug = catalog.routed("openrouter", "anthropic", given.strip())
    if slug is not None and slug != answers.model:
        answers.model = slug
        config.set("name", slug, answers.agent)


def _in_live_list(model: str, provider: str, catalog: Catalog) -> None:
    """`--model` must be one the credential's live list offers (an alias: its line's
    newest); InputError with the closest ids otherwise (`--no-verify` takes it as given)."""
    import difflib

    name = catalog.resolve_alias(model, provider) or model
    if catalog.find(provider, name) is not None:
        return
    ids = [m.id for m in catalog.models(provider)]
    close = difflib.get_close_matches(model, ids, n=3, cutoff=0.6)
    hint = ("did you mean " + " or ".join(close) + "? ") if close else ""
    raise InputError(
        f"{provider}'s live model list has no {model!r}",
        hint + "pass --no-verify to write it anyway; nothing was stored",
    )


# --- flags → answers ----------------------------------------------------------------------


def build_answers(args: argparse.Namespace, config_path: str) -> Answers:
    """The Answers the wizard would have for the same choices."""
    from backend.wizard.answers import Answers
    from backend.wizard.flags import check_given

    choices = check_given(args.provider, args.auth, args.model, args.profile, args.agent)
    answers = Answers(
        mode="onboard",
        config_path=config_path,
        provider=args.provider,
        method=args.auth,
        profile=choices.profile or "default",
        agent=choices.agent,
        model=choices.model,
        store_unverified=False,
    )
    given: dict[str, Any] = {
        "thinking": args.thinking,
        "thinking_budget": args.thinking_budget,
        "effort": args.effort,
        "max_tokens": args.max_tokens,
        "cache_retention": args.cache_retention,
        "context_1m": True if args.context_1m else None,
    }
    # With --model the Model step's options are set as a whole (absent = removed), as the
    # wizard's Model step does; without --model only the given ones change.
    if answers.model is not None:
        answers.settings = given
    else:
        answers.settings = {k: v for k, v in given.items() if v is not None}
    answers.headers = dict(_header(text) for text in args.header or [])
    roles: dict[str, Any] = {}
    # `is not None`: an empty selector is refused by name, not silently ignored.
    if args.fast is not None:
        roles["fast"] = args.fast
    if args.escalate is not None:
        roles["escalate"] = args.escalate
    if args.fallback is not None:
        roles["fallbacks"] = list(args.fallback)
    answers.roles = roles
    return answers


def _header(text: str) -> tuple[str, str]:
    """(name, value) of `--header NAME=VALUE`; either spelling of OpenRouter's title
    (X-Title, X-OpenRouter-Title) is the one setting, written as seal.toml spells it."""
    from backend.config.schema import canonical_header

    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise InputError(
            f"--header {text!r} is not NAME=VALUE",
            "e.g. --header X-OpenRouter-Title=my-app",
        )
    return canonical_header(name.strip()), value.strip()


# --- catalog rules ------------------------------------------------------------------------


def _find_model(config: SealConfig, answers: Answers, catalog: Catalog | None) -> ModelInfo | None:
    provider = answers.provider or "anthropic"
    name = config.get("name", answers.agent)
    if not isinstance(name, str) or catalog is None:
        return None
    name = catalog.resolve_alias(name, provider) or name
    return catalog.find(provider, name)


def _check_rules(config: SealConfig, answers: Answers, catalog: Catalog | None) -> None:
    """The Model step's rules on the table as it will be written; with no catalog, only
    those that hold for any model."""
    from backend.providers.catalog import check_settings

    model = _find_model(config, answers, catalog)
    # The table's own keys, as the wizard's Model step checks them: an agent is not
    # blamed for what it inherits from [model].
    settings = {k: config.own(k, answers.agent) for k in MODEL_OPTIONS}
    problems = check_settings(model, settings, answers.auth_value or "api_key")
    if problems:
        name = model.id if model else str(config.get("name", answers.agent) or "the model")
        raise RulesError(f"the model options do not fit {name}", "\n  ".join(problems))


# --- the credential -----------------------------------------------------------------------


def acquire(answers: Answers, services: Services) -> CredentialRecord | None:
    """The credential for the chosen method; None for an env method whose variable is unset."""
    method = answers.method
    if method in ("api_key", "setup_token"):
        return _from_stdin(answers)
    if method in ("oauth", "console_oauth"):
        return _sign_in(answers, services)
    if method == "claude_code":
        return _claude_code(services)
    return _from_env(answers, services.env)


def _from_stdin(answers: Answers) -> CredentialRecord:
    from backend.auth.paste import KEY_PASTE, check_secret
    from backend.credentials.record import CredentialRecord

    provider = answers.provider or "anthropic"
    kind = "setup_token" if answers.method == "setup_token" else "api_key"
    stdin = sys.stdin
    if stdin is None or stdin.isatty():
        raise InputError(
            "the secret is read from stdin, and stdin is a terminal",
            "pipe it in, e.g. `seal-setup onboard --non-interactive … < key.txt`; "
            "it is never taken from arguments",
        )
    # One character past the limit is enough to refuse it: the rest is never read.
    check = check_secret(stdin.read(KEY_PASTE.chars + 1), provider, kind)
    if not check.ok:
        raise InputError(check.message, "the secret is read from stdin: pass only the key")
    return CredentialRecord(
        provider=provider,
        profile=answers.profile,
        kind="setup_token" if kind == "setup_token" else "api_key",
        secret=check.value,
    )


def _sign_in(answers: Answers, services: Services) -> CredentialRecord:
    from backend.auth import oauth
    from backend.auth.paste import SIGN_IN_PASTE
    from backend.errors import OAuthError
    from backend.vocabulary.methods import SUBSCRIPTION_NOTE

    mode: oauth.Mode = "max" if answers.method == "oauth" else "console"
    pending = services.start_sign_in(mode)
    try:
        err = sys.stderr
        say(
            "Open this URL in a browser, sign in and approve:",
            f"  {pending.url}",
            "Then write the code the page shows (code#state) to stdin, one line.",
            *([SUBSCRIPTION_NOTE] if answers.method == "oauth" else []),
            file=err,
        )
        err.flush()
        # At most the limit plus a line break: a longer line is refused, the rest never read.
        line = sys.stdin.readline(SIGN_IN_PASTE.chars + 2) if sys.stdin is not None else ""
        line = line.removesuffix("\n").removesuffix("\r")
        # A line over the limit may start with nothing but spaces: parse_paste refuses it.
        if len(line) <= SIGN_IN_PASTE.chars and not line.strip():
            raise InputError(
                "no sign-in code on stdin",
                "write the code#state the browser page shows to stdin after approving",
            )
        try:
            oauth.parse_paste(line, pending.state)  # a bad paste is an input error (exit 2)
        except OAuthError as exc:
            raise InputError(exc.message, exc.hint) from None
        try:
            return services.complete_sign_in(pending, line, answers.profile)
        except OAuthError as exc:
            raise CredentialFailure(exc.message, exc.hint) from None
    finally:
        # Done, refused or abandoned, nothing else completes this sign-in: a later run
        # starts its own.
        services.abandon_sign_in(pending)


def _claude_code(services: Services) -> CredentialRecord:
    found = services.import_claude_code()
    if found.record is None:
        raise CredentialFailure(
            "; ".join(
                [f"no Claude Code sign-in {services.claude_code_searched()}", *found.problems]
            ),
            "sign in with `claude` first (or set CLAUDE_CONFIG_DIR), or choose another --auth",
        )
    for problem in found.problems:  # the keychain's trouble, on the way to the file
        say(f"Note: {problem}", file=sys.stderr)
    say(f"Using Claude Code's sign-in from {found.place}.", file=sys.stderr)
    return found.record


def _from_env(answers: Answers, env: dict[str, str]) -> CredentialRecord | None:
    from backend.credentials.resolution import env_record
    from backend.vocabulary.registry import ENV_VARS

    provider = answers.provider or "anthropic"
    for name in ENV_VARS[provider]:
        value = env.get(name, "").strip()
        if value:
            return env_record(provider, answers.profile, name, value)
    return None


def _env_unset_line(answers: Answers) -> str:
    from backend.vocabulary.registry import ENV_VARS

    var = ENV_VARS[answers.provider or "anthropic"][-1]
    return f"Nothing to check now: set {var} before running Seal."


# --- check and commit ---------------------------------------------------------------------


def _refuse_untrusted(answers: Answers, config: SealConfig, services: Services) -> None:
    """The check goes where the table's base_url says once it is trusted (the wizard's
    rule); with no one to ask, an untrusted one is UntrustedEndpoint (exit 2) right away."""
    from backend.providers.trust import refuse_untrusted

    base_url = config.get("base_url", answers.agent)
    answers.base_url = base_url if isinstance(base_url, str) else None
    where = answers.agent if config.own("base_url", answers.agent) is not None else None
    provider = answers.provider or "anthropic"
    refuse_untrusted([services.endpoint(provider, base_url, config.path, agent=where)])


def _live_check(
    answers: Answers, record: CredentialRecord, services: Services, no_verify: bool
) -> list[ModelInfo]:
    """The wizard's Check step: verified goes on, rejected stops, unverifiable needs --no-verify."""
    provider = answers.provider or "anthropic"
    report = services.check(provider, record, answers.check_base_url, answers.config_path)
    result = report.result
    # Recorded as the wizard's Check step records it (outcome, identity, live list).
    answers.record_check(result, report.models)
    if result.outcome == "rejected":
        hint = (result.cause + " " if result.cause else "") + "Nothing was stored."
        raise CredentialFailure(result.message, hint)
    if result.outcome == "unverifiable":
        if not no_verify:
            hint = (result.cause + " " if result.cause else "") + (
                "Nothing was stored; pass --no-verify to store it marked unverified."
            )
            raise CredentialFailure(result.message, hint)
        answers.keep_unverified()
        say(
            f"Could not check it ({result.message}); storing it marked unverified.", file=sys.stderr
        )
    return report.models


def _commit(
    answers: Answers,
    config: SealConfig,
    services: Services,
    link_target: Path | None,
    said: list[str] | None = None,
) -> None:
    from backend.auth.paste import fingerprint
    from backend.config.backups import describe
    from backend.credentials.stores import MemoryStore
    from backend.wizard.onboarding import STORED_METHODS, commit, record_to_store

    stores = answers.method in STORED_METHODS and answers.record is not None
    # Methods that store nothing must not wait on a keyring probe.
    store = services.store if stores else MemoryStore()
    result = commit(answers, config, store, env=services.env, link_target=link_target)
    record = record_to_store(answers)
    out: list[str] = list(said or [])
    if answers.check_outcome == "verified":
        out.append(answers.check_message)
    if record is not None and result.stored_where:
        mark = "" if answers.check_outcome == "verified" else ", marked unverified"
        shown = f", {fingerprint(record.token)}" if record.kind != "oauth" else ""
        kind = auth_label(record.kind)
        out.append(f"Stored {record.key} ({kind}{mark}{shown}) in {result.stored_where}.")
    elif answers.method == "env":
        out.append("Nothing stored: Seal reads the environment variable when it runs.")
    elif answers.method == "claude_code":
        out.append("Nothing stored: Seal reads Claude Code's sign-in when it runs.")
    if result.config_written:
        kept = ""
        if result.backup:
            kept = f" (previous version: {describe(result.backup, result.older)})"
        out.append(f"Wrote {config.path}{kept}.")
    else:
        out.append(f"{config.path} needs no change.")
    say(*out)
