"""Staff users (Benutzer): list, create, edit, deactivate, resend the password mail."""

from __future__ import annotations

from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_manage_users
from tenant_app.services import accounts, leads
from tenant_app.vocabulary import FOLDERS, RIGHT_FLAGS, STAFF_ROLES
from tenant_app.web import forms
from tenant_app.web.guards import require

PERSON_FIELDS = ("first_name", "last_name", "email", "birthdate", "phone", "role", "version")


def _read_staff_form(form: FormData) -> tuple[dict[str, str], dict[str, Any]]:
    values = {name: forms.text(form, name, max_chars=254) for name in PERSON_FIELDS}
    rights: dict[str, Any] = {
        f"access_{f}": forms.text(form, f"access_{f}", max_chars=5) for f in FOLDERS
    }
    rights |= {flag: forms.checkbox(form, flag) for flag in RIGHT_FLAGS}
    rights["receives_leads"] = forms.checkbox(form, "receives_leads")  # not a right: leads.py
    return values, rights


def _form_context(
    values: dict[str, Any], rights: dict[str, Any], errors: dict[str, str], **extra: Any
) -> dict[str, Any]:
    return {
        "values": values,
        "rights": rights,
        "errors": errors,
        "roles": STAFF_ROLES,
        "folders": FOLDERS,
        "right_flags": RIGHT_FLAGS,
        **extra,
    }


async def user_list(request: Request) -> Response:
    actor = require(request, can_manage_users)
    users = await accounts.staff_users(actor)
    locked = await accounts.locked_links(actor)
    return render(request, "staff/users/list.html", {"users": users, "locked": locked})


async def user_create_form(request: Request) -> Response:
    require(request, can_manage_users)
    return render(request, "staff/users/form.html", _form_context({"role": "mitarbeiter"}, {}, {}))


def _invalid_form(
    request: Request,
    values: dict[str, Any],
    rights: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 422,
    **extra: Any,
) -> Response:
    context = _form_context(values, rights, errors, **extra)
    return render(request, "staff/users/form.html", context, status_code=status_code)


async def user_create(request: Request) -> Response:
    actor = require(request, can_manage_users)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    rights: dict[str, Any] = {}
    try:
        values, rights = _read_staff_form(form)
        user = await accounts.create_staff_user(
            actor, settings=request.app.state.settings, values=values, rights=rights
        )
        await leads.set_receives_leads(actor, user_id=user.id, on=rights["receives_leads"])
    except ValidationFailed as failed:
        return _invalid_form(request, values, rights, failed.errors)
    return redirect(request, "user_detail", flash="created", user_id=user.id)


async def _staff_user(request: Request) -> Any:
    actor = require(request, can_manage_users)
    return await accounts.staff_user_for(actor, cast(int, request.path_params["user_id"]))


def _user_values(user: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    values = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "birthdate": user.birthdate.isoformat() if user.birthdate else "",
        "phone": user.phone,
        "role": user.role,
        "version": user.version,
    }
    rights = {f"access_{f}": getattr(user, f"access_{f}") for f in FOLDERS}
    rights |= {flag: getattr(user, flag) for flag in RIGHT_FLAGS}
    rights["receives_leads"] = user.receives_leads
    return values, rights


async def user_detail(request: Request) -> Response:
    actor = require(request, can_manage_users)
    user = await _staff_user(request)
    values, rights = _user_values(user)
    locked = user.id in await accounts.locked_links(actor)
    context = _form_context(values, rights, {}, account=user, link_locked=locked)
    return render(request, "staff/users/form.html", context)


async def user_update(request: Request) -> Response:
    actor = require(request, can_manage_users)
    user = await _staff_user(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    rights: dict[str, Any] = {}
    try:
        values, rights = _read_staff_form(form)
        await accounts.update_staff_user(actor, user_id=user.id, values=values, rights=rights)
        await leads.set_receives_leads(actor, user_id=user.id, on=rights["receives_leads"])
    except ValidationFailed as failed:
        kept, status = failed.kept(values), failed.status_code
        return _invalid_form(request, kept, rights, failed.errors, status, account=user)
    return redirect(request, "user_detail", flash="saved", user_id=user.id)


async def _set_active(request: Request, *, active: bool) -> Response:
    actor = require(request, can_manage_users)
    user = await _staff_user(request)
    await accounts.set_user_active(actor, user_id=user.id, active=active)
    flash = "activated" if active else "deactivated"
    return redirect(request, "user_detail", flash=flash, user_id=user.id)


async def user_activate(request: Request) -> Response:
    return await _set_active(request, active=True)


async def user_deactivate(request: Request) -> Response:
    return await _set_active(request, active=False)


async def user_send_link(request: Request) -> Response:
    actor = require(request, can_manage_users)
    user = await _staff_user(request)
    try:
        await accounts.send_registration_mail(
            actor, settings=request.app.state.settings, user_id=user.id
        )
    except ValidationFailed:
        return redirect(request, "user_detail", user_id=user.id)
    return redirect(request, "user_detail", flash="mailed", user_id=user.id)


routes = [
    Route("/staff/users", user_list, methods=["GET"], name="user_list"),
    Route("/staff/users/new", user_create_form, methods=["GET"], name="user_create_form"),
    Route("/staff/users", user_create, methods=["POST"], name="user_create"),
    Route("/staff/users/{user_id:id}", user_detail, methods=["GET"], name="user_detail"),
    Route("/staff/users/{user_id:id}", user_update, methods=["POST"], name="user_update"),
    Route(
        "/staff/users/{user_id:id}/deactivate",
        user_deactivate,
        methods=["POST"],
        name="user_deactivate",
    ),
    Route(
        "/staff/users/{user_id:id}/activate",
        user_activate,
        methods=["POST"],
        name="user_activate",
    ),
    Route(
        "/staff/users/{user_id:id}/send-link",
        user_send_link,
        methods=["POST"],
        name="user_send_link",
    ),
]
