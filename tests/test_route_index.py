"""Links built from the route-name index are exactly the paths Starlette would build."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.convertors import PathConvertor, StringConvertor
from starlette.routing import NoMatchFound

from tenant_app.asgi import app
from tenant_app.pages import RouteIndex


def _sample(convertor: Any, seed: int) -> Any:
    if isinstance(convertor, PathConvertor):
        return f"css/file-{seed}.css"
    if isinstance(convertor, StringConvertor):
        return f"value-{seed}"
    return 1000 + seed  # ids


def _named_routes() -> list[Any]:
    return [route for route in app.routes if getattr(route, "name", None)]


def test_every_named_route_builds_the_path_starlette_builds() -> None:
    routes = _named_routes()
    index = RouteIndex(routes)
    assert len(routes) > 50
    for seed, route in enumerate(routes):
        params = {key: _sample(conv, seed) for key, conv in route.param_convertors.items()}
        assert index.path(route.name, **params) == str(route.url_path_for(route.name, **params))


def test_many_different_ids_give_many_different_links() -> None:
    index = RouteIndex(_named_routes())
    links = {index.path("contact_detail", contact_id=n) for n in range(1, 5001)}
    assert len(links) == 5000
    assert "/staff/contacts/4321" in links


def test_missing_or_extra_parameters_and_unknown_names_are_refused() -> None:
    index = RouteIndex(_named_routes())
    with pytest.raises(NoMatchFound):
        index.path("contact_detail")
    with pytest.raises(NoMatchFound):
        index.path("contact_detail", contact_id=1, folder="x")
    with pytest.raises(KeyError):
        index.path("no_such_page")
