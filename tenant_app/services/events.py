"""`record()`: the one way a use case says that something happened.

It writes the event in the caller's transaction, gives a notification to each account that
must hear of it and wakes their open pages (`live.publish`, which on PostgreSQL leaves only
when the transaction commits). Who hears of it:

- a customer's action (the staff's activity feed): the contact's responsible staff who are
  active and may read the folder it is in; when there is none, those who manage contacts,
  see every contact and may read the folder;
- a staff action the customer should know of (`tell=CUSTOMER`: a shared document, a reply,
  a contract's new status): the contact's own login and the household logins managing it,
  if the contact's permissions show them the object in its folder (`customer_made`: one the
  customer made, which shows where the broker's own may not);
- explicit accounts (`tell=[ids]`), e.g. a ticket's participants;
- nobody (`tell=NOBODY`): staff opening a document, only for the customer's access trail.

The actor never hears of their own action. The tenant's webhook endpoints hear of the kinds
they subscribed to (services/webhooks.py), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from tortoise.expressions import Subquery

from tenant_app import metrics
from tenant_app.actors import CurrentUser
from tenant_app.live.broker import publish
from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.households import ContactLink
from tenant_app.permissions import (
    can_manage_contacts,
    can_see_all_contacts,
    customer_may,
    folder_flags,
    staff_may_read_folder,
)
from tenant_app.services import webhooks
from tenant_app.services.access import access_of

Audience = Literal["staff", "customer", "nobody"] | Sequence[int]
STAFF: Audience = "staff"
CUSTOMER: Audience = "customer"
NOBODY: Audience = "nobody"

# What happens to what (the kinds the feed, the bell and the trail know how to name).
CONTRACT_ADDED = "contract_added"
CONTRACT_EDITED = "contract_edited"
CONTRACT_DELETED = "contract_deleted"
CONTRACT_RESTORED = "contract_restored"
DOCUMENT_ADDED = "document_added"  # uploaded; by staff with the customer: shared at once
DOCUMENT_SHARED = "document_shared"  # an existing document made visible to the customer
DOCUMENT_OPENED = "document_opened"  # viewed or downloaded by staff (the access trail)
DOCUMENT_DELETED = "document_deleted"
DOCUMENT_EDITED = "document_edited"  # its title, category, date, note or folder (the API)
PROFILE_CHANGED = "profile_changed"
CONTACT_ADDED = "contact_added"  # by staff (the customer's trail and webhooks)
CONTACT_DELETED = "contact_deleted"  # erased; recorded just before, for the webhooks
TICKET_OPENED = "ticket_opened"
TICKET_REPLY = "ticket_reply"
TICKET_FORWARDED = "ticket_forwarded"
TICKET_CLOSED = "ticket_closed"
VIEWED_AS_CUSTOMER = "viewed_as_customer"
CASE_OPENED = "case_opened"  # advice cases (Vorgänge): staff only, never told to customers
CASE_EDITED = "case_edited"
CASE_CLOSED = "case_closed"  # completed or called off
CLAIM_REPORTED = "claim_reported"  # claims (Schäden): by the customer, told to staff
CLAIM_UPDATED = "claim_updated"  # status, note or responsible changed by staff
LEAD_CONFIRMED = "lead_confirmed"  # a prospect confirmed the request (Kunde werden)
OFFER_ACCEPTED = "offer_accepted"  # a customer accepted an offer in the portal
OFFER_REQUESTED = "offer_requested"  # a customer asked for an offer
CHAT_MESSAGE = "chat_message"  # told to the other side (the operator, else the admins)
CHAT_OPERATOR = "chat_operator"  # a chat was handed to a colleague as its operator
CHAT_ARCHIVED = "chat_archived"  # staff archived a chat (its transcript may be filed)
TENDER_STARTED = "tender_started"  # a tender was handed to a backoffice (staff only)
TENDER_MESSAGE = "tender_message"  # the backoffice wrote (a question), told to the broker
TENDER_OFFER = "tender_offer"  # the backoffice released an offer, told to the broker
OFFER_CHOSEN = "offer_chosen"  # the broker chose a case's offer
TENDER_WITHDRAWN = "tender_withdrawn"  # the broker called a running tender off (staff only)
OBJECT_ADDED = "object_added"  # insured objects on a contact (staff only)
OBJECT_EDITED = "object_edited"
OBJECT_DECLINED = "object_declined"  # the customer does not want it insured (Nicht versichert)
APPLICATION_SUBMITTED = "application_submitted"  # sent to an insurer through its interface
APPLICATION_FINALIZED = "application_finalized"  # the policy came back and was filed
DATA_REQUESTED = "data_requested"  # a customer asked for a copy or the erasure of his data
DATA_REQUEST_HANDLED = "data_request_handled"  # staff handled it: told to the customer
CONSENT_CHANGED = "consent_changed"  # a consent (health data) given or withdrawn
ADVICE_DELIVERED = "advice_delivered"  # advice documentation delivered to the customer
KINDS = (
    CONTRACT_ADDED,
    CONTRACT_EDITED,
    CONTRACT_DELETED,
    CONTRACT_RESTORED,
    DOCUMENT_ADDED,
    DOCUMENT_SHARED,
    DOCUMENT_OPENED,
    DOCUMENT_DELETED,
    DOCUMENT_EDITED,
    PROFILE_CHANGED,
    CONTACT_ADDED,
    CONTACT_DELETED,
    TICKET_OPENED,
    TICKET_REPLY,
    TICKET_FORWARDED,
    TICKET_CLOSED,
    VIEWED_AS_CUSTOMER,
    CASE_OPENED,
    CASE_EDITED,
    CASE_CLOSED,
    CLAIM_REPORTED,
    CLAIM_UPDATED,
    LEAD_CONFIRMED,
    OFFER_ACCEPTED,
    OFFER_REQUESTED,
    CHAT_MESSAGE,
    CHAT_OPERATOR,
    CHAT_ARCHIVED,
    TENDER_STARTED,
    TENDER_MESSAGE,
    TENDER_OFFER,
    OFFER_CHOSEN,
    TENDER_WITHDRAWN,
    OBJECT_ADDED,
    OBJECT_EDITED,
    OBJECT_DECLINED,
    APPLICATION_SUBMITTED,
    APPLICATION_FINALIZED,
    DATA_REQUESTED,
    DATA_REQUEST_HANDLED,
    CONSENT_CHANGED,
    ADVICE_DELIVERED,
)


def changes_between(
    before: Mapping[str, Any], after: Mapping[str, Any], columns: Iterable[str]
) -> dict[str, list[Any]]:
    """`{column: [old, new]}` of the columns whose value changed, stored as JSON values (money
    and dates as text) and shown in the reader's language when read."""
    found: dict[str, list[Any]] = {}
    for column in columns:
        old, new = before.get(column), after.get(column)
        if (old in (None, "") and new in (None, "")) or old == new:
            continue
        found[column] = [_stored(old), _stored(new)]
    return found


def _stored(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    return value


async def record(
    actor: CurrentUser | None,
    kind: str,
    *,
    contact_id: int | None,
    object_type: str = "",
    object_id: int | None = None,
    folder: str = "",
    title: str = "",
    changes: Mapping[str, list[Any]] | None = None,
    tell: Audience | None = None,
    customer_made: bool = False,
) -> Event:
    """Record what happened, in the caller's transaction. `tell` defaults to STAFF for a
    customer's action and to NOBODY for anyone else's."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    actor_kind = "system" if actor is None else actor.kind
    if actor is not None and actor.viewing_staff_id is not None:
        raise ValueError("a staff member viewing as the customer changes nothing")
    metrics.count_event(kind)
    event = await Event.create(
        kind=kind,
        actor_id=actor.id if actor is not None else None,
        actor_kind=actor_kind,
        actor_name=actor.full_name[:201] if actor is not None else "",
        contact_id=contact_id,
        object_type=object_type,
        object_id=object_id,
        folder=folder,
        title=title[:200],
        changes=dict(changes) if changes else None,
    )
    await webhooks.enqueue(event)  # the subscribed webhook endpoints, in this transaction
    audience = tell if tell is not None else (STAFF if actor_kind == "customer" else NOBODY)
    recipients = await _recipients(
        audience, contact_id=contact_id, folder=folder, customer_made=customer_made
    )
    recipients.discard(actor.id if actor is not None else -1)
    if recipients:
        await Notification.bulk_create(  # bulk_create skips save(), which sets the tenant
            [
                Notification(tenant_id=event.tenant_id, user_id=user_id, event_id=event.id)
                for user_id in sorted(recipients)
            ]
        )
        await publish(event.tenant_id, recipients)
    return event


async def forget_for_customers(object_type: str, object_ids: Iterable[int]) -> None:
    """Customers' notifications about objects they can no longer see (deleted, or hidden
    again) go, read or not: a list must not keep naming a document that was not for them."""
    ids = list(object_ids)
    if not ids:
        return
    about = Event.filter(object_type=object_type, object_id__in=ids).values("id")
    await Notification.filter(event_id__in=Subquery(about), user__kind="customer").delete()


async def _recipients(
    audience: Audience, *, contact_id: int | None, folder: str, customer_made: bool
) -> set[int]:
    if audience == NOBODY:
        return set()
    if audience == STAFF:
        return await _staff_for(contact_id, folder)
    if audience == CUSTOMER:
        return await _customers_for(contact_id, folder, customer_made)
    named = {int(user_id) for user_id in audience}
    if not named:
        return set()
    # People only: an API token's technical account (e.g. seated in a ticket it opened) is
    # never told, nor mailed.
    people = await User.filter(id__in=named).exclude(kind="api").values("id")
    return {int(row["id"]) for row in people}


async def _staff_for(contact_id: int | None, folder: str) -> set[int]:
    """Those of the contact's responsible staff who are active and may read the folder the
    change is in; when none is left (nobody responsible, or they left or may not read it),
    those who manage contacts and see every contact (admins always do) and may read it."""
    staff = await User.filter(kind="staff", is_active=True)
    may_read = [user for user in staff if not folder or staff_may_read_folder(user, folder)]
    responsible: set[int] = set()
    if contact_id is not None:
        rows = await ContactResponsible.filter(contact_id=contact_id).values("user_id")
        responsible = {int(row["user_id"]) for row in rows}
    told = {user.id for user in may_read if user.id in responsible}
    if told:
        return told
    return {
        user.id for user in may_read if can_manage_contacts(user) and can_see_all_contacts(user)
    }


async def _customers_for(contact_id: int | None, folder: str, customer_made: bool) -> set[int]:
    """The contact's own login and the household logins managing it, if the contact's
    permissions show them such an object in the folder (or, outside the folders, always):
    a broker's contract or document in a folder that shows only the customer's own is news
    they could not open."""
    if contact_id is None:
        return set()
    if folder:
        flags = folder_flags(await access_of(contact_id), folder)
        if not customer_may(flags, "view", made_by_customer=customer_made):
            return set()
    return await customer_logins(contact_id)


async def customer_logins(contact_id: int) -> set[int]:
    """The contact's own registered login and the household logins managing the contact."""
    own = await User.filter(
        kind="customer", is_active=True, contact_id=contact_id, password_hash__not_isnull=True
    ).values("id")
    linked = await ContactLink.filter(contact_id=contact_id).values("user_id")
    return {int(row["id"]) for row in own} | {int(row["user_id"]) for row in linked}
