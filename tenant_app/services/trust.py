"""The trusted person (Vertrauensperson) of a customer's emergency folder.

The customer names them; they register through the same link-and-PIN flow as everyone; they
ask for access, which opens once the waiting period the customer chose has passed, unless
the customer (or the staff responsible for the contact) vetoes it meanwhile; staff who
manage contacts may open it at once on proof. Open, the trusted person reads the emergency
folder exactly as the customer sees it, changes nothing and sees nothing else.

States: invited (no password yet) -> ready (registered) -> requested (waiting) -> open; a veto
leads back to ready; revoked (removed by the customer) ends it for good. A waiting period
that has passed counts as open wherever it is read, and is written so (with its event and
mails) by the first read or by the housekeeping job. Every step is a TrustEvent: the
audit trail the customer and the staff see.

Time comes in as `now` (tests move it instead of sleeping).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.households import TrustedPerson, TrustEvent
from tenant_app.permissions import can_manage_contacts, customer_may, folder_flags, is_customer
from tenant_app.schemas import rules
from tenant_app.schemas.base import checked
from tenant_app.schemas.trust import TrustedPersonInput
from tenant_app.security import ratelimit
from tenant_app.services import trust_mail
from tenant_app.services.accounts import insert_user, queue_link_mail
from tenant_app.services.contacts import get_visible_contact
from tenant_app.settings import Settings
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info
from tenant_app.text.i18n import addressed as _a

EMERGENCY = "emergency"
ACTIVE = ("invited", "ready", "requested", "open")  # all but revoked
MAX_TRUSTED = 5  # trusted persons a contact may have at once
NAMINGS_PER_DAY = ratelimit.Limit("trust-name", 10, 24 * 3600)  # per contact: mails to strangers


def now_or(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def status_at(person: TrustedPerson, now: datetime) -> str:
    """The state as of `now`: a waiting period that has passed is open, written or not."""
    if person.status == "requested" and person.opens_at is not None and person.opens_at <= now:
        return "open"
    return person.status


def may_name(actor: CurrentUser) -> bool:
    """A customer who sees their own emergency folder manages its trusted persons. Not a
    household login for another contact: whom that contact trusts is theirs to decide, and
    a person named by a manager would keep access after the household link ended."""
    return (
        is_customer(actor)
        and actor.contact_id is not None
        and actor.contact_id == actor.own_contact_id
        and customer_may(folder_flags(actor.access, EMERGENCY), "view_folder")
    )


def _owned_contact(actor: CurrentUser) -> int:
    if not may_name(actor) or actor.contact_id is None:
        raise NotFound
    return actor.contact_id


def ensure_may_name(actor: CurrentUser) -> None:
    """NotFound unless the actor manages trusted persons (`may_name`)."""
    _owned_contact(actor)


async def event(
    person: TrustedPerson,
    kind: str,
    at: datetime,
    actor: CurrentUser | None = None,
    *,
    actor_name: str = "",
    note: str = "",
    document_id: int | None = None,
) -> None:
    await TrustEvent.create(
        trusted_person_id=person.id,
        kind=kind,
        actor_id=actor.id if actor else None,
        actor_name=(actor.full_name if actor else actor_name)[:200],
        note=note,
        document_id=document_id,
        created_at=at,
    )


# --- what time decided since the last look ------------------------------------------------


async def _open_after_wait(settings: Settings, person: TrustedPerson) -> None:
    """The waiting period has passed: open, recorded at the moment it ended (once, however
    many readers race here)."""
    opens_at = person.opens_at
    assert opens_at is not None  # status_at said open
    async with in_transaction():
        opened = await TrustedPerson.filter(
            id=person.id, status="requested", opens_at__lte=opens_at
        ).update(status="open", opened_at=opens_at, version=F("version") + 1)
        if opened:
            await event(person, "opened", opens_at, actor_name=person.full_name)
            contact = await Contact.get(id=person.contact_id)
            await trust_mail.tell_opened(settings, person, contact, on_proof=False)
    if opened:
        person.status, person.opened_at = "open", opens_at
    else:  # revoked or vetoed meanwhile: what the row says now, not what time would say
        await person.refresh_from_db(fields=["status", "opens_at", "opened_at", "version"])


async def settle(settings: Settings, persons: list[TrustedPerson], now: datetime) -> None:
    """Write what time decided since the last look (the persons are updated in place)."""
    for person in persons:
        if person.status == "requested" and status_at(person, now) == "open":
            await _open_after_wait(settings, person)


async def open_due(settings: Settings, *, now: datetime | None = None) -> int:
    """Open every waiting period of the current tenant that has passed; how many."""
    at = now_or(now)
    due = list(await TrustedPerson.filter(status="requested", opens_at__lte=at))
    await settle(settings, due, at)
    return len(due)


async def open_due_everywhere(settings: Settings, *, now: datetime | None = None) -> int:
    """The housekeeping job: every tenant's passed waiting periods open (and mail) even if
    nobody looks (registered with the background loop, which runs across tenants)."""
    at = now_or(now)
    due = await TrustedPerson.unscoped.filter(status="requested", opens_at__lte=at)
    opened = 0
    for tenant_id in sorted({person.tenant_id for person in due}):
        tokens = enter_tenant(await load_tenant_info(tenant_id))
        try:
            opened += await open_due(settings, now=at)
        finally:
            leave_tenant(tokens)
    return opened


# --- the customer: naming, vetoing, removing -----------------------------------------------


@dataclass(frozen=True)
class TrustEntry:
    """A trusted person with their audit trail, as the customer and the staff see it."""

    person: TrustedPerson
    events: list[TrustEvent]

    @property
    def status(self) -> str:
        return self.person.status

    @property
    def vetoed(self) -> bool:
        """Back to ready because the last request was vetoed."""
        last = self.events[-1].kind if self.events else ""
        return self.person.status == "ready" and last == "vetoed"


async def entries(
    settings: Settings, persons: list[TrustedPerson], now: datetime
) -> list[TrustEntry]:
    """The persons settled as of `now`, each with its events (oldest first): two queries."""
    await settle(settings, persons, now)
    events = await TrustEvent.filter(trusted_person_id__in=[p.id for p in persons]).order_by(
        "created_at", "id"
    )
    by_person: dict[int, list[TrustEvent]] = {}
    for step in events:
        by_person.setdefault(step.trusted_person_id, []).append(step)
    return [TrustEntry(person, by_person.get(person.id, [])) for person in persons]


async def trusted_persons(
    actor: CurrentUser, *, settings: Settings, now: datetime | None = None
) -> list[TrustEntry]:
    """The customer's trusted persons (removed ones too: their trail stays), newest last."""
    contact_id = _owned_contact(actor)
    persons = list(await TrustedPerson.filter(contact_id=contact_id).order_by("created_at", "id"))
    return await entries(settings, persons, now_or(now)) if persons else []


async def trusted_person_for(
    actor: CurrentUser, trust_id: int, *, settings: Settings, now: datetime | None = None
) -> TrustEntry:
    person = await TrustedPerson.get_or_none(id=trust_id, contact_id=_owned_contact(actor))
    if person is None:
        raise NotFound
    [entry] = await entries(settings, [person], now_or(now))
    return entry


async def _naming_errors(actor: CurrentUser, contact: Contact, email: str) -> dict[str, str]:
    """Why this address cannot be named for this contact, if it cannot."""
    if email in {contact.email.lower(), actor.email.lower()}:
        return {"email": _a("You cannot name yourself as your own trusted person.")}
    if await TrustedPerson.exists(contact_id=contact.id, email=email, status__in=ACTIVE):
        return {"email": _a("This person is already one of your trusted persons.")}
    login = await User.get_or_none(email=email)
    if login is not None and login.contact_id == contact.id:
        return {"email": _a("You cannot name yourself as your own trusted person.")}
    if login is not None and login.kind != "customer":  # a staff member of the broker
        return {"email": _a("This e-mail address cannot be used here. Please choose another one.")}
    return {}


async def _login_for(named: TrustedPersonInput) -> User:
    """The customer login with this address; else a new one without a contact, which can
    only reach what it is trusted with. Never one for a broker's contact found by the
    address: a customer must not give another contact a portal login. A login made
    meanwhile by someone else is used."""
    found = await User.get_or_none(email=named.email)
    if found is not None:
        return found

    async def taken() -> dict[str, str]:
        return {"email": "taken"} if await User.exists(email=named.email) else {}

    columns = {
        "kind": "customer",
        "role": "kunde",
        "email": named.email,
        "first_name": named.first_name,
        "last_name": named.last_name,
        "birthdate": named.birthdate,
        "contact_id": None,
    }
    try:
        return await insert_user(columns, taken=taken)
    except ValidationFailed:  # the address got its login meanwhile: that one
        return await User.get(email=named.email)


async def name_trusted_person(
    actor: CurrentUser,
    *,
    settings: Settings,
    values: dict[str, str],
    now: datetime | None = None,
) -> TrustedPerson:
    """Name someone for the emergency folder: they get a login (or their existing one is
    linked) and, if they have no password yet, the registration link (PIN: their birthdate)."""
    contact = await Contact.get(id=_owned_contact(actor))
    named, errors = checked(TrustedPersonInput, values)
    names = {key: values.get(key, "") for key in ("first_name", "last_name")}
    rules.check_lengths(TrustedPerson, names, errors)
    if named is not None:
        errors |= await _naming_errors(actor, contact, named.email)
    if errors or named is None:
        raise ValidationFailed(errors)
    if await TrustedPerson.filter(contact_id=contact.id, status__in=ACTIVE).count() >= MAX_TRUSTED:
        raise ValidationFailed(
            {"form": _a("You can name at most %(n)s trusted persons.", n=MAX_TRUSTED)}
        )
    if not await ratelimit.hit(NAMINGS_PER_DAY, f"{contact.tenant_id}:{contact.id}"):
        raise ValidationFailed({"form": _a("Too many attempts. Please try again tomorrow.")})
    at = now_or(now)
    async with in_transaction():
        login = await _login_for(named)
        person = await TrustedPerson.create(
            contact_id=contact.id,
            user_id=login.id,
            first_name=named.first_name,
            last_name=named.last_name,
            email=named.email,
            birthdate=named.birthdate,
            wait_days=named.wait_days,
            created_at=at,  # invited until they look at it themselves (trust_access)
        )
        await event(person, "named", at, actor)
        # A contact's own login waits for the broker's registration mail (permissions first).
        with_link = login.password_hash is None and login.contact_id is None and login.is_active
        await trust_mail.tell_named(settings, person, contact, login, with_link=with_link)
        if with_link:
            await queue_link_mail(settings, login, purpose="register")
    return person


async def _vetoable(actor: CurrentUser, trust_id: int, contact_id: int | None) -> TrustedPerson:
    """The person whose request the actor may veto: the customer's own, or for staff one of a
    contact they see and either manage contacts or are responsible for."""
    if actor.is_staff:
        if contact_id is None:
            raise NotFound
        contact = await get_visible_contact(actor, contact_id)
        responsible = await ContactResponsible.exists(contact_id=contact.id, user_id=actor.id)
        if not (can_manage_contacts(actor) or responsible):
            raise PermissionDenied
    else:
        contact_id = _owned_contact(actor)
    person = await TrustedPerson.get_or_none(id=trust_id, contact_id=contact_id)
    if person is None:
        raise NotFound
    return person


async def veto(
    actor: CurrentUser,
    *,
    settings: Settings,
    trust_id: int,
    contact_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Stop a request while it waits: back to ready, the trusted person is told. False if
    there was nothing to veto (no request, or the waiting period had already passed)."""
    person = await _vetoable(actor, trust_id, contact_id)
    at = now_or(now)
    async with in_transaction():
        stopped = await TrustedPerson.filter(
            id=person.id, status="requested", opens_at__gt=at
        ).update(status="ready", requested_at=None, opens_at=None, version=F("version") + 1)
        if stopped:
            await event(person, "vetoed", at, actor)
            contact = await Contact.get(id=person.contact_id)
            await trust_mail.tell_vetoed(settings, person, contact)
    if not stopped:
        await settle(settings, [person], at)
    return bool(stopped)


async def revoke(actor: CurrentUser, *, trust_id: int, now: datetime | None = None) -> None:
    """The customer removes a trusted person: any access ends with this statement."""
    contact_id = _owned_contact(actor)
    at = now_or(now)
    async with in_transaction():
        person = await TrustedPerson.get_or_none(id=trust_id, contact_id=contact_id)
        if person is None:
            raise NotFound
        if await TrustedPerson.filter(id=person.id, status__in=ACTIVE).update(
            status="revoked", version=F("version") + 1
        ):
            await event(person, "revoked", at, actor)
