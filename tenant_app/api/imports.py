"""CSV imports through the API: send a file (multipart) with its kind and, if its column names
are not the usual ones, which column fills which field; it runs in the background exactly as
one started in the staff area (the same checks per row, the same upsert by external ID or
customer number). Read its progress, its counts and the rows it refused."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tenant_app.api import uploads
from tenant_app.api.inputs import validated
from tenant_app.api.operations import Call, Reply, operation
from tenant_app.api.problems import ApiError, FieldError
from tenant_app.schemas.base import fail
from tenant_app.services import imports, imports_report
from tenant_app.services.imports_fields import CONTACT_TARGETS, CONTRACT_TARGETS
from tenant_app.text.i18n import gettext as _

TAG = "Imports"
ONE = "/imports/{import_id:id}"
MAPPING_MAX = 5000  # characters of the mapping's JSON
FIELDS_TEXT = (
    "Contacts: "
    + ", ".join(target.name for target in CONTACT_TARGETS)
    + ". Contracts: "
    + ", ".join(target.name for target in CONTRACT_TARGETS)
    + "."
)


class ImportUpload(BaseModel):
    """The text fields of an import; the CSV file comes in the part `file`."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["contacts", "contracts"] = Field(
        description="What the file holds. Needs `imports:write` and the kind's own write"
        " permission (`contacts:write` or `contracts:write`)."
    )
    mapping: str | None = Field(
        default=None,
        max_length=MAPPING_MAX,
        description='A JSON object of field and column name, e.g. {"first_name": "Vorname"}.'
        " Without it each field takes the column whose name suggests it (German or English,"
        " as the staff area suggests). Fields: " + FIELDS_TEXT,
    )

    @field_validator("mapping")
    @classmethod
    def _json_object(cls, value: str | None) -> str | None:
        if value is not None and _columns(value) is None:
            raise fail(_("Please send a JSON object of field names and column names."))
        return value

    def columns(self) -> dict[str, str] | None:
        return None if self.mapping is None else _columns(self.mapping)


def _columns(text: str) -> dict[str, str] | None:
    try:
        found: Any = json.loads(text)
    except ValueError:
        return None
    if not isinstance(found, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in found.items()
    ):
        return None
    return found


class ImportOut(BaseModel):
    id: int
    kind: str
    filename: str
    status: str = Field(
        description="`queued`, `running`, then `done` or `failed` (`uploaded`: started in the"
        " staff area, its columns not chosen yet)."
    )
    encoding: str = Field(description="As read: `utf-8` (with or without BOM), `cp1252`, `utf-16`.")
    delimiter: str = Field(description="As read: `;`, `,` or a tab.")
    mapping: dict[str, str] = Field(description="Field -> the column that fills it.")
    total_rows: int
    done_rows: int = Field(description="Rows handled so far (written with each chunk).")
    created_count: int
    updated_count: int
    unchanged_count: int
    failed_count: int
    problem: str = Field(description="Why the whole import stopped (status `failed`), or empty.")
    created_at: datetime
    finished_at: datetime | None


class FailedRow(BaseModel):
    row: int = Field(description="The row's number as a spreadsheet shows it (the header is 1).")
    key: str = Field(description="The row's external ID, customer or insurance number.")
    errors: list[FieldError]


class ImportReport(BaseModel):
    import_id: int
    failed_count: int
    rows: list[FailedRow] = Field(description="The refused rows, in file order (up to 1,000).")


def _out(job: Any) -> ImportOut:
    summary = imports_report.summary(job)
    values = {name: getattr(job, name) for name in ImportOut.model_fields if hasattr(job, name)}
    return ImportOut(**values, unchanged_count=summary.unchanged, problem=summary.problem)


@operation(
    "POST",
    "/imports",
    name="api_import_create",
    summary="Import a CSV file of contacts or contracts (multipart/form-data: fields and `file`)",
    scope="imports:write",
    tag=TAG,
    upload=ImportUpload,
    response=ImportOut,
    status=201,
    description="UTF-8 (with or without BOM) or Windows-1252, separated by `;`, `,` or tab,"
    " with a header row; dates as 03.04.1985, amounts as 1.234,56. The file is checked at"
    " once (422 on `file` or `mapping.<field>`); its rows are imported in the background:"
    " read the import until its status is `done`.",
)
async def import_create(call: Call) -> Reply:
    state = call.request.app.state
    async with uploads.received(call.request) as received:
        fields: ImportUpload = validated(ImportUpload, received.fields)
        needed = f"{fields.kind}:write"
        if not call.caller.allows(needed):
            raise ApiError(403, _("This token lacks the permission %(scope)s.", scope=needed))
        job = await imports.upload_import(
            call.actor,
            state.storage,
            kind=fields.kind,
            upload=received.upload,
            max_bytes=state.settings.max_upload_bytes,
            mapping=fields.columns(),
            start=True,
        )
    url = call.request.url_for("api_import_get", import_id=job.id)
    return Reply(_out(job), status=201, headers={"Location": url.path})


@operation(
    "GET",
    ONE,
    name="api_import_get",
    summary="An import's status, progress and counts",
    scope="imports:read",
    tag=TAG,
    response=ImportOut,
)
async def import_get(call: Call) -> ImportOut:
    return _out(await imports.import_for(call.actor, call.path["import_id"]))


@operation(
    "GET",
    ONE + "/report",
    name="api_import_report",
    summary="The rows an import refused, each with a message per field",
    scope="imports:read",
    tag=TAG,
    response=ImportReport,
)
async def import_report(call: Call) -> ImportReport:
    job = await imports.import_for(call.actor, call.path["import_id"])
    rows = [
        FailedRow(
            row=failure.row,
            key=failure.key,
            errors=[
                FieldError(field=name, message=message, type="invalid")
                for name, message in failure.errors.items()
            ],
        )
        for failure in imports_report.failures(job)
    ]
    return ImportReport(import_id=job.id, failed_count=job.failed_count, rows=rows)
