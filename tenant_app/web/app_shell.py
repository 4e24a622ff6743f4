"""The portal as an app: the tenant's web manifest and icons, the service worker (at the
root, so its scope is the whole host) and its offline page. No login: none of it holds
anything of an account."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from tenant_app.errors import NotFound
from tenant_app.services import app_manifest
from tenant_app.templating import templates
from tenant_app.theming import brand_css_url, palette

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"
# What the service worker keeps ahead of need (the rest of /static/ as it is fetched).
PRECACHE = (
    "css/tokens.css",
    "css/app.css",
    "css/editor.css",
    "js/app.js",
    "js/pwa.js",
    "img/favicon.svg",
)

# base.html's <meta name="theme-color">: the tenant's main colour, as the manifest says.
templates.globals["theme_color"] = lambda tenant: palette(tenant).primary


async def web_manifest(request: Request) -> Response:
    app = await app_manifest.identity(request.state.tenant)
    body = json.dumps(app_manifest.manifest(app, request.state.locale), ensure_ascii=False)
    headers = {"Cache-Control": SHORT, "Vary": "Accept-Language, Cookie"}
    return Response(body, media_type="application/manifest+json", headers=headers)


async def app_icon(request: Request) -> Response:
    variant = request.path_params["variant"]
    if variant not in app_manifest.VARIANTS:
        raise NotFound
    tenant = request.state.tenant
    app = await app_manifest.identity(tenant)
    png = await app_manifest.icon_png(tenant, app, variant)
    current = request.query_params.get("v") == app.version
    headers = {"Cache-Control": IMMUTABLE if current else SHORT, "ETag": f'"{app.version}"'}
    return Response(png, media_type="image/png", headers=headers)


def _page(name: str, request: Request, **context: object) -> str:
    return templates.get_template(name).render(
        tenant=request.state.tenant, locale=request.state.locale, **context
    )


async def service_worker(request: Request) -> Response:
    version = templates.globals["static_version"]
    precache = [f"/static/{path}?v={version}" for path in PRECACHE]
    headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"}
    body = _page("app/sw.js", request, precache=precache)
    return Response(body, media_type="text/javascript", headers=headers)


async def offline_page(request: Request) -> Response:
    html = _page("app/offline.html", request, brand_css=brand_css_url(request.state.tenant))
    return HTMLResponse(html, headers={"Cache-Control": SHORT})


routes = [
    Route("/manifest.webmanifest", web_manifest, methods=["GET"], name="web_manifest"),
    Route("/app/icon-{variant}.png", app_icon, methods=["GET"], name="app_icon"),
    Route("/sw.js", service_worker, methods=["GET"], name="service_worker"),
    Route("/app/offline", offline_page, methods=["GET"], name="app_offline"),
]
