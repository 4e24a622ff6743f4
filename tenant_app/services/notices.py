"""Notices staff must act on for a contact: a link died from wrong PINs, a mail bounced."""

from __future__ import annotations

from tenant_app.models.contacts import ContactNotice

NOTICE_KINDS = ("link_locked", "mail_failed")


async def record(*, contact_id: int, kind: str, details: str = "") -> ContactNotice:
    """Called inside the tenant scope and the transaction of whatever caused the notice."""
    return await ContactNotice.create(contact_id=contact_id, kind=kind, details=details[:300])
