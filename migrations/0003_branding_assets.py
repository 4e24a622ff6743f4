from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_accounts_contacts_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='TenantAsset',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=20)),
                ('content_type', fields.CharField(max_length=50)),
                ('sha256', fields.CharField(max_length=64)),
                ('data', fields.BinaryField()),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tenant_asset', 'app': 'models', 'unique_together': (('tenant', 'kind'),), 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Tenant',
            name='favicon_key',
            field=fields.CharField(null=True, max_length=200),
        ),
    ]
