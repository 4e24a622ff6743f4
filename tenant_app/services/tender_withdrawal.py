"""The broker calls a running tender off (Ausschreibung zurückziehen): the risk changed (a
changed risk is a new tender), the backoffice is no longer engaged, or the customer no longer
wants the cover. The tender closes for both sides, its messages and offers stay readable, the
product line is free for a new tender, and the backoffice is told by mail (no personal data)."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.models.tenders import Backoffice, Tender
from tenant_app.permissions import can_edit_cases
from tenant_app.services import events
from tenant_app.services.tenders import OBJECT_TYPE, tell_backoffice
from tenant_app.services.tickets import Context
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import CLOSED_TENDER_STATUSES

WITHDRAWN_MAIL = "tender_withdrawn"


async def withdraw(ctx: Context, actor: CurrentUser, tender: Tender) -> None:
    """Close the tender (loaded by `tender_access.tender_for(..., edit=True)`) as withdrawn."""
    if not can_edit_cases(actor):
        raise PermissionDenied
    async with in_transaction():
        closed = (
            await Tender.filter(id=tender.id)
            .exclude(status__in=CLOSED_TENDER_STATUSES)
            .update(status="withdrawn", closed_at=datetime.now(UTC))
        )
        if not closed:  # chosen or withdrawn meanwhile
            raise ValidationFailed({"form": _("This tender is closed already.")})
        await events.record(
            actor,
            events.TENDER_WITHDRAWN,
            contact_id=tender.case.contact_id,
            object_type=OBJECT_TYPE,
            object_id=tender.id,
            title=tender.number,
            tell=events.NOBODY,
        )
        backoffice = await Backoffice.get(id=tender.backoffice_id)
        if backoffice.email:
            await tell_backoffice(ctx.settings, tender, backoffice, WITHDRAWN_MAIL)
    tender.status = "withdrawn"
