"""Indexes for the staff lists of a tenant (by kind) and for a contact's customer account.

The ticket page lists the tenant's staff who handle tickets; without (tenant_id, kind) it
read every customer account of the tenant too (2,000 in the benchmark's big tenant).
"""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0006_contact_search')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='User',
            index=Index(fields=['tenant_id', 'kind']),
        ),
        ops.AddIndex(
            model_name='User',
            index=Index(fields=['tenant_id', 'contact_id']),
        ),
    ]
