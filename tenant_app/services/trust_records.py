"""A contact's trusted persons in its data export and its erasure (services/erasure.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tenant_app.models.accounts import User
from tenant_app.models.households import ContactLink, TrustedPerson, TrustEvent


async def logins_only_trusting(contact_id: int) -> list[User]:
    """Logins that exist only as this contact's trusted persons (no contact of their own, not
    trusted by anyone else, managing no household): they go with the contact's erasure."""
    named = await TrustedPerson.filter(contact_id=contact_id)
    ids = {person.user_id for person in named if person.user_id is not None}
    if not ids:
        return []
    elsewhere = await TrustedPerson.filter(user_id__in=ids).exclude(contact_id=contact_id)
    linked = await ContactLink.filter(user_id__in=ids)
    keep = {person.user_id for person in elsewhere} | {link.user_id for link in linked}
    return list(await User.filter(id__in=ids - keep, contact_id=None, kind="customer"))


async def forget_trusted(account_ids: list[int]) -> None:
    """Erasing a person also erases what others' entries say about them as trusted person
    (their name, address, birthdate); those customers simply no longer have that entry."""
    if account_ids:
        await TrustedPerson.filter(user_id__in=account_ids).delete()


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def export_of(
    contact_id: int, account_ids: list[int], archived: dict[int, str]
) -> dict[str, list[dict[str, Any]]]:
    """For the contact's export: the trusted persons it named, each with its trail (a proof
    as its file in the archive, `archived`), and where its logins are someone's trusted
    person (what those entries hold about them, not the other customer's data)."""
    named = list(await TrustedPerson.filter(contact_id=contact_id).order_by("id"))
    events = await TrustEvent.filter(trusted_person_id__in=[p.id for p in named]).order_by(
        "created_at", "id"
    )
    trusted_by = await TrustedPerson.filter(user_id__in=account_ids).order_by("id")
    return {
        "trusted_persons": [
            {
                **_person_row(person),
                "history": [
                    {
                        "kind": step.kind,
                        "by": step.actor_name,
                        "note": step.note,
                        "at": _when(step.created_at),
                        "proof": archived.get(step.document_id or 0),
                    }
                    for step in events
                    if step.trusted_person_id == person.id
                ],
            }
            for person in named
        ],
        "trusted_person_of": [_person_row(person) for person in trusted_by],
    }


def _person_row(person: TrustedPerson) -> dict[str, Any]:
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "birthdate": person.birthdate.isoformat(),
        "wait_days": person.wait_days,
        "status": person.status,
        "named_at": _when(person.created_at),
        "requested_at": _when(person.requested_at),
        "opens_at": _when(person.opens_at),
        "opened_at": _when(person.opened_at),
    }
