"""The trusted person's side: the emergency folders a login is trusted with, asking for one,
and reading it once open (services/trust.py has the states and the customer's side).

Open, the folder shows exactly what its customer sees there (the same rules decide, with the
customer's permissions), read-only; nothing else of the contact is reachable. Staff viewing
the portal as a customer never see the folders that customer is trusted with.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.models.contacts import Contact
from tenant_app.models.households import TrustedPerson, TrustEvent
from tenant_app.permissions import CustomerRights, is_customer
from tenant_app.queries.documents import DocumentRef
from tenant_app.security import ratelimit
from tenant_app.services import trust_mail
from tenant_app.services.access import access_of
from tenant_app.services.documents import readable_document
from tenant_app.services.folders import customer_folder
from tenant_app.services.trust import ACTIVE, EMERGENCY, event, now_or, settle
from tenant_app.settings import Settings
from tenant_app.text.document_rows import PREVIEWABLE
from tenant_app.text.i18n import addressed as _a

REQUESTS_PER_DAY = ratelimit.Limit("trust-request", 3, 24 * 3600)  # per trusted person


@dataclass(frozen=True)
class Entrusted:
    """One contact's emergency folder as the person trusted with it sees their access."""

    person: TrustedPerson
    customer: str  # the contact's name
    vetoed_at: datetime | None  # ready again because the last request was vetoed then

    @property
    def status(self) -> str:
        return self.person.status


def _asking_login(actor: CurrentUser) -> int:
    """The login asking: a customer's own (staff viewing as a customer: nothing)."""
    if not is_customer(actor) or actor.read_only:
        raise NotFound
    return actor.id


async def _taken_up(persons: list[TrustedPerson], actor: CurrentUser, now: datetime) -> None:
    """Invited persons looking at their access themselves are ready (logged in, so they
    have registered). Not before: the customer must not learn from the state whether the
    address already had a login at the broker."""
    for person in persons:
        if person.status != "invited":
            continue
        async with in_transaction():
            if await TrustedPerson.filter(id=person.id, status="invited").update(
                status="ready", version=F("version") + 1
            ):
                await event(person, "registered", now, actor)
        person.status = "ready"


async def _entrusted(
    settings: Settings, persons: list[TrustedPerson], actor: CurrentUser, now: datetime
) -> list[Entrusted]:
    """The persons settled as of `now`, with their customer's name and the last veto."""
    await settle(settings, persons, now)
    await _taken_up(persons, actor, now)
    contacts = await Contact.filter(id__in={p.contact_id for p in persons})
    names = {contact.id: contact.full_name for contact in contacts}
    steps = await TrustEvent.filter(
        trusted_person_id__in=[p.id for p in persons], kind__in=("requested", "vetoed")
    ).order_by("created_at", "id")
    vetoed: dict[int, datetime | None] = {}
    for step in steps:  # the last one counts
        vetoed[step.trusted_person_id] = step.created_at if step.kind == "vetoed" else None
    return [
        Entrusted(
            person,
            names.get(person.contact_id, ""),
            vetoed.get(person.id) if person.status == "ready" else None,
        )
        for person in persons
    ]


async def entrusted(
    actor: CurrentUser, *, settings: Settings, now: datetime | None = None
) -> list[Entrusted]:
    """The emergency folders this login is trusted with (removed ones are gone)."""
    if not is_customer(actor) or actor.read_only:
        return []
    persons = list(await TrustedPerson.filter(user_id=actor.id, status__in=ACTIVE).order_by("id"))
    return await _entrusted(settings, persons, actor, now_or(now)) if persons else []


async def entrusted_for(
    actor: CurrentUser, trust_id: int, *, settings: Settings, now: datetime | None = None
) -> Entrusted:
    """One of them by id; NotFound for anyone else's, a removed one, or another tenant's."""
    person = await TrustedPerson.get_or_none(
        id=trust_id, user_id=_asking_login(actor), status__in=ACTIVE
    )
    if person is None:
        raise NotFound
    [found] = await _entrusted(settings, [person], actor, now_or(now))
    return found


async def request_access(
    actor: CurrentUser, *, settings: Settings, trust_id: int, now: datetime | None = None
) -> Entrusted:
    """Ask for the folder: it opens after the waiting period unless vetoed meanwhile; the
    customer and the responsible staff are told. Asking while waiting changes nothing."""
    found = await entrusted_for(actor, trust_id, settings=settings, now=now)
    if found.status != "ready":
        return found
    person, at = found.person, now_or(now)
    if not await ratelimit.hit(REQUESTS_PER_DAY, f"{person.tenant_id}:{person.id}"):
        raise ValidationFailed({"form": _a("Too many attempts. Please try again tomorrow.")})
    opens_at = at + timedelta(days=person.wait_days)
    async with in_transaction():
        if await TrustedPerson.filter(id=person.id, status="ready").update(
            status="requested", requested_at=at, opens_at=opens_at, version=F("version") + 1
        ):
            await event(person, "requested", at, actor)
            contact = await Contact.get(id=person.contact_id)
            await trust_mail.tell_requested(settings, person, contact, opens_at)
    return await entrusted_for(actor, trust_id, settings=settings, now=now)


def _as_reader(actor: CurrentUser, contact_id: int, rights: CustomerRights) -> CurrentUser:
    """The trusted login reading with the contact's permissions: the rules that decide what
    the customer sees decide what they see (writing is refused before this is ever used)."""
    return replace(actor, contact_id=contact_id, access=rights)


async def _reader(
    actor: CurrentUser, trust_id: int, settings: Settings, now: datetime | None
) -> tuple[Entrusted, CurrentUser]:
    found = await entrusted_for(actor, trust_id, settings=settings, now=now)
    if found.status != "open":
        raise NotFound
    contact_id = found.person.contact_id
    return found, _as_reader(actor, contact_id, await access_of(contact_id))


async def emergency_folder(
    actor: CurrentUser, trust_id: int, *, settings: Settings, now: datetime | None = None
) -> dict[str, Any]:
    """The open emergency folder, read-only: what its customer sees there, nothing to change.
    NotFound until access is open; empty if the customer no longer sees it either."""
    found, reader = await _reader(actor, trust_id, settings, now)
    try:
        page = await customer_folder(reader, EMERGENCY)
    except NotFound:
        page = {"contracts": [], "documents": {}}
    documents: dict[int | None, list[Any]] = page["documents"]
    previewable = {
        document.id
        for shown in documents.values()
        for document in shown
        if document.content_type in PREVIEWABLE
    }
    return {
        "contracts": page["contracts"],
        "documents": documents,
        "previewable": previewable,
        "entry": found,
    }


async def emergency_document(
    actor: CurrentUser,
    trust_id: int,
    document_id: int,
    *,
    settings: Settings,
    now: datetime | None = None,
) -> DocumentRef:
    """A document of the open emergency folder as its customer could read it; NotFound for
    any other (another folder, the contact itself, a ticket's attachment, another contact)."""
    _found, reader = await _reader(actor, trust_id, settings, now)
    document = await readable_document(reader, document_id)
    if document.folder != EMERGENCY:
        raise NotFound
    return document
