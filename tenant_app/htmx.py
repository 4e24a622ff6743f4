"""What HTMX asks for and what it is told: the one place that reads or writes HX headers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response


def is_htmx_request(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def is_fragment_request(request: Request) -> bool:
    """An HTMX swap that wants a part of the page (not a boosted link, not a history restore)."""
    headers = request.headers
    return (
        is_htmx_request(request)
        and headers.get("hx-boosted") != "true"
        and headers.get("hx-history-restore-request") != "true"
    )


def trigger(response: Response, event: str) -> Response:
    """Fire a client-side event (e.g. badges listening for `unread-changed`)."""
    response.headers["HX-Trigger"] = event
    return response


def redirect_whole_page(response: Response, path: str) -> Response:
    """Make HTMX leave the page for `path` instead of swapping the answer into it."""
    response.headers["HX-Redirect"] = path
    return response
