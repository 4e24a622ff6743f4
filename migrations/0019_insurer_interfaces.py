"""Insurer interfaces (issue 20): firms' sealed online accounts with insurers, staff agent
numbers, insured objects on contacts, applications through plug-ins and their call log."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0018_tenders')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AgentNumber',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='agent_numbers', on_delete=OnDelete.CASCADE)),
                ('plugin', fields.CharField(max_length=40)),
                ('number', fields.CharField(max_length=40)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'agent_number', 'app': 'models', 'unique_together': (('tenant', 'user', 'plugin'),), 'pk_attr': 'id', 'table_description': "A staff member's agent number (Vermittlernummer) with the insurer of one plug-in."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='InsuredObject',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='insured_objects', on_delete=OnDelete.CASCADE)),
                ('product_line', fields.CharField(max_length=40)),
                ('label', fields.CharField(max_length=200)),
                ('attributes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('insurance_state', fields.CharField(default='open', db_default='open', max_length=12)),
                ('contract', fields.ForeignKeyField('models.Contract', source_field='contract_id', null=True, db_constraint=True, to_field='id', related_name='insured_objects', on_delete=OnDelete.SET_NULL)),
                ('declined_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='insured_objects_created', on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'insured_object', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'contact_id'])], 'pk_attr': 'id', 'table_description': "A risk kept on the contact (a bike, an e-bike, a battery): the product line's typed"},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='InsurerAccount',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plugin', fields.CharField(max_length=40)),
                ('is_active', fields.BooleanField(default=False, db_default=False)),
                ('sealed_credentials', fields.TextField(default='', db_default='', unique=False)),
                ('credentials_hint', fields.CharField(default='', db_default='', max_length=120)),
                ('remind_on_new_object', fields.BooleanField(default=False, db_default=False)),
                ('updated_by', fields.ForeignKeyField('models.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='insurer_accounts_updated', on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'insurer_account', 'app': 'models', 'unique_together': (('tenant', 'plugin'),), 'pk_attr': 'id', 'table_description': "The firm's online account (Onlinekonto) with the insurer behind one plug-in."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='InterfaceApplication',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plugin', fields.CharField(max_length=40)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='interface_applications', on_delete=OnDelete.CASCADE)),
                ('insured_object', fields.ForeignKeyField('models.InsuredObject', source_field='insured_object_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.CASCADE)),
                ('case', fields.ForeignKeyField('models.AdviceCase', source_field='case_id', null=True, db_constraint=True, to_field='id', related_name='interface_applications', on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharField(default='draft', db_default='draft', max_length=12)),
                ('step', fields.CharField(default='', db_default='', max_length=40)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('quote', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('agent_number', fields.CharField(default='', db_default='', max_length=40)),
                ('idempotency_key', fields.CharField(max_length=64)),
                ('external_id', fields.CharField(default='', db_default='', max_length=80)),
                ('paper', fields.ForeignKeyField('models.Document', source_field='paper_id', null=True, db_constraint=True, to_field='id', related_name='applications_filed', on_delete=OnDelete.SET_NULL)),
                ('signed_paper', fields.ForeignKeyField('models.Document', source_field='signed_paper_id', null=True, db_constraint=True, to_field='id', related_name='applications_signed', on_delete=OnDelete.SET_NULL)),
                ('signature', fields.CharField(default='', db_default='', max_length=8)),
                ('signature_record', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('signed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('contract', fields.ForeignKeyField('models.Contract', source_field='contract_id', null=True, db_constraint=True, to_field='id', related_name='interface_applications', on_delete=OnDelete.SET_NULL)),
                ('last_error', fields.TextField(default='', db_default='', unique=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='interface_applications', on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('finalized_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'interface_application', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'contact_id']), Index(fields=['tenant_id', 'insured_object_id'])], 'pk_attr': 'id', 'table_description': 'An application (Antrag) for an insured object through a plug-in: the answers of its'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='InterfaceCall',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('plugin', fields.CharField(max_length=40)),
                ('application', fields.ForeignKeyField('models.InterfaceApplication', source_field='application_id', null=True, db_constraint=True, to_field='id', related_name='calls', on_delete=OnDelete.CASCADE)),
                ('operation', fields.CharField(max_length=20)),
                ('method', fields.CharField(max_length=8)),
                ('url', fields.CharField(max_length=500)),
                ('attempt', fields.IntField(default=1, db_default=1)),
                ('status_code', fields.IntField(null=True)),
                ('request_body', fields.TextField(default='', db_default='', unique=False)),
                ('response_body', fields.TextField(default='', db_default='', unique=False)),
                ('error', fields.CharField(default='', db_default='', max_length=300)),
                ('duration_ms', fields.IntField(default=0, db_default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'interface_call', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'application_id']), Index(fields=['tenant_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One exchange with an insurer, kept for support: what was asked and answered (never'},
            bases=['TenantModel'],
        ),
    ]
