"""Legal duties (issue 23): the structured imprint and signature on the tenant, retention
restrictions and legal holds, data-protection requests, consent records, the AVV and its
acceptances, and the advice documentation of advice cases."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0019_insurer_interfaces')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AdviceRecord',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('models.AdviceCase', source_field='case_id', db_constraint=True, to_field='id', related_name='advice_records', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('wishes', fields.TextField(default='', db_default='', unique=False)),
                ('advice', fields.TextField(default='', db_default='', unique=False)),
                ('reasons', fields.TextField(default='', db_default='', unique=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_by', fields.ForeignKeyField('models.User', source_field='delivered_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('document', fields.ForeignKeyField('models.Document', source_field='document_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'advice_record', 'app': 'models', 'unique_together': (('case', 'number'),), 'pk_attr': 'id', 'table_description': "One version of an advice case's documentation (§§ 61, 62 VVG): the customer's wishes"},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ConsentRecord',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='consents', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=20)),
                ('text_version', fields.CharField(max_length=20)),
                ('given_by', fields.ForeignKeyField('models.User', source_field='given_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('given_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('withdrawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('withdrawn_by', fields.ForeignKeyField('models.User', source_field='withdrawn_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'consent_record', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'contact_id', 'kind'])], 'pk_attr': 'id', 'table_description': 'Consent to processing special categories of data (Art. 9 GDPR), e.g. health data for'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='DataRequest',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='data_requests', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=10)),
                ('status', fields.CharField(default='open', db_default='open', max_length=10)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('message', fields.TextField(default='', db_default='', unique=False)),
                ('due_on', fields.DateField()),
                ('handled_by', fields.ForeignKeyField('models.User', source_field='handled_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('handled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.TextField(default='', db_default='', unique=False)),
                ('export_key', fields.CharField(null=True, max_length=200)),
                ('export_size', fields.BigIntField(null=True)),
                ('export_expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('version', fields.IntField(default=1, db_default=1)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'data_request', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'status', 'due_on']), Index(fields=['tenant_id', 'contact_id'])], 'pk_attr': 'id', 'table_description': "A data subject's request (Art. 15 / 17 GDPR) made in the portal or noted by staff,"},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='DpaVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('version', fields.CharField(unique=True, max_length=20)),
                ('text', fields.TextField(unique=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('published_by_name', fields.CharField(default='', db_default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'dpa_version', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A version of the data-processing agreement (AVV, Art. 28 GDPR) the operator publishes'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DpaAcceptance',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('dpa', fields.ForeignKeyField('models.DpaVersion', source_field='dpa_id', db_constraint=True, to_field='id', related_name='acceptances', on_delete=OnDelete.RESTRICT)),
                ('accepted_by', fields.ForeignKeyField('models.User', source_field='accepted_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('accepted_by_name', fields.CharField(max_length=200)),
                ('accepted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'dpa_acceptance', 'app': 'models', 'unique_together': (('tenant', 'dpa'),), 'pk_attr': 'id', 'table_description': "A tenant admin's acceptance of one AVV version: who, when, which."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='LegalHold',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='legal_holds', on_delete=OnDelete.CASCADE)),
                ('document', fields.ForeignKeyField('models.Document', source_field='document_id', null=True, db_constraint=True, to_field='id', related_name='legal_holds', on_delete=OnDelete.CASCADE)),
                ('reason', fields.TextField(unique=False)),
                ('set_by', fields.ForeignKeyField('models.User', source_field='set_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('set_by_name', fields.CharField(default='', db_default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('released_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('released_by', fields.ForeignKeyField('models.User', source_field='released_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'legal_hold', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'contact_id', 'released_at'])], 'pk_attr': 'id', 'table_description': 'Stops every deletion of a contact (all that is theirs) or of one document while it'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='RetentionRule',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('retention_class', fields.CharField(max_length=40)),
                ('years', fields.IntField()),
                ('updated_by', fields.ForeignKeyField('models.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'retention_rule', 'app': 'models', 'unique_together': (('tenant', 'retention_class'),), 'pk_attr': 'id', 'table_description': "A tenant's own period for one retention class, longer than the legal minimum."},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Contact',
            name='delete_after',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Contact',
            name='relationship_ended_on',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Contact',
            name='restricted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Contract',
            name='delete_after',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Contract',
            name='restricted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Conversation',
            name='delete_after',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Conversation',
            name='restricted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Document',
            name='delete_after',
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name='Document',
            name='restricted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_board_chair',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_chamber_address',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_holdings',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_partner_name',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_partner_register_court',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_partner_representatives',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_partner_seat',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_partner_trade_register',
            field=fields.CharField(default='', db_default='', max_length=40),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_register_court',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_representatives',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_seat',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_trade_register',
            field=fields.CharField(default='', db_default='', max_length=40),
        ),
        ops.AddField(
            model_name='Tenant',
            name='broker_vat_id',
            field=fields.CharField(default='', db_default='', max_length=20),
        ),
    ]
