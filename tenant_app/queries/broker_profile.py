"""The portal home's broker card and advisor card in one statement, however many contacts,
responsible staff or users the tenant has."""

from __future__ import annotations

from typing import Any

from tenant_app.queries.sql import fetch_one

PROFILE_COLUMNS = (
    "broker_firm_name",
    "broker_legal_form",
    "broker_phone",
    "broker_street",
    "broker_postal_code",
    "broker_city",
    "broker_email",
    "broker_opening_hours",
    "broker_register_number",
    "broker_number",
)

# The advisor: the contact's responsible staff member, the first by name of the active ones.
# Whether the customer may write to them: the rule of the new-ticket form's choice of staff
# (queries/tickets.py: active, administrator or handling tickets).
_CARDS_SQL = (
    "SELECT t.broker_firm_name, t.broker_legal_form, t.broker_phone, t.broker_street,"
    " t.broker_postal_code, t.broker_city, t.broker_email, t.broker_opening_hours,"
    " t.broker_register_number, t.broker_number,"  # PROFILE_COLUMNS
    " u.id AS advisor_id, u.first_name AS advisor_first_name,"
    " u.last_name AS advisor_last_name, u.email AS advisor_email, u.phone AS advisor_phone,"
    " u.role AS advisor_role, u.handles_tickets AS advisor_handles_tickets,"
    " u.photo_key AS advisor_photo_key"
    " FROM tenant t LEFT JOIN user_account u ON u.tenant_id = t.id AND u.id = ("
    "SELECT r.user_id FROM contact_responsible r"
    " JOIN user_account s ON s.id = r.user_id AND s.tenant_id = r.tenant_id"
    " WHERE r.tenant_id = :tenant_id AND r.contact_id = :contact_id"
    " AND s.kind = 'staff' AND s.is_active = :yes"
    " ORDER BY s.last_name, s.first_name, s.id LIMIT 1)"
    " WHERE t.id = :tenant_id"
)


async def portal_cards(contact_id: int) -> dict[str, Any]:
    """The tenant's profile columns and the advisor's (`advisor_*`, None without one)."""
    row = await fetch_one(_CARDS_SQL, contact_id=contact_id, yes=True)
    assert row is not None  # the request's own tenant exists
    return row
