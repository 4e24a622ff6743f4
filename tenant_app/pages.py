"""The one `render()` for pages, fragments and error pages, and the links templates build."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import urlencode

from markupsafe import escape
from starlette.convertors import Convertor
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, NoMatchFound
from starlette.types import Scope

from tenant_app.api.problems import problem
from tenant_app.edge.state import is_api
from tenant_app.htmx import is_fragment_request
from tenant_app.permissions import Can, staff_factor_state, visible_folders
from tenant_app.shells import render_page
from tenant_app.templating import CSRF_SLOT, RETURN_SLOT, templates
from tenant_app.text import i18n
from tenant_app.theming import brand_css_url


class RouteIndex:
    """Route name -> its path cut into fixed text and parameters, so building a link costs a
    dict lookup and a join (a folder seen for the first time builds ~150 links).

    No cache: links carry ids (one per customer, contract, document), so a cache keyed by them
    would only thrash under real traffic.
    """

    def __init__(self, routes: list[BaseRoute]) -> None:
        self._paths: dict[str, _PathParts] = {}
        for route in routes:
            name = getattr(route, "name", None)
            if name and name not in self._paths:
                self._paths[name] = _PathParts.of(route)

    def path(self, name: str, /, **params: Any) -> str:
        found = self._paths.get(name)
        if found is None:
            raise KeyError(f"no route named {name!r}")
        texts, slots, names = found
        if params.keys() != names:
            raise NoMatchFound(name, params)
        if not slots:
            return texts[0]
        if len(slots) == 1:  # most links: one id
            key, convertor = slots[0]
            return texts[0] + convertor.to_string(params[key]) + texts[1]
        pieces = [texts[0]]
        for (key, convertor), text in zip(slots, texts[1:], strict=True):
            pieces += (convertor.to_string(params[key]), text)
        return "".join(pieces)


class _PathParts(NamedTuple):
    texts: tuple[str, ...]  # the fixed text before, between and after the parameters
    slots: tuple[tuple[str, Convertor[Any]], ...]  # each parameter and its convertor, in order
    names: frozenset[str]

    @classmethod
    def of(cls, route: BaseRoute) -> _PathParts:
        convertors: dict[str, Convertor[Any]] = route.param_convertors  # type: ignore[attr-defined]
        cut = _PARAMETER.split(route.path_format)  # type: ignore[attr-defined]
        slots = tuple((key, convertors[key]) for key in cut[1::2])
        return cls(tuple(cut[0::2]), slots, frozenset(convertors))


_PARAMETER = re.compile(r"{([^}]+)}")


def route_index(app: Any) -> RouteIndex:
    index: RouteIndex | None = getattr(app.state, "route_index", None)
    if index is None:
        index = app.state.route_index = RouteIndex(app.routes)
    return index


def url_for(request: Request, name: str, /, **params: Any) -> str:
    """The path of a named route (what handlers redirect to and templates link to)."""
    return route_index(request.app).path(name, **params)


def redirect(
    request: Request,
    name: str,
    /,
    *,
    flash: str | None = None,
    query: Mapping[str, str] | None = None,
    **params: Any,
) -> RedirectResponse:
    """303 to a named route. `flash` names the confirmation the next page shows (it travels as
    `?key=1`, so it survives several app processes and needs no session)."""
    values = dict(query or {})
    if flash:
        values[flash] = "1"
    target = url_for(request, name, **params)
    return RedirectResponse(f"{target}?{urlencode(values)}" if values else target, 303)


_CSRF_SLOT, _RETURN_SLOT = CSRF_SLOT.encode(), RETURN_SLOT.encode()


def own_path(scope: Scope) -> str:
    """What `request.url.path` answers, without building and parsing the URL (a page asks
    once or twice, and the URL cost ~15 µs): the path as received, with the three characters
    Starlette's URL escapes escaped."""
    path: str = scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


def with_token(body: bytes, scope: Scope) -> bytes:
    """The page (UTF-8) with the request's CSRF token where templates wrote CSRF_SLOT, and
    its own address where they wrote RETURN_SLOT."""
    token = scope.get("state", {}).get("csrf_token", "")
    body = body.replace(_CSRF_SLOT, token.encode())
    if _RETURN_SLOT not in body:
        return body
    path, query = own_path(scope), scope.get("query_string", b"").decode()
    address = f"{path}?{query}" if query else path
    return body.replace(_RETURN_SLOT, str(escape(address)).encode())


def factor_state_of(tenant: Any, user: Any) -> str:
    """The tenant's second-factor requirement for this user now: "" (none), "grace" or "due"
    (the staff banner, the guard that sends a due one to their security page, the end of a
    view as customer)."""
    deadline = getattr(tenant, "staff_2fa_deadline", None)
    if user is None or deadline is None:
        return ""
    now = datetime.now(UTC)
    return staff_factor_state(user, has_factor=user.has_second_factor, deadline=deadline, now=now)


def second_factor_state(scope: Scope) -> str:
    """`factor_state_of` for the request's tenant and user."""
    state = scope.get("state", {})
    return factor_state_of(state.get("tenant"), state.get("user"))


def base_context(request: Request) -> dict[str, Any]:
    state = request.scope.get("state", {})
    tenant = state.get("tenant")
    user = state.get("user")
    # A customer's rights came with the session; the portal navigation shows what is shared.
    rights = getattr(user, "access", None)
    return {
        "request": request,
        "tenant": tenant,
        "user": user,
        # The sidebar's name: a hole in a kept page shell (shells.py), put in per request.
        "viewer_name": getattr(user, "full_name", ""),
        "permissions": rights,
        "can": Can(user),
        # Set while staff view the portal as a customer: the banner, and controls disabled.
        "viewing_as": state.get("view_as"),
        "visible_folders": visible_folders(rights),
        "locale": state.get("locale", "de"),
        "brand_css": brand_css_url(tenant) if tenant else None,
        "upload_limits": getattr(request.app.state, "upload_limits", {}),
        "path": own_path(request.scope),
        # What a redirect reported (see `redirect`), shown by _partials/flash.html.
        "flash": frozenset(key for key, value in request.query_params.items() if value)
        if request.scope.get("query_string")
        else frozenset(),
        # Staff under the tenant's second-factor requirement: "grace" (banner) or "due".
        "staff_factor": second_factor_state(request.scope),
    }


def render(
    request: Request,
    template_name: str,
    context: Mapping[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render the page, or only `block` when HTMX asks for a fragment."""
    template = templates.get_template(template_name)
    full_context = base_context(request) | dict(context or {})
    if block and is_fragment_request(request):
        ctx = template.new_context(full_context)
        body = "".join(template.blocks[block](ctx)).encode()
    else:
        body = render_page(template, full_context)
    response = HTMLResponse(
        with_token(body, request.scope), status_code=status_code, headers=headers
    )
    response.headers["Vary"] = "HX-Request, Cookie, Accept-Language"
    return response


def plain_response(scope: Scope, status: int, *, demo_url: str = "") -> HTMLResponse:
    """A page with nothing of any tenant on it (unknown hosts, malformed requests), in the
    browser's language. `demo_url`: in development, where the demo portal is."""
    locale = i18n.negotiate(Headers(scope=scope).get("accept-language"))
    with i18n.using(locale):
        html = templates.get_template("errors/plain.html").render(
            status=status, locale=locale, demo_url=demo_url
        )
    return HTMLResponse(html, status_code=status)


def render_error(scope: Scope, status: int, *, reason: str = "") -> Response:
    """A branded error page when the tenant is known, a bare one when it is not; for the
    JSON API a problem document (a refused body or query, a server error)."""
    state: dict[str, Any] = scope.get("state", {})
    tenant = state.get("tenant")
    if is_api(scope):  # also before the tenant is known: the edge refused a malformed query
        locale = state.get("locale") or i18n.negotiate(Headers(scope=scope).get("accept-language"))
        with i18n.using(locale):
            return problem(status)
    if tenant is None:
        return plain_response(scope, status)
    request = Request(scope)
    context = base_context(request) | {"status": status, "reason": reason}
    # Also outside LocaleMiddleware (errors of the edge itself): the language it had chosen.
    locale = state.get("locale") or i18n.negotiate(request.headers.get("accept-language"))
    try:
        with i18n.using(locale, tenant.address_form):
            html = templates.get_template("errors/error.html").render(context)
    except Exception:  # noqa: BLE001 - an error page must never fail in turn
        return plain_response(scope, status)
    return HTMLResponse(with_token(html.encode(), scope), status_code=status)
