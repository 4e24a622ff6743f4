"""Pages without login: health, tenant stylesheet, imprint, the front door."""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tenant_app import db
from tenant_app.errors import NotFound
from tenant_app.pages import redirect, render
from tenant_app.permissions import home_path_for
from tenant_app.services import branding, legal_profile
from tenant_app.theming import brand_css
from tenant_app.web.guards import current_user

HEALTH_TIMEOUT = 2.0  # seconds


async def healthz(request: Request) -> JSONResponse:
    try:
        await db.ping(within=HEALTH_TIMEOUT)
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
    if user is None:
        return redirect(request, "login_form")
    return RedirectResponse(home_path_for(user), status_code=303)


async def imprint(request: Request) -> Response:
    """The tenant's imprint generated from the broker profile, in the visitor's language, with
    the free-text addition (sanitized again on the way out; it was sanitized on save too)."""
    content = legal_profile.imprint(request.state.tenant)
    context = {
        "imprint": content,
        "imprint_html": Markup(content.addition),  # noqa: S704 - sanitized
        "go_live": legal_profile.go_live(request.state.tenant.profile),
    }
    return render(request, "public/imprint.html", context)


IMMUTABLE = "public, max-age=31536000, immutable"


async def branding_asset(request: Request) -> Response:
    """Logo or favicon of the request's tenant; cached for a year when `v` names this version."""
    kind = request.url.path.rsplit("/", 1)[-1]
    asset = await branding.load_asset(kind)
    if asset is None:
        raise NotFound
    version = request.query_params.get("v", "")
    current = len(version) >= 8 and (
        asset.sha256.startswith(version) or asset.sha256.endswith(version)
    )
    headers = {
        "Cache-Control": IMMUTABLE if current else "public, max-age=300",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Content-Disposition": f'inline; filename="{kind}.png"',
    }
    return Response(bytes(asset.data), media_type=asset.content_type, headers=headers)


routes = [
    Route("/healthz", healthz, methods=["GET"], name="healthz"),
    Route("/brand.css", brand_stylesheet, methods=["GET"], name="brand_css"),
    Route("/", front_door, methods=["GET"], name="front_door"),
    Route("/impressum", imprint, methods=["GET"], name="imprint"),
    Route("/branding/logo", branding_asset, methods=["GET"], name="branding_logo"),
    Route("/branding/favicon", branding_asset, methods=["GET"], name="branding_favicon"),
]
