"""Insurer credentials sealed at rest (AES-256-GCM, security/credentials.py): a sealed value
opens only for its tenant and plug-in and only unchanged; keys rotate (an old key opens what
it sealed while it is listed; rotating seals everything anew with the first key)."""

from __future__ import annotations

import base64

import pytest

from tenant_app.models.interfaces import InsurerAccount
from tenant_app.models.scoping import tenant_scope
from tenant_app.security.credentials import (
    CredentialKeysMissing,
    CredentialsUnreadable,
    new_key,
    parse_keys,
    seal,
    sealed_with,
    unseal,
)
from tenant_app.services.insurer_account_keys import rotate_credentials
from tenant_app.services.insurer_accounts import credentials_for
from tenant_app.settings import ConfigError, Settings

OLD, NEW = new_key(), new_key()
VALUES = {"username": "demo-makler", "password": "radschutz-demo"}


def _flipped(sealed: str) -> str:
    key_id, _sep, encoded = sealed.partition(":")
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 0x01
    return f"{key_id}:{base64.b64encode(bytes(raw)).decode()}"


def test_a_sealed_value_opens_only_for_its_tenant_and_plug_in() -> None:
    keys = parse_keys(f"old:{OLD}")
    sealed = seal(keys, 7, "radschutz", VALUES)
    assert sealed_with(sealed) == "old"
    assert "demo-makler" not in sealed and "radschutz-demo" not in sealed
    assert unseal(keys, 7, "radschutz", sealed) == VALUES
    assert seal(keys, 7, "radschutz", VALUES) != sealed  # a new nonce every time
    for tenant_id, plugin in ((8, "radschutz"), (7, "zweirad")):
        with pytest.raises(CredentialsUnreadable):
            unseal(keys, tenant_id, plugin, sealed)


@pytest.mark.parametrize(
    "broken",
    [
        _flipped,
        lambda sealed: sealed[:-8],
        lambda sealed: sealed.replace("old:", "old:!"),
        lambda sealed: sealed.replace("old:", "gone:"),
        lambda sealed: "",
    ],
    ids=["tampered", "truncated", "no base64", "unknown key", "empty"],
)
def test_a_tampered_or_foreign_value_is_refused(broken) -> None:
    keys = parse_keys(f"old:{OLD}")
    with pytest.raises(CredentialsUnreadable):
        unseal(keys, 7, "radschutz", broken(seal(keys, 7, "radschutz", VALUES)))


def test_an_old_key_opens_what_it_sealed_while_it_is_listed() -> None:
    sealed = seal(parse_keys(f"old:{OLD}"), 7, "radschutz", VALUES)
    both = parse_keys(f"new:{NEW},old:{OLD}")
    assert both.current == "new"
    assert unseal(both, 7, "radschutz", sealed) == VALUES
    assert sealed_with(seal(both, 7, "radschutz", VALUES)) == "new"
    with pytest.raises(CredentialsUnreadable):
        unseal(parse_keys(f"new:{NEW}"), 7, "radschutz", sealed)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"bad id!:{OLD}", "each entry is id:base64key"),
        (OLD, "each entry is id:base64key"),
        ("k1:not base64", "is not base64"),
        (f"k1:{base64.b64encode(b'short').decode()}", "must be 32 bytes"),
        (f"k1:{OLD},k1:{NEW}", "appears twice"),
    ],
    ids=["bad id", "no id", "not base64", "short", "twice"],  # the keys are random per run
)
def test_malformed_keys_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_keys(text)
    with pytest.raises(ConfigError, match=message):
        Settings(environment="test", credentials_keys=text).check()


def test_without_keys_development_derives_one_and_production_seals_nothing() -> None:
    development = Settings(environment="development").credential_keys()
    assert development.current == "dev"
    production = Settings(environment="production", credentials_keys="").credential_keys()
    assert production.keys == () and parse_keys(" , ").keys == ()
    with pytest.raises(CredentialKeysMissing):
        seal(production, 7, "radschutz", VALUES)


async def test_a_value_copied_to_another_tenant_s_row_does_not_open(
    tenant, other_tenant, settings
) -> None:
    keys = settings.credential_keys()
    with tenant_scope(tenant.tenant.id):
        sealed = seal(keys, tenant.tenant.id, "radschutz", VALUES)
        ours = await InsurerAccount.create(plugin="radschutz", sealed_credentials=sealed)
        assert await credentials_for(settings, ours) == VALUES
    with tenant_scope(other_tenant.tenant.id):
        copied = await InsurerAccount.create(plugin="radschutz", sealed_credentials=sealed)
        with pytest.raises(CredentialsUnreadable):
            await credentials_for(settings, copied)


async def test_rotation_seals_every_tenant_s_accounts_with_the_first_key(
    tenant, other_tenant, settings
) -> None:
    old = settings.with_overrides(credentials_keys=f"old:{OLD}")
    rows = []
    for made in (tenant, other_tenant):
        with tenant_scope(made.tenant.id):
            sealed = seal(old.credential_keys(), made.tenant.id, "radschutz", VALUES)
            rows.append(await InsurerAccount.create(plugin="radschutz", sealed_credentials=sealed))
            await InsurerAccount.create(plugin="zweirad")  # no credentials: nothing to seal
    rotated = settings.with_overrides(credentials_keys=f"new:{NEW},old:{OLD}")
    first = await rotate_credentials(rotated)
    assert (first.key_id, first.resealed, first.current, first.unreadable) == ("new", 2, 0, [])
    only_new = settings.with_overrides(credentials_keys=f"new:{NEW}")
    for row in rows:
        fresh = await InsurerAccount.unscoped.get(id=row.id)
        assert sealed_with(fresh.sealed_credentials) == "new" and fresh.version == row.version
        assert await credentials_for(only_new, fresh) == VALUES
    again = await rotate_credentials(rotated)
    assert (again.resealed, again.current) == (0, 2)

    await InsurerAccount.unscoped.filter(id=rows[0].id).update(
        sealed_credentials=_flipped(
            (await InsurerAccount.unscoped.get(id=rows[0].id)).sealed_credentials
        )
    )
    broken = await rotate_credentials(
        settings.with_overrides(credentials_keys=f"next:{OLD},new:{NEW}")
    )
    assert broken.unreadable == [(tenant.tenant.slug, "radschutz")] and broken.resealed == 1
