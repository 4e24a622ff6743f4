"""Insured objects (Versicherte Objekte) on the staff side: the form whose attribute fields
follow the product line (as a case's risk form: htmx swaps them when the line changes), an
object's page, its edit, "not insured" and reopening. Applying through an insurer's interface
starts at the object's page (POST /staff/objects/{id}/apply, web/staff/applications)."""

from __future__ import annotations

from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.schemas.product_lines import line_label, product_line
from tenant_app.schemas.risk_values import FREE_FIELD
from tenant_app.services import insured_object_pages, insured_objects, insurer_plugins, versions
from tenant_app.services.insured_objects import ATTRIBUTE_PREFIX
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.vocabulary import PRODUCT_LINES
from tenant_app.web import forms
from tenant_app.web.staff.case_risks import sent_attributes
from tenant_app.web.staff.cases import staff_only

OBJECT_FORM = "staff/insured_objects/form.html"
OBJECT_PAGE = "staff/insured_objects/detail.html"


def _line(wanted: str) -> str:
    """The product line the new form is for: the one asked for, else the first an installed
    insurer interface insures, else the first."""
    if wanted in PRODUCT_LINES:
        return wanted
    for plugin in insurer_plugins.installed().values():
        for kind in plugin.object_kinds:
            if kind.product_line in PRODUCT_LINES:
                return kind.product_line
    return PRODUCT_LINES[0]


def _form(
    request: Request,
    contact: Any,
    line: str,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    found: Any = None,
    status_code: int = 200,
) -> Response:
    """The object's form; to an htmx request for another product line only its fields."""
    context = {
        "contact": contact,
        "object": found,
        "line": product_line(line),
        "line_key": line,
        "lines": [(key, line_label(key)) for key in PRODUCT_LINES],
        "values": values,
        "errors": errors,
        "prefix": ATTRIBUTE_PREFIX,
        "free_field": ATTRIBUTE_PREFIX + FREE_FIELD,
    }
    return render(request, OBJECT_FORM, context, block="risk_fields", status_code=status_code)


def _sent(
    form: FormData, line: str, names: tuple[str, ...]
) -> tuple[dict[str, str], dict[str, str]]:
    """The form as sent: its own fields (and the attributes, to show again) and the attributes."""
    values = forms.texts(form, names, max_chars=500)
    attributes = sent_attributes(form, line or values.get("product_line", ""))
    return values | {ATTRIBUTE_PREFIX + k: v for k, v in attributes.items()}, attributes


async def _contact(request: Request) -> tuple[CurrentUser, Any]:
    actor = staff_only(request)
    contact_id = cast(int, request.path_params["contact_id"])
    return actor, await insured_objects.contact_for_new(actor, contact_id)


async def object_create_form(request: Request) -> Response:
    _actor, contact = await _contact(request)
    line = _line(request.query_params.get("product_line", "")[:40])
    return _form(request, contact, line, {}, {})


async def object_create(request: Request) -> Response:
    actor, contact = await _contact(request)
    values, attributes = _sent(await forms.read_form(request), "", ("product_line", "label"))
    try:
        found = await insured_objects.create_object(
            actor, contact, values=values, attributes=attributes
        )
    except ValidationFailed as failed:
        line = _line(values.get("product_line", ""))
        return _form(request, contact, line, values, failed.errors, status_code=422)
    return redirect(request, "insured_object", flash="created", object_id=found.id)


async def _object(request: Request, *, write: bool = False) -> tuple[CurrentUser, Any]:
    actor = staff_only(request)
    object_id = cast(int, request.path_params["object_id"])
    return actor, await insured_objects.object_for(actor, object_id, write=write)


async def object_page(request: Request, **failed: Any) -> Response:
    """The object's page; after a failed decline or reopen with its message."""
    actor, found = await _object(request)
    context = await insured_object_pages.object_page(actor, found)
    context["errors"] = failed.get("errors", {})
    return render(request, OBJECT_PAGE, context, status_code=failed.get("status_code", 200))


def _edit_values(found: Any) -> dict[str, str]:
    """The stored data as the edit form shows them; a name made of the data shows empty, so
    it is made again when they change."""
    built = insured_objects.built_label(found.product_line, found.attributes)
    attributes = insured_objects.form_attributes(found.product_line, found.attributes)
    label = "" if found.label == built else found.label
    return {"label": label, VERSION_FIELD: str(found.version), **attributes}


async def object_edit_form(request: Request) -> Response:
    _actor, found = await _object(request, write=True)
    return _form(request, found.contact, found.product_line, _edit_values(found), {}, found=found)


async def object_update(request: Request) -> Response:
    actor, found = await _object(request, write=True)
    form = await forms.read_form(request)
    values, attributes = _sent(form, found.product_line, ("label", VERSION_FIELD))
    try:
        version = versions.version_of(values)
        await insured_objects.update_object(
            actor, found, values=values, attributes=attributes, version=version
        )
    except ValidationFailed as failed:
        kept, code, line = failed.kept(values), failed.status_code, found.product_line
        return _form(
            request, found.contact, line, kept, failed.errors, found=found, status_code=code
        )
    return redirect(request, "insured_object", flash="saved", object_id=found.id)


async def _state_change(request: Request, change: Any, flash: str) -> Response:
    """Decline or reopen at the version the page was loaded with."""
    actor, found = await _object(request, write=True)
    values = forms.texts(await forms.read_form(request), (VERSION_FIELD,), max_chars=12)
    try:
        await change(actor, found.id, versions.version_of(values))
    except ValidationFailed as failed:
        return await object_page(request, errors=failed.errors, status_code=failed.status_code)
    return redirect(request, "insured_object", flash=flash, object_id=found.id)


async def object_decline(request: Request) -> Response:
    return await _state_change(request, insured_objects.decline, "declined")


async def object_reopen(request: Request) -> Response:
    return await _state_change(request, insured_objects.reopen, "reopened")


NEW = "/staff/contacts/{contact_id:id}/objects/new"
BASE = "/staff/objects/{object_id:id}"
routes = [
    Route(NEW, object_create_form, methods=["GET"], name="insured_object_new"),
    Route(NEW, object_create, methods=["POST"], name="insured_object_create"),
    Route(BASE, object_page, methods=["GET"], name="insured_object"),
    Route(BASE + "/edit", object_edit_form, methods=["GET"], name="insured_object_edit"),
    Route(BASE + "/edit", object_update, methods=["POST"], name="insured_object_update"),
    Route(BASE + "/decline", object_decline, methods=["POST"], name="insured_object_decline"),
    Route(BASE + "/reopen", object_reopen, methods=["POST"], name="insured_object_reopen"),
]
