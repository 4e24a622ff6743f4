"""Who hears of a trusted person's steps, and by which mail (templates/email/trust_*).

Every mail names the contact it concerns, so the contact's export holds it and its erasure
takes it along. Called inside the transaction of the step it tells of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q

from tenant_app.mail.notify import notify
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.households import TrustedPerson
from tenant_app.settings import Settings

PORTAL_TRUST = "/portal/trust"  # the trusted person's own overview


@dataclass(frozen=True)
class Recipient:
    email: str
    first_name: str
    language: str | None
    user_id: int | None


def _of(user: User) -> Recipient:
    return Recipient(user.email, user.first_name, user.language, user.id)


async def customer_recipients(contact: Contact) -> list[Recipient]:
    """The contact's own login (only the contact decides about its trusted persons, not a
    household login managing it); the contact's address when no login exists."""
    own = await User.filter(kind="customer", is_active=True, contact_id=contact.id)
    found = [_of(user) for user in own]
    return found or [Recipient(contact.email, contact.first_name, None, None)]


async def responsible_staff(contact_id: int) -> list[User]:
    """The staff responsible for the contact; if nobody is, those who manage contacts."""
    staff = User.filter(kind="staff", is_active=True)
    chosen = await staff.filter(responsible_for__contact_id=contact_id)
    return list(chosen or await staff.filter(Q(manages_contacts=True) | Q(role="admin")))


async def _send(
    settings: Settings,
    to: Recipient,
    template: str,
    contact_id: int,
    link: str,
    **context: object,
) -> None:
    await notify(
        settings,
        to=to.email,
        language=to.language,
        template=template,
        context={"name": to.first_name, **context},
        links={"link": link},
        contact_id=contact_id,
        user_id=to.user_id,
    )


async def tell_named(
    settings: Settings, person: TrustedPerson, contact: Contact, login: User, *, with_link: bool
) -> None:
    """To the person named: who named them and what it means. `with_link`: a second mail
    brings the link to set a password."""
    await _send(
        settings,
        _of(login),
        "trust_named",
        contact.id,
        PORTAL_TRUST,
        customer=contact.full_name,
        days=person.wait_days,
        with_link=with_link,
    )


async def tell_requested(
    settings: Settings, person: TrustedPerson, contact: Contact, opens_at: datetime
) -> None:
    """To the customer and the responsible staff: who asked, when it opens, where to veto."""
    facts = {"person": person.full_name, "customer": contact.full_name, "opens_at": opens_at}
    for recipient in await customer_recipients(contact):
        link = f"/portal/trust/persons/{person.id}"
        await _send(settings, recipient, "trust_requested", contact.id, link, **facts)
    for member in await responsible_staff(contact.id):
        link = f"/staff/contacts/{contact.id}#trusted"
        await _send(settings, _of(member), "trust_requested", contact.id, link, **facts)


async def tell_vetoed(settings: Settings, person: TrustedPerson, contact: Contact) -> None:
    """To the trusted person: the request was declined; they may ask again later."""
    login = await User.get_or_none(id=person.user_id) if person.user_id else None
    if login is None:
        return
    link = f"{PORTAL_TRUST}/{person.id}"
    await _send(settings, _of(login), "trust_vetoed", contact.id, link, customer=contact.full_name)


async def tell_opened(
    settings: Settings, person: TrustedPerson, contact: Contact, *, on_proof: bool
) -> None:
    """To the trusted person (the folder is theirs to read now) and to the customer (who
    can still remove them)."""
    facts = {"person": person.full_name, "customer": contact.full_name, "on_proof": on_proof}
    login = await User.get_or_none(id=person.user_id) if person.user_id else None
    if login is not None:
        link = f"{PORTAL_TRUST}/{person.id}"
        await _send(
            settings, _of(login), "trust_opened", contact.id, link, **facts, to_customer=False
        )
    for recipient in await customer_recipients(contact):
        link = f"/portal/trust/persons/{person.id}"
        await _send(
            settings, recipient, "trust_opened", contact.id, link, **facts, to_customer=True
        )
