"""Type-ahead options and the A-Z jump of the insurer catalogue, for every contract form."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tenant_app.pages import render
from tenant_app.services import insurers
from tenant_app.web.guards import require


async def insurer_options(request: Request) -> Response:
    """`<option>`s for the datalist (type-ahead) or buttons for the A-Z jump."""
    require(request, lambda user: True)
    params = request.query_params
    text = params.get("insurer", params.get("q", ""))[:100]
    letter = params.get("letter", "")[:1]
    found = await insurers.matching(text, letter=letter)
    template = "insurers/az_list.html" if letter else "insurers/options.html"
    return render(request, template, {"insurers": found, "letter": letter})


routes = [
    Route("/insurers/options", insurer_options, methods=["GET"], name="insurer_options"),
]
