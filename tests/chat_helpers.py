"""Chat tests' shared makings: staff and customers, and actors as the use cases see them."""

from __future__ import annotations

from datetime import date
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.models.accounts import User
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.folders import CustomerAccess
from tenant_app.models.scoping import tenant_scope
from tenant_app.permissions import CustomerRights
from tenant_app.vocabulary import ACCESS_FIELDS, RIGHT_FLAGS
from tests.conftest import ADMIN_PASSWORD


async def make_member(
    tenant: Any, passwords: Any, username: str, *, first_name: str = "Sina", **rights: Any
) -> User:
    """A staff member (role mitarbeiter unless `role=`) with the given rights."""
    values = {"role": "mitarbeiter", **rights}
    with tenant_scope(tenant.tenant.id):
        return await User.create(
            kind="staff",
            username=username,
            email=f"{username}@{tenant.tenant.slug}.example",
            first_name=first_name,
            last_name="Staff",
            birthdate=date(1980, 1, 1),
            password_hash=await passwords.hash(ADMIN_PASSWORD),
            **values,
        )


async def make_responsible(tenant: Any, contact: Any, *members: User) -> None:
    """Make the members responsible for the contact, in this order (the first is first)."""
    with tenant_scope(tenant.tenant.id):
        for member in members:
            await ContactResponsible.create(contact_id=contact.id, user_id=member.id)


async def actor(username: str) -> CurrentUser:
    """The account as its session would load it (call inside the tenant's scope)."""
    user = await User.get(username=username)
    access = None
    if user.kind == "customer":
        row = await CustomerAccess.get_or_none(contact_id=user.contact_id)
        values = {name: getattr(row, name) for name in ACCESS_FIELDS} if row else {}
        access = CustomerRights.from_values(int(user.contact_id or 0), values)
    return CurrentUser(
        id=user.id,
        kind=user.kind,
        role=user.role,
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        language=None,
        session_id="test",
        csrf_token="test",
        contact_id=user.contact_id,
        own_contact_id=user.contact_id,
        access=access,
        **{flag: bool(getattr(user, flag)) for flag in RIGHT_FLAGS},
    )
