"""Building blocks for the backoffice's page tests: an engaged backoffice with a person logged
in on the platform host, and tenders of a broker's customers handed to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import Backoffice, Tender
from tests.case_helpers import open_case
from tests.conftest import make_customer
from tests.tender_helpers import (
    BACKOFFICE_PASSWORD,
    PLATFORM_HOST,
    backoffice_login,
    engage,
    make_backoffice,
    make_tender,
    platform_space,
)


@dataclass
class Desk:
    """A backoffice, one of its people (logged in on the platform host) and their client."""

    backoffice: Backoffice
    person: Any  # the User row
    client: Any


async def desk(
    passwords: Any, client_for: Any, name: str = "Nordlicht Backoffice", first: str = "Bea"
) -> Desk:
    await platform_space()
    backoffice = await Backoffice.get_or_none(name=name) or await make_backoffice(name)
    person = await backoffice_login(passwords, backoffice, first_name=first)
    client = client_for(PLATFORM_HOST)
    await client.log_in(person.email, BACKOFFICE_PASSWORD)
    return Desk(backoffice, person, client)


async def customer_case(
    tenant: Any, passwords: Any, *, email: str, first: str, last: str, title: str
) -> Any:
    contact = await make_customer(tenant, passwords, email=email, first_name=first, last_name=last)
    slug = tenant.tenant.slug
    return await open_case(
        tenant, contact, title=title, lines=("gewerbe",), with_car=False, by=f"{slug}-admin"
    )


async def handed_tender(
    tenant: Any, passwords: Any, backoffice: Backoffice, *, n: int = 1, **fields: Any
) -> Tender:
    """A tender of a new customer of `tenant`, handed to `backoffice`."""
    case = await customer_case(
        tenant,
        passwords,
        email=f"kunde{n}@{tenant.tenant.slug}.example",
        first="Kim",
        last=f"Kunde{n}",
        title=f"Gewerbe {n}",
    )
    with tenant_scope(tenant.tenant.id):
        await case.fetch_related("contact")
    due_at = fields.pop("due_at", None)
    tender = await make_tender(tenant, case, backoffice, **fields)
    if due_at is not None:  # make_tender sets it a week ahead
        with tenant_scope(tenant.tenant.id):
            await Tender.filter(id=tender.id).update(due_at=due_at)
        tender.due_at = due_at
    return tender


async def engaged(tenant: Any, backoffice: Backoffice) -> None:
    await engage(tenant, backoffice)
