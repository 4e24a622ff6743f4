"""The demo's data-protection requests: Felix asked for a copy of his data 25 days ago (open,
due within a week: marked in staff's list), Lena had hers two months ago (handled; the copy
is no longer offered). In the demo tenant's scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tenant_app.actors import actor_from
from tenant_app.models.accounts import User
from tenant_app.models.legal import DataRequest
from tenant_app.services.data_requests import one_month_after, request_data


async def add_demo_data_requests() -> None:
    felix = await User.get_or_none(kind="customer", username="felix")
    lena = await User.get_or_none(kind="customer", username="lena")
    mia = await User.get_or_none(kind="staff", username="mia")
    if felix is not None:
        asked = datetime.now(UTC) - timedelta(days=25)
        request = await request_data(
            actor_from(felix),
            kind="export",
            message="Bitte schicken Sie mir alles, was Sie über mich gespeichert haben.",
        )
        await DataRequest.filter(id=request.id).update(
            created_at=asked, due_on=one_month_after(asked.date())
        )
    if lena is not None and lena.contact_id is not None:
        asked = datetime.now(UTC) - timedelta(days=60)
        handled = await DataRequest.create(
            contact_id=lena.contact_id,
            kind="export",
            status="done",
            requested_by_id=lena.id,
            due_on=one_month_after(asked.date()),
            handled_by_id=mia.id if mia is not None else None,
            handled_at=asked + timedelta(days=3),
            export_expires_at=asked + timedelta(days=33),  # offered 30 days, then removed
        )
        await DataRequest.filter(id=handled.id).update(created_at=asked)
