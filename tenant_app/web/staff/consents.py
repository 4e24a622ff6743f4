"""A contact's consents as staff see them (services/consents.py): a section loaded into the
contact's page, or a page of its own."""

from __future__ import annotations

from typing import cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import render
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import consents, contacts
from tenant_app.web.guards import require


async def staff_contact_consents(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    contact_id = cast(int, request.path_params["contact_id"])
    state = await consents.staff_state(actor, contact_id=contact_id)
    contact = await contacts.get_visible_contact(actor, contact_id)
    context = {"contact": contact, "state": state}
    return render(request, "staff/consents/contact.html", context, block="section")


routes = [
    Route(
        "/staff/contacts/{contact_id:id}/consents",
        staff_contact_consents,
        methods=["GET"],
        name="staff_contact_consents",
    ),
]
