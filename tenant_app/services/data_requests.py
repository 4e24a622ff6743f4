"""Data-protection requests (Art. 15 and 17 GDPR): a customer asks in the portal for a copy of
his data or for their erasure; staff who manage contacts handle it within one month
(Art. 12 (3)): they build the archive (the same as the staff export), erase (the contact
erasure, which keeps what the law requires) or refuse with a reason the customer reads.

One open request per kind and contact. Any login that sees a contact in the portal may ask
for its copy; only the contact's own login may ask for its erasure (a household login manages
folders, it does not decide about someone else's data). A copy is offered for
EXPORT_KEPT_DAYS, then housekeeping removes it. The pages' reads: data_request_pages.py.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import BinaryIO, cast

from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage, new_key, storage_for
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import AuditEntry
from tenant_app.models.legal import DataRequest
from tenant_app.models.scoping import current_tenant_id
from tenant_app.permissions import can_manage_contacts, is_customer, staff_may_read_folder
from tenant_app.services import erasure, events
from tenant_app.services.contacts import of_visible_contacts
from tenant_app.settings import Settings
from tenant_app.text.formatting import local_today
from tenant_app.text.i18n import addressed
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import DATA_REQUEST_KINDS, FOLDERS

EXPORT_KEPT_DAYS = 30  # the archive is offered in the portal this long
MESSAGE_MAX = 2000  # characters of the customer's message or staff's reason
# The event's title (stored, shown in either language): the legal term with its article.
TITLES = {"export": "Auskunft (Art. 15 DSGVO)", "erasure": "Löschung (Art. 17 DSGVO)"}


class AlreadyOpen(Exception):
    """The contact has an open request of this kind: the portal shows it instead."""

    def __init__(self, request: DataRequest) -> None:
        super().__init__(request.id)
        self.request = request


def one_month_after(day: date) -> date:
    """The same day of the next month, or its last day (Art. 12 (3) GDPR, § 188 (2), (3) BGB)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


NOT_CONCERNED = (
    "Only the person concerned can ask for a copy or the erasure of their data, from their own"
    " login."
)


def is_person_concerned(actor: CurrentUser) -> bool:
    """Only the contact's own login, never a household login showing another contact: a copy
    holds more than the folders that login may see (logins, messages, every document)."""
    return actor.contact_id is not None and actor.contact_id == actor.own_contact_id


def _clean(actor: CurrentUser, kind: str, message: str) -> str:
    errors: dict[str, str] = {}
    if kind not in DATA_REQUEST_KINDS:
        errors["kind"] = addressed("Please choose what you are asking for.")
    elif not is_person_concerned(actor):
        errors["kind"] = addressed(NOT_CONCERNED)
    if len(message.strip()) > MESSAGE_MAX:
        errors["message"] = addressed(
            "Please keep your message under %(count)s characters.", count=MESSAGE_MAX
        )
    if errors:
        raise ValidationFailed(errors)
    return message.strip()


async def request_data(actor: CurrentUser, *, kind: str, message: str) -> DataRequest:
    """The customer's new request for the contact the portal shows, told to the staff.
    AlreadyOpen if one of the kind is still open."""
    if not is_customer(actor) or actor.contact_id is None or actor.read_only:
        raise NotFound
    text = _clean(actor, kind, message)
    async with in_transaction():
        # The contact's row locked (PostgreSQL): two clicks at once make one request.
        await Contact.filter(id=actor.contact_id).select_for_update().first()
        found = await DataRequest.filter(
            contact_id=actor.contact_id, kind=kind, status="open"
        ).first()
        if found is not None:
            raise AlreadyOpen(found)
        request = await DataRequest.create(
            contact_id=actor.contact_id,
            kind=kind,
            requested_by_id=actor.id,
            message=text,
            due_on=one_month_after(local_today()),
        )
        await _record(actor, events.DATA_REQUESTED, request, tell=events.STAFF)
    return request


async def _record(
    actor: CurrentUser, kind: str, request: DataRequest, *, tell: events.Audience
) -> None:
    await events.record(
        actor,
        kind,
        contact_id=request.contact_id,
        object_type="data_request",
        object_id=request.id,
        title=TITLES[request.kind],
        tell=tell,
    )


# --- Staff ------------------------------------------------------------------------------


def may_handle(actor: CurrentUser) -> bool:
    return actor.is_staff and can_manage_contacts(actor)


def visible_requests(actor: CurrentUser) -> QuerySet[DataRequest]:
    """The requests of the contacts the actor sees; a restricted (erased, retained) contact's
    only for admins, as its other data. 404 for anyone who may not handle them."""
    if not may_handle(actor):
        raise NotFound
    if actor.is_admin:  # admins see every contact, also those retained for legal reasons
        return DataRequest.all()
    rows = of_visible_contacts(actor, DataRequest.all())
    return rows.filter(contact__restricted_at__isnull=True)


async def request_for(actor: CurrentUser, request_id: int) -> DataRequest:
    """The request with its contact and who asked, if the actor may handle it (else 404)."""
    rows = visible_requests(actor).filter(id=request_id)
    found = await rows.select_related("contact", "requested_by", "handled_by").first()
    if found is None:
        raise NotFound
    return found


def _must_be_open(request: DataRequest, kind: str | None = None) -> None:
    if request.status != "open":
        raise ValidationFailed({"form": _("This request has already been handled.")})
    if kind is not None and request.kind != kind:
        raise NotFound


async def _close(actor: CurrentUser, request: DataRequest, **changes: object) -> None:
    """Mark the request handled, once: a second click (or a colleague) finds it closed."""
    done = await DataRequest.filter(id=request.id, status="open").update(
        handled_by_id=actor.id, handled_at=datetime.now(UTC), version=request.version + 1, **changes
    )
    if not done:
        raise ValidationFailed({"form": _("This request has already been handled.")})


async def handle_export(actor: CurrentUser, store: Storage, request: DataRequest) -> None:
    """Build the contact's archive, store it for the customer and tell him."""
    _must_be_open(request, "export")
    if not all(staff_may_read_folder(actor, folder) for folder in FOLDERS):
        message = _("Only someone who may read every folder can build the copy.")
        raise ValidationFailed({"form": message})
    archive = await erasure.export_contact(actor, store, request.contact)
    key = new_key(current_tenant_id())
    with archive:
        size = await store.save(key, cast(BinaryIO, archive))
    try:
        async with in_transaction():
            expires = datetime.now(UTC) + timedelta(days=EXPORT_KEPT_DAYS)
            await _close(
                actor,
                request,
                status="done",
                export_key=key,
                export_size=size,
                export_expires_at=expires,
            )
            await _record(actor, events.DATA_REQUEST_HANDLED, request, tell=events.CUSTOMER)
    except BaseException:
        await remove_files(store, [key])
        raise


async def refuse(actor: CurrentUser, request: DataRequest, *, reason: str) -> None:
    """Refuse with a reason the customer reads (e.g. identity not clear, Art. 12 (6))."""
    _must_be_open(request)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed({"reason": _("Please give the reason the customer will read.")})
    if len(reason) > MESSAGE_MAX:
        message = _("Please keep the reason under %(count)s characters.", count=MESSAGE_MAX)
        raise ValidationFailed({"reason": message})
    async with in_transaction():
        await _close(actor, request, status="refused", outcome=reason)
        await _record(actor, events.DATA_REQUEST_HANDLED, request, tell=events.CUSTOMER)


async def handle_erasure(
    actor: CurrentUser,
    store: Storage,
    request: DataRequest,
    *,
    confirmation: str,
    settings: Settings | None = None,
) -> bool:
    """Erase the contact (services/erasure.py keeps what the law requires, restricted, and
    with `settings` mails the customer what went and what is kept until when) and note the
    outcome. True if the contact is gone altogether (the request with it: the audit entry
    keeps the outcome)."""
    _must_be_open(request, "erasure")
    outcome = await erasure.delete_contact(
        actor, store, request.contact, confirmation=confirmation, settings=settings
    )
    text = outcome.text()
    async with in_transaction():
        # The request stays while the contact is kept restricted; else it went with it.
        await DataRequest.filter(id=request.id, status="open").update(
            status="done", outcome=text, handled_by_id=actor.id, handled_at=datetime.now(UTC)
        )
        details = f"request={request.id} deleted={sum(outcome.deleted.values())} " + " ".join(
            f"{kept.retention_class}={kept.count}:{kept.until or 'hold'}" for kept in outcome.kept
        )
        await AuditEntry.create(
            action="data_request_erased",
            actor_id=actor.id,
            subject_id=request.contact_id,
            details=details[:300],
        )
    return outcome.contact_deleted


# --- The customer's copy ------------------------------------------------------------------


async def export_of(actor: CurrentUser, request_id: int) -> DataRequest:
    """A ready copy of the contact the portal shows, while it is offered (else 404)."""
    if not is_customer(actor) or not is_person_concerned(actor) or actor.read_only:
        raise NotFound
    found = await DataRequest.filter(
        id=request_id,
        contact_id=actor.contact_id,
        kind="export",
        status="done",
        export_key__not_isnull=True,
        export_expires_at__gt=datetime.now(UTC),
    ).first()
    if found is None:
        raise NotFound
    return found


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """The stored copy as the download sees it."""

    filename: str
    storage_key: str
    size: int
    content_type: str = "application/zip"


def archive_file(request: DataRequest) -> ArchiveFile:
    day = request.handled_at.date().isoformat() if request.handled_at else ""
    return ArchiveFile(
        filename=f"meine-daten-{day}.zip",
        storage_key=str(request.export_key),
        size=request.export_size or 0,
    )


async def forget_expired_exports(settings: Settings, *, now: datetime | None = None) -> int:
    """Housekeeping in every tenant: copies past their 30 days go (the request stays). How
    many went."""
    at = now or datetime.now(UTC)
    old = await DataRequest.unscoped.filter(
        export_key__not_isnull=True, export_expires_at__lte=at
    ).values("id", "export_key")
    if old:
        await DataRequest.unscoped.filter(id__in=[row["id"] for row in old]).update(export_key=None)
        await remove_files(storage_for(settings), [str(row["export_key"]) for row in old])
    return len(old)
