"""The two ways an erasure ends (services/erasure.py decides which, by its plan):

- nothing must be kept: the contact and everything about it goes (`delete_everything`);
- retention or a legal hold keeps some of it: that is restricted (hidden from everyone but
  the admins' "retained for legal reasons" view) with the date it may go, everything else
  goes at once, the logins included (`restrict_contact`). The deletion scheduler
  (services/retention_purge.py) removes the rest when its time has come.

Either way the customer is told by mail what was deleted and what is kept until when, and
an audit entry without personal data records it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import reduce
from operator import or_

from tortoise.expressions import Q
from tortoise.models import Model

from tenant_app.actors import CurrentUser
from tenant_app.mail.notify import notify
from tenant_app.models.accounts import Session, User
from tenant_app.models.activity import Event
from tenant_app.models.cases import AdviceCase
from tenant_app.models.claims import Claim
from tenant_app.models.contacts import Contact, ContactNotice
from tenant_app.models.conversations import Conversation
from tenant_app.models.engagement import Invitation, OfferAcceptance, OfferRequest
from tenant_app.models.folders import AuditEntry, Contract, CustomerAccess, Document
from tenant_app.models.households import ContactLink, TrustedPerson
from tenant_app.models.interfaces import InsuredObject
from tenant_app.models.legal import ConsentRecord
from tenant_app.models.mail import OutboxMail
from tenant_app.services import (
    activity_records,
    case_records,
    claim_records,
    events,
    households,
    invitations_records,
    leads_records,
    trust_records,
    webhooks,
)
from tenant_app.services.erasure_plan import ErasurePlan, KeptRow
from tenant_app.services.retention_rules import DELETED_LABELS, LEGAL_MINIMUMS, ErasureOutcome
from tenant_app.settings import Settings

# What a restricted contact keeps none of (the rest would cascade with a deleted contact).
PERSONAL_ROWS: tuple[type[Model], ...] = (
    CustomerAccess,
    ContactNotice,
    ContactLink,
    TrustedPerson,
    InsuredObject,
    Claim,
    Invitation,
    OfferAcceptance,
    OfferRequest,
    AdviceCase,
    ConsentRecord,
)


def mails_of(contact: Contact, accounts: Iterable[User]) -> Q:
    """Mail about the contact (also staff's copies), to its accounts, or to its addresses:
    rows written before mails named their contact and account are found by address."""
    accounts = list(accounts)
    addresses = {contact.email.strip().lower(), *(a.email.strip().lower() for a in accounts)}
    conditions = [Q(contact_id=contact.id), *(Q(to_address__iexact=a) for a in addresses if a)]
    if accounts:
        conditions.append(Q(user_id__in=[account.id for account in accounts]))
    return reduce(or_, conditions)


async def forget_around(actor: CurrentUser, contact: Contact, accounts: list[User]) -> int:
    """What goes with the contact's personal side in both ways: mails, what others' entries
    say of its logins, its cases, leads, invitations, household sessions, webhook bodies.
    Records CONTACT_DELETED (ids only) for the webhooks. The number of its cases."""
    trusting = await trust_records.logins_only_trusting(contact.id)  # exist only for it
    await OutboxMail.filter(mails_of(contact, [*accounts, *trusting])).delete()
    await trust_records.forget_trusted([account.id for account in accounts])
    await activity_records.forget_actor([login.id for login in [*accounts, *trusting]])
    cases = await case_records.forget(contact.id)  # and links into them
    await leads_records.forget(contact.id)  # the prospect request it was made from
    await invitations_records.forget(contact.id)  # batches that invited it name it
    await households.release_sessions(contact.id)
    await webhooks.forget_contact(contact.id)
    await events.record(
        actor,
        events.CONTACT_DELETED,
        contact_id=contact.id,
        object_type="contact",
        object_id=contact.id,
        tell=events.NOBODY,
    )
    await User.filter(id__in=[login.id for login in trusting]).delete()
    return cases


async def restrict_contact(
    actor: CurrentUser, contact: Contact, plan: ErasurePlan, accounts: list[User]
) -> list[str]:
    """Delete what the plan lets go, restrict the rest; in the caller's transaction. The
    storage keys of the deleted files (removed after the commit)."""
    now = datetime.now(UTC)
    keys: list[str] = []
    if plan.held:  # a legal hold of the contact: nothing goes, its logins only stop working
        await Session.filter(user_id__in=[account.id for account in accounts]).delete()
        await User.filter(contact_id=contact.id).update(is_active=False)
    else:
        keys = await _gone_documents(contact.id, set(plan.documents))
        keys += await claim_records.stored_keys(contact.id)
    await _keep_or_delete(Document, contact.id, plan.documents, now)
    await _keep_or_delete(Contract, contact.id, plan.contracts, now)
    await _keep_or_delete(Conversation, contact.id, plan.conversations, now)
    if not plan.held:
        plan.deleted["mails"] = await OutboxMail.filter(mails_of(contact, accounts)).count()
        plan.deleted["cases"] = await forget_around(actor, contact, accounts)
        for model in PERSONAL_ROWS:
            await model.filter(contact_id=contact.id).delete()
        await Event.filter(contact_id=contact.id).delete()  # and their notifications
        plan.deleted["accounts"] = await User.filter(contact_id=contact.id).delete()
    await Contact.filter(id=contact.id).update(
        restricted_at=now,
        delete_after=plan.contact_until,
        relationship_ended_on=plan.relationship_end,
        version=contact.version + 1,
    )
    await AuditEntry.create(
        action="contact_restricted",
        actor_id=actor.id,
        subject_id=contact.id,
        details=_details(plan.outcome())[:300],
    )
    return keys


async def _gone_documents(contact_id: int, kept: set[int]) -> list[str]:
    rows = await Document.filter(contact_id=contact_id).values_list("id", "storage_key")
    return [str(key) for document_id, key in rows if int(document_id) not in kept]


async def _keep_or_delete(
    model: type[Document] | type[Contract] | type[Conversation],
    contact_id: int,
    kept: dict[int, KeptRow],
    now: datetime,
) -> None:
    rows = model.filter(contact_id=contact_id)  # tender threads too: they go with the cases
    await rows.exclude(id__in=list(kept) or [0]).delete()
    by_date: dict[date | None, list[int]] = {}
    for row_id, row in kept.items():
        by_date.setdefault(row.until, []).append(row_id)
    for until, ids in by_date.items():
        await model.filter(id__in=ids).update(restricted_at=now, delete_after=until)


def _details(outcome: ErasureOutcome) -> str:
    deleted = " ".join(f"{name}={count}" for name, count in outcome.deleted.items())
    kept = " ".join(
        f"{k.retention_class}={k.count}@{k.until.isoformat() if k.until else 'hold'}"
        for k in outcome.kept
    )
    return f"{deleted} kept: {kept or '-'}"


async def tell_customer(
    settings: Settings, contact: Contact, accounts: list[User], outcome: ErasureOutcome
) -> None:
    """The mail telling the customer what was deleted and what is kept until when; to the
    contact's address (or its login's), in its login's language. None without an address."""
    address = contact.email.strip() or next((a.email for a in accounts if a.email), "")
    if not address:
        return
    language = next((a.language for a in accounts if a.language), None)
    await notify(
        settings,
        to=address,
        language=language,
        template="erasure_done",
        context=mail_context(contact.first_name, outcome),
    )


def mail_context(first_name: str, outcome: ErasureOutcome) -> dict[str, object]:
    return {
        "name": first_name,
        "deleted": [
            (DELETED_LABELS[name], count)
            for name, count in outcome.deleted.items()
            if count and name in DELETED_LABELS
        ],
        "kept": [(LEGAL_MINIMUMS[k.retention_class].label, k.count, k.until) for k in outcome.kept],
        "held": outcome.held,
    }
