"""The tests' own cleaning (tests/emptying.py): after a test, every table is empty again."""

from __future__ import annotations

from tortoise import Tortoise

from tenant_app.security.passwords import PasswordService
from tenant_app.services.tenants import NewTenant
from tests.conftest import make_customer, make_tenant
from tests.emptying import empty_all_tables, written_tables


async def _rows_per_table() -> dict[str, int]:
    counts = {}
    for model in Tortoise.apps.get_models_iterable():
        found = await model._meta.db.execute_query_dict(
            f'SELECT COUNT(*) AS n FROM "{model._meta.db_table}"'  # noqa: S608 - model tables
        )
        counts[model._meta.db_table] = int(found[0]["n"])
    return counts


async def test_the_tables_a_test_wrote_to_are_found_and_emptied_with_their_references(
    tenant: NewTenant, passwords: PasswordService
) -> None:
    await make_customer(tenant, passwords)  # a contact, its login, its rights: linked rows
    await make_tenant(passwords, "beta", "Beta Finanz KG")
    written = await written_tables()
    assert {"tenant", "contact", "user_account"} <= set(written)
    assert written == sorted(t for t, n in (await _rows_per_table()).items() if n)
    await empty_all_tables()
    assert await written_tables() == []
    assert set((await _rows_per_table()).values()) == {0}
