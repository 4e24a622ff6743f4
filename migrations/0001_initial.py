from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='RateCounter',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=200)),
                ('count', fields.IntField(default=0)),
                ('window_start', fields.BigIntField()),
            ],
            options={'table': 'rate_counter', 'app': 'models', 'pk_attr': 'key', 'table_description': 'Attempts per key in a fixed window. Keys embed the tenant id where they need one.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Tenant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=63)),
                ('name', fields.CharField(max_length=200)),
                ('theme', fields.CharField(default='default', db_default='default', max_length=40)),
                ('primary_color', fields.CharField(null=True, max_length=7)),
                ('secondary_color', fields.CharField(null=True, max_length=7)),
                ('text_color', fields.CharField(null=True, max_length=7)),
                ('logo_key', fields.CharField(null=True, max_length=200)),
                ('address_form', fields.CharField(default='sie', db_default='sie', max_length=3)),
                ('imprint_html', fields.TextField(default='', db_default='', unique=False)),
                ('signature_html', fields.TextField(default='', db_default='', unique=False)),
                ('is_active', fields.BooleanField(default=True, db_default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tenant', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TenantHost',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('hostname', fields.CharField(unique=True, max_length=253)),
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_constraint=True, to_field='id', related_name='hosts', on_delete=OnDelete.CASCADE)),
                ('is_primary', fields.BooleanField(default=True, db_default=True)),
            ],
            options={'table': 'tenant_host', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A host name that serves a tenant: `<slug>.<BASE_DOMAIN>` now, own domains later.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(default='staff', max_length=10)),
                ('role', fields.CharField(default='mitarbeiter', max_length=20)),
                ('username', fields.CharField(max_length=80)),
                ('email', fields.CharField(max_length=254)),
                ('first_name', fields.CharField(max_length=100)),
                ('last_name', fields.CharField(max_length=100)),
                ('birthdate', fields.DateField(null=True)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
                ('language', fields.CharField(null=True, max_length=5)),
                ('is_active', fields.BooleanField(default=True, db_default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'user_account', 'app': 'models', 'unique_together': (('tenant', 'username'), ('tenant', 'email')), 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('csrf_token', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('user_agent', fields.CharField(default='', db_default='', max_length=200)),
            ],
            options={'table': 'login_session', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'user_id'])], 'pk_attr': 'id', 'table_description': 'A login. The cookie carries a signed random id, the table only its SHA-256.'},
            bases=['TenantModel'],
        ),
    ]
