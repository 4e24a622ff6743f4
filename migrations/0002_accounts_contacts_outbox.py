from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountLink',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='links', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('purpose', fields.CharField(max_length=10)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('wrong_pins', fields.IntField(default=0, db_default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'account_link', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A single-use e-mailed link (registration or password reset), stored as a hash only.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Contact',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('first_name', fields.CharField(max_length=100)),
                ('last_name', fields.CharField(max_length=100)),
                ('birthdate', fields.DateField()),
                ('email', fields.CharField(max_length=254)),
                ('company_name', fields.CharField(default='', db_default='', max_length=200)),
                ('legal_form', fields.CharField(default='', db_default='', max_length=40)),
                ('street', fields.CharField(default='', db_default='', max_length=200)),
                ('postal_code', fields.CharField(default='', db_default='', max_length=10)),
                ('city', fields.CharField(default='', db_default='', max_length=100)),
                ('phone', fields.CharField(default='', db_default='', max_length=40)),
                ('customer_number', fields.CharField(default='', db_default='', max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'contact', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'last_name', 'first_name']), Index(fields=['tenant_id', 'email'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ContactResponsible',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='responsibles', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='responsible_for', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'contact_responsible', 'app': 'models', 'unique_together': (('contact', 'user'),), 'pk_attr': 'id', 'table_description': 'A staff member responsible for a contact (Betreuer).'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='OutboxMail',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('to_address', fields.CharField(max_length=254)),
                ('subject', fields.CharField(max_length=250)),
                ('text_body', fields.TextField(unique=False)),
                ('html_body', fields.TextField(unique=False)),
                ('status', fields.CharField(default='pending', db_default='pending', max_length=10)),
                ('attempts', fields.IntField(default=0, db_default=0)),
                ('next_attempt_at', fields.BigIntField(default=0, db_default=0)),
                ('locked_until', fields.BigIntField(default=0, db_default=0)),
                ('locked_by', fields.CharField(default='', db_default='', max_length=40)),
                ('last_error', fields.CharField(default='', db_default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_mail', 'app': 'models', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='User',
            name='access_emergency',
            field=fields.CharField(default='none', db_default='none', max_length=5),
        ),
        ops.AddField(
            model_name='User',
            name='access_finance',
            field=fields.CharField(default='none', db_default='none', max_length=5),
        ),
        ops.AddField(
            model_name='User',
            name='access_insurance',
            field=fields.CharField(default='none', db_default='none', max_length=5),
        ),
        ops.AddField(
            model_name='User',
            name='access_other',
            field=fields.CharField(default='none', db_default='none', max_length=5),
        ),
        ops.AddField(
            model_name='User',
            name='contact',
            field=fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='accounts', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='User',
            name='handles_tickets',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='User',
            name='manages_contacts',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='User',
            name='manages_settings',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='User',
            name='manages_users',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='User',
            name='registration_sent_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='sees_all_contacts',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
