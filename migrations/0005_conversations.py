from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_digital_folder')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Conversation',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(default='ticket', db_default='ticket', max_length=12)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_constraint=True, to_field='id', related_name='conversations', on_delete=OnDelete.CASCADE)),
                ('subject', fields.CharField(max_length=200)),
                ('status', fields.CharField(default='open', db_default='open', max_length=10)),
                ('responsible', fields.ForeignKeyField('models.User', source_field='responsible_id', null=True, db_constraint=True, to_field='id', related_name='responsible_conversations', on_delete=OnDelete.SET_NULL)),
                ('entry_count', fields.IntField(default=0, db_default=0)),
                ('last_entry_by_customer', fields.BooleanField(default=False, db_default=False)),
                ('last_entry_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'conversation', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'status', 'responsible_id']), Index(fields=['tenant_id', 'contact_id'])], 'pk_attr': 'id'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ConversationEntry',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('conversation', fields.ForeignKeyField('models.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='conversation_entries', on_delete=OnDelete.SET_NULL)),
                ('by_customer', fields.BooleanField(default=False, db_default=False)),
                ('body', fields.TextField(unique=False)),
                ('document', fields.ForeignKeyField('models.Document', source_field='document_id', null=True, db_constraint=True, to_field='id', related_name='conversation_entries', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'conversation_entry', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'conversation_id'])], 'pk_attr': 'id', 'table_description': 'One message: plain text (escaped and autolinked on output), maybe with a document.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ConversationEvent',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('conversation', fields.ForeignKeyField('models.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=12)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='conversation_events', on_delete=OnDelete.SET_NULL)),
                ('actor_name', fields.CharField(max_length=200)),
                ('target_name', fields.CharField(default='', db_default='', max_length=200)),
                ('comment', fields.TextField(default='', db_default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'conversation_event', 'app': 'models', 'indexes': [Index(fields=['tenant_id', 'conversation_id'])], 'pk_attr': 'id', 'table_description': 'The history (Historie): every event as its own row, never reconstructed.'},
            bases=['TenantModel'],
        ),
        ops.CreateModel(
            name='ConversationParticipant',
            fields=[
                ('tenant', fields.ForeignKeyField('models.Tenant', source_field='tenant_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('conversation', fields.ForeignKeyField('models.Conversation', source_field='conversation_id', db_constraint=True, to_field='id', related_name='participants', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='conversation_seats', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharField(max_length=10)),
                ('read_count', fields.IntField(default=0, db_default=0)),
            ],
            options={'table': 'conversation_participant', 'app': 'models', 'unique_together': (('conversation', 'user'),), 'indexes': [Index(fields=['tenant_id', 'user_id'])], 'pk_attr': 'id', 'table_description': 'Who takes part, and how far they have read (entries read = read_count).'},
            bases=['TenantModel'],
        ),
    ]
