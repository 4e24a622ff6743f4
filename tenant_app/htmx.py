"""One place that decides between a full page and an HTMX fragment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from tenant_app.permissions import visible_folders
from tenant_app.resources import templates
from tenant_app.theming import brand_css_url

_URL_CACHE_LIMIT = 10_000


def _url_builder(app: Any) -> Callable[..., str]:
    """`url(name, **params)` for templates; lookups are cached per app (each walks every route)."""
    cache: dict[tuple[Any, ...], str] = app.state.url_cache

    def url(name: str, **params: Any) -> str:
        key = (name, *sorted(params.items()))
        path = cache.get(key)
        if path is None:
            if len(cache) > _URL_CACHE_LIMIT:
                cache.clear()
            path = cache[key] = str(app.url_path_for(name, **params))
        return path

    return url


def is_fragment_request(request: Request) -> bool:
    headers = request.headers
    return (
        headers.get("hx-request") == "true"
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def _csrf_field(token: str) -> Callable[[], Markup]:
    field = Markup('<input type="hidden" name="csrf_token" value="{}">').format(token)
    return lambda: field


def base_context(request: Request) -> dict[str, Any]:
    state = request.scope.get("state", {})
    tenant = state.get("tenant")
    csrf_token = state.get("csrf_token", "")
    return {
        "request": request,
        "tenant": tenant,
        "user": state.get("user"),
        "permissions": state.get("customer_access"),
        "visible_folders": visible_folders(state.get("customer_access")),
        "csrf_token": csrf_token,
        "csrf_field": _csrf_field(csrf_token),
        "locale": state.get("locale", "de"),
        "brand_css": brand_css_url(tenant) if tenant else None,
        "url": _url_builder(request.app),
        "path": request.url.path,
    }


def render(
    request: Request,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render the page, or only `block` when HTMX asks for a fragment."""
    template = templates.get_template(template_name)
    full_context = base_context(request) | (context or {})
    if block and is_fragment_request(request):
        ctx = template.new_context(full_context)
        html = "".join(template.blocks[block](ctx))
    else:
        html = template.render(full_context)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    return response
