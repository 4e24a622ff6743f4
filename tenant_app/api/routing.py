"""The API's routes: every registered operation, the OpenAPI document and its reference page.

Importing a resource module registers its operations; add new ones to MODULES."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tenant_app.api import (
    case_offers,
    cases,
    contacts,
    contracts,
    documents,
    imports,
    jump_links,
    me,
    tickets,
)
from tenant_app.api.openapi import document
from tenant_app.api.operations import OPERATIONS, PREFIX, endpoint
from tenant_app.api.reference import reference_page

MODULES = (me, documents, contacts, contracts, tickets, imports, cases, case_offers, jump_links)


async def openapi_json(request: Request) -> Response:
    return JSONResponse(document(), headers={"Cache-Control": "public, max-age=300"})


def routes() -> list[BaseRoute]:
    return [
        Route(f"{PREFIX}/openapi.json", openapi_json, methods=["GET"], name="api_openapi"),
        Route(f"{PREFIX}/docs", reference_page, methods=["GET"], name="api_reference"),
        *(
            Route(PREFIX + op.path, endpoint(op), methods=[op.method], name=op.name)
            for op in OPERATIONS
        ),
    ]
