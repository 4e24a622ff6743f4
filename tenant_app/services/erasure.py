"""The data-protection rights on a contact: erasure (delete everything) and access (export).

"Everything" is what the database holds about the contact: the contact and its permissions,
responsibles and notices; its accounts with their sessions, links and login history; its
contracts and documents (ticket and chat attachments included) with their files; its tickets
and its chat with messages (internal notes marked), history and seats; and every mail to them
or about them in the outbox.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from tempfile import SpooledTemporaryFile
from typing import IO, Any

import anyio
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage, StorageFull, disk_full
from tenant_app.models.accounts import AccountLink, LoginRecord, Session, User
from tenant_app.models.contacts import Contact, ContactNotice, ContactResponsible
from tenant_app.models.conversations import (
    Conversation,
    ConversationEntry,
    ConversationEvent,
    ConversationParticipant,
)
from tenant_app.models.factors import KnownDevice
from tenant_app.models.folders import AuditEntry, Contract, CustomerAccess, Document
from tenant_app.models.households import ContactLink
from tenant_app.models.mail import OutboxMail
from tenant_app.models.push import PushSubscription
from tenant_app.permissions import can_manage_contacts, staff_may_read_folder
from tenant_app.schemas.people import CONTACT_FIELDS
from tenant_app.services import (
    activity_records,
    case_records,
    claim_records,
    erasure_retention,
    insured_object_records,
    invitations_records,
    leads_records,
    legal_records,
    offers_records,
    passkeys,
    second_factor,
    trust_records,
)
from tenant_app.services.erasure_plan import ErasurePlan, plan_erasure
from tenant_app.services.retention_rules import ErasureOutcome
from tenant_app.services.versions import claim
from tenant_app.settings import Settings
from tenant_app.text.formatting import local_today
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import FOLDERS

CONTACT_EXPORT_FIELDS = ("id", *CONTACT_FIELDS, "created_at", "updated_at")
ACCOUNT_EXPORT_FIELDS = (
    "id",
    "username",
    "email",
    "first_name",
    "last_name",
    "birthdate",
    "phone",
    "language",
    "is_active",
    "registration_sent_at",
    "last_login_at",
    "created_at",
)  # never the password hash
LINK_EXPORT_FIELDS = ("purpose", "created_at", "expires_at", "used_at", "revoked_at")  # no hash
MAIL_EXPORT_FIELDS = (
    "to_address",
    "subject",
    "kind",
    "status",
    "created_at",
    "sent_at",
    "text_body",
)


async def delete_contact(
    actor: CurrentUser,
    store: Storage,
    contact: Contact,
    *,
    confirmation: str,
    version: int | None = None,
    settings: Settings | None = None,
    today: date | None = None,
) -> ErasureOutcome:
    """Erase the contact: what no retention keeps goes at once, the rest is restricted until
    its period ends (everything, with no end, under a legal hold of the contact); an audit
    entry without personal data stays. With `version` (the API's If-Match), only if the
    contact is still at it, checked in the erasure's own transaction. With `settings`, the
    customer is told by mail what was deleted and what is kept until when."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    if confirmation.strip() != contact.last_name.strip():
        raise ValidationFailed({"confirm_text": _("Please type the last name exactly to confirm.")})
    async with in_transaction():
        # The contact's row locked (PostgreSQL) and still unrestricted: a second erasure at
        # once (two tabs, the contact page and a data request) finds nothing to do.
        locked = Contact.filter(id=contact.id, restricted_at=None).select_for_update()
        if await locked.first() is None:
            raise NotFound
        if version is not None:
            await claim(Contact, row_id=contact.id, version=version)
        # Planned inside the lock: a hold set meanwhile is seen.
        plan = await plan_erasure(contact, today=today or local_today())
        accounts = await User.filter(contact_id=contact.id)
        if plan.keeps_anything:
            keys = await erasure_retention.restrict_contact(actor, contact, plan, accounts)
        else:
            keys = await _delete_everything(actor, contact, plan, accounts)
        outcome = plan.outcome()
        if settings is not None:
            await erasure_retention.tell_customer(settings, contact, accounts, outcome)
    await remove_files(store, keys)
    return outcome


async def preview_erasure(actor: CurrentUser, contact: Contact) -> ErasureOutcome:
    """What an erasure would delete and keep today (the confirmation page)."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    return (await plan_erasure(contact, today=local_today())).outcome()


async def _delete_everything(
    actor: CurrentUser, contact: Contact, plan: ErasurePlan, accounts: list[User]
) -> list[str]:
    """Nothing must be kept: the contact with everything about it. The files to remove."""
    keys = [
        str(k)
        for k in await Document.filter(contact_id=contact.id).values_list("storage_key", flat=True)
    ]
    keys += await claim_records.stored_keys(contact.id)  # claims' photos and documents
    counts = plan.deleted
    counts["mails"] = await OutboxMail.filter(erasure_retention.mails_of(contact, accounts)).count()
    counts["cases"] = await erasure_retention.forget_around(actor, contact, accounts)
    counts["accounts"] = len(accounts)
    # The rest cascades: accounts (sessions, links, login history), responsibles, notices,
    # permissions, contracts, documents, tickets and the chat (entries, history, seats),
    # household links to and from it, its trusted persons with their trail, its events and
    # their notifications, its logins' notifications.
    await contact.delete()
    await AuditEntry.create(
        action="contact_deleted",
        actor_id=actor.id,
        subject_id=contact.id,
        details=" ".join(f"{name}={count}" for name, count in counts.items()),
    )
    return keys


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(model: Any, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    names = fields or tuple(model._meta.db_fields)
    return {name: _jsonable(getattr(model, name)) for name in names if hasattr(model, name)}


def _archive_name(document: Document | claim_records.ArchivedFile) -> str:
    return f"files/{document.id}_{document.filename}"


async def _names(user_ids: Iterable[int | None]) -> dict[int, str]:
    """Display names of the staff and customers named in the data (deleted ones are missing)."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    users = await User.filter(id__in=wanted) if wanted else []
    return {user.id: user.full_name for user in users}


async def _account_data(accounts: list[User]) -> list[dict[str, Any]]:
    """Each account with its login history, open sessions and e-mailed links."""
    ids = [account.id for account in accounts]
    logins = await LoginRecord.filter(user_id__in=ids).order_by("created_at", "id")
    sessions = await Session.filter(user_id__in=ids).order_by("created_at")
    links = await AccountLink.filter(user_id__in=ids).order_by("created_at", "id")
    devices = await KnownDevice.filter(user_id__in=ids).order_by("first_seen_at", "id")
    pushed = await PushSubscription.filter(user_id__in=ids).order_by("created_at", "id")
    factors = await second_factor.export_of(ids)  # that they exist, never secrets or hashes
    keys = await passkeys.export_of(ids)  # names and dates, never a key
    manages = await ContactLink.filter(user_id__in=ids).prefetch_related("contact").order_by("id")
    return [
        {
            **_row(account, ACCOUNT_EXPORT_FIELDS),
            "login_history": [
                _row(login, ("created_at", "client", "user_agent"))
                for login in logins
                if login.user_id == account.id
            ],
            "sessions": [
                _row(session, ("created_at", "last_seen_at", "user_agent"))
                for session in sessions
                if session.user_id == account.id
            ],
            "links": [
                _row(link, LINK_EXPORT_FIELDS) for link in links if link.user_id == account.id
            ],
            "known_devices": [
                _row(device, ("first_seen_at", "last_seen_at", "user_agent"))
                for device in devices
                if device.user_id == account.id
            ],
            "push_devices": [  # the browser and dates, never its push address or keys
                _row(device, ("created_at", "last_sent_at", "user_agent"))
                for device in pushed
                if device.user_id == account.id
            ],
            "second_factor": factors[account.id],
            "passkeys": keys[account.id],
            # Household: the other contacts whose folders this login manages.
            "manages_contacts": [
                {"contact": link.contact.full_name, **_row(link, ("consent_note", "created_at"))}
                for link in manages
                if link.user_id == account.id
            ],
        }
        for account in accounts
    ]


async def _ticket_data(
    contact: Contact, attachments: dict[int, str], *, kind: str = "ticket"
) -> list[dict[str, Any]]:
    """Each ticket (or the chat) with its messages (and attachments in the archive), history
    and seats."""
    tickets = await Conversation.filter(contact_id=contact.id, kind=kind).order_by("id")
    ids = [ticket.id for ticket in tickets]
    entries = await ConversationEntry.filter(conversation_id__in=ids).order_by("created_at", "id")
    events = await ConversationEvent.filter(conversation_id__in=ids).order_by("created_at", "id")
    seats = await ConversationParticipant.filter(conversation_id__in=ids).order_by("id")
    names = await _names(
        [t.responsible_id for t in tickets]
        + [e.author_id for e in entries]
        + [s.user_id for s in seats]
    )
    return [
        {
            **_row(ticket, ("id", "subject", "status", "created_at", "last_entry_at", "closed_at")),
            "responsible": names.get(ticket.responsible_id or 0, ""),
            "messages": [
                {
                    **_row(entry, ("created_at", "by_customer", "internal", "body")),
                    "author": names.get(entry.author_id or 0, ""),
                    "attachment": attachments.get(entry.document_id or 0),
                }
                for entry in entries
                if entry.conversation_id == ticket.id
            ],
            "history": [
                _row(
                    event,
                    ("created_at", "kind", "actor_name", "target_name", "comment", "internal"),
                )
                for event in events
                if event.conversation_id == ticket.id
            ],
            "participants": [
                {"name": names.get(seat.user_id, ""), "role": seat.role, "read": seat.read_count}
                for seat in seats
                if seat.conversation_id == ticket.id
            ],
        }
        for ticket in tickets
    ]


async def _contact_data(contact: Contact, documents: list[Document]) -> dict[str, Any]:
    access = await CustomerAccess.get_or_none(contact_id=contact.id)
    accounts = await User.filter(contact_id=contact.id).order_by("id")
    responsibles = await ContactResponsible.filter(contact_id=contact.id).order_by("id")
    notices = await ContactNotice.filter(contact_id=contact.id).order_by("created_at", "id")
    mails = await OutboxMail.filter(erasure_retention.mails_of(contact, accounts)).order_by(
        "created_at", "id"
    )
    managers = (
        await ContactLink.filter(contact_id=contact.id).prefetch_related("user").order_by("id")
    )
    staff_names = await _names(
        [r.user_id for r in responsibles] + [m.created_by_id for m in managers]
    )
    attachments = {document.id: _archive_name(document) for document in documents}
    return {
        "contact": _row(contact, CONTACT_EXPORT_FIELDS),
        "permissions": _row(access) if access else None,
        "responsible_staff": [staff_names.get(r.user_id, "") for r in responsibles],
        "notices": [
            _row(notice, ("kind", "details", "created_at", "resolved_at")) for notice in notices
        ],
        "accounts": await _account_data(accounts),
        **await trust_records.export_of(contact.id, [a.id for a in accounts], attachments),
        # Household: the logins of others that manage this contact's folders, and its consent.
        "managed_by": [
            {
                "login": link.user.username,
                "name": link.user.full_name,
                "linked_by": staff_names.get(link.created_by_id or 0, ""),
                **_row(link, ("consent_note", "created_at")),
            }
            for link in managers
        ],
        "contracts": [
            _row(contract)
            for contract in await Contract.filter(contact_id=contact.id).order_by("id")
        ],
        "documents": [
            {**_row(document), "file_in_archive": _archive_name(document)} for document in documents
        ],
        "tickets": await _ticket_data(contact, attachments),
        "chats": await _ticket_data(contact, attachments, kind="chat"),  # archived ones too
        # Advice cases with their risks, and the jump-in links made into them.
        **await case_records.export_of(contact.id),
        # Its insured objects, the applications for them through insurer interfaces, their calls.
        **await insured_object_records.export_of(contact.id),
        # Claims he reported, with their photos and documents (in the archive's files/).
        **await claim_records.export_of(contact.id),
        # The prospect request it was made from (with the consent), and how many it recommended.
        **await leads_records.export_of(contact.id),
        # The offers it accepted in the portal (the text as shown) and those it asked for.
        **await offers_records.export_of(contact.id),
        # How it was invited to the portal (Sie or Du, what was shared, first information).
        **await invitations_records.export_of(contact.id),
        # Legal holds on it, its data-protection requests, consents, advice documentation.
        **await legal_records.export_of(contact.id),
        "mails": [_row(mail, MAIL_EXPORT_FIELDS) for mail in mails],
        # What happened about the contact (who at the broker's did what), what its logins were told.
        **await activity_records.export_of(contact.id, accounts),
    }


EXPORT_SPOOL_BYTES = 8 * 1024 * 1024  # an archive beyond this goes to a temporary file


async def export_contact(actor: CurrentUser, store: Storage, contact: Contact) -> IO[bytes]:
    """One ZIP with all data as JSON and every file; spooled to disk beyond a few MB.

    StorageFull (reason "export") if the disk cannot hold it; a failed export leaves no
    temporary file behind (it is closed, and so removed, whatever failed)."""
    # Everything means every folder: only someone who may read all of them may export.
    if not can_manage_contacts(actor) or not all(staff_may_read_folder(actor, f) for f in FOLDERS):
        raise PermissionDenied
    documents = await Document.filter(contact_id=contact.id).order_by("id")
    data = await _contact_data(contact, documents)
    archive_file = SpooledTemporaryFile(max_size=EXPORT_SPOOL_BYTES)  # noqa: SIM115
    try:
        claim_files = await claim_records.archived_files(contact.id)
        await _write_archive(archive_file, store, data, [*documents, *claim_files])
    except BaseException as error:
        archive_file.close()
        if disk_full(error):
            raise StorageFull(str(error), reason="export") from error
        raise
    archive_file.seek(0)
    return archive_file


async def _write_archive(
    archive_file: IO[bytes],
    store: Storage,
    data: dict[str, Any],
    documents: list[Document | claim_records.ArchivedFile],
) -> None:
    # Compressing and writing happen in worker threads: an archive of many documents takes
    # seconds, and the event loop serves everyone else meanwhile.
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = json.dumps(data, ensure_ascii=False, indent=2)
        await anyio.to_thread.run_sync(archive.writestr, "data.json", text)
        for document in documents:
            target = await anyio.to_thread.run_sync(archive.open, _archive_name(document), "w")
            try:
                async for chunk in store.open(document.storage_key):
                    await anyio.to_thread.run_sync(target.write, chunk)
            finally:
                await anyio.to_thread.run_sync(target.close)
