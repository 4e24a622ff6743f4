"""The customer's login on the contact's page: create it, send the registration mail,
lock and unlock it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.pages import redirect
from tenant_app.services import accounts
from tenant_app.web.staff.contacts import visible_contact


async def contact_create_account(request: Request) -> Response:
    actor, contact = await visible_contact(request)
    try:
        await accounts.create_customer_account(actor, contact_id=contact.id)
    except ValidationFailed:
        return redirect(request, "contact_detail", flash="account_error", contact_id=contact.id)
    return redirect(request, "contact_detail", flash="account_created", contact_id=contact.id)


async def contact_send_registration(request: Request) -> Response:
    actor, contact = await visible_contact(request)
    account, _state = await accounts.customer_account(actor, contact_id=contact.id)
    if account is None:
        raise NotFound
    try:
        await accounts.send_registration_mail(
            actor, settings=request.app.state.settings, user_id=account.id
        )
    except ValidationFailed as failed:  # "form": the go-live check (services/legal_profile.py)
        flash = "not_live" if "form" in failed.errors else "account_error"
        return redirect(request, "contact_detail", flash=flash, contact_id=contact.id)
    return redirect(request, "contact_detail", flash="mailed", contact_id=contact.id)


async def _set_login_active(request: Request, *, active: bool) -> Response:
    actor, contact = await visible_contact(request)
    await accounts.set_customer_active(actor, contact_id=contact.id, active=active)
    flash = "login_activated" if active else "login_deactivated"
    return redirect(request, "contact_detail", flash=flash, contact_id=contact.id)


async def contact_login_deactivate(request: Request) -> Response:
    return await _set_login_active(request, active=False)


async def contact_login_activate(request: Request) -> Response:
    return await _set_login_active(request, active=True)


routes = [
    Route(
        "/staff/contacts/{contact_id:id}/account",
        contact_create_account,
        methods=["POST"],
        name="contact_create_account",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/login/deactivate",
        contact_login_deactivate,
        methods=["POST"],
        name="contact_login_deactivate",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/login/activate",
        contact_login_activate,
        methods=["POST"],
        name="contact_login_activate",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/registration-mail",
        contact_send_registration,
        methods=["POST"],
        name="contact_send_registration",
    ),
]
