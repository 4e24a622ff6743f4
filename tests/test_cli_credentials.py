"""The operator's commands for the keys sealing insurer credentials: `credentials new-key`
prints a fresh key and how to put it in; `credentials rotate` seals every tenant's accounts
anew with the first key of CREDENTIALS_KEYS and reports one no key opens (exit code 1).

The commands run as real processes on the tests' database."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys

from tenant_app.models.interfaces import InsurerAccount
from tenant_app.models.scoping import tenant_scope
from tenant_app.security.credentials import new_key, parse_keys, seal, sealed_with, unseal

OLD, NEW, GONE = new_key(), new_key(), new_key()
VALUES = {"username": "demo-makler", "password": "radschutz-demo"}


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "ARGON2_PROFILE": "fast", "BASE_DOMAIN": "localhost", **env}
    return subprocess.run(
        [sys.executable, "-m", "tenant_app.cli", "credentials", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_new_key_prints_a_key_and_where_it_goes() -> None:
    made = _run("new-key", "--id", "k2")
    assert made.returncode == 0, made.stderr
    entry = re.search(r"New key: (k2:\S+)", made.stdout)
    assert entry, made.stdout
    keys = parse_keys(entry.group(1))
    assert keys.current == "k2" and len(keys.keys[0][1]) == 32
    assert f"CREDENTIALS_KEYS={entry.group(1)},<the keys in use>" in made.stdout
    assert "credentials rotate" in made.stdout
    assert _run("new-key").stdout != made.stdout  # a fresh key each time
    refused = _run("new-key", "--id", "no spaces")
    assert refused.returncode == 2 and "--id" in refused.stderr


async def _account(made, plugin: str, key_text: str) -> InsurerAccount:
    with tenant_scope(made.tenant.id):
        sealed = seal(parse_keys(key_text), made.tenant.id, plugin, VALUES)
        return await InsurerAccount.create(plugin=plugin, sealed_credentials=sealed)


async def test_rotate_seals_every_tenant_s_accounts_with_the_first_key(
    tenant, other_tenant, settings
) -> None:
    ours = await _account(tenant, "radschutz", f"old:{OLD}")
    theirs = await _account(other_tenant, "radschutz", f"old:{OLD}")
    current = await _account(other_tenant, "zweirad", f"new:{NEW}")
    lost = await _account(tenant, "zweirad", f"gone:{GONE}")
    keys = f"new:{NEW},old:{OLD}"

    rotated = _run("rotate", DATABASE_URL=settings.database_url, CREDENTIALS_KEYS=keys)
    assert rotated.returncode == 1, rotated.stderr
    assert "Sealed anew with key 'new': 2 account(s)." in rotated.stdout
    assert "Already sealed with it: 1 account(s)." in rotated.stdout
    assert "error: tenant alpha, plug-in zweirad: no key in CREDENTIALS_KEYS" in rotated.stderr
    assert OLD not in rotated.stdout + rotated.stderr and "radschutz-demo" not in rotated.stdout

    only_new = parse_keys(f"new:{NEW}")
    for row in (ours, theirs, current):
        fresh = await InsurerAccount.unscoped.get(id=row.id)
        assert sealed_with(fresh.sealed_credentials) == "new"
        assert unseal(only_new, row.tenant_id, row.plugin, fresh.sealed_credentials) == VALUES
    assert (await InsurerAccount.unscoped.get(id=lost.id)).sealed_credentials == (
        lost.sealed_credentials
    )

    await InsurerAccount.unscoped.filter(id=lost.id).delete()
    again = _run("rotate", DATABASE_URL=settings.database_url, CREDENTIALS_KEYS=f"new:{NEW}")
    assert again.returncode == 0, again.stderr
    assert "Sealed anew with key 'new': 0 account(s)." in again.stdout
    assert "Already sealed with it: 3 account(s)." in again.stdout


def test_a_malformed_key_is_a_configuration_error() -> None:
    bad = base64.b64encode(b"short").decode()
    refused = _run("rotate", CREDENTIALS_KEYS=f"k1:{bad}")
    assert refused.returncode == 2 and "must be 32 bytes" in refused.stderr
