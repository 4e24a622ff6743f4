"""Households: the contacts one login may show (the portal's switcher) and, for staff, the
links on one contact in both directions. One query each, however many links there are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tenant_app.queries.sql import as_datetime, fetch_all


def _name(first: str | None, last: str | None) -> str:
    return f"{first or ''} {last or ''}".strip()


@dataclass(frozen=True, slots=True)
class HouseholdContact:
    """A contact whose folders a login may open: its own, or one linked to it."""

    id: int
    first_name: str
    full_name: str
    own: bool


# The login's own contact and the contacts linked to it; a link to another tenant's contact
# cannot exist, and the contact is checked against the tenant anyway.
_CONTACTS_SQL = (
    "SELECT k.id, k.first_name, k.last_name FROM contact k"
    " WHERE k.tenant_id = :tenant_id AND (k.id = :own_id OR k.id IN ("
    "SELECT l.contact_id FROM contact_link l"
    " WHERE l.tenant_id = :tenant_id AND l.user_id = :user_id))"
)


async def household_contacts(*, user_id: int, own_contact_id: int | None) -> list[HouseholdContact]:
    """The login's own contact first, then the linked ones by name."""
    rows = await fetch_all(_CONTACTS_SQL, user_id=user_id, own_id=own_contact_id)
    found = [
        HouseholdContact(
            id=row["id"],
            first_name=row["first_name"] or "",
            full_name=_name(row["first_name"], row["last_name"]),
            own=row["id"] == own_contact_id,
        )
        for row in rows
    ]
    return sorted(found, key=lambda c: (not c.own, c.first_name.lower(), c.full_name.lower(), c.id))


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One link as the staff contact page lists it, seen from the contact or from the login.

    `person_*` is the other side: the login (and its own contact) on the managed contact's
    page, the managed contact on the page of the login's own contact.
    """

    id: int
    managed_contact_id: int
    person_name: str
    person_contact_id: int | None  # the contact page to link to (None: none, or not visible)
    username: str  # the login's username ("" on the login's own page)
    login_active: bool
    consent_note: str
    created_at: datetime
    created_by: str  # the staff member who linked (deleted staff: "")


# side 'managed_by': logins that manage :contact_id; side 'manages': contacts the login of
# :contact_id manages. `visible`: the acting staff member is responsible for the other contact.
_LINKS_SQL = (
    "SELECT 'managed_by' AS side, l.id, l.contact_id AS managed_id, l.consent_note, l.created_at,"
    " u.username, u.is_active, u.first_name, u.last_name, u.contact_id AS person_id,"
    " s.first_name AS staff_first, s.last_name AS staff_last,"
    " EXISTS (SELECT 1 FROM contact_responsible r WHERE r.tenant_id = l.tenant_id"
    " AND r.contact_id = u.contact_id AND r.user_id = :viewer_id) AS visible"
    " FROM contact_link l JOIN user_account u ON u.id = l.user_id AND u.tenant_id = l.tenant_id"
    " LEFT JOIN user_account s ON s.id = l.created_by_id AND s.tenant_id = l.tenant_id"
    " WHERE l.tenant_id = :tenant_id AND l.contact_id = :contact_id"
    " UNION ALL"
    " SELECT 'manages', l.id, l.contact_id, l.consent_note, l.created_at,"
    " '', u.is_active, k.first_name, k.last_name, k.id,"
    " s.first_name, s.last_name,"
    " EXISTS (SELECT 1 FROM contact_responsible r WHERE r.tenant_id = l.tenant_id"
    " AND r.contact_id = k.id AND r.user_id = :viewer_id)"
    " FROM contact_link l JOIN user_account u ON u.id = l.user_id AND u.tenant_id = l.tenant_id"
    " JOIN contact k ON k.id = l.contact_id AND k.tenant_id = l.tenant_id"
    " LEFT JOIN user_account s ON s.id = l.created_by_id AND s.tenant_id = l.tenant_id"
    " WHERE l.tenant_id = :tenant_id AND u.contact_id = :contact_id"
)


def _link_row(row: dict[str, Any], sees_all: bool) -> LinkRow:
    visible = sees_all or bool(row["visible"])
    return LinkRow(
        id=row["id"],
        managed_contact_id=row["managed_id"],
        person_name=_name(row["first_name"], row["last_name"]),
        person_contact_id=row["person_id"] if visible else None,
        username=row["username"] or "",
        login_active=bool(row["is_active"]),
        consent_note=row["consent_note"] or "",
        created_at=as_datetime(row["created_at"]),
        created_by=_name(row["staff_first"], row["staff_last"]),
    )


async def contact_links(
    contact_id: int, *, viewer_id: int, sees_all: bool
) -> tuple[list[LinkRow], list[LinkRow]]:
    """(logins managing the contact, contacts its own login manages), each by name."""
    rows = await fetch_all(_LINKS_SQL, contact_id=contact_id, viewer_id=viewer_id)
    managed_by = [_link_row(r, sees_all) for r in rows if r["side"] == "managed_by"]
    manages = [_link_row(r, sees_all) for r in rows if r["side"] == "manages"]

    def by_name(link: LinkRow) -> tuple[str, int]:
        return (link.person_name.lower(), link.id)

    return sorted(managed_by, key=by_name), sorted(manages, key=by_name)
