"""The per-request state dict that the middleware fill and the handlers read."""

from __future__ import annotations

from typing import Any, cast

from starlette.types import Scope


def state_of(scope: Scope) -> dict[str, Any]:
    return cast(dict[str, Any], scope.setdefault("state", {}))
