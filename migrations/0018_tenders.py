"""Tenders (issue 19): backoffices at platform level with their members, tenants'
engagements of them, tenders with their frozen risk, the offers of a case (one shape for
every source), backoffice messages in tender conversations, the platform's own space
(a tenant row marked is_platform) and what a tender's chosen offer becomes."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0017_chat')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Backoffice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=200)),
                ('legal_form', fields.CharField(default='', db_default='', max_length=60)),
                ('email', fields.CharField(default='', db_default='', max_length=254)),
                ('service_days', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('is_active', fields.BooleanField(default=True, db_default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'backoffice', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An outside service company that collects insurer offers for the tenants engaging it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BackofficeEngagement',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('backoffice', fields.ForeignKeyField('models.Backoffice', source_field='backoffice_id', db_constraint=True, to_field='id', related_name='engagements', on_delete=OnDelete.CASCADE)),
                ('started_by', fields.ForeignKeyField('models.User', source_field='started_by_id', null=True, db_constraint=True, to_field='id', related_name='backoffice_engagements', on_delete=OnDelete.SET_NULL)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'backoffice_engagement', 'app': 'models', 'unique_together': (('tenant', 'backoffice'),), 'indexes': [Index(fields=['backoffice_id', 'ended_at'])], 'pk_attr': 'id', 'table_description': 'A tenant works with a backoffice from `started_at` until `ended_at` (None: still).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='BackofficeMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('backoffice', fields.ForeignKeyField('models.Backoffice', source_field='backoffice_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='backoffice_membership', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'backoffice_member', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A platform login (of kind backoffice) working for one backoffice.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tender',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.AdviceCase', source_field='case_id', db_constraint=True, to_field='id', related_name='tenders', on_delete=OnDelete.CASCADE)),
                ('product_line', fields.CharField(max_length=40)),
                ('backoffice', fields.ForeignKeyField('models.Backoffice', source_field='backoffice_id', db_constraint=True, to_field='id', related_name='tenders', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharField(default='new', db_default='new', max_length=12)),
                ('reason', fields.TextField(default='', db_default='', unique=False)),
                ('snapshot', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('snapshot_hash', fields.CharField(max_length=64)),
                ('insurers_asked', fields.IntField(default=0, db_default=0)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('assignee', fields.ForeignKeyField('models.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='assigned_tenders', on_delete=OnDelete.SET_NULL)),
                ('conversation', fields.ForeignKeyField('models.Conversation', source_field='conversation_id', null=True, db_constraint=True, to_field='id', related_name='tenders', on_delete=OnDelete.SET_NULL)),
                ('broker_read_count', fields.IntField(default=0, db_default=0)),
                ('backoffice_read_count', fields.IntField(default=0, db_default=0)),
                ('started_by', fields.ForeignKeyField('models.User', source_field='started_by_id', null=True, db_constraint=True, to_field='id', related_name='started_tenders', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tender', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'case_id']), Index(fields=['backoffice_id', 'status', 'due_at'])], 'pk_attr': 'id', 'table_description': 'A product line of an advice case handed to a backoffice, with its risk frozen.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='CaseOffer',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.AdviceCase', source_field='case_id', db_constraint=True, to_field='id', related_name='offers', on_delete=OnDelete.CASCADE)),
                ('product_line', fields.CharField(max_length=40)),
                ('tender', fields.ForeignKeyField('models.Tender', source_field='tender_id', null=True, db_constraint=True, to_field='id', related_name='offers', on_delete=OnDelete.CASCADE)),
                ('source', fields.CharField(max_length=10)),
                ('insurer_name', fields.CharField(max_length=200)),
                ('insurer_legal_form', fields.CharField(default='', db_default='', max_length=60)),
                ('tariff', fields.CharField(default='', db_default='', max_length=200)),
                ('premium', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('payment_frequency', fields.CharField(max_length=12)),
                ('deductible', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('sum_insured', fields.DecimalField(null=True, max_digits=14, decimal_places=2)),
                ('cover_points', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('valid_until', fields.DateField(null=True)),
                ('status', fields.CharField(default='released', db_default='released', max_length=10)),
                ('document', fields.ForeignKeyField('models.Document', source_field='document_id', null=True, db_constraint=True, to_field='id', related_name='case_offers', on_delete=OnDelete.SET_NULL)),
                ('proposal', fields.ForeignKeyField('models.Document', source_field='proposal_id', null=True, db_constraint=True, to_field='id', related_name='proposed_offers', on_delete=OnDelete.SET_NULL)),
                ('cover_order', fields.ForeignKeyField('models.Document', source_field='cover_order_id', null=True, db_constraint=True, to_field='id', related_name='ordered_offers', on_delete=OnDelete.SET_NULL)),
                ('contract', fields.ForeignKeyField('models.Contract', source_field='contract_id', null=True, db_constraint=True, to_field='id', related_name='case_offers', on_delete=OnDelete.SET_NULL)),
                ('entered_by', fields.ForeignKeyField('models.User', source_field='entered_by_id', null=True, db_constraint=True, to_field='id', related_name='entered_offers', on_delete=OnDelete.SET_NULL)),
                ('released_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('chosen_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'case_offer', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'case_id']), Index(fields=['tenant_id', 'tender_id'])], 'pk_attr': 'id', 'table_description': "An insurer's offer for a product line of a case: premium, deductible, cover, validity."},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='ConversationEntry',
            name='from_backoffice',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='is_platform',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='tender_contract_status',
            field=fields.CharField(default='start', db_default='start', max_length=12),
        ),
    ]
