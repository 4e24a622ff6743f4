"""Hardening: edit versions, notices and login history, internal ticket events, mail owners.

Edit forms carry `version` and a stale save is refused. A `contact_notice` tells staff of a
link that died from wrong PINs or a mail that bounced. `login_record` keeps successful logins
for the export. The outbox records whom a mail concerns, so erasure and bounces can find it.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_user_account_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ContactNotice',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=30)),
                ('details', fields.CharField(default='', db_default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'contact_notice', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'contact_id'])], 'pk_attr': 'id', 'table_description': 'Something staff must act on for a contact: a link died from wrong PINs, a mail bounced.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='LoginRecord',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='login_records', on_delete=OnDelete.CASCADE)),
                ('client', fields.CharField(default='', db_default='', max_length=64)),
                ('user_agent', fields.CharField(default='', db_default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'login_record', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'user_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "A successful login, kept for the user's own history and the data export."},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Contact',
            name='country',
            field=fields.CharField(default='DE', db_default='DE', max_length=2),
        ),
        ops.AddField(
            model_name='Contact',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='Contract',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='ConversationEvent',
            name='internal',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='CustomerAccess',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='Document',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
        ops.AddField(
            model_name='OutboxMail',
            name='contact_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='OutboxMail',
            name='kind',
            field=fields.CharField(default='', db_default='', max_length=40),
        ),
        ops.AddField(
            model_name='OutboxMail',
            name='user_id',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='OutboxMail',
            index=Index(fields=['tenant_id', 'contact_id']),
        ),
        ops.AddField(
            model_name='User',
            name='last_login_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='must_change_password',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='User',
            name='version',
            field=fields.IntField(default=1, db_default=1),
        ),
    ]
