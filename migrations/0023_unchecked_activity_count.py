"""An index for the header's count of unchecked customer activity, read with every session.

The count joins the user's notifications to the customer events nobody checked yet. With
only the (tenant, created_at) index of 0012 PostgreSQL read all of a staff member's
notifications and hashed them against the tenant's events: 2-3 ms on every staff page at
2,900 notifications. By (tenant, id) both sides come in the same order and the count stops
at its cap: 0.2 ms.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0022_download_lookup')]

    initial = False

    operations = [
        ops.RunSQL(
            "CREATE INDEX activity_event_unchecked_ids ON activity_event (tenant_id, id)"
            " WHERE actor_kind = 'customer' AND checked_at IS NULL",
            reverse_sql="DROP INDEX activity_event_unchecked_ids",
        ),
    ]
