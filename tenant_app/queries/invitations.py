"""Reads for invitations: the dialog's contacts with their login state, a contact's latest
invitation with its account's dates (a fixed number of queries however many contacts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.queryset import QuerySet

from tenant_app.models.accounts import AccountLink, User
from tenant_app.models.contacts import Contact
from tenant_app.models.engagement import Invitation

READY, NO_EMAIL, HAS_LOGIN = "ready", "no_email", "has_login"


@dataclass(frozen=True)
class DialogRow:
    id: int
    name: str
    email: str
    state: str  # ready | no_email | has_login


async def dialog_rows(contacts: QuerySet[Contact], *, limit: int) -> list[DialogRow]:
    """The contacts (already narrowed to what the actor may see), by name, each with whether
    it can be invited: two queries."""
    rows = (
        await contacts.order_by("last_name", "first_name", "id")
        .limit(limit)
        .values("id", "first_name", "last_name", "email")
    )
    ids = [int(row["id"]) for row in rows]
    logins = await User.filter(contact_id__in=ids, password_hash__not_isnull=True).values_list(
        "contact_id", flat=True
    )
    registered = {int(str(value)) for value in logins if value is not None}
    found = []
    for row in rows:
        state = READY
        if row["id"] in registered:
            state = HAS_LOGIN
        elif not row["email"]:
            state = NO_EMAIL
        name = f"{row['last_name']}, {row['first_name']}"
        found.append(DialogRow(int(row["id"]), name, str(row["email"]), state))
    return found


@dataclass(frozen=True)
class ContactInvitation:
    """What the contact page's invitation panel shows."""

    invitation: Invitation | None
    account: User | None
    open_link: bool  # an unused, unrevoked link exists

    @property
    def invited_at(self) -> datetime | None:
        return self.invitation.created_at if self.invitation else None

    @property
    def state(self) -> str:
        if self.account is not None and self.account.password_hash:
            return "registered"
        if self.invitation is None:
            return "none"
        if self.invitation.revoked_at is not None or not self.open_link:
            return "revoked"
        return "invited"


async def contact_invitation(contact_id: int) -> ContactInvitation:
    invitation = (
        await Invitation.filter(contact_id=contact_id).order_by("-created_at", "-id").first()
    )
    account = await User.get_or_none(contact_id=contact_id)
    open_link = (
        account is not None
        and await AccountLink.filter(user_id=account.id, used_at=None, revoked_at=None).exists()
    )
    return ContactInvitation(invitation, account, open_link)


def summary(report: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"invited": 0, "skipped": 0, "failed": 0}
    for line in report:
        outcome = str(line.get("outcome", ""))
        if outcome in counts:
            counts[outcome] += 1
    return counts
