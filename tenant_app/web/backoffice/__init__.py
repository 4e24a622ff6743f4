"""The backoffice's pages on the platform host: its queue and the tenders handed to it.

Only a backoffice person on the platform's own host reaches them; on a broker's host, and for
anyone else, they do not exist (404), as an object of another tenant does not. What a person
may see of a tender is decided again by services/tender_access.py at every request.
"""

from __future__ import annotations

from typing import cast

from starlette.requests import Request

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.permissions import is_backoffice
from tenant_app.web.guards import current_user, require


def backoffice_person(request: Request) -> CurrentUser:
    """The logged-in backoffice person on the platform host; NotFound for anyone else (a
    visitor on the platform host is sent to log in)."""
    if not request.state.tenant.is_platform:
        raise NotFound
    if current_user(request) is not None and not is_backoffice(current_user(request)):
        raise NotFound
    return require(request, is_backoffice)


def tender_id(request: Request) -> int:
    return cast(int, request.path_params["tender_id"])
