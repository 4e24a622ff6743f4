"""The risks of an advice case: the form whose attribute fields follow the product line
(htmx swaps them when the line changes; without JavaScript a button shows them), add,
change, remove."""

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
from tenant_app.services import case_risks, cases
from tenant_app.services.case_risks import ATTRIBUTE_PREFIX
from tenant_app.web import forms
from tenant_app.web.staff.cases import staff_only

RISK_FORM = "staff/cases/risk_form.html"


async def _case(request: Request) -> tuple[CurrentUser, Any]:
    """The case, loaded for changing it (its risks change only while it is open: the
    services refuse, the forms lead back to the case's page, which says so)."""
    actor = staff_only(request)
    case = await cases.case_for(actor, cast(int, request.path_params["case_id"]), edit=True)
    return actor, case


def _to_case(request: Request, case: Any, flash: str | None = None) -> Response:
    return redirect(request, "case_detail", flash=flash, case_id=case.id)


def _chosen_line(case: Any, wanted: str) -> str:
    """The product line the form is for: the one asked for if the case has it, else its first."""
    return wanted if wanted in case.product_lines else case.product_lines[0]


def _form(
    request: Request,
    case: Any,
    line: str,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    risk: Any = None,
    status_code: int = 200,
) -> Response:
    """The risk form; to an htmx request for another product line only its fields."""
    context = {
        "case": case,
        "contact": case.contact,
        "risk": risk,
        "line": product_line(line),
        "line_key": line,
        "lines": [(key, line_label(key)) for key in case.product_lines],
        "values": values,
        "errors": errors,
        "prefix": ATTRIBUTE_PREFIX,
        "free_field": ATTRIBUTE_PREFIX + FREE_FIELD,
    }
    return render(request, RISK_FORM, context, block="risk_fields", status_code=status_code)


def sent_attributes(form: FormData, line: str) -> dict[str, str]:
    """The attribute fields the form has for the line (a yes/no unticked: sent as nothing);
    the risk form's and the insured object form's, which share the fields' names."""
    definition = product_line(line)
    if definition is None:
        return {}
    keys = [attribute.key for attribute in definition.attributes]
    keys += [FREE_FIELD] if definition.free_attributes else []
    return {key: forms.text(form, ATTRIBUTE_PREFIX + key, max_chars=20_000) for key in keys}


async def risk_create_form(request: Request) -> Response:
    _actor, case = await _case(request)
    if cases.is_closed(case):
        return _to_case(request, case)
    line = _chosen_line(case, request.query_params.get("product_line", ""))
    return _form(request, case, line, {}, {})


async def risk_create(request: Request) -> Response:
    actor, case = await _case(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, ("product_line", "label"), max_chars=500)
        attributes = sent_attributes(form, values["product_line"])
        values |= {ATTRIBUTE_PREFIX + key: text for key, text in attributes.items()}
        await case_risks.add_risk(actor, case, values=values, attributes=attributes)
    except ValidationFailed as failed:
        line = _chosen_line(case, values.get("product_line", ""))
        return _form(request, case, line, values, failed.errors, status_code=failed.status_code)
    return _to_case(request, case, "risk_added")


async def _risk(request: Request) -> tuple[CurrentUser, Any, Any]:
    actor, case = await _case(request)
    risk = await case_risks.risk_for(case, cast(int, request.path_params["risk_id"]))
    return actor, case, risk


async def risk_edit_form(request: Request) -> Response:
    _actor, case, risk = await _risk(request)
    if cases.is_closed(case):
        return _to_case(request, case)
    values = {"label": risk.label, **case_risks.form_attributes(risk.product_line, risk.attributes)}
    return _form(request, case, risk.product_line, values, {}, risk=risk)


async def risk_update(request: Request) -> Response:
    actor, case, risk = await _risk(request)
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = {"label": forms.text(form, "label", max_chars=500)}
        attributes = sent_attributes(form, risk.product_line)
        values |= {ATTRIBUTE_PREFIX + key: text for key, text in attributes.items()}
        await case_risks.update_risk(actor, case, risk, values=values, attributes=attributes)
    except ValidationFailed as failed:
        code = failed.status_code
        return _form(
            request, case, risk.product_line, values, failed.errors, risk=risk, status_code=code
        )
    return _to_case(request, case, "risk_saved")


async def risk_delete(request: Request) -> Response:
    actor, case, risk = await _risk(request)
    if cases.is_closed(case):  # nothing removed: its page says it is closed
        return _to_case(request, case)
    await case_risks.remove_risk(actor, case, risk)
    return _to_case(request, case, "risk_removed")


BASE = "/staff/cases/{case_id:id}/risks"
routes = [
    Route(BASE + "/new", risk_create_form, methods=["GET"], name="risk_create_form"),
    Route(BASE, risk_create, methods=["POST"], name="risk_create"),
    Route(BASE + "/{risk_id:id}", risk_edit_form, methods=["GET"], name="risk_edit_form"),
    Route(BASE + "/{risk_id:id}", risk_update, methods=["POST"], name="risk_update"),
    Route(BASE + "/{risk_id:id}/delete", risk_delete, methods=["POST"], name="risk_delete"),
]
