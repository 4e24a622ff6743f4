"""Contacts on the staff side: list, create, edit, overview, erasure, export (the
contact's login: contact_login.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_manage_contacts, can_use_staff_area, staff_may_read_folder
from tenant_app.schemas.people import CONTACT_FIELDS
from tenant_app.services import (
    access,
    accounts,
    activity,
    case_pages,
    contacts,
    documents,
    erasure,
    households,
    insured_object_pages,
    legal_holds,
    notices,
    retention_rules,
    trust_staff,
    versions,
)
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.settings import Settings
from tenant_app.vocabulary import ACCESS_FIELDS
from tenant_app.web import folder_forms, forms
from tenant_app.web.guards import require


def _store(request: Request) -> Storage:
    store: Storage = request.app.state.storage
    return store


async def contact_list(request: Request) -> Response:
    actor = require(request, can_use_staff_area)
    params = request.query_params
    search, sort = params.get("q", "")[:100], params.get("sort", "name")
    page_number = forms.optional_id(params.get("page", "")) or 1
    page = await contacts.visible_contacts(actor, search=search, sort=sort, page=page_number)
    context = {"page": page, "q": search, "sort": sort}
    return render(request, "staff/contacts/list.html", context, block="results")


async def visible_contact(request: Request) -> tuple[CurrentUser, Any]:
    actor = require(request, can_use_staff_area)
    return actor, await contacts.get_visible_contact(
        actor, cast(int, request.path_params["contact_id"])
    )


def _form_context(values: dict[str, Any], errors: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"values": values, "errors": errors, **extra}


async def _form_page(
    request: Request,
    values: dict[str, Any],
    errors: dict[str, str],
    responsible: list[int],
    *,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    """The contact form (new, or `contact=` when editing) with the staff to choose from."""
    staff = await contacts.staff_choices()
    context = _form_context(values, errors, **extra, staff=staff, responsible=responsible)
    return render(request, "staff/contacts/form.html", context, status_code=status_code)


async def _managed_contact(request: Request) -> tuple[CurrentUser, Any]:
    """The contact of the path, if the user may see it (else 404) and change it (else 403)."""
    actor = require(request, can_use_staff_area)
    contact_id = cast(int, request.path_params["contact_id"])
    return actor, await contacts.contact_to_manage(actor, contact_id)


async def contact_create_form(request: Request) -> Response:
    require(request, can_manage_contacts)
    return await _form_page(request, {}, {}, [])


def _responsible_from(form: FormData) -> list[int]:
    ids = (
        forms.optional_id(value) for value in form.getlist("responsible") if isinstance(value, str)
    )
    return [staff_id for staff_id in ids if staff_id is not None]


async def contact_create(request: Request) -> Response:
    actor = require(request, can_manage_contacts)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    responsible = _responsible_from(form)
    try:
        values = forms.texts(form, CONTACT_FIELDS, max_chars=254)
        contact = await contacts.create_contact(actor, values=values, responsible=responsible)
    except ValidationFailed as failed:
        return await _form_page(request, values, failed.errors, responsible, status_code=422)
    return redirect(request, "contact_detail", flash="created", contact_id=contact.id)


EDIT_FIELDS = (*CONTACT_FIELDS, VERSION_FIELD)  # the edit form carries the version it shows


def _contact_values(contact: Any) -> dict[str, Any]:
    values = {name: getattr(contact, name) for name in EDIT_FIELDS}
    values["birthdate"] = contact.birthdate.isoformat()
    return values


async def contact_edit_form(request: Request) -> Response:
    _actor, contact = await _managed_contact(request)
    responsible = await contacts.responsible_ids(contact.id)
    return await _form_page(request, _contact_values(contact), {}, responsible, contact=contact)


async def contact_update(request: Request) -> Response:
    actor, contact = await _managed_contact(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    responsible = _responsible_from(form)
    try:
        values = forms.texts(form, EDIT_FIELDS, max_chars=254)
        await contacts.update_contact(actor, contact, values=values, responsible=responsible)
    except ValidationFailed as failed:
        return await _form_page(
            request,
            failed.kept(values),
            failed.errors,
            responsible,
            status_code=failed.status_code,
            contact=contact,
        )
    return redirect(request, "contact_detail", flash="saved", contact_id=contact.id)


async def contact_detail(request: Request) -> Response:
    actor, contact = await visible_contact(request)
    return await detail_page(request, actor, contact)


async def contact_document_upload(request: Request) -> Response:
    """A document filed on the contact itself (broker contract, first information)."""
    actor, contact = await visible_contact(request)

    async def failed(values: dict[str, str], errors: dict[str, str]) -> Response:
        return await detail_page(request, actor, contact, upload=(values, errors))

    return await folder_forms.upload_document(
        request,
        actor,
        contact_id=contact.id,
        done=lambda _document, query: redirect(
            request, "contact_detail", query=query, contact_id=contact.id
        ),
        failed=failed,
        on_contact=True,
    )


DETAIL_PAGE = "staff/contacts/detail.html"
FailedUpload = tuple[dict[str, str], dict[str, str]]  # the form's values, the errors


async def detail_page(
    request: Request,
    actor: CurrentUser,
    contact: Any,
    *,
    upload: FailedUpload | None = None,
    household_form: households.HouseholdForm | None = None,
) -> Response:
    """The contact's page; after a failed upload (or household form) with its errors."""
    context = await _sections(actor, contact, request.app.state.settings)
    context |= {
        "upload_values": upload[0] if upload else {},
        "upload_errors": upload[1] if upload else {},
        "household": await households.household_panel(actor, contact, form=household_form),
    }
    failed = upload or household_form
    return render(request, DETAIL_PAGE, context, status_code=422 if failed else 200)


async def _sections(actor: CurrentUser, contact: Any, settings: Settings) -> dict[str, Any]:
    """What the contact's page shows whatever form failed: account, modules, documents."""
    account, state = await accounts.customer_account(actor, contact_id=contact.id)
    permissions = await access.access_of(contact.id)
    counts = await access.folder_counts(contact.id, permissions)
    return {
        "contact": contact,
        "account": account,
        "permissions": permissions,
        "folders": [c for c in counts if staff_may_read_folder(actor, c.folder)],
        "account_state": state,
        "notices": await notices.open_for_contact(actor, contact_id=contact.id),
        "documents": await documents.contact_documents(actor, contact_id=contact.id),
        "trusted": await trust_staff.contact_trust(actor, contact_id=contact.id, settings=settings),
        "cases": await case_pages.contact_cases(actor, contact_id=contact.id),
        "holds": await legal_holds.holds_of(contact.id),
        "objects": await insured_object_pages.contact_objects(actor, contact),
        # the newest customer actions; the contact's whole feed is its own page
        "activity": await activity.feed(
            actor, filter="all", page=1, contact_id=contact.id, per_page=5
        ),
    }


async def contact_notice_done(request: Request) -> Response:
    actor, contact = await visible_contact(request)
    notice_id = cast(int, request.path_params["notice_id"])
    await notices.resolve(actor, contact_id=contact.id, notice_id=notice_id)
    return redirect(request, "contact_detail", flash="notice_done", contact_id=contact.id)


PERMISSIONS_PAGE = "staff/contacts/permissions.html"


async def contact_permissions_form(request: Request) -> Response:
    actor, contact = await _managed_contact(request)
    permissions, version = await access.access_form(actor, contact_id=contact.id)
    context = {"contact": contact, "permissions": permissions, "version": version, "errors": {}}
    return render(request, PERMISSIONS_PAGE, context)


async def contact_permissions_save(request: Request) -> Response:
    actor, contact = await visible_contact(request)
    form = await forms.read_form(request)
    flags = {name: forms.checkbox(form, name) for name in ACCESS_FIELDS}
    version = versions.version_of({VERSION_FIELD: forms.text(form, VERSION_FIELD, max_chars=12)})
    try:
        await access.save_access(actor, contact_id=contact.id, flags=flags, version=version)
    except EditConflict as conflict:  # the ticks as sent, next to what is stored now
        context = {"contact": contact, "permissions": flags, "errors": conflict.errors}
        context["version"] = conflict.version
        return render(request, PERMISSIONS_PAGE, context, status_code=conflict.status_code)
    return redirect(request, "contact_permissions_form", flash="saved", contact_id=contact.id)


async def _delete_page(
    request: Request, actor: CurrentUser, contact: Any, errors: dict[str, str]
) -> Response:
    """The confirmation: what goes at once, what retention or a legal hold keeps until when."""
    context = {"contact": contact, "errors": errors}
    context["outcome"] = await erasure.preview_erasure(actor, contact)
    context |= retention_rules.TABLES
    return render(
        request, "staff/contacts/delete.html", context, status_code=422 if errors else 200
    )


async def contact_delete_form(request: Request) -> Response:
    actor, contact = await _managed_contact(request)
    return await _delete_page(request, actor, contact, {})


async def contact_delete(request: Request) -> Response:
    actor, contact = await visible_contact(request)
    form = await forms.read_form(request)
    try:
        confirmation = forms.text(form, "confirm_text", max_chars=200)
        outcome = await erasure.delete_contact(
            actor,
            _store(request),
            contact,
            confirmation=confirmation,
            settings=request.app.state.settings,
        )
    except ValidationFailed as failed:
        return await _delete_page(request, actor, contact, failed.errors)
    flash = "deleted" if outcome.contact_deleted else "restricted"
    return redirect(request, "contact_list", flash=flash)


async def contact_export(request: Request) -> Response:
    actor, contact = await visible_contact(request)
    archive = await erasure.export_contact(actor, _store(request), contact)

    def chunks() -> Iterator[bytes]:
        with archive:
            while chunk := archive.read(64 * 1024):
                yield chunk

    name = f"kontakt-{contact.id}-export.zip"
    return StreamingResponse(
        chunks(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


routes = [
    Route("/staff/contacts", contact_list, methods=["GET"], name="contact_list"),
    Route("/staff/contacts/new", contact_create_form, methods=["GET"], name="contact_create_form"),
    Route("/staff/contacts", contact_create, methods=["POST"], name="contact_create"),
    Route(
        "/staff/contacts/{contact_id:id}", contact_detail, methods=["GET"], name="contact_detail"
    ),
    Route(
        "/staff/contacts/{contact_id:id}/notices/{notice_id:id}/done",
        contact_notice_done,
        methods=["POST"],
        name="contact_notice_done",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/edit",
        contact_edit_form,
        methods=["GET"],
        name="contact_edit_form",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/edit",
        contact_update,
        methods=["POST"],
        name="contact_update",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/documents/on-contact",
        contact_document_upload,
        methods=["POST"],
        name="contact_document_upload",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/permissions",
        contact_permissions_form,
        methods=["GET"],
        name="contact_permissions_form",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/permissions",
        contact_permissions_save,
        methods=["POST"],
        name="contact_permissions_save",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/delete",
        contact_delete_form,
        methods=["GET"],
        name="contact_delete_form",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/delete",
        contact_delete,
        methods=["POST"],
        name="contact_delete",
    ),
    Route(
        "/staff/contacts/{contact_id:id}/export",
        contact_export,
        methods=["GET"],
        name="contact_export",
    ),
]
