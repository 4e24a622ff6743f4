"""Advice cases (Vorgänge) through the API: list, read, create, change, upsert by external id,
their risks, and the product lines' attribute definitions. The use cases are the staff's
(services/case_sync.py over cases.py and case_risks.py), with the same checks and events."""

from __future__ import annotations

from typing import Any

from tenant_app.api import paging
from tenant_app.api.case_models import (
    CaseCreate,
    CaseIn,
    CaseOut,
    CasePatch,
    CaseQuery,
    ProductLineList,
    ProductLineOut,
    RiskCreate,
    RiskData,
    RiskOut,
)
from tenant_app.api.contact_models import external_key
from tenant_app.api.operations import Call, Reply, operation
from tenant_app.api.paging import Page
from tenant_app.api.problems import ApiError
from tenant_app.schemas.product_lines import PRODUCT_LINE_DEFINITIONS, definitions_as_data
from tenant_app.services import case_risks, case_sync, cases
from tenant_app.text.i18n import gettext as _

TAG = "Advice cases"
_REFERENCES = ("contact_id", "contact_external_id")  # where, not what
_STORED = tuple(name for name in CaseOut.model_fields if name != "risks")


def risk_out(risk: Any, case_version: int) -> RiskOut:
    return RiskOut(
        id=risk.id,
        case_id=risk.case_id,
        case_version=case_version,
        product_line=risk.product_line,
        label=risk.label,
        attributes=risk.attributes,
        created_at=risk.created_at,
        updated_at=risk.updated_at,
    )


def case_out(case: Any, risks: list[Any]) -> CaseOut:
    values = {name: getattr(case, name) for name in _STORED}
    return CaseOut(**values, risks=[risk_out(risk, case.version) for risk in risks])


async def _reply(case: Any, call: Call | None = None) -> Reply:
    """The case with its risks and its ETag; with `call`, as created (201, Location)."""
    risks = (await case_risks.risks_of([case.id]))[case.id]
    reply = Reply(case_out(case, risks), version=case.version)
    if call is not None:
        url = call.request.url_for("api_case_get", case_id=case.id)
        reply.status, reply.headers = 201, {"Location": url.path}
    return reply


def _values(body: CaseIn) -> dict[str, Any]:
    return body.model_dump(exclude={*_REFERENCES})


@operation(
    "GET",
    "/cases",
    name="api_cases_list",
    summary="List advice cases with their risks (id order; `updated_since` for incremental sync)",
    scope="cases:read",
    tag=TAG,
    query=CaseQuery,
    response=Page[CaseOut],
)
async def cases_list(call: Call) -> Page[CaseOut]:
    query: CaseQuery = call.query
    rows = await case_sync.case_page(
        call.actor,
        after_id=paging.after_id(query.cursor),
        limit=query.limit,
        updated_since=query.updated_since,
        contact_id=query.contact_id,
        external_id=query.external_id,
        status=query.status,
        responsible_id=query.responsible_id,
    )
    risks = await case_risks.risks_of([row.id for row in rows[: query.limit]])
    items = [case_out(row, risks.get(row.id, [])) for row in rows]
    return paging.page_of(items, [row.id for row in rows], query.limit)


@operation(
    "GET",
    "/cases/{case_id:id}",
    name="api_case_get",
    summary="Read an advice case with its risks",
    scope="cases:read",
    tag=TAG,
    response=CaseOut,
)
async def case_get(call: Call) -> Reply:
    return await _reply(await cases.case_for(call.actor, call.path["case_id"]))


@operation(
    "POST",
    "/cases",
    name="api_case_create",
    summary="Open an advice case for a contact",
    scope="cases:write",
    tag=TAG,
    body=CaseCreate,
    response=CaseOut,
    status=201,
    description="Name the contact by `contact_id` or by `contact_external_id`. Risks are added"
    " with POST /cases/{case_id}/risks.",
)
async def case_create(call: Call) -> Reply:
    body: CaseCreate = call.body
    case = await case_sync.add_case(
        call.actor,
        contact_id=body.contact_id,
        contact_external_id=body.contact_external_id,
        values=_values(body),
    )
    return await _reply(case, call)


@operation(
    "PATCH",
    "/cases/{case_id:id}",
    name="api_case_update",
    summary="Change some of an advice case's fields (its status too)",
    scope="cases:write",
    tag=TAG,
    body=CasePatch,
    response=CaseOut,
    conditional=True,
)
async def case_update(call: Call) -> Reply:
    changes = call.body.model_dump(include=call.body.model_fields_set)
    case = await case_sync.change_case(
        call.actor, call.path["case_id"], version=call.expected_version(), changes=changes
    )
    return await _reply(case)


@operation(
    "PUT",
    "/cases/external/{external_id:path}",
    name="api_case_upsert",
    summary="Create or replace the advice case with this external id",
    scope="cases:write",
    tag=TAG,
    body=CaseIn,
    response=CaseOut,
    description="Creates the case (201) or, with If-Match, replaces its fields (200); its"
    " contact stays, its risks stay (they have their own operations).",
)
async def case_upsert(call: Call) -> Reply:
    external_id = external_key(call.path["external_id"])
    body: CaseIn = call.body
    found = await case_sync.case_by_external_id(call.actor, external_id)
    if found is not None:
        version = call.expected_version()
        where = body.model_dump(include=set(_REFERENCES))
        changed = await case_sync.replace_case(
            call.actor, found, version=version, **where, values=_values(body)
        )
        return await _reply(changed)
    if call.given_version() is not None:  # it was there when the client read it
        raise ApiError(412, _("If-Match does not name the current version of this record."))
    values = {**_values(body), "external_id": external_id}
    created = await case_sync.add_case(
        call.actor,
        contact_id=body.contact_id,
        contact_external_id=body.contact_external_id,
        values=values,
    )
    return await _reply(created, call)


@operation(
    "POST",
    "/cases/{case_id:id}/risks",
    name="api_case_risk_create",
    summary="Add a risk (a car, a building, a person) to an advice case",
    scope="cases:write",
    tag=TAG,
    body=RiskCreate,
    response=RiskOut,
    status=201,
)
async def case_risk_create(call: Call) -> Reply:
    body: RiskCreate = call.body
    case = await cases.case_for(call.actor, call.path["case_id"], edit=True)
    values = {"product_line": body.product_line, "label": body.label}
    risk = await case_risks.add_risk(call.actor, case, values=values, attributes=body.attributes)
    return await _risk_reply(call, risk, created=True)


async def _risk_reply(call: Call, risk: Any, *, created: bool = False) -> Reply:
    """The risk with its case's version as the ETag; created: 201 with its Location."""
    case = await cases.case_for(call.actor, risk.case_id)
    reply = Reply(risk_out(risk, case.version), version=case.version)
    if created:
        url = call.request.url_for("api_case_risk_get", case_id=case.id, risk_id=risk.id)
        reply.status, reply.headers = 201, {"Location": url.path}
    return reply


@operation(
    "GET",
    "/cases/{case_id:id}/risks/{risk_id:id}",
    name="api_case_risk_get",
    summary="Read a risk of an advice case",
    scope="cases:read",
    tag=TAG,
    response=RiskOut,
)
async def case_risk_get(call: Call) -> Reply:
    _case, risk = await case_sync.risk_of(call.actor, call.path["case_id"], call.path["risk_id"])
    return await _risk_reply(call, risk)


@operation(
    "PUT",
    "/cases/{case_id:id}/risks/{risk_id:id}",
    name="api_case_risk_update",
    summary="Replace a risk's label and attributes (at the case's version)",
    scope="cases:write",
    tag=TAG,
    body=RiskData,
    response=RiskOut,
    conditional=True,
)
async def case_risk_update(call: Call) -> Reply:
    body: RiskData = call.body
    case, risk = await case_sync.risk_of(
        call.actor, call.path["case_id"], call.path["risk_id"], edit=True
    )
    changed = await case_risks.update_risk(
        call.actor,
        case,
        risk,
        values={"label": body.label},
        attributes=body.attributes,
        version=call.expected_version(),
    )
    return await _risk_reply(call, changed)


@operation(
    "DELETE",
    "/cases/{case_id:id}/risks/{risk_id:id}",
    name="api_case_risk_delete",
    summary="Remove a risk from an advice case (at the case's version)",
    scope="cases:write",
    tag=TAG,
    status=204,
    conditional=True,
)
async def case_risk_delete(call: Call) -> None:
    case, risk = await case_sync.risk_of(
        call.actor, call.path["case_id"], call.path["risk_id"], edit=True
    )
    await case_risks.remove_risk(call.actor, case, risk, version=call.expected_version())


@operation(
    "GET",
    "/product-lines",
    name="api_product_lines",
    summary="The product lines and the typed attributes of their risks",
    scope="cases:read",
    tag=TAG,
    response=ProductLineList,
)
async def product_lines(call: Call) -> ProductLineList:
    return ProductLineList(
        items=[
            ProductLineOut.model_validate(definitions_as_data(key))
            for key in PRODUCT_LINE_DEFINITIONS
        ]
    )
