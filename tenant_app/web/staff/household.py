"""Households on the contact's page: link a login to the contact, invite a new person to
manage it, end a link. Each answers with the contact's page (422 with the form's errors)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect
from tenant_app.permissions import can_use_staff_area
from tenant_app.schemas.households import INVITE_FIELDS, LINK_FIELDS
from tenant_app.services import contacts, households
from tenant_app.web import forms
from tenant_app.web.guards import require
from tenant_app.web.staff.contacts import detail_page

Save = Callable[[CurrentUser, int, dict[str, str]], Awaitable[object]]


async def _save(
    request: Request, form_name: str, fields: tuple[str, ...], save: Save, flash: str
) -> Response:
    actor = require(request, can_use_staff_area)
    contact = await contacts.get_visible_contact(
        actor, cast(int, request.path_params["contact_id"])
    )
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, fields, max_chars=2000)
        await save(actor, contact.id, values)
    except ValidationFailed as failed:
        failed_form = households.HouseholdForm(form_name, values, failed.errors)
        return await detail_page(request, actor, contact, household_form=failed_form)
    return redirect(request, "contact_detail", flash=flash, contact_id=contact.id)


async def contact_household_link(request: Request) -> Response:
    async def save(actor: CurrentUser, contact_id: int, values: dict[str, str]) -> Any:
        return await households.link_login(actor, contact_id=contact_id, values=values)

    return await _save(request, "link", LINK_FIELDS, save, "household_linked")


async def contact_household_invite(request: Request) -> Response:
    settings = request.app.state.settings

    async def save(actor: CurrentUser, contact_id: int, values: dict[str, str]) -> Any:
        return await households.invite_person(
            actor, settings=settings, contact_id=contact_id, values=values
        )

    return await _save(request, "invite", INVITE_FIELDS, save, "household_invited")


async def contact_household_unlink(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    contact_id = cast(int, request.path_params["contact_id"])
    link_id = cast(int, request.path_params["link_id"])
    await households.unlink(actor, contact_id=contact_id, link_id=link_id)
    return redirect(request, "contact_detail", flash="household_unlinked", contact_id=contact_id)


routes = [
    Route(
        "/staff/contacts/{contact_id:id}/household",
        contact_household_link,
        methods=["POST"],
        name="contact_household_link",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/household/invite",
        contact_household_invite,
        methods=["POST"],
        name="contact_household_invite",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/household/{link_id:id}/delete",
        contact_household_unlink,
        methods=["POST"],
        name="contact_household_unlink",
    ),
]
