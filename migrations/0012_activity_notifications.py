"""The event stream and notifications; when unread notifications are mailed; whether the
customer's access trail names staff. Two partial indexes (the same SQL on SQLite and
PostgreSQL): the unchecked customer actions, which every staff page's header counts, and
the unread, unmailed notifications the mail job looks through."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_accounts_factors_households')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Event',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=40)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.SET_NULL)),
                ('actor_kind', fields.CharField(max_length=10)),
                ('actor_name', fields.CharField(default='', db_default='', max_length=201)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('object_type', fields.CharField(default='', db_default='', max_length=20)),
                ('object_id', fields.IntField(null=True)),
                ('folder', fields.CharField(default='', db_default='', max_length=12)),
                ('title', fields.CharField(default='', db_default='', max_length=200)),
                ('changes', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('checked_by', fields.ForeignKeyField('models.User', source_field='checked_by_id', null=True, db_constraint=True, to_field='id', related_name='checked_events', on_delete=OnDelete.SET_NULL)),
                ('checked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'activity_event', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'contact_id', 'created_at']), Index(fields=['tenant_id', 'actor_kind', 'created_at']), Index(fields=['tenant_id', 'object_type', 'object_id'])], 'pk_attr': 'id', 'table_description': 'One thing that happened: who (a staff member, a customer or the system), to which'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('event', fields.ForeignKeyField('models.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('mailed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'notification', 'app': 'models', 'unique_together': (('tenant', 'user', 'event'),), 'indexes': [Index(fields=['tenant_id', 'user_id', 'read_at']), Index(fields=['tenant_id', 'user_id', 'id'])], 'pk_attr': 'id', 'table_description': 'An event told to one account: unread until read in the portal, and mailed when it'},
            bases=['TenantModel'],
        ),
        ops.AddField(
            model_name='Tenant',
            name='trail_shows_staff_names',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='User',
            name='notification_digest_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='notification_mail',
            field=fields.CharField(default='delayed', db_default='delayed', max_length=10),
        ),
        ops.RunSQL(
            "CREATE INDEX activity_event_unchecked ON activity_event (tenant_id, created_at)"
            " WHERE actor_kind = 'customer' AND checked_at IS NULL",
            reverse_sql="DROP INDEX activity_event_unchecked",
        ),
        ops.RunSQL(
            "CREATE INDEX notification_unmailed ON notification (created_at)"
            " WHERE read_at IS NULL AND mailed_at IS NULL",
            reverse_sql="DROP INDEX notification_unmailed",
        ),
    ]
