"""A second run starts from what is there: seal.toml's table and the store as the answers,
and the edit of an unchanged answer changes nothing (nor what the file holds that
seal-setup does not accept)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from backend.config.document import SealConfig, load_config
from backend.credentials.record import CredentialRecord, utcnow
from backend.credentials.stores import MemoryStore
from backend.wizard.answers import Answers
from backend.wizard.onboarding import apply_answers, commit, record_to_store
from backend.wizard.resume import describe_stored, read_existing
from tests.fakes.provider import ANTHROPIC_KEY
from tests.support.configured import CONFIGURED
from tui.flow import path

# Values seal-setup does not accept, each of a type the file may hold (read, not refused).
INVALID = """\
[model]
name = "claude-sonnet-4-6"
effort = "ultra"
max_tokens = -5
cache_retention = "forever"
profile = "not a profile!"

[model.headers]
"X-Team" = "caf\u00e9"
"Bad Name" = "x"

[model.roles]
fast = ":::"
"""

KEY = CredentialRecord(
    "anthropic",
    "work",
    "api_key",
    secret=ANTHROPIC_KEY,
    verified_at=utcnow() - timedelta(days=3),
)


def _config(tmp_path: Path, text: str) -> SealConfig:
    path = tmp_path / "seal.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def _resumed(config: SealConfig, records: tuple[CredentialRecord, ...] = ()) -> Answers:
    answers = Answers(config_path=str(config.path))
    answers.begin("onboard")
    answers.resume(read_existing(config, records))
    return answers


def test_every_kind_of_setting_is_prefilled(tmp_path: Path) -> None:
    answers = _resumed(_config(tmp_path, CONFIGURED), (KEY,))
    assert (answers.provider, answers.method, answers.profile) == ("anthropic", "api_key", "work")
    assert answers.model == "sonnet"
    assert answers.settings == {
        "thinking": "manual",
        "thinking_budget": 4096,
        "effort": "high",
        "max_tokens": 32000,
        "cache_retention": "long",
        "context_1m": True,
    }
    assert answers.headers == {"X-Team": "infra"}
    assert answers.roles == {
        "fast": "claude-haiku-4-5",
        "fallbacks": ["openrouter:anthropic/claude-sonnet-4.6"],
    }
    assert answers.stored_credential() is KEY


def test_unchanged_answers_leave_the_file_byte_identical(tmp_path: Path) -> None:
    config = _config(tmp_path, CONFIGURED)
    answers = _resumed(config)
    # What the Model step gives back when nothing was touched there: the model id the
    # alias names is kept as the alias by the step, every option as it was.
    answers.choose_model("sonnet", dict(answers.settings), dict(answers.headers))
    apply_answers(config, answers)
    assert not config.changed(), config.diff()


def test_invalid_values_are_not_prefilled_and_stay_in_the_file(tmp_path: Path) -> None:
    config = _config(tmp_path, INVALID)
    answers = _resumed(config)
    assert answers.profile == "default"
    assert answers.settings == {}
    assert answers.headers == {}
    assert answers.roles == {}
    # The Model step shows those options empty; left so, the file keeps its values.
    blank = dict.fromkeys(("thinking", "effort", "max_tokens", "cache_retention"))
    answers.choose_model("claude-sonnet-4-6", blank, {})
    apply_answers(config, answers)
    assert not config.changed(), config.diff()


def test_a_change_is_the_only_line_in_the_diff(tmp_path: Path) -> None:
    config = _config(tmp_path, CONFIGURED)
    answers = _resumed(config)
    answers.choose_model("sonnet", {**answers.settings, "effort": "low"}, answers.headers)
    apply_answers(config, answers)
    changed = [
        line
        for line in config.diff().splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == ['-effort = "high"', '+effort = "low"']


def test_a_model_of_another_provider_writes_the_provider_the_file_left_out(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, '[model]\nname = "claude-sonnet-4-6"\n')
    answers = _resumed(config)
    assert answers.provider == "anthropic"  # inferred from the name
    answers.choose_provider("openrouter")
    answers.choose_method("api_key")
    answers.choose_model("openai/gpt-5", {}, {})
    apply_answers(config, answers)
    assert 'provider = "openrouter"' in config.text()
    assert 'name = "openai/gpt-5"' in config.text()


def test_the_stored_credential_offered_fits_the_provider_profile_and_method(
    tmp_path: Path,
) -> None:
    stale = CredentialRecord("openrouter", "work", "api_key", secret="sk-or-v1-x", stale=True)
    answers = _resumed(_config(tmp_path, CONFIGURED), (KEY, stale))
    assert answers.stored_credential() is KEY
    answers.choose_method("setup_token")
    assert answers.stored_credential() is None  # an API key is no setup-token
    answers.choose_method("api_key")
    answers.profile = "default"
    assert answers.stored_credential() is None  # another profile
    answers.profile = "work"
    answers.choose_provider("openrouter")
    answers.choose_method("api_key")
    assert answers.stored_credential() is None  # rejected last time: nothing to keep
    answers.mode = "reauth"
    assert answers.stored_credential() is None


def test_an_expired_sign_in_is_not_offered_to_keep(tmp_path: Path) -> None:
    def sign_in(expires_in: timedelta) -> CredentialRecord:
        return CredentialRecord(
            "anthropic", "work", "oauth", access_token="at", expires_at=utcnow() + expires_in
        )

    config = _config(tmp_path, CONFIGURED.replace('auth = "api_key"', 'auth = "oauth"'))
    valid = sign_in(timedelta(hours=1))
    assert _resumed(config, (valid,)).stored_credential() is valid
    assert _resumed(config, (sign_in(-timedelta(minutes=1)),)).stored_credential() is None


def test_a_kept_credential_is_not_stored_again_but_its_check_is_stamped(
    tmp_path: Path,
) -> None:
    store = MemoryStore([KEY])
    answers = _resumed(_config(tmp_path, CONFIGURED), (KEY,))
    answers.keep_stored(KEY)
    assert answers.kept and answers.record is KEY
    assert record_to_store(answers) is None
    answers.check_outcome = "verified"
    result = commit(answers, None, store)
    assert result.stored_where is None
    after = store.get("anthropic", "work")
    assert after is not None and after.secret == ANTHROPIC_KEY
    assert after.verified_at is not None and KEY.verified_at is not None
    assert after.verified_at > KEY.verified_at
    # A new credential in hand is not the kept one any more.
    answers.set_credential(None)
    assert not answers.kept


def test_the_stored_credential_is_described_masked() -> None:
    shown = describe_stored(KEY)
    assert shown == (
        f"{ANTHROPIC_KEY[:16]}…{ANTHROPIC_KEY[-4:]} · {len(ANTHROPIC_KEY)} chars, "
        "last verified 3 days ago"
    )
    assert ANTHROPIC_KEY not in shown
    signed_in = CredentialRecord(
        "anthropic", "default", "oauth", access_token="at-secret",
        account={"account": {"email_address": "me@example.test"}},
    )  # fmt: skip
    assert describe_stored(signed_in) == "signed in as me@example.test, never verified"


def test_the_stored_step_leads_to_the_check_when_kept_else_to_the_paste(
    tmp_path: Path,
) -> None:
    answers = _resumed(_config(tmp_path, CONFIGURED), (KEY,))
    head = ["welcome", "provider", "auth_method", "stored"]
    answers.keep_stored(KEY)
    assert path(answers) == [*head, "check", "model", "review", "done"]
    answers.replace_stored()
    assert answers.record is None and not answers.kept
    assert path(answers) == [*head, "api_key", "check", "model", "review", "done"]
    answers.choose_method("setup_token")  # nothing stored of that kind: no choice to make
    assert path(answers)[3] == "setup_token"
