"""Starlette's router, matching a request only against the routes its path can reach.

Starlette tries every route in order until one matches: with several hundred routes a page
near the end of the list cost a hundred regular-expression matches before its handler ran.
Here the routes are grouped once by their path's first two segments ("/portal/folders/
{folder}" under "portal", "folders"); a request is matched against its segments' group, in
the original order, which also holds the routes that may take any first or second segment
(a parameter there, a mount, a one-segment route). The answer is the same route Starlette
would pick, partial matches (405) and the trailing-slash redirect included: a route that can
match a path always has that path's first two segments or a parameter in their place, and
adding or removing a trailing slash leaves the first two segments as they are. One segment
was not enough: the staff area's 224 routes made a chat page try 200 patterns (~85 µs).
"""

from __future__ import annotations

from starlette._utils import get_route_path  # the path the routes match, as Router sees it
from starlette.datastructures import URL
from starlette.responses import RedirectResponse
from starlette.routing import BaseRoute, Match, Route, Router
from starlette.types import Receive, Scope, Send


def _segments(path: str) -> tuple[str, str]:
    """The first two segments ("" where there is none): "/portal/" and "/portal" alike."""
    parts = path.lstrip("/").split("/", 2)
    return parts[0], parts[1] if len(parts) > 1 else ""


def _heads(route: BaseRoute) -> tuple[str | None, str | None]:
    """The fixed first and second segments of a route's path; None where it may take any."""
    path = getattr(route, "path", None)
    if path is None:
        return None, None
    first, second = _segments(path)
    if not first or "{" in first:
        return None, None
    # a mount takes every path below it; a route of one segment matches no second one
    if not isinstance(route, Route) or "/" not in path.lstrip("/") or "{" in second:
        return first, None
    return first, second


class IndexedRouter(Router):
    """A Router whose matching looks at the routes of the request's first two segments only."""

    _groups: dict[str, tuple[dict[str, list[BaseRoute]], list[BaseRoute]]] | None = None
    _anywhere: list[BaseRoute]

    def _candidates(self, path: str) -> list[BaseRoute]:
        if self._groups is None:  # routes are complete once requests arrive
            self._groups = self._index()
        first, second = _segments(path)
        group = self._groups.get(first)
        if group is None:
            return self._anywhere
        by_second, any_second = group
        return by_second.get(second, any_second)

    def _index(self) -> dict[str, tuple[dict[str, list[BaseRoute]], list[BaseRoute]]]:
        heads = [(*_heads(route), route) for route in self.routes]
        self._anywhere = [route for first, _, route in heads if first is None]
        groups = {}
        for name in {first for first, _, _ in heads if first is not None}:
            mine = [(second, route) for first, second, route in heads if first in (None, name)]
            seconds = {second for second, _ in mine if second is not None}
            by_second = {
                key: [route for second, route in mine if second in (None, key)] for key in seconds
            }
            groups[name] = (by_second, [route for second, route in mine if second is None])
        return groups

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
