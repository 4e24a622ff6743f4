"""The raw-SQL helper binds the tenant itself and fails loudly without one, like the ORM."""

from __future__ import annotations

import pytest

from tenant_app.models.scoping import ScopeError, tenant_scope
from tenant_app.queries.sql import UnscopedStatement, fetch_all, fetch_one, unscoped

USERS_SQL = "SELECT username FROM user_account WHERE tenant_id = :tenant_id ORDER BY username"


async def test_a_query_outside_a_tenant_scope_raises() -> None:
    with pytest.raises(ScopeError):
        await fetch_all(USERS_SQL)


async def test_a_scoped_query_sees_only_its_tenants_rows(tenant, other_tenant) -> None:
    with tenant_scope(tenant.tenant.id):
        mine = [row["username"] for row in await fetch_all(USERS_SQL)]
    with tenant_scope(other_tenant.tenant.id):
        theirs = [row["username"] for row in await fetch_all(USERS_SQL)]
    assert tenant.admin.username in mine and other_tenant.admin.username not in mine
    assert other_tenant.admin.username in theirs and tenant.admin.username not in theirs


async def test_a_statement_that_forgets_the_tenant_is_refused(tenant) -> None:
    with tenant_scope(tenant.tenant.id), pytest.raises(UnscopedStatement):
        await fetch_all("SELECT username FROM user_account")


async def test_a_caller_cannot_pass_a_tenant_of_its_own(tenant, other_tenant) -> None:
    with tenant_scope(tenant.tenant.id), pytest.raises(TypeError):
        await fetch_all(USERS_SQL, tenant_id=other_tenant.tenant.id)


async def test_the_tenant_literal_is_the_scope_tenant(tenant, other_tenant) -> None:
    sql = "SELECT COUNT(*) AS n FROM user_account WHERE tenant_id = :tenant_literal AND id = :id"
    with tenant_scope(tenant.tenant.id):
        assert (await fetch_one(sql, id=tenant.admin.id)) == {"n": 1}
        assert (await fetch_one(sql, id=other_tenant.admin.id)) == {"n": 0}


async def test_named_parameters_repeat_and_unscoped_statements_say_so(tenant) -> None:
    sql = "SELECT id FROM tenant WHERE id = :id OR (id = :id AND slug = :slug)"
    rows = await unscoped.fetch_all(sql, id=tenant.tenant.id, slug="none")
    assert rows == [{"id": tenant.tenant.id}]
    with pytest.raises(TypeError):
        await unscoped.fetch_all(sql, id=tenant.tenant.id)
