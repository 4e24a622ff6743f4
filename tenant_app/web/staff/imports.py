"""CSV import on the staff side: the list of imports, the upload, the column mapping with its
preview, the progress (polled) and the result with the report to download."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_manage_contacts
from tenant_app.services import imports, imports_csv, imports_fields, imports_report, imports_run
from tenant_app.web import forms
from tenant_app.web.guards import require

LIST_PAGE = "staff/imports/list.html"
UPLOAD_PAGE = "staff/imports/upload.html"
MAPPING_PAGE = "staff/imports/mapping.html"
DETAIL_PAGE = "staff/imports/detail.html"
CHOICES = {
    "kinds": imports_fields.KIND_LABELS,
    "encodings": imports_csv.ENCODINGS,
    "delimiters": imports_csv.DELIMITERS,
    "job_statuses": imports_run.JOB_STATUSES,
    "outcomes": imports_fields.ROW_OUTCOMES,
}


def _store(request: Request) -> Storage:
    store: Storage = request.app.state.storage
    return store


async def _job(request: Request) -> tuple[CurrentUser, Any]:
    """The job of the path, if the user may see it (404 otherwise, also another tenant's)."""
    actor = require(request, can_manage_contacts)
    return actor, await imports.import_for(actor, cast(int, request.path_params["job_id"]))


async def import_list(request: Request) -> Response:
    actor = require(request, can_manage_contacts)
    jobs = await imports.import_jobs(actor)
    return render(request, LIST_PAGE, {"jobs": jobs, **CHOICES})


async def import_upload_form(request: Request) -> Response:
    require(request, can_manage_contacts)
    return render(request, UPLOAD_PAGE, {"values": {"kind": "contacts"}, "errors": {}, **CHOICES})


async def import_upload(request: Request) -> Response:
    actor = require(request, can_manage_contacts)
    state = request.app.state
    async with forms.multipart(request) as form:
        values: dict[str, str] = {}
        try:
            values = {"kind": forms.text(form, "kind", max_chars=20)}
            job = await imports.upload_import(
                actor,
                _store(request),
                kind=values["kind"],
                upload=forms.upload_from(form),
                max_bytes=state.settings.max_upload_bytes,
            )
        except ValidationFailed as failed:
            context = {"values": values, "errors": failed.errors, **CHOICES}
            return render(request, UPLOAD_PAGE, context, status_code=422)
    return redirect(request, "import_mapping_form", job_id=job.id)


async def import_mapping_form(request: Request) -> Response:
    actor, job = await _job(request)
    if job.status != imports_run.UPLOADED:
        return redirect(request, "import_detail", job_id=job.id)
    view = await imports.mapping_view(actor, job, _store(request))
    return render(request, MAPPING_PAGE, {"view": view, **CHOICES})


async def import_mapping_save(request: Request) -> Response:
    actor, job = await _job(request)
    choice = _mapping_choice(await forms.read_form(request), job.kind)
    try:
        view = await imports.save_mapping(actor, job, _store(request), **choice)
    except ValidationFailed:  # started meanwhile (another tab): its progress is the answer
        return redirect(request, "import_detail", job_id=job.id)
    if view.started:
        return redirect(request, "import_detail", job_id=job.id)
    status = 422 if view.errors else 200
    return render(request, MAPPING_PAGE, {"view": view, **CHOICES}, status_code=status)


def _mapping_choice(form: Any, kind: str) -> dict[str, Any]:
    """The mapping form: a column per field (`map_<field>`), encoding, separator, action."""
    texts = forms.texts(form, ("encoding", "delimiter", "action"), max_chars=20)
    mapping = {
        name: forms.text(form, f"map_{name}", max_chars=300)
        for name in imports_fields.target_names(kind)
    }
    return {
        "mapping": {name: column for name, column in mapping.items() if column},
        "encoding": texts["encoding"],
        "delimiter": texts["delimiter"],
        "start": texts["action"] == "start",
    }


async def import_detail(request: Request) -> Response:
    _actor, job = await _job(request)
    if job.status == imports_run.UPLOADED:
        return redirect(request, "import_mapping_form", job_id=job.id)
    context = {"summary": imports_report.summary(job), **CHOICES}
    return render(request, DETAIL_PAGE, context, block="progress")


async def import_report(request: Request) -> Response:
    actor = require(request, can_manage_contacts)
    job_id = cast(int, request.path_params["job_id"])
    job, body = await imports_report.report_csv(actor, job_id, _store(request))
    name = f"importbericht-{job.id}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


routes = [
    Route("/staff/imports", import_list, methods=["GET"], name="import_list"),
    Route("/staff/imports/new", import_upload_form, methods=["GET"], name="import_upload_form"),
    Route("/staff/imports", import_upload, methods=["POST"], name="import_upload"),
    Route("/staff/imports/{job_id:id}", import_detail, methods=["GET"], name="import_detail"),
    Route(
        "/staff/imports/{job_id:id}/mapping",
        import_mapping_form,
        methods=["GET"],
        name="import_mapping_form",
    ),
    Route(
        "/staff/imports/{job_id:id}/mapping",
        import_mapping_save,
        methods=["POST"],
        name="import_mapping_save",
    ),
    Route(
        "/staff/imports/{job_id:id}/report",
        import_report,
        methods=["GET"],
        name="import_report",
    ),
]
