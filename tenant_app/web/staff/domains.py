"""Einstellungen › Eigene Domain und Website (administrators): the tenant's own domains with
their verification (services/custom_domains.py) and the website origins that may frame the
login page, with the snippets to copy (services/frame_origins.py)."""

from __future__ import annotations

from typing import Any, cast

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.pages import redirect, render
from tenant_app.permissions import can_link_systems
from tenant_app.services import custom_domains, frame_origins
from tenant_app.tenancy import public_base_url
from tenant_app.web import forms
from tenant_app.web.guards import require

PAGE = "staff/settings/domains.html"


async def _page(
    request: Request, actor: CurrentUser, *, status_code: int = 200, **extra: Any
) -> Response:
    settings = request.app.state.settings
    origins = extra.pop("origins", None)
    context = {
        "domains": await custom_domains.domain_list(actor),
        "cname": settings.custom_domain_cname,
        "txt_name": custom_domains.TXT_NAME,
        "max_domains": custom_domains.MAX_DOMAINS,
        "pending_days": custom_domains.PENDING_DAYS,
        "origins": await frame_origins.stored_origins(actor) if origins is None else origins,
        "portal_url": public_base_url(settings, request.state.tenant),
        "values": {},
        "errors": {},
        **extra,
    }
    return render(request, PAGE, context, status_code=status_code)


def _host_id(request: Request) -> int:
    return cast(int, request.path_params["host_id"])


async def domains_page(request: Request) -> Response:
    actor = require(request, can_link_systems)
    return await _page(request, actor)


async def domain_add(request: Request) -> Response:
    actor = require(request, can_link_systems)
    form = await forms.read_form(request, max_fields=5)
    values = {"hostname": forms.text(form, "hostname", max_chars=300)}
    settings = request.app.state.settings
    try:
        domain = await custom_domains.add_domain(
            actor, hostname=values["hostname"], settings=settings
        )
    except ValidationFailed as failed:
        return await _page(request, actor, status_code=422, values=values, errors=failed.errors)
    return redirect(request, "domains_page", flash="added", query={"domain": str(domain.id)})


async def domain_check(request: Request) -> Response:
    actor = require(request, can_link_systems)
    domain = await custom_domains.check_now(actor, _host_id(request))
    flash = "verified" if domain.is_verified else "not_yet"
    return redirect(request, "domains_page", flash=flash, query={"domain": str(domain.id)})


async def domain_primary(request: Request) -> Response:
    actor = require(request, can_link_systems)
    try:
        await custom_domains.make_primary(actor, _host_id(request))
    except ValidationFailed as failed:
        return await _page(request, actor, status_code=422, errors=failed.errors)
    return redirect(request, "domains_page", flash="primary")


async def domain_remove(request: Request) -> Response:
    actor = require(request, can_link_systems)
    await custom_domains.remove_domain(actor, _host_id(request))
    return redirect(request, "domains_page", flash="removed")


async def frame_origins_save(request: Request) -> Response:
    actor = require(request, can_link_systems)
    form = await forms.read_form(request, max_fields=5)
    text = forms.text(form, "frame_origins", max_chars=3000)
    try:
        await frame_origins.save_origins(actor, text=text)
    except ValidationFailed as failed:
        return await _page(request, actor, status_code=422, origins=text, errors=failed.errors)
    return redirect(request, "domains_page", flash="origins_saved")


BASE = "/staff/settings/domains"
ONE = BASE + "/{host_id:id}"
routes = [
    Route(BASE, domains_page, methods=["GET"], name="domains_page"),
    Route(BASE, domain_add, methods=["POST"], name="domain_add"),
    Route(ONE + "/check", domain_check, methods=["POST"], name="domain_check"),
    Route(ONE + "/primary", domain_primary, methods=["POST"], name="domain_primary"),
    Route(ONE + "/remove", domain_remove, methods=["POST"], name="domain_remove"),
    Route(BASE + "/website", frame_origins_save, methods=["POST"], name="frame_origins_save"),
]
