"""The customer's consents (services/consents.py): read the text, give consent, withdraw it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.services import consents
from tenant_app.text.i18n import addressed
from tenant_app.web import forms
from tenant_app.web.portal.home import portal_customer

PAGE = "portal/consents/page.html"


async def _page(request: Request, errors: dict[str, str] | None = None, **extra: Any) -> Response:
    user, _contact_id = portal_customer(request)
    state = await consents.portal_state(user)
    own = user.own_contact_id == user.contact_id  # a household's other contact: read only
    context = {"state": state, "errors": errors or {}, "own": own, **extra}
    return render(request, PAGE, context, status_code=422 if errors else 200)


async def portal_consents(request: Request) -> Response:
    return await _page(request)


async def portal_consent_give(request: Request) -> Response:
    user, _contact_id = portal_customer(request)
    form = await forms.read_form(request, max_fields=5)
    agreed = forms.checkbox(form, "agree")
    try:
        version = forms.text(form, "text_version", max_chars=20)
        await consents.give_consent(user, agreed=agreed, text_version=version)
    except ValidationFailed as failed:
        errors = {name: addressed(message) for name, message in failed.errors.items()}
        return await _page(request, errors, agreed=agreed)
    return redirect(request, "portal_consents", flash="given")


async def portal_consent_withdraw(request: Request) -> Response:
    user, _contact_id = portal_customer(request)
    withdrawn = await consents.withdraw_consent(user)
    return redirect(request, "portal_consents", flash="withdrawn" if withdrawn else None)


routes = [
    Route("/portal/consents", portal_consents, methods=["GET"], name="portal_consents"),
    Route("/portal/consents", portal_consent_give, methods=["POST"], name="portal_consent_give"),
    Route(
        "/portal/consents/withdraw",
        portal_consent_withdraw,
        methods=["POST"],
        name="portal_consent_withdraw",
    ),
]
