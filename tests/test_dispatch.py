"""The indexed router picks exactly the route Starlette's own router picks, for every route of
the app and for paths no route takes (405s, trailing-slash redirects, 404s)."""

from __future__ import annotations

import re

import httpx
import pytest
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route, Router

from tenant_app.app import build_app
from tenant_app.web.dispatch import IndexedRouter


async def _name(request):  # type: ignore[no-untyped-def]
    route = request.scope["route"]
    return PlainTextResponse(f"{route.name}:{sorted(request.path_params.items())}")


def _routes() -> list:
    return [
        Route("/", _name, name="root"),
        Route("/portal/folders/{folder}", _name, name="folder"),
        Route("/portal/folders/{folder}/new", _name, methods=["POST"], name="folder_new"),
        Route("/portal/folders/{folder}/new", _name, methods=["GET"], name="folder_new_form"),
        Route("/portal/", _name, name="portal_slash"),
        Route("/staff/contacts/{contact_id:int}", _name, name="contact"),
        Route("/{anything}/help", _name, name="help_anywhere"),
        Route("/staff/{page}", _name, name="staff_page"),
        Route("/staff/{page}/edit", _name, name="staff_page_edit"),
        Route("/staff/contacts/{contact_id}/edit", _name, name="contact_edit"),
        Route("/portal", _name, name="portal_bare", methods=["POST"]),
        Mount("/portal/assets", app=PlainTextResponse("assets"), name="portal_assets"),
        Mount("/static", app=PlainTextResponse("static"), name="static"),
    ]


PATHS = [
    "/",
    "/portal",
    "/portal/",
    "/portal/folders/insurance",
    "/portal/folders/insurance/",
    "/portal/folders/insurance/new",
    "/staff/contacts/12",
    "/staff/contacts/12/",
    "/staff/contacts/twelve",
    "/staff/help",
    "/portal/help",
    "/unknown/help",
    "/unknown",
    "/static/css/app.css",
    "/static",
    "//portal/folders/x",
    "/staff",
    "/staff/",
    "/staff/contacts",
    "/staff/contacts/edit",
    "/staff/contacts/12/edit",
    "/staff/contacts/12/edit/",
    "/staff/tickets/edit",
    "/portal/assets/app.css",
    "/portal/assets",
    "/portal/folders",
]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_the_same_answers_as_starlettes_router(method: str) -> None:
    plain, indexed = Router(_routes()), IndexedRouter(_routes())
    for path in PATHS:
        answers = []
        for router in (plain, indexed):
            transport = httpx.ASGITransport(app=router)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.request(method, path, follow_redirects=False)
            answers.append((response.status_code, response.headers.get("location"), response.text))
        assert answers[0] == answers[1], path


async def test_the_same_answers_behind_a_root_path() -> None:
    """Mounted under /app: "/apple/..." is not under the root path and must stay as it is."""
    routes = [*_routes(), Route("/apple/{x}", _name, name="apple")]
    plain, indexed = Router(routes), IndexedRouter(routes)
    for path in ("/app/portal/folders/x", "/apple/x", "/app", "/app/staff/contacts/3"):
        answers = []
        for router in (plain, indexed):
            transport = httpx.ASGITransport(app=router, root_path="/app")
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.get(path, follow_redirects=False)
            answers.append((response.status_code, response.text))
        assert answers[0] == answers[1], path


def test_every_route_of_the_app_is_reached_by_its_own_path() -> None:
    """Each route, with its parameters filled in, is the one the indexed router's group for
    that path holds before any other route that also matches."""
    app = build_app(manage_db=False)
    router = app.router
    assert isinstance(router, IndexedRouter)
    checked = 0
    for route in router.routes:
        path_format = getattr(route, "path_format", None)
        if path_format is None or isinstance(route, Mount):
            continue
        path = re.sub(r"\{[^}]+\}", "1", path_format)
        scope = {"type": "http", "path": path, "root_path": "", "method": "GET", "headers": []}
        expected = next(r for r in router.routes if r.matches(scope)[0].name != "NONE")
        found = next(r for r in router._candidates(path) if r.matches(scope)[0].name != "NONE")
        assert found is expected, path
        checked += 1
    assert checked > 300  # the app's routes, not an empty list
