"""Customer engagement (issue 17): invitations and their batches, offer acceptances and offer
requests, claims with their files, prospects from the public page, web push subscriptions and
the installation's VAPID key. The tenant gets its switchable modules, what an accepted offer
becomes, the recommended categories to share, the broker's status and chamber for the first
information, and a claim counter. Accounts get their registration time, their own form of
address, whether they hear of new prospects, and for staff a photo for the advisor card. Contracts get an offer's validity date, and
tickets what they are about (an offer or a claim). Every new column has a default or is
nullable, so existing rows need no backfill."""


from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0015_sync_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Claim',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('number', fields.CharField(max_length=20)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.CASCADE)),
                ('contract', fields.ForeignKeyField('models.Contract', source_field='contract_id', null=True, db_constraint=True, to_field='id', related_name='claims', on_delete=OnDelete.SET_NULL)),
                ('loss_date', fields.DateField()),
                ('kind', fields.CharField(max_length=20)),
                ('description', fields.TextField(unique=False)),
                ('location', fields.CharField(default='', db_default='', max_length=200)),
                ('status', fields.CharField(default='reported', db_default='reported', max_length=12)),
                ('note_to_customer', fields.TextField(default='', db_default='', unique=False)),
                ('responsible', fields.ForeignKeyField('models.User', source_field='responsible_id', null=True, db_constraint=True, to_field='id', related_name='responsible_claims', on_delete=OnDelete.SET_NULL)),
                ('reported_by', fields.ForeignKeyField('models.User', source_field='reported_by_id', null=True, db_constraint=True, to_field='id', related_name='reported_claims', on_delete=OnDelete.SET_NULL)),
                ('by_customer', fields.BooleanField(default=True, db_default=True)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'claim', 'app': 'models', 'unique_together': (('tenant', 'number'),), 'indexes': [Index(fields=['tenant_id', 'created_at']), Index(fields=['tenant_id', 'contact_id', 'created_at']), Index(fields=['tenant_id', 'status', 'responsible_id'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ClaimFile',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('claim', fields.ForeignKeyField('models.Claim', source_field='claim_id', db_constraint=True, to_field='id', related_name='files', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=10)),
                ('filename', fields.CharField(max_length=200)),
                ('storage_key', fields.CharField(unique=True, max_length=200)),
                ('thumbnail_key', fields.CharField(null=True, max_length=200)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.BigIntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='claim_files', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'claim_file', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'claim_id'])], 'pk_attr': 'id', 'table_description': 'A photo (re-encoded, with a thumbnail made once) or a document of a claim.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='InvitationBatch',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('started_by', fields.ForeignKeyField('models.User', source_field='started_by_id', null=True, db_constraint=True, to_field='id', related_name='invitation_batches', on_delete=OnDelete.SET_NULL)),
                ('options', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('contact_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('position', fields.IntField(default=0, db_default=0)),
                ('report', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='queued', db_default='queued', max_length=10)),
                ('heartbeat_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invitation_batch', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'status'])], 'pk_attr': 'id', 'table_description': 'Several contacts invited with one dialog, worked through in chunks with a progress.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('invited_by', fields.ForeignKeyField('models.User', source_field='invited_by_id', null=True, db_constraint=True, to_field='id', related_name='invitations_sent', on_delete=OnDelete.SET_NULL)),
                ('batch', fields.ForeignKeyField('models.InvitationBatch', source_field='batch_id', null=True, db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.SET_NULL)),
                ('address_form', fields.CharField(max_length=3)),
                ('share_mode', fields.CharField(max_length=10)),
                ('categories', fields.CharField(default='', db_default='', max_length=300)),
                ('first_information', fields.ForeignKeyField('models.Document', source_field='first_information_id', null=True, db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.SET_NULL)),
                ('mail_id', fields.IntField(null=True)),
                ('first_information_opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'invitation', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'contact_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'One invitation of a contact to the portal: how it was sent and what became of it.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Lead',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('first_name', fields.CharField(max_length=100)),
                ('last_name', fields.CharField(max_length=100)),
                ('email', fields.CharField(max_length=254)),
                ('phone', fields.CharField(default='', db_default='', max_length=40)),
                ('interest', fields.CharField(max_length=100)),
                ('message', fields.TextField(default='', db_default='', unique=False)),
                ('consent_text', fields.TextField(unique=False)),
                ('client', fields.CharField(default='', db_default='', max_length=64)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('confirmed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='pending', db_default='pending', max_length=10)),
                ('referred_by', fields.ForeignKeyField('models.Contact', source_field='referred_by_id', null=True, db_constraint=True, to_field='id', related_name='referrals', on_delete=OnDelete.SET_NULL)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='leads', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'lead', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'status', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A prospect (Interessent): unconfirmed until the opt-in link in the mail is opened.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='OfferAcceptance',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contract', fields.ForeignKeyField('models.Contract', source_field='contract_id', db_constraint=True, to_field='id', related_name='acceptances', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='offer_acceptances', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='offer_acceptances', on_delete=OnDelete.SET_NULL)),
                ('user_name', fields.CharField(max_length=201)),
                ('text', fields.TextField(unique=False)),
                ('client', fields.CharField(default='', db_default='', max_length=64)),
                ('user_agent', fields.CharField(default='', db_default='', max_length=200)),
                ('new_status', fields.CharField(max_length=12)),
                ('receipt', fields.ForeignKeyField('models.Document', source_field='receipt_id', null=True, db_constraint=True, to_field='id', related_name='offer_receipts', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'offer_acceptance', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'contract_id'])], 'pk_attr': 'id', 'table_description': 'A customer accepted an offer: exactly what they were shown, who, when, from where.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='OfferRequest',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='offer_requests', on_delete=OnDelete.CASCADE)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='offer_requests', on_delete=OnDelete.SET_NULL)),
                ('product_line', fields.CharField(max_length=100)),
                ('description', fields.TextField(unique=False)),
                ('status', fields.CharField(default='open', db_default='open', max_length=10)),
                ('conversation', fields.ForeignKeyField('models.Conversation', source_field='conversation_id', null=True, db_constraint=True, to_field='id', related_name='offer_requests', on_delete=OnDelete.SET_NULL)),
                ('offer', fields.ForeignKeyField('models.Contract', source_field='offer_id', null=True, db_constraint=True, to_field='id', related_name='offer_requests', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'offer_request', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'status', 'created_at']), Index(fields=['tenant_id', 'contact_id'])], 'pk_attr': 'id', 'table_description': 'A customer asks for an offer for a product line: staff answer it with an offer.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='PushSubscription',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='push_subscriptions', on_delete=OnDelete.CASCADE)),
                ('endpoint', fields.CharField(max_length=1000)),
                ('endpoint_hash', fields.CharField(max_length=64)),
                ('p256dh', fields.CharField(max_length=200)),
                ('auth', fields.CharField(max_length=100)),
                ('user_agent', fields.CharField(default='', db_default='', max_length=200)),
                ('failures', fields.IntField(default=0, db_default=0)),
                ('last_sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'push_subscription', 'app': 'models', 'unique_together': (('tenant', 'endpoint_hash'),), 'indexes': [Index(fields=['tenant_id', 'user_id'])], 'pk_attr': 'id', 'table_description': 'A browser of an account that receives its notifications as push messages.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='VapidKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('private_key', fields.TextField(unique=False)),
                ('public_key', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'vapid_key', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The one VAPID key pair of this installation, made on first use (every tenant).'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Contract',
            name='valid_until',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Conversation',
            name='claim',
            field=fields.ForeignKeyField('models.Claim', source_field='claim_id', null=True, db_constraint=True, to_field='id', related_name='conversations', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Conversation',
            name='contract',
            field=fields.ForeignKeyField('models.Contract', source_field='contract_id', null=True, db_constraint=True, to_field='id', related_name='conversations', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_chamber',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_status',
            field=fields.CharField(default='makler', db_default='makler', max_length=20),
        ),
        ops.AddField(
            model_name='Tenant',
            name='claim_counter',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Tenant',
            name='modules',
            field=fields.CharField(default='offers,claims,first_information,push', db_default='offers,claims,first_information,push', max_length=200),
        ),
        ops.AddField(
            model_name='Tenant',
            name='offer_accepted_status',
            field=fields.CharField(default='active', db_default='active', max_length=12),
        ),
        ops.AddField(
            model_name='Tenant',
            name='recommended_categories',
            field=fields.CharField(default='policy,invoice', db_default='policy,invoice', max_length=300),
        ),
        ops.AddField(
            model_name='User',
            name='address_form',
            field=fields.CharField(null=True, max_length=3),
        ),
        ops.AddField(
            model_name='User',
            name='photo_key',
            field=fields.CharField(null=True, max_length=200),
        ),
        ops.AddField(
            model_name='User',
            name='receives_leads',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='User',
            name='registered_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
