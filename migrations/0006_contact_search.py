"""Indexes for the staff contact list: one per sort, "only my contacts", and the search.

The search index is PostgreSQL-only (pg_trgm + btree_gin), so it is not declared on the
model; SQLite has no trigram index and scans the tenant's rows, which is fine for a dev box.
The expression must stay exactly the one `tenant_app.services.contacts` searches with.
"""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS contact_search_trgm ON contact USING gin"
    " (tenant_id, lower(first_name || ' ' || last_name || ' ' || email || ' ' || customer_number"
    " || ' ' || company_name) gin_trgm_ops)"
)


def _is_postgres(schema_editor) -> bool:
    return schema_editor.client.capabilities.dialect == "postgres"


async def add_search_index(apps, schema_editor) -> None:
    if not _is_postgres(schema_editor):
        return
    # btree_gin puts tenant_id into the GIN index: a term found in every tenant then costs
    # the rows of this tenant only. Both extensions are "trusted" (no superuser needed).
    await schema_editor.client.execute_script(
        "CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS btree_gin;"
    )
    await schema_editor.client.execute_script(SEARCH_INDEX)


async def drop_search_index(apps, schema_editor) -> None:
    if _is_postgres(schema_editor):  # the extensions stay: something else may use them
        await schema_editor.client.execute_script("DROP INDEX IF EXISTS contact_search_trgm")


class Migration(migrations.Migration):
    dependencies = [('models', '0005_conversations')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Contact',
            index=Index(fields=['tenant_id', 'customer_number', 'last_name']),
        ),
        ops.AddIndex(
            model_name='Contact',
            index=Index(fields=['tenant_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='ContactResponsible',
            index=Index(fields=['tenant_id', 'user_id', 'contact_id']),
        ),
        ops.RunPython(add_search_index, drop_search_index),
    ]
