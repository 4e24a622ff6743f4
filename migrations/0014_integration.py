"""Integration with the broker's own systems: API tokens (each with its technical account),
idempotent requests, webhook endpoints with their deliveries and attempts, jump-in links, CSV
import jobs; advice cases (Vorgänge) with their risks; external ids (unique per tenant) on
contacts, contracts and documents; documents get a case and an update time (backfilled with
the upload time, so incremental sync sees every document once)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('models', '0013_broker_profile')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AdviceCase',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('product_lines', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='open', db_default='open', max_length=12)),
                ('description', fields.TextField(default='', db_default='', unique=False)),
                ('notes', fields.TextField(default='', db_default='', unique=False)),
                ('external_id', fields.CharField(null=True, max_length=100)),
                ('responsible', fields.ForeignKeyField('models.User', source_field='responsible_id', null=True, db_constraint=True, to_field='id', related_name='responsible_cases', on_delete=OnDelete.SET_NULL)),
                ('chosen_contract', fields.ForeignKeyField('models.Contract', source_field='chosen_contract_id', null=True, db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.SET_NULL)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='created_cases', on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'advice_case', 'app': 'models', 'unique_together': (('tenant', 'external_id'),), 'indexes': [Index(fields=['tenant_id', 'contact_id']), Index(fields=['tenant_id', 'updated_at'])], 'pk_attr': 'id', 'table_description': 'One advice for a contact (Vorgang): product lines, risk data, status, notes.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=100)),
                ('prefix', fields.CharField(max_length=16)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('scopes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='api_token', on_delete=OnDelete.CASCADE)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='created_api_tokens', on_delete=OnDelete.SET_NULL)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'api_token', 'app': 'models', 'unique_together': (('tenant', 'name'),), 'pk_attr': 'id', 'table_description': 'A tenant API token: shown once, kept as the sha256 of the secret. Each token acts as its'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='CaseRisk',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.AdviceCase', source_field='case_id', db_constraint=True, to_field='id', related_name='risks', on_delete=OnDelete.CASCADE)),
                ('product_line', fields.CharField(max_length=40)),
                ('label', fields.CharField(max_length=200)),
                ('attributes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'case_risk', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'case_id'])], 'pk_attr': 'id', 'table_description': 'A risk or insured object of a case (a car, a building, a person) with the attributes'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='IdempotentRequest',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token', fields.ForeignKeyField('models.ApiToken', source_field='token_id', db_constraint=True, to_field='id', related_name='idempotent_requests', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=200)),
                ('request_hash', fields.CharField(max_length=64)),
                ('status_code', fields.IntField(default=0, db_default=0)),
                ('response_body', fields.TextField(default='', db_default='', unique=False)),
                ('response_headers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'idempotent_request', 'app': 'models', 'unique_together': (('token', 'key'),), 'indexes': [Index(fields=['tenant_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'The answer to a POST with an Idempotency-Key, replayed for a retry with the same key'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ImportJob',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=12)),
                ('filename', fields.CharField(max_length=200)),
                ('storage_key', fields.CharField(max_length=200)),
                ('encoding', fields.CharField(default='', db_default='', max_length=20)),
                ('delimiter', fields.CharField(default='', db_default='', max_length=1)),
                ('mapping', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='uploaded', db_default='uploaded', max_length=10)),
                ('total_rows', fields.IntField(default=0, db_default=0)),
                ('done_rows', fields.IntField(default=0, db_default=0)),
                ('created_count', fields.IntField(default=0, db_default=0)),
                ('updated_count', fields.IntField(default=0, db_default=0)),
                ('failed_count', fields.IntField(default=0, db_default=0)),
                ('report', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='import_jobs', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'import_job', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A CSV import: the uploaded file, its column mapping, progress and the report.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='JumpLink',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='jump_links', on_delete=OnDelete.CASCADE)),
                ('target_type', fields.CharField(max_length=20)),
                ('target_id', fields.IntField()),
                ('created_by_token', fields.ForeignKeyField('models.ApiToken', source_field='created_by_token_id', null=True, db_constraint=True, to_field='id', related_name='jump_links', on_delete=OnDelete.CASCADE)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'jump_link', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A short-lived, single-use link the broker system asked for: it logs `user` into a'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('url', fields.CharField(max_length=500)),
                ('description', fields.CharField(default='', db_default='', max_length=200)),
                ('event_types', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('secret', fields.CharField(max_length=100)),
                ('is_active', fields.BooleanField(default=True, db_default=True)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('disabled_reason', fields.CharField(default='', db_default='', max_length=300)),
                ('failing_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='webhook_endpoints', on_delete=OnDelete.SET_NULL)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'webhook_endpoint', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Where the tenant wants events sent: a URL, the event types, and the signing secret.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('endpoint', fields.ForeignKeyField('models.WebhookEndpoint', source_field='endpoint_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('message_id', fields.CharField(max_length=40)),
                ('event_type', fields.CharField(max_length=40)),
                ('payload', fields.TextField(unique=False)),
                ('status', fields.CharField(default='pending', db_default='pending', max_length=10)),
                ('attempts', fields.IntField(default=0, db_default=0)),
                ('next_attempt_at', fields.BigIntField(default=0, db_default=0)),
                ('locked_until', fields.BigIntField(default=0, db_default=0)),
                ('last_status_code', fields.IntField(null=True)),
                ('last_error', fields.CharField(default='', db_default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['tenant_id', 'endpoint_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One event for one endpoint: written in the event transaction, sent by the background'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='WebhookAttempt',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('delivery', fields.ForeignKeyField('models.WebhookDelivery', source_field='delivery_id', db_constraint=True, to_field='id', related_name='tries', on_delete=OnDelete.CASCADE)),
                ('status_code', fields.IntField(null=True)),
                ('error', fields.CharField(default='', db_default='', max_length=500)),
                ('duration_ms', fields.IntField(default=0, db_default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'webhook_attempt', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'delivery_id'])], 'pk_attr': 'id', 'table_description': 'One try of a delivery, for the endpoint delivery log.'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Contact',
            name='external_id',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddConstraint(
            model_name='Contact',
            constraint=UniqueConstraint(fields=('tenant', 'external_id'), name=None),
        ),
        ops.AddField(
            model_name='Contract',
            name='external_id',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddConstraint(
            model_name='Contract',
            constraint=UniqueConstraint(fields=('tenant', 'external_id'), name=None),
        ),
        ops.AddField(
            model_name='Document',
            name='case',
            field=fields.ForeignKeyField('models.AdviceCase', source_field='case_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Document',
            name='external_id',
            field=fields.CharField(null=True, max_length=100),
        ),
        ops.AddField(
            model_name='Document',
            name='updated_at',
            field=fields.DatetimeField(null=True, auto_now=True, auto_now_add=False),
        ),
        ops.AddConstraint(
            model_name='Document',
            constraint=UniqueConstraint(fields=('tenant', 'external_id'), name=None),
        ),
        ops.RunSQL(
            "UPDATE document SET updated_at = created_at WHERE updated_at IS NULL",
            reverse_sql="SELECT 1",
        ),
        ops.RunSQL(
            "CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at)"
            " WHERE status = 'pending'",
            reverse_sql="DROP INDEX webhook_delivery_due",
        ),
    ]
