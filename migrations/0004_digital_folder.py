from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_branding_assets')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEntry',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('action', fields.CharField(max_length=40)),
                ('actor_id', fields.IntField(null=True)),
                ('subject_id', fields.IntField(null=True)),
                ('details', fields.CharField(default='', db_default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'audit_entry', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What happened, without personal data (erasure leaves this behind).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='CustomerAccess',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.OneToOneField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='access', on_delete=OnDelete.CASCADE)),
                ('insurance_unlock', fields.BooleanField(default=False, db_default=False)),
                ('insurance_share', fields.BooleanField(default=False, db_default=False)),
                ('insurance_readonly', fields.BooleanField(default=False, db_default=False)),
                ('finance_unlock', fields.BooleanField(default=False, db_default=False)),
                ('finance_share', fields.BooleanField(default=False, db_default=False)),
                ('finance_readonly', fields.BooleanField(default=False, db_default=False)),
                ('other_unlock', fields.BooleanField(default=False, db_default=False)),
                ('other_share', fields.BooleanField(default=False, db_default=False)),
                ('other_readonly', fields.BooleanField(default=False, db_default=False)),
                ('emergency_unlock', fields.BooleanField(default=False, db_default=False)),
                ('emergency_share', fields.BooleanField(default=False, db_default=False)),
                ('emergency_readonly', fields.BooleanField(default=False, db_default=False)),
                ('profile_visible', fields.BooleanField(default=False, db_default=False)),
                ('profile_editable', fields.BooleanField(default=False, db_default=False)),
                ('communication', fields.BooleanField(default=False, db_default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'customer_access', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Everything a customer may see and do, one row per contact. All off by default.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Insurer',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=200)),
                ('sort_key', fields.CharField(max_length=200)),
            ],
            options={'table': 'insurer', 'app': 'models', 'unique_together': (('tenant', 'name'),), 'indexes': [Index(fields=['tenant_id', 'sort_key'])], 'pk_attr': 'id', 'table_description': "The tenant's insurer catalogue: common German insurers, editable by the admin."},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Contract',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='contracts', on_delete=OnDelete.CASCADE)),
                ('folder', fields.CharField(max_length=12)),
                ('status', fields.CharField(max_length=12)),
                ('product_line', fields.CharField(max_length=100)),
                ('insurer', fields.ForeignKeyField('models.Insurer', source_field='insurer_id', null=True, db_constraint=True, to_field='id', related_name='contracts', on_delete=OnDelete.SET_NULL)),
                ('insurer_name', fields.CharField(max_length=200)),
                ('insurance_number', fields.CharField(max_length=60)),
                ('payment_method', fields.CharField(default='', db_default='', max_length=20)),
                ('payment_frequency', fields.CharField(default='', db_default='', max_length=20)),
                ('gross_premium', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('note', fields.TextField(default='', db_default='', unique=False)),
                ('created_by_customer', fields.BooleanField(default=False, db_default=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='created_contracts', on_delete=OnDelete.SET_NULL)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'contract', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'contact_id', 'folder'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Document',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('contract', fields.ForeignKeyField('models.Contract', source_field='contract_id', null=True, db_constraint=True, to_field='id', related_name='documents', on_delete=OnDelete.CASCADE)),
                ('folder', fields.CharField(default='', db_default='', max_length=12)),
                ('title', fields.CharField(max_length=200)),
                ('category', fields.CharField(default='', db_default='', max_length=40)),
                ('document_date', fields.DateField(null=True)),
                ('note', fields.TextField(default='', db_default='', unique=False)),
                ('filename', fields.CharField(max_length=200)),
                ('storage_key', fields.CharField(unique=True, max_length=200)),
                ('content_type', fields.CharField(max_length=100)),
                ('size', fields.BigIntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('shared_with_customer', fields.BooleanField(default=True, db_default=True)),
                ('uploaded_by_customer', fields.BooleanField(default=False, db_default=False)),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='uploaded_documents', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'document', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'contact_id', 'folder']), Index(fields=['tenant_id', 'contract_id'])], 'pk_attr': 'id', 'table_description': 'A file on a contract, or directly on a contact (then `folder` may name its folder).'},
            bases=['TenantModel'],
        ),
    ]
