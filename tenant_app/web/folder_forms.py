"""What the staff and the portal folder pages share: the folder page, the contract form and
the upload form. Each actor keeps its own URLs, templates and rights; the steps are written once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.pages import render
from tenant_app.services import contracts, documents
from tenant_app.vocabulary import CONTRACT_STATUSES, LETTERS, PAYMENT_FREQUENCIES, PAYMENT_METHODS
from tenant_app.web import forms

Save = Callable[[dict[str, str]], Awaitable[object]]
Failed = Callable[[dict[str, str], dict[str, str]], Awaitable[Response]]
# After an upload: the first document added and the redirect's query, `uploaded=N` (the
# page's confirmation says how many documents were added).
Done = Callable[[Any, dict[str, str]], Response]


def render_folder(
    request: Request,
    template: str,
    page: dict[str, Any],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    """A folder page; after a failed upload, with the errors next to the form it came from."""
    if values is None:
        return render(request, template, {**page, "errors": {}, "values": {}})
    failed_contract = values.get("contract_id", "")
    context = {**page, "errors": errors or {}, "values": values, "failed_contract": failed_contract}
    return render(request, template, context, status_code=422)


def contract_form_context(
    values: dict[str, Any], errors: dict[str, str], *, folder: str, with_status: bool, **extra: Any
) -> dict[str, Any]:
    """The contract form's context with the fields that fit the folder; staff also choose the
    status (a customer's is `start`)."""
    context: dict[str, Any] = {
        "values": values,
        "errors": errors,
        "folder": folder,
        "kind": contracts.contract_kind(folder),
        "frequencies": PAYMENT_FREQUENCIES,
        "methods": PAYMENT_METHODS,
        "letters": LETTERS,
    }
    if with_status:
        context["statuses"] = CONTRACT_STATUSES
    return context | extra


async def save_contract(
    request: Request, save: Save, *, template: str, with_status: bool, **extra: Any
) -> Response | None:
    """Read the contract form and save it: None when saved, else the form again with errors."""
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, contracts.CONTRACT_FIELDS)
        await save(values)
    except ValidationFailed as failed:
        context = contract_form_context(
            failed.kept(values), failed.errors, with_status=with_status, **extra
        )
        return render(request, template, context, status_code=failed.status_code)
    return None


def _shared(form: FormData) -> bool | None:
    """The staff form's sharing checkbox (None: the form had none, the default applies)."""
    return forms.checkbox(form, "shared") if "shared_present" in form else None


async def _add(
    actor: CurrentUser,
    state: Any,
    form: FormData,
    values: dict[str, str],
    contact_id: int,
    contract_id: int | None,
    sharing: bool,
) -> list[Any]:
    """Add a document per uploaded file, all or none (ValidationFailed says what is wrong)."""
    return await documents.add_documents(
        actor,
        state.storage,
        contact_id=contact_id,
        uploads=forms.uploads_from(form),
        values=values,
        max_bytes=state.settings.max_upload_bytes,
        contract_id=contract_id,
        folder=values["folder"],
        shared=_shared(form) if sharing else None,
    )


def _destination(form: FormData, *, on_contact: bool) -> tuple[dict[str, str], int | None]:
    """The upload's fields and the contract it is for: the folder or contract the form names,
    or with `on_contact` the contact itself (whatever the form says), which no folder form is."""
    values, contract_id = forms.document_fields(form)
    if on_contact:
        return {**values, "folder": "", "contract_id": ""}, None
    if not values["folder"] and contract_id is None:
        raise NotFound
    return values, contract_id


async def upload_document(
    request: Request,
    actor: CurrentUser,
    *,
    contact_id: int,
    done: Done,
    failed: Failed,
    sharing: bool = False,
    on_contact: bool = False,
) -> Response:
    """Read the multipart upload form, add a document per file: `done(...)`, or `failed`."""
    state = request.app.state
    async with forms.multipart(request, max_files=forms.MAX_FILE_PARTS) as form:
        values: dict[str, str] = {}
        try:
            values, contract_id = _destination(form, on_contact=on_contact)
            added = await _add(actor, state, form, values, contact_id, contract_id, sharing)
        except ValidationFailed as error:
            return await failed(values, error.errors)
    return done(added[0], {"uploaded": str(len(added))})
