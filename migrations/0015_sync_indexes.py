"""Indexes for the API's incremental sync: contacts and contracts changed since a moment."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_integration')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Contact',
            index=Index(fields=['tenant_id', 'updated_at']),
        ),
        ops.AddIndex(
            model_name='Contract',
            index=Index(fields=['tenant_id', 'updated_at']),
        ),
    ]
