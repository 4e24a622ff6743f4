"""Host parsing, slug rules and the tenant scoping mechanism."""

from __future__ import annotations

import pytest
from tortoise import Tortoise

from tenant_app.models.accounts import User
from tenant_app.models.scoping import ScopeError, TenantModel, tenant_scope
from tenant_app.tenancy import MalformedHost, normalize_host, slug_error

GLOBAL_MODELS = {  # platform-level
    "Tenant",
    "TenantHost",
    "RateCounter",
    "VapidKey",
    "Backoffice",  # an outside company working for many tenants
    "BackofficeMember",  # its people, logins of the platform's own space
    "DpaVersion",  # the data-processing agreement the operator publishes for every tenant
    "OperatorAction",  # the audit of what operators did across tenants
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alpha.localhost", "alpha.localhost"),
        ("ALPHA.LocalHost:8000", "alpha.localhost"),
        ("alpha.localhost:443", "alpha.localhost"),
        ("localhost", "localhost"),
    ],
)
def test_normalize_host_lowercases_and_strips_port(raw: str, expected: str) -> None:
    assert normalize_host(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "user@alpha.localhost",
        "alpha.localhost.",
        "alpha..localhost",
        "alpha.localhost:abc",
        "alpha.localhost:123456",
        "-alpha.localhost",
        "al pha.localhost",
        "alpha.localhost/x",
        "[::1]:8000",
        "a" * 64 + ".localhost",
        "alpha_1.localhost",
    ],
)
def test_malformed_hosts_are_refused(raw: str) -> None:
    with pytest.raises(MalformedHost):
        normalize_host(raw)


@pytest.mark.parametrize("slug", ["mueller", "a", "makler-24", "x" * 63])
def test_valid_slugs(slug: str) -> None:
    assert slug_error(slug) is None


@pytest.mark.parametrize(
    "slug", ["", "-abc", "abc-", "ab_c", "Abc", "a.b", "x" * 64, "www", "admin", "api", "müller"]
)
def test_invalid_or_reserved_slugs(slug: str) -> None:
    assert slug_error(slug) is not None


def test_every_tenant_owned_model_carries_the_tenant() -> None:
    for model in Tortoise.apps.get_models_iterable():
        if model.__name__ in GLOBAL_MODELS:
            continue
        assert issubclass(model, TenantModel), f"{model.__name__} must inherit TenantModel"
        assert "tenant" in model._meta.fk_fields, model.__name__


async def test_query_without_tenant_context_fails_loudly(tenant) -> None:
    with pytest.raises(ScopeError):
        await User.all()
    with pytest.raises(ScopeError):
        await User.filter(username="alpha-admin").first()


async def test_record_of_tenant_a_cannot_be_fetched_as_tenant_b(tenant, other_tenant) -> None:
    admin_a = tenant.admin
    with tenant_scope(other_tenant.tenant.id):
        assert await User.get_or_none(id=admin_a.id) is None
        assert await User.filter(email=admin_a.email).count() == 0
        assert [u.id for u in await User.all()] == [other_tenant.admin.id]
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(id=admin_a.id)).username == "alpha-admin"


async def test_saving_a_row_into_another_tenant_is_refused(tenant, other_tenant) -> None:
    with tenant_scope(tenant.tenant.id):
        admin = await User.get(id=tenant.admin.id)
    with tenant_scope(other_tenant.tenant.id), pytest.raises(ScopeError):
        admin.first_name = "Mallory"
        await admin.save()
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(id=tenant.admin.id)).first_name == "Clara"
