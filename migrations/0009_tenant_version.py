"""The settings form carries the tenant's `version` too: a stale save of theme, colours or
texts is refused instead of silently overwriting another administrator's change.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_hardening')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Tenant',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
    ]
