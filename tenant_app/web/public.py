"""Pages without login: health, tenant stylesheet, imprint, the front door."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tenant_app.db_queries import fetch_one
from tenant_app.htmx import render
from tenant_app.permissions import home_path_for
from tenant_app.theming import brand_css
from tenant_app.web.guards import current_user

HEALTH_TIMEOUT = 2.0  # seconds


async def healthz(request: Request) -> JSONResponse:
    try:
        await asyncio.wait_for(fetch_one("SELECT 1 AS ok"), timeout=HEALTH_TIMEOUT)
    except Exception:  # noqa: BLE001 - any failure means "not ready"
        return JSONResponse({"status": "unavailable", "database": "down"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "up"})


async def brand_stylesheet(request: Request) -> Response:
    tenant = request.state.tenant
    return Response(
        brand_css(tenant),
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


async def front_door(request: Request) -> RedirectResponse:
    user = current_user(request)
    return RedirectResponse(home_path_for(user) if user else "/login", status_code=303)


async def imprint(request: Request) -> Response:
    return render(request, "public/imprint.html")


routes = [
    Route("/healthz", healthz, methods=["GET"], name="healthz"),
    Route("/brand.css", brand_stylesheet, methods=["GET"], name="brand_css"),
    Route("/", front_door, methods=["GET"], name="front_door"),
    Route("/impressum", imprint, methods=["GET"], name="imprint"),
]
