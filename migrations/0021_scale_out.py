"""Scale-out and operations (issue 22): suspension, notice and framing origins on the tenant,
custom domains with their verification on the host, the audit of operator actions and the
support requests of tenant admins to the operator."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0020_legal_duties')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OperatorAction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('operator', fields.ForeignKeyField('models.User', source_field='operator_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('operator_name', fields.CharField(max_length=200)),
                ('action', fields.CharField(max_length=40)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('tenant_name', fields.CharField(default='', db_default='', max_length=200)),
                ('detail', fields.TextField(default='', db_default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'operator_action', 'app': 'models', 'indexes': [Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'One operator action on the platform (a tenant made, suspended, reactivated, deleted,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SupportRequest',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subject', fields.CharField(max_length=200)),
                ('status', fields.CharField(default='open', db_default='open', max_length=10)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_by_name', fields.CharField(max_length=200)),
                ('last_entry_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_entry_by_operator', fields.BooleanField(default=False, db_default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support_request', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'status']), Index(fields=['status', 'last_entry_at'])], 'pk_attr': 'id', 'table_description': "A tenant admin's request to the platform's operator, with its entries."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='SupportEntry',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('request', fields.ForeignKeyField('models.SupportRequest', source_field='request_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('author_name', fields.CharField(max_length=200)),
                ('by_operator', fields.BooleanField(default=False, db_default=False)),
                ('body', fields.TextField(unique=False)),
                ('screenshot_key', fields.CharField(null=True, max_length=200)),
                ('screenshot_type', fields.CharField(default='', db_default='', max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'support_entry', 'app': 'models', 'pk_attr': 'id', 'table_description': "A message of a support request, from the tenant's admin or the operator, with an"},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Tenant',
            name='frame_origins',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='suspended_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='suspension_notice',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='TenantHost',
            name='check_error',
            field=fields.CharField(default='', db_default='', max_length=300),
        ),
        ops.AddField(
            model_name='TenantHost',
            name='checked_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='TenantHost',
            name='created_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=True),
        ),
        ops.AddField(
            model_name='TenantHost',
            name='is_custom',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='TenantHost',
            name='is_verified',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='TenantHost',
            name='verification_token',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
    ]
