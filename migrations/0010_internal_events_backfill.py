"""Forward events and staff read events written before 0008 become internal.

The customer's history already hides them by kind; this lets the staff history mark them
as internal like the new ones, so old and new tickets read alike.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

BACKFILL = (
    "UPDATE conversation_event SET internal = TRUE WHERE kind = 'forwarded'"
    " OR (kind = 'read' AND actor_id IN (SELECT id FROM user_account WHERE kind = 'staff'))"
)


async def mark_internal(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(BACKFILL)


async def leave_as_is(apps, schema_editor) -> None:
    """Going back keeps the flags: the column itself goes with 0008."""


class Migration(migrations.Migration):
    dependencies = [("models", "0009_tenant_version")]

    initial = False

    operations = [
        ops.RunPython(mark_internal, leave_as_is),
    ]
