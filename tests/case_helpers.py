"""Building blocks for advice-case tests: staff with the rights a case needs, and cases made
through the use cases (as the pages and the demo make them)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from tenant_app.actors import CurrentUser, actor_from
from tenant_app.models.accounts import User
from tenant_app.models.cases import AdviceCase
from tenant_app.services import case_risks, cases
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info
from tests.web.test_tickets import make_staff

CAR = {  # a vehicle as the risk form sends it
    "label": "VW Golf, K-AB 123",
    "attributes.make": "Volkswagen",
    "attributes.model": "Golf 8",
    "attributes.registration": "K-AB 123",
    "attributes.first_registration": "2019-05-01",
    "attributes.annual_mileage": "12.000",
    "attributes.hsn": "0603",
    "attributes.tsn": "BJM",
}
STORED_CAR = {
    "make": "Volkswagen",
    "model": "Golf 8",
    "registration": "K-AB 123",
    "first_registration": "2019-05-01",
    "annual_mileage": 12000,
    "hsn": "0603",
    "tsn": "BJM",
}


@asynccontextmanager
async def in_tenant(tenant: Any) -> AsyncIterator[None]:
    """Run use cases as a request of `tenant` would (scope, links, the live broker)."""
    tokens = enter_tenant(await load_tenant_info(tenant.tenant.id))
    try:
        yield
    finally:
        leave_tenant(tokens)


async def actor(username: str) -> CurrentUser:
    """The account `username` as a use case sees it (inside the tenant)."""
    return actor_from(await User.get(username=username))


async def open_case(
    tenant: Any,
    contact: Any,
    *,
    title: str = "Kfz-Wechsel",
    lines: tuple[str, ...] = ("kfz",),
    by: str = "alpha-admin",
    with_car: bool = True,
    **values: Any,
) -> AdviceCase:
    """A case opened by `by` through the use case, with a vehicle risk (if kfz)."""
    async with in_tenant(tenant):
        staff = await actor(by)
        fields: Mapping[str, Any] = {"title": title, "product_lines": list(lines), **values}
        case = await cases.open_case(staff, contact_id=contact.id, values=fields)
        if with_car and "kfz" in lines:
            attributes = {key.split(".", 1)[1]: value for key, value in CAR.items() if "." in key}
            await case_risks.add_risk(
                staff,
                case,
                values={"product_line": "kfz", "label": CAR["label"]},
                attributes=attributes,
            )
        return case


async def staff_member(tenant: Any, passwords: Any, username: str, **rights: Any) -> User:
    return await make_staff(tenant, passwords, username, username.title(), **rights)
