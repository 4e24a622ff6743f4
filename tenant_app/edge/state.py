"""The per-request state dict that the middleware fill and the handlers read."""

from __future__ import annotations

from typing import Any, cast

from starlette.types import Scope


def state_of(scope: Scope) -> dict[str, Any]:
    return cast(dict[str, Any], scope.setdefault("state", {}))


API_PREFIX = "/api/"  # the JSON API: token-authenticated, no cookies, no CSRF


def is_api(scope: Scope) -> bool:
    """A request to the JSON API: no session cookie is read for it (a browser's cookie must
    never authorise an API call), so no CSRF token applies either."""
    return str(scope.get("path", "")).startswith(API_PREFIX)
