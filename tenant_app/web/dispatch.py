"""Starlette's router, matching a request only against the routes its path can reach.

Starlette tries every route in order until one matches: with several hundred routes a page
near the end of the list cost a hundred regular-expression matches before its handler ran.
Here the routes are grouped once by their path's first segment ("/portal/folders/{folder}"
under "portal"); a request is matched against its segment's group, in the original order,
plus the routes whose first segment is a parameter (they may take any path). The answer is
the same route Starlette would pick, partial matches (405) and the trailing-slash redirect
included: a route that can match a path always has that path's first segment or none.
"""

from __future__ import annotations

from starlette._utils import get_route_path  # the path the routes match, as Router sees it
from starlette.datastructures import URL
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Match, Router
from starlette.types import Receive, Scope, Send


def _segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


def _head(route: BaseRoute) -> str | None:
    """The fixed first segment of a route's path; None when it may take any path."""
    path = getattr(route, "path", None)
    if path is None:
        return None
    head = _segment(path)
    return None if not head or "{" in head else head


class IndexedRouter(Router):
    """A Router whose matching looks at the routes of the request's first segment only."""

    _groups: dict[str, list[BaseRoute]] | None = None
    _anywhere: list[BaseRoute]

    def _candidates(self, path: str) -> list[BaseRoute]:
        if self._groups is None:  # routes are complete once requests arrive
            heads = [(_head(route), route) for route in self.routes]
            self._anywhere = [route for head, route in heads if head is None]
            self._groups = {
                name: [route for head, route in heads if head in (None, name)]
                for name in {head for head, _ in heads if head is not None}
            }
        return self._groups.get(_segment(path), self._anywhere)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await super().app(scope, receive, send)
            return
        scope.setdefault("router", self)
        route_path = get_route_path(scope)
        candidates = self._candidates(route_path)
        partial = partial_scope = None
        for route in candidates:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None and partial_scope is not None:
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return
        if scope["type"] == "http" and self.redirect_slashes and route_path != "/":
            redirect_scope = dict(scope)
            if route_path.endswith("/"):
                redirect_scope["path"] = redirect_scope["path"].rstrip("/")
            else:
                redirect_scope["path"] = redirect_scope["path"] + "/"
            for route in candidates:
                match, _ = route.matches(redirect_scope)
                if match is not Match.NONE:
                    response = RedirectResponse(url=str(URL(scope=redirect_scope)))
                    await response(scope, receive, send)
                    return
        await self.default(scope, receive, send)
