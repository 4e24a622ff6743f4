"""Kunde werden: the public page on the tenant's host (no login), and the page behind the
opt-in link. Only while the tenant has the module new_customers on."""

from __future__ import annotations

from typing import Any, cast

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import render
from tenant_app.schemas.leads import LEAD_FIELDS, MAX_MESSAGE
from tenant_app.services import leads, leads_public
from tenant_app.text.i18n import addressed as _a
from tenant_app.text.i18n import get_locale
from tenant_app.web import forms
from tenant_app.web.guards import require_module

FORM_PAGE = "public/leads/form.html"
NO_REFERRER = {"Referrer-Policy": "no-referrer"}  # the opt-in link must not leak


def consent_text(request: Request) -> str:
    """The consent as the form shows it, and as it is stored with the request."""
    return _a(
        "I agree that %(firm)s may contact me by e-mail or phone about my request. I can "
        "withdraw this consent at any time.",
        firm=request.state.tenant.name,
    )


async def _form_page(
    request: Request, values: dict[str, str], errors: dict[str, str], **extra: Any
) -> Response:
    referral = values.get("von", "")
    settings = request.app.state.settings
    context = {
        "values": values,
        "errors": errors,
        "interests": leads.interest_choices(),
        "consent_text": consent_text(request),
        # after a refused form, the stamp it came with: its time trap has passed already
        "stamp": values.get("stamp") or leads_public.form_stamp(settings),
        "referrer": await leads_public.referrer_of(settings, referral),
        "referral": referral,
        "max_message": MAX_MESSAGE,
    }
    return render(request, FORM_PAGE, context, status_code=extra.get("status_code", 200))


async def lead_form(request: Request) -> Response:
    require_module(request, "new_customers")
    referral = request.query_params.get("von", "")[:300]
    return await _form_page(request, {"von": referral, "interest": ""}, {})


def _submission(request: Request, form: FormData, values: dict[str, str]) -> Any:
    return leads_public.Submission(
        values=values,
        consent=forms.checkbox(form, "consent"),
        consent_text=consent_text(request),
        stamp=values.get("stamp", ""),
        honeypot=forms.text(form, "website", max_chars=500),
        referral=values.get("von", ""),
        client=forms.client_address(request),
        language=get_locale(),
    )


async def lead_submit(request: Request) -> Response:
    require_module(request, "new_customers")
    form = await forms.read_form(request)
    values: dict[str, str] = {}
    try:
        values = forms.texts(form, (*LEAD_FIELDS, "von", "stamp"), max_chars=MAX_MESSAGE)
        await leads_public.submit_lead(
            request.app.state.settings, _submission(request, form, values)
        )
    except ValidationFailed as failed:
        return await _form_page(request, values, failed.errors, status_code=422)
    except leads_public.TooManyRequests:
        errors = {"form": _a("Too many requests from your connection. Please try again later.")}
        return await _form_page(request, values, errors, status_code=429)
    return render(request, "public/leads/sent.html", {"email": values.get("email", "")})


def _problem(request: Request, problem: leads_public.LinkProblem) -> Response:
    status = 410 if problem.reason == "expired" else 404
    context = {"reason": problem.reason}
    return render(request, "public/leads/link_problem.html", context, status_code=status)


async def confirm_page(request: Request) -> Response:
    require_module(request, "new_customers")
    secret = cast(str, request.path_params["token"])
    try:
        lead = await leads_public.lead_to_confirm(secret)
    except leads_public.LinkProblem as problem:
        return _problem(request, problem)
    context = {"lead": lead, "token": secret, "done": lead.status != "pending"}
    return render(request, "public/leads/confirm.html", context, headers=NO_REFERRER)


async def confirm_submit(request: Request) -> Response:
    require_module(request, "new_customers")
    secret = cast(str, request.path_params["token"])
    try:
        lead = await leads_public.confirm_lead(secret)
    except leads_public.LinkProblem as problem:
        return _problem(request, problem)
    context = {"lead": lead, "token": secret, "done": True}
    return render(request, "public/leads/confirm.html", context, headers=NO_REFERRER)


routes = [
    Route("/kunde-werden", lead_form, methods=["GET"], name="lead_form"),
    Route("/kunde-werden", lead_submit, methods=["POST"], name="lead_submit"),
    Route("/kunde-werden/bestaetigen/{token}", confirm_page, methods=["GET"], name="lead_confirm"),
    Route(
        "/kunde-werden/bestaetigen/{token}",
        confirm_submit,
        methods=["POST"],
        name="lead_confirm_submit",
    ),
]
