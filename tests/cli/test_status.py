"""`seal-setup status`: each state, its exit code, sources, shadowing, JSON, --probe, exit 3."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from backend.credentials.record import utcnow
from tests.cli.helpers import put, run, run_script, store, subprocess_env, write_config
from tests.fakes.provider import ANTHROPIC_KEY, OPENAI_KEY

ANTHROPIC_TOML = '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "{auth}"\n'
UNKNOWN_KEY = "sk-ant-api03-" + "Unknown0Key0Here" * 6 + "xY"


def config(tmp_path: Path, auth: str = "api_key", extra: str = "") -> Path:
    return write_config(tmp_path / "seal.toml", ANTHROPIC_TOML.format(auth=auth) + extra)


def status(tmp_path, capsys, monkeypatch, *flags: str) -> tuple[int, str, str]:
    return run(["status", "--config", str(tmp_path / "seal.toml"), *flags], capsys, monkeypatch)


def status_json(tmp_path, capsys, monkeypatch, *flags: str) -> tuple[int, list[dict]]:
    code, out, _ = status(tmp_path, capsys, monkeypatch, "--json", *flags)
    return code, json.loads(out)["providers"]


def test_ok_is_exit_0(tmp_path, capsys, monkeypatch):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY)
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 0
    assert "anthropic" in out and " ok " in out and "3 min ago" in out
    assert ANTHROPIC_KEY not in out


def test_missing_is_exit_1_with_advice(tmp_path, capsys, monkeypatch):
    write_config(tmp_path / "seal.toml", '[model]\nprovider = "openai"\nname = "gpt-5"\n')
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 1
    assert "missing" in out
    assert "run seal-setup reauth --provider openai" in out


def test_env_auth_missing_when_the_variable_is_unset(tmp_path, capsys, monkeypatch):
    config(tmp_path, auth="env")
    put(secret=ANTHROPIC_KEY)  # a stored key does not stand in for auth = "env"
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert code == 1
    assert entries[0]["state"] == "missing" and entries[0]["source"] is None
    _, out, _ = status(tmp_path, capsys, monkeypatch)
    assert "ANTHROPIC_API_KEY" in out


def test_stale_record_is_rejected(tmp_path, capsys, monkeypatch):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY, stale=True)
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert code == 1
    assert entries[0]["state"] == "rejected"


def test_expired_oauth_without_refresh(tmp_path, capsys, monkeypatch):
    config(tmp_path, auth="oauth")
    put(kind="oauth", expires_at=utcnow() - timedelta(hours=2, seconds=5))
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 1
    assert "expired" in out and "expired 2 h ago" in out


def test_oauth_with_refresh_token_is_ok_even_when_expired(tmp_path, capsys, monkeypatch):
    config(tmp_path, auth="oauth")
    put(kind="oauth", refresh_token="rt", expires_at=utcnow() - timedelta(hours=1))
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert (code, entries[0]["state"]) == (0, "ok")


def test_stale_sign_in_is_rejected_in_json_and_says_to_probe(tmp_path, capsys, monkeypatch):
    config(tmp_path, auth="oauth")
    put(kind="oauth", refresh_token="rt", expires_at=utcnow() + timedelta(hours=1), stale=True)
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert (code, entries[0]["state"]) == (1, "rejected")  # DESIGN §5 has no "stale"
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 1 and " stale " in out
    assert (
        "anthropic:default: run seal-setup status --probe to refresh and check it now; "
        "if it is still rejected, run seal-setup reauth --provider anthropic"
    ) in out


@pytest.mark.parametrize(
    ("kind", "left", "shown"),
    [
        ("setup_token", timedelta(days=3, minutes=1), "in 3 days"),
        ("oauth", timedelta(hours=6, minutes=1), "in 6 h"),
    ],
)
def test_expiring_within_7_days_is_exit_2(tmp_path, capsys, monkeypatch, kind, left, shown):
    config(tmp_path, auth=kind)
    put(kind=kind, expires_at=utcnow() + left)
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 2
    assert "expiring" in out and shown in out


def test_setup_token_a_month_away_is_ok(tmp_path, capsys, monkeypatch):
    config(tmp_path, auth="setup_token")
    put(kind="setup_token", expires_at=utcnow() + timedelta(days=29, hours=1))
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 0 and "in 29 days" in out


def test_unverified_is_exit_2(tmp_path, capsys, monkeypatch):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY, verified=False)
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 2
    assert "unverified" in out and "never" in out and "status --probe" in out


def test_failing_state_wins_over_warning(tmp_path, capsys, monkeypatch):
    config(tmp_path, extra='\n[model.roles]\nfallbacks = ["openai:gpt-5"]\n')
    put(secret=ANTHROPIC_KEY, verified=False)
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert [e["state"] for e in entries] == ["unverified", "missing"]
    assert code == 1


def test_env_shadows_the_stored_key(tmp_path, capsys, monkeypatch):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-" + "E" * 95)
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert code == 0
    assert entries[0]["source"] == "ANTHROPIC_API_KEY"
    assert entries[0]["shadowed_by"] == "ANTHROPIC_API_KEY"
    _, out, _ = status(tmp_path, capsys, monkeypatch)
    assert (
        "ANTHROPIC_API_KEY in the environment shadows the stored API key for anthropic:default"
        in out
    )
    assert "E" * 20 not in out


def test_claude_code_file_source(tmp_path, capsys, monkeypatch, isolated_env):
    config(tmp_path, auth="claude_code")
    folder = isolated_env / ".claude"
    folder.mkdir()
    expires_ms = int((time.time() + 2 * 3600 + 30) * 1000)
    (folder / ".credentials.json").write_text(
        json.dumps(
            {
                "claudeAiOauth": {
                    "accessToken": "sk-ant-oat01-cc",
                    "refreshToken": "r",
                    "expiresAt": expires_ms,
                }
            }
        )
    )
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert code == 0
    assert entries[0]["source"] == "claude_code" and entries[0]["state"] == "ok"
    assert entries[0]["expires_at"].endswith("Z")
    _, out, _ = status(tmp_path, capsys, monkeypatch)
    assert "Claude Code file" in out and "in 2 h" in out


def test_json_schema_exact(tmp_path, capsys, monkeypatch):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY)
    code, out, _ = status(tmp_path, capsys, monkeypatch, "--json")
    doc = json.loads(out)
    assert set(doc) == {"config", "providers"}
    assert doc["config"] == str(tmp_path / "seal.toml")
    (entry,) = doc["providers"]
    assert list(entry) == [
        "provider",
        "profile",
        "auth",
        "source",
        "state",
        "expires_at",
        "verified_at",
        "shadowed_by",
        "seal_reads",
        "run_supplies",
        "reason",
        "expires_estimated",
        "checked_live",
        "check_failed",
    ]
    assert entry["provider"] == "anthropic" and entry["profile"] == "default"
    assert entry["reason"] == "stored API key anthropic:default (file) looks fine"
    assert entry["expires_estimated"] is False
    assert (entry["checked_live"], entry["check_failed"]) == (False, None)
    assert entry["auth"] == "api_key" and entry["source"] == "file" and entry["state"] == "ok"
    assert entry["expires_at"] is None and entry["shadowed_by"] is None
    assert entry["seal_reads"] == "ANTHROPIC_API_KEY" and entry["run_supplies"] is True
    assert isinstance(entry["verified_at"], str) and entry["verified_at"].endswith("Z")
    assert code == 0


def test_without_seal_toml_lists_store_and_env(tmp_path, capsys, monkeypatch):
    put("openrouter", "work", secret="sk-or-v1-" + "a" * 64)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    code, out, _ = run(
        ["status", "--json", "--config", str(tmp_path / "none.toml")], capsys, monkeypatch
    )
    doc = json.loads(out)
    assert doc["config"] is None
    pairs = [(e["provider"], e["profile"], e["auth"], e["source"]) for e in doc["providers"]]
    assert pairs == [
        ("openrouter", "work", "api_key", "file"),
        ("openai", "default", "env", "OPENAI_API_KEY"),
    ]
    assert code == 0
    assert not (tmp_path / "none.toml").exists()


def test_nothing_at_all_is_exit_1(tmp_path, capsys, monkeypatch):
    code, out, _ = run(["status", "--config", str(tmp_path / "none.toml")], capsys, monkeypatch)
    assert code == 1 and "No credentials found" in out


def test_agents_and_roles_are_reported(tmp_path, capsys, monkeypatch):
    config(
        tmp_path,
        extra=(
            '\n[model.roles]\nfast = "openrouter:anthropic/claude-haiku-4.5"\n'
            '\n[agents.research.model]\nprofile = "work"\n'
        ),
    )
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    keys = [(e["provider"], e["profile"]) for e in entries]
    assert keys == [("anthropic", "default"), ("openrouter", "default"), ("anthropic", "work")]
    assert code == 1


def test_broken_seal_toml_is_exit_3_and_untouched(tmp_path, capsys, monkeypatch):
    path = write_config(tmp_path / "seal.toml", '[model]\nname = "x\n# comment\n')
    before = path.read_bytes()
    for flags in ((), ("--json",), ("--probe",)):
        code, out, err = status(tmp_path, capsys, monkeypatch, *flags)
        assert code == 3
        assert err.startswith("seal-setup: ") and "line" in err
        assert out == ""
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "seal.toml"]


def test_no_colour_when_not_a_tty_or_no_color(tmp_path, capsys, monkeypatch):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY)
    _, out, _ = status(tmp_path, capsys, monkeypatch)
    assert "\x1b[" not in out
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    _, out, _ = status(tmp_path, capsys, monkeypatch)
    assert "\x1b[32m" in out  # ok in green on a terminal
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    _, out, _ = status(tmp_path, capsys, monkeypatch)
    assert "\x1b[" not in out


# --- --probe ------------------------------------------------------------------------------


def test_probe_marks_stale_on_401(tmp_path, capsys, monkeypatch, fake_provider_env):
    config(tmp_path)
    put(secret=UNKNOWN_KEY)
    code, entries = status_json(tmp_path, capsys, monkeypatch, "--probe")
    assert code == 1 and entries[0]["state"] == "rejected"
    assert store().get("anthropic", "default").stale
    code, entries = status_json(tmp_path, capsys, monkeypatch)  # remembered without probing
    assert code == 1 and entries[0]["state"] == "rejected"


def test_probe_stamps_verified_at(tmp_path, capsys, monkeypatch, fake_provider_env):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY, verified=False)
    assert status_json(tmp_path, capsys, monkeypatch)[0] == 2
    code, entries = status_json(tmp_path, capsys, monkeypatch, "--probe")
    assert code == 0 and entries[0]["state"] == "ok" and entries[0]["verified_at"]
    assert store().get("anthropic", "default").verified_at is not None
    assert status_json(tmp_path, capsys, monkeypatch)[0] == 0


def test_probe_clears_stale_when_the_key_works_again(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY, stale=True)
    code, _ = status_json(tmp_path, capsys, monkeypatch, "--probe")
    assert code == 0 and not store().get("anthropic", "default").stale


def test_probe_unverifiable_is_exit_2(tmp_path, capsys, monkeypatch, fake_provider_env):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY)
    fake_provider_env.fail("/v1/models", 503, times=None)
    code, entries = status_json(tmp_path, capsys, monkeypatch, "--probe")
    assert code == 2 and entries[0]["state"] == "unverified"


def test_probe_refreshes_oauth_first(tmp_path, capsys, monkeypatch, fake_provider_env):
    config(tmp_path, auth="oauth")
    tokens = fake_provider_env.issue_tokens()
    put(
        kind="oauth",
        secret="sk-ant-oat01-expired-access",
        refresh_token=tokens["refresh_token"],
        expires_at=utcnow() - timedelta(minutes=5),
    )
    code, entries = status_json(tmp_path, capsys, monkeypatch, "--probe")
    assert code == 0 and entries[0]["state"] == "ok"
    fresh = store().get("anthropic", "default")
    assert fresh.access_token != "sk-ant-oat01-expired-access" and fresh.expires_at > utcnow()


def test_probe_refreshes_a_stale_sign_in(tmp_path, capsys, monkeypatch, fake_provider_env):
    config(tmp_path, auth="oauth")
    tokens = fake_provider_env.issue_tokens()
    put(
        kind="oauth",
        secret="sk-ant-oat01-rejected-access",
        refresh_token=tokens["refresh_token"],
        expires_at=utcnow() + timedelta(hours=1),
        stale=True,
    )
    code, entries = status_json(tmp_path, capsys, monkeypatch, "--probe")
    assert code == 0 and entries[0]["state"] == "ok"
    fresh = store().get("anthropic", "default")
    assert not fresh.stale and fresh.access_token != "sk-ant-oat01-rejected-access"
    assert status_json(tmp_path, capsys, monkeypatch)[0] == 0


def test_probe_failed_refresh_is_expired(tmp_path, capsys, monkeypatch, fake_provider_env):
    config(tmp_path, auth="oauth")
    put(kind="oauth", refresh_token="dead", expires_at=utcnow() - timedelta(minutes=5))
    code, entries = status_json(tmp_path, capsys, monkeypatch, "--probe")
    assert code == 1 and entries[0]["state"] == "expired"


def test_probe_runs_concurrently(tmp_path, capsys, monkeypatch, fake_provider_env):
    n = 6
    agents = "".join(f'\n[agents.a{i}.model]\nprofile = "p{i}"\n' for i in range(1, n))
    config(tmp_path, extra=agents)
    put(secret=ANTHROPIC_KEY)
    for i in range(1, n):
        put(profile=f"p{i}", secret=ANTHROPIC_KEY)
    fake = fake_provider_env
    arrivals: list[float] = []
    lock = threading.Lock()
    original = fake._record

    def record(request):  # when each request reached the fake
        with lock:
            arrivals.append(time.monotonic())
        original(request)

    monkeypatch.setattr(fake, "_record", record)
    fake.latency("*", 0.3)
    started = time.monotonic()
    code, entries = status_json(tmp_path, capsys, monkeypatch, "--probe")
    wall = time.monotonic() - started
    assert code == 0 and len(entries) == n
    assert len(arrivals) == n
    # Every request arrived before the first one was answered: they overlapped.
    assert max(arrivals) - min(arrivals) < 0.3
    assert wall < 0.3 * n * 0.6


def test_status_subprocess_json(tmp_path, fake_provider):
    home = tmp_path / "home"
    config(tmp_path)
    env = subprocess_env(home, fake_provider)
    result = run_script(["status", "--json", "--probe"], env, tmp_path)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["providers"][0]["state"] == "missing"


def test_config_before_the_subcommand_is_kept(tmp_path, capsys, monkeypatch):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY)
    path = str(tmp_path / "seal.toml")
    code, out, _ = run(["--config", path, "status", "--json"], capsys, monkeypatch)
    assert code == 0 and json.loads(out)["config"] == path


# --- how fresh the judgement is -----------------------------------------------------------


def checked_lines(out: str) -> list[str]:
    section = out.split("Checked:\n", 1)[1].split("\n\n", 1)[0]
    return [line.strip() for line in section.splitlines()]


def test_plain_status_says_how_fresh_each_judgement_is(tmp_path, capsys, monkeypatch):
    config(
        tmp_path, extra='\n[model.roles]\nfast = "openai:gpt-5"\n[agents.b.model]\nprofile = "b"\n'
    )
    put(secret=ANTHROPIC_KEY, verified_at=utcnow() - timedelta(days=3, minutes=1))
    put(profile="b", secret=ANTHROPIC_KEY, verified=False)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    code, out, _ = status(tmp_path, capsys, monkeypatch)
    assert code == 2
    assert checked_lines(out) == [
        "anthropic:default: ok — stored, last verified 3 days ago "
        "(not checked now; --probe checks live)",
        "openai:default: ok — $OPENAI_API_KEY is set, not verified by seal-setup "
        "(not checked now; --probe checks live)",
        "anthropic:b: unverified — stored, never verified (not checked now; --probe checks live)",
    ]


def test_a_refused_credential_says_its_last_check_was_refused(tmp_path, capsys, monkeypatch):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY, stale=True)
    _, out, _ = status(tmp_path, capsys, monkeypatch)
    assert checked_lines(out) == [
        "anthropic:default: rejected — stored, the last check was refused (401) "
        "(not checked now; --probe checks live)"
    ]


def test_json_carries_reason_and_last_verified_for_every_entry(tmp_path, capsys, monkeypatch):
    config(tmp_path, extra='\n[model.roles]\nfast = "openai:gpt-5"\nescalate = "openrouter:a/b"\n')
    verified = utcnow() - timedelta(days=2)
    put(secret=ANTHROPIC_KEY, verified_at=verified)
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    _, entries = status_json(tmp_path, capsys, monkeypatch)
    assert [(e["provider"], e["state"]) for e in entries] == [
        ("anthropic", "ok"),
        ("openai", "ok"),
        ("openrouter", "missing"),
    ]
    assert all("verified_at" in e and e["reason"] for e in entries)
    assert entries[0]["verified_at"] == verified.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert entries[1]["verified_at"] is None  # a variable: never checked by seal-setup
    assert entries[2]["reason"] == "no stored credential for openrouter:default"
    assert not any(e["checked_live"] for e in entries)


def test_a_probe_that_passed_says_so_and_stamps_every_source(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    config(tmp_path, extra='\n[model.roles]\nfast = "openai:gpt-5"\n')
    put(secret=ANTHROPIC_KEY, verified_at=utcnow() - timedelta(days=3))
    monkeypatch.setenv("OPENAI_API_KEY", OPENAI_KEY)
    code, entries = status_json(tmp_path, capsys, monkeypatch, "--probe")
    assert code == 0
    assert [e["checked_live"] for e in entries] == [True, True]
    assert [e["check_failed"] for e in entries] == [None, None]
    assert all(e["reason"].startswith("checked live just now") for e in entries)
    assert entries[1]["verified_at"] is not None  # the variable's key passed just now
    _, out, _ = status(tmp_path, capsys, monkeypatch, "--probe")
    assert checked_lines(out) == [
        "anthropic:default: ok — checked live just now",
        "openai:default: ok — checked live just now",
    ]


def test_a_failed_probe_of_a_recently_verified_key_says_what_failed(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY, verified_at=utcnow() - timedelta(hours=5, minutes=1))
    fake_provider_env.fail("/v1/models", 503, times=None)
    code, entries = status_json(tmp_path, capsys, monkeypatch, "--probe")
    assert code == 2 and entries[0]["state"] == "unverified"
    failed = entries[0]["check_failed"]
    assert failed and "503" in failed
    assert entries[0]["reason"] == f"the live check just now failed: {failed}"
    _, out, _ = status(tmp_path, capsys, monkeypatch, "--probe")
    assert checked_lines(out) == [
        f"anthropic:default: unverified — the live check just now failed ({failed}); "
        "last verified 5 h ago"
    ]
    todo = out.split("To do:\n", 1)[1]
    assert (
        f"anthropic:default: the live check just now failed ({failed}); it last passed one "
        "5 h ago: run seal-setup status --probe again later; if it keeps failing, run "
        "seal-setup reauth --provider anthropic"
    ) in todo
    assert "never" not in todo
    # Nothing was stamped or marked: the stored verdict is what it was.
    assert status_json(tmp_path, capsys, monkeypatch)[0] == 0


def test_a_refused_probe_says_what_the_provider_answered(
    tmp_path, capsys, monkeypatch, fake_provider_env
):
    config(tmp_path)
    put(secret=UNKNOWN_KEY, verified_at=utcnow() - timedelta(minutes=10))
    _, out, _ = status(tmp_path, capsys, monkeypatch, "--probe")
    todo = out.split("To do:\n", 1)[1]
    assert "anthropic:default: the live check just now failed (" in todo
    assert "it last passed one 10 min ago: run seal-setup reauth --provider anthropic" in todo


# --- setup-tokens: the expected expiry ----------------------------------------------------


def test_a_setup_token_near_its_expected_year_is_expiring(tmp_path, capsys, monkeypatch):
    config(tmp_path, auth="setup_token")
    put(kind="setup_token", created_at=utcnow() - timedelta(days=360, hours=1))
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert code == 2 and entries[0]["state"] == "expiring"
    assert entries[0]["expires_estimated"] is True and entries[0]["expires_at"]
    assert "estimated: a setup-token lasts about a year" in entries[0]["reason"]
    _, out, _ = status(tmp_path, capsys, monkeypatch)
    assert "in 4 days (est.)" in out


def test_a_setup_token_past_its_expected_year_is_expired(tmp_path, capsys, monkeypatch):
    config(tmp_path, auth="setup_token")
    put(
        kind="setup_token",
        created_at=utcnow() - timedelta(days=400),
        verified_at=utcnow() - timedelta(days=390),
    )
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert code == 1 and entries[0]["state"] == "expired"
    assert entries[0]["expires_estimated"] is True


def test_a_fresh_setup_token_is_ok_with_its_estimate(tmp_path, capsys, monkeypatch):
    config(tmp_path, auth="setup_token")
    put(kind="setup_token", created_at=utcnow() - timedelta(days=30))
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert code == 0 and entries[0]["state"] == "ok"
    assert entries[0]["expires_estimated"] is True
    _, out, _ = status(tmp_path, capsys, monkeypatch)
    assert "in 335 days (est.)" in out


def test_a_check_after_the_estimate_proves_it_wrong(tmp_path, capsys, monkeypatch):
    config(tmp_path, auth="setup_token")
    put(
        kind="setup_token",
        created_at=utcnow() - timedelta(days=370),
        verified_at=utcnow() - timedelta(days=1),
    )
    code, entries = status_json(tmp_path, capsys, monkeypatch)
    assert code == 0 and entries[0]["state"] == "ok"
    assert entries[0]["expires_at"] is None and entries[0]["expires_estimated"] is False


def test_a_setup_token_with_a_known_expiry_is_not_estimated(tmp_path, capsys, monkeypatch):
    config(tmp_path, auth="setup_token")
    put(kind="setup_token", expires_at=utcnow() + timedelta(days=3, minutes=1))
    _, entries = status_json(tmp_path, capsys, monkeypatch)
    assert entries[0]["state"] == "expiring" and entries[0]["expires_estimated"] is False


def test_the_readme_documents_every_json_key(tmp_path, capsys, monkeypatch):
    config(tmp_path)
    put(secret=ANTHROPIC_KEY)
    _, out, _ = status(tmp_path, capsys, monkeypatch, "--json")
    doc = json.loads(out)
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    block = readme.split("`status --json` prints one object:\n\n```json\n", 1)[1].split("```")[0]
    documented = re.findall(r'"([a-z_]+)":', block)
    assert documented == [*doc, *doc["providers"][0]]


def test_many_agents_read_the_store_once(tmp_path, capsys, monkeypatch):
    import backend.credentials.stores as stores

    agents = "".join(f'\n[agents.a{i}.model]\nprofile = "p{i}"\n' for i in range(30))
    config(tmp_path, extra=agents)
    for i in range(0, 30, 2):
        put(profile=f"p{i}", secret=ANTHROPIC_KEY)
    reads: list[Path] = []
    real = stores.read_json_file

    def counting(path, *args, **kwargs):
        if path == store().path:
            reads.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(stores, "read_json_file", counting)
    _, entries = status_json(tmp_path, capsys, monkeypatch)
    states = {e["profile"]: e["state"] for e in entries}
    assert states == {
        "default": "missing",
        **{f"p{i}": "missing" if i % 2 else "ok" for i in range(30)},
    }
    assert len(reads) == 1


def test_one_damaged_record_leaves_the_others_readable(tmp_path, capsys, monkeypatch):
    config(tmp_path, extra='\n[agents.research.model]\nprofile = "work"\n')
    put(secret=ANTHROPIC_KEY)
    put(profile="work", secret=ANTHROPIC_KEY)
    doc = json.loads(store().path.read_text())
    doc["credentials"]["anthropic:work"]["kind"] = "nonsense"
    store().path.write_text(json.dumps(doc))
    _, entries = status_json(tmp_path, capsys, monkeypatch)
    states = {e["profile"]: e["state"] for e in entries}
    assert states["default"] == "ok"
    assert states["work"] != "ok"
    assert "anthropic:work" in next(e["reason"] for e in entries if e["profile"] == "work")


def test_report_asks_the_store_once_not_per_target(tmp_path):
    from backend.config.document import load_config
    from backend.credentials.record import CredentialRecord
    from backend.credentials.stores import MemoryStore
    from backend.status import build_report

    calls: list[str] = []

    class Counting(MemoryStore):
        def get(self, provider, profile):
            calls.append("get")
            return super().get(provider, profile)

        def list(self):
            calls.append("list")
            return super().list()

    agents = "".join(f'\n[agents.a{i}.model]\nprofile = "p{i}"\n' for i in range(20))
    loaded = load_config(config(tmp_path, extra=agents))
    counting = Counting([CredentialRecord("anthropic", "p3", "api_key", secret=ANTHROPIC_KEY)])
    report = build_report(loaded, counting, {"HOME": str(tmp_path)})
    assert [e.profile for e in report.entries if e.source == "memory"] == ["p3"]
    assert calls == ["list"]
    calls.clear()
    assert len(build_report(None, counting, {"HOME": str(tmp_path)}).entries) == 1
    assert calls == ["list"]
