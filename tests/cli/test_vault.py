"""A team onboards once into Vault (a real OpenBao dev server) and other machines, with
only Vault access (a token, or AppRole as a CI runner has), read it back: `status`,
`token`, `run`; `logout` says which versions go. The secret is on no client disk and the
Vault token is printed nowhere."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.cli.helpers import run_script, subprocess_env
from tests.cli.test_handoff import runtime
from tests.fakes.openbao import ROOT_TOKEN, OpenBao
from tests.fakes.provider import ANTHROPIC_KEY, FakeProvider

ONBOARD = ["onboard", "--non-interactive", "--provider", "anthropic", "--auth", "api_key"]


def machine(
    tmp_path: Path, name: str, fake: FakeProvider, vault_env: dict[str, str]
) -> dict[str, str]:
    home = tmp_path / name
    home.mkdir()
    return subprocess_env(home, fake, **vault_env)


def onboard(
    config: str, env: dict[str, str], cwd: Path, *flags: str
) -> subprocess.CompletedProcess[str]:
    """The team's one onboarding into Vault: the key is read from stdin, never argv."""
    made = run_script(
        [*ONBOARD, "--model", "sonnet", "--config", config, *flags], env, cwd, stdin=ANTHROPIC_KEY
    )
    assert made.returncode == 0, made.stdout + made.stderr
    return made


def ci_runner(vault: OpenBao, prefix: str, fake: FakeProvider, tmp_path: Path) -> dict[str, str]:
    """A machine with AppRole only (README's minimal policy), no Vault token."""
    role, secret_id = vault.approle(f"ci-{prefix}", readme_policy(vault, prefix))
    ci_env = {k: v for k, v in vault.env(prefix).items() if k != "VAULT_TOKEN"}
    return machine(
        tmp_path, "ci", fake, {**ci_env, "VAULT_ROLE_ID": role, "VAULT_SECRET_ID": secret_id}
    )


def readme_policy(vault: OpenBao, prefix: str) -> str:
    """README's minimal policy (Teams and CI), for this test's tree."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("## Teams and CI") :]
    hcl = section[section.index("```hcl\n") + 7 :]
    hcl = hcl[: hcl.index("```")].replace("secret/data/seal/", f"secret/data/{prefix}/")
    hcl = hcl.replace("secret/metadata/seal/", f"secret/metadata/{prefix}/")
    name = f"seal-ci-{prefix}"
    vault.ok("PUT", f"sys/policies/acl/{name}", {"policy": hcl})
    return name


def all_client_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def test_onboard_once_then_machines_read_it_back(
    vault: OpenBao, fake_provider: FakeProvider, tmp_path: Path
) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    config = str(tmp_path / "seal.toml")
    laptop = machine(tmp_path, "laptop", fake_provider, vault.env(prefix))
    made = onboard(config, laptop, tmp_path)
    where = f"Vault at {vault.addr}"
    assert where in made.stdout + made.stderr
    assert vault.kv(f"{prefix}/anthropic/default")["secret"] == ANTHROPIC_KEY

    # A second machine with its own token: status names store, address and path.
    token = vault.policy_token(f"t-{prefix}", 'path "secret/*" { capabilities = ["read", "list"] }')
    desk = machine(tmp_path, "desk", fake_provider, vault.env(prefix, token))
    status = run_script(["status", "--config", config], desk, tmp_path)
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"Credential store: {where} (secret/{prefix}/…)" in status.stdout
    assert (
        f"anthropic:default: stored in {where}, secret/{prefix}/anthropic/default" in status.stdout
    )

    # A CI runner with AppRole only: token and run.
    ci = ci_runner(vault, prefix, fake_provider, tmp_path)
    printed = run_script(["token", "--config", config], ci, tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.strip() == ANTHROPIC_KEY
    ran = run_script(
        ["run", "--config", config, "--", *runtime(fake_provider, "anthropic")], ci, tmp_path
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.strip() == "source=ANTHROPIC_API_KEY auth=x-api-key status=200"

    # The canary: the secret is on no client disk; no Vault token is printed anywhere.
    assert ANTHROPIC_KEY.encode() not in all_client_bytes(tmp_path)
    outputs = "".join(r.stdout + r.stderr for r in (made, status, printed, ran))
    for vault_secret in (ROOT_TOKEN, token, ci["VAULT_SECRET_ID"]):
        assert vault_secret not in outputs
        assert vault_secret.encode() not in all_client_bytes(tmp_path)


def test_logout_says_which_versions_go(
    vault: OpenBao, fake_provider: FakeProvider, tmp_path: Path
) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    config = str(tmp_path / "seal.toml")
    env = machine(tmp_path, "laptop", fake_provider, vault.env(prefix))
    onboard(config, env, tmp_path)

    latest = run_script(["logout", "--yes", "--latest-only"], env, tmp_path)
    assert latest.returncode == 0, latest.stderr
    assert "only the latest version" in latest.stdout + latest.stderr
    status, _ = vault.api("GET", f"secret/metadata/{prefix}/anthropic/default")
    assert status == 200  # history kept
    assert vault.kv(f"{prefix}/anthropic/default") is None
    # The lease was released, not left held.
    assert vault.kv(f"{prefix}/anthropic/default/refresh-lock")["until"] == 0

    onboard(config, env, tmp_path)
    every = run_script(["logout", "--yes"], env, tmp_path)
    assert every.returncode == 0, every.stderr
    assert "every version and its history" in every.stdout + every.stderr
    status, _ = vault.api("GET", f"secret/metadata/{prefix}/anthropic/default")
    assert status == 404
    status, _ = vault.api("GET", f"secret/metadata/{prefix}/anthropic/default/refresh-lock")
    assert status == 404  # nothing of seal's is left in the tree


def test_store_flag_chooses_vault(
    vault: OpenBao, fake_provider: FakeProvider, tmp_path: Path
) -> None:
    prefix = vault.prefix  # type: ignore[attr-defined]
    env = machine(tmp_path, "laptop", fake_provider, vault.env(prefix))
    env["SEAL_CREDENTIAL_STORE"] = "file"  # the flag wins over the variable
    config = str(tmp_path / "seal.toml")
    onboard(config, env, tmp_path, "--store", "vault")
    assert vault.kv(f"{prefix}/anthropic/default")["secret"] == ANTHROPIC_KEY
    assert not (tmp_path / "laptop" / ".config" / "seal" / "credentials.json").exists()
    status = run_script(["status", "--config", config, "--store", "vault"], env, tmp_path)
    assert f"Credential store: Vault at {vault.addr}" in status.stdout


def test_ci_runner_refreshes_a_subscription_sign_in_in_vault(
    vault: OpenBao, fake_provider: FakeProvider, tmp_path: Path
) -> None:
    """AppRole with README's minimal policy is enough to refresh and write back."""

    prefix = vault.prefix  # type: ignore[attr-defined]
    expiring = fake_provider.signed_in(lifetime=5)
    vault.ok("POST", f"secret/data/{prefix}/anthropic/default", {"data": expiring.to_dict()})
    config = tmp_path / "seal.toml"
    config.write_text(
        '[model]\nprovider = "anthropic"\nname = "claude-sonnet-4-6"\nauth = "oauth"\n'
    )
    ci = ci_runner(vault, prefix, fake_provider, tmp_path)
    before = fake_provider.count("/v1/oauth/token")
    printed = run_script(["token", "--config", str(config)], ci, tmp_path)
    assert printed.returncode == 0, printed.stderr
    stored = vault.kv(f"{prefix}/anthropic/default")
    assert stored["access_token"] != expiring.access_token
    assert printed.stdout.strip() == stored["access_token"]
    assert fake_provider.count("/v1/oauth/token") - before == 1
    assert stored["refresh_token"].encode() not in all_client_bytes(tmp_path)
