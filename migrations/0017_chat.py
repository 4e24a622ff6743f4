"""Chat (issue 21): one chat per contact (conversations of kind chat, unique by
chat_contact_id), its entries with the sender's own key, their position and staff-only
notes, the participants' delivered counter, the tenant's transcript switch, the staff
right Chat, and claim files only staff see (a transcript filed at a claim). Existing
tenants get the chat module, and staff who handle tickets the chat right, so that an office
that talked with its customers by tickets can chat at once."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

BACKFILL = (
    "UPDATE tenant SET modules = CASE WHEN modules = '' THEN 'chat'"
    " ELSE modules || ',chat' END;"
    " UPDATE user_account SET handles_chat = handles_tickets WHERE kind = 'staff'"
)


async def chat_for_all(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(BACKFILL)


async def leave_as_is(apps, schema_editor) -> None:
    """Going back keeps the module lists; the right's column goes with this migration."""


class Migration(migrations.Migration):
    dependencies = [('models', '0016_engagement')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Conversation',
            name='chat_contact_id',
            field=fields.IntField(null=True),
        ),
        ops.AddIndex(
            model_name='Conversation',
            index=Index(fields=['tenant_id', 'kind', 'status', 'last_entry_at']),
        ),
        ops.AddConstraint(
            model_name='Conversation',
            constraint=UniqueConstraint(fields=('tenant', 'chat_contact_id'), name=None),
        ),
        ops.AddField(
            model_name='ConversationEntry',
            name='client_key',
            field=fields.CharField(null=True, max_length=36),
        ),
        ops.AddField(
            model_name='ConversationEntry',
            name='internal',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='ConversationEntry',
            name='seq',
            field=fields.IntField(null=True),
        ),
        ops.AddConstraint(
            model_name='ConversationEntry',
            constraint=UniqueConstraint(fields=('conversation', 'client_key'), name=None),
        ),
        ops.AddField(
            model_name='ConversationParticipant',
            name='delivered_count',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Tenant',
            name='chat_transcripts',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddField(
            model_name='User',
            name='handles_chat',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='ClaimFile',
            name='staff_only',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.RunPython(chat_for_all, leave_as_is),
    ]
