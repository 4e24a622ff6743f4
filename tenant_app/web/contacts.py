"""Contacts (customers) on the staff side: list, create, detail with the account steps."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.htmx import render
from tenant_app.models.accounts import AccountLink, User
from tenant_app.permissions import can_manage_contacts, can_use_staff_area
from tenant_app.services import accounts, contacts
from tenant_app.web import forms
from tenant_app.web.guards import require


async def contact_list(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    query = request.query_params.get("q", "")[:100]
    rows = await contacts.visible_contacts(actor, search=query)
    return render(
        request,
        "staff/contacts/list.html",
        {"contacts": rows, "q": query, "can_create": can_manage_contacts(actor)},
    )


async def contact_create_form(request: Request) -> Response:
    require(request, can_manage_contacts)
    return render(request, "staff/contacts/form.html", {"values": {}, "errors": {}})


async def contact_create(request: Request) -> Response:
    actor = require(request, can_manage_contacts)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = {name: forms.text(form, name, max_chars=254) for name in contacts.CONTACT_FIELDS}
        contact = await contacts.create_contact(request.state.tenant, actor, values=values)
    except ValidationFailed as failed:
        return render(
            request,
            "staff/contacts/form.html",
            {"values": values, "errors": failed.errors},
            status_code=422,
        )
    return RedirectResponse(f"/staff/contacts/{contact.id}?created=1", status_code=303)


async def contact_detail(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    contact = await contacts.get_visible_contact(actor, request.path_params["contact_id"])
    account = await User.get_or_none(contact_id=contact.id)
    link_sent = account is not None and await AccountLink.filter(user_id=account.id).exists()
    context: dict[str, Any] = {
        "contact": contact,
        "account": account,
        "account_state": accounts.account_state(account, link_sent=link_sent),
        "can_manage": can_manage_contacts(actor),
        "errors": {},
    }
    return render(request, "staff/contacts/detail.html", context)


async def contact_create_account(request: Request) -> Response:
    actor = require(request, can_manage_contacts)
    contact = await contacts.get_visible_contact(actor, request.path_params["contact_id"])
    try:
        await accounts.create_customer_account(request.state.tenant, actor, contact_id=contact.id)
    except ValidationFailed:
        return RedirectResponse(f"/staff/contacts/{contact.id}?account_error=1", status_code=303)
    return RedirectResponse(f"/staff/contacts/{contact.id}?account_created=1", status_code=303)


async def contact_send_registration(request: Request) -> Response:
    actor = require(request, can_manage_contacts)
    contact = await contacts.get_visible_contact(actor, request.path_params["contact_id"])
    account = await User.get_or_none(contact_id=contact.id)
    if account is None:
        raise NotFound
    try:
        await accounts.send_registration_mail(
            request.state.tenant, actor, request.app.state.settings, user_id=account.id
        )
    except ValidationFailed:
        return RedirectResponse(f"/staff/contacts/{contact.id}?account_error=1", status_code=303)
    return RedirectResponse(f"/staff/contacts/{contact.id}?mailed=1", status_code=303)


routes = [
    Route("/staff/contacts", contact_list, methods=["GET"], name="contact_list"),
    Route("/staff/contacts/new", contact_create_form, methods=["GET"], name="contact_create_form"),
    Route("/staff/contacts", contact_create, methods=["POST"], name="contact_create"),
    Route(
        "/staff/contacts/{contact_id:int}", contact_detail, methods=["GET"], name="contact_detail"
    ),
    Route(
        "/staff/contacts/{contact_id:int}/account",
        contact_create_account,
        methods=["POST"],
        name="contact_create_account",
    ),
    Route(
        "/staff/contacts/{contact_id:int}/registration-mail",
        contact_send_registration,
        methods=["POST"],
        name="contact_send_registration",
    ),
]
