"""The token itself: who is calling, with which permissions (a first call to try a token)."""

from __future__ import annotations

from pydantic import BaseModel

from tenant_app.api.operations import Call, operation


class TokenInfo(BaseModel):
    name: str
    scopes: list[str]
    tenant: str


@operation(
    "GET",
    "/token",
    name="api_token_info",
    summary="The calling token's name and permissions",
    scope="any",
    tag="Token",
)
async def token_info(call: Call) -> TokenInfo:
    tenant = call.request.state.tenant
    return TokenInfo(name=call.caller.name, scopes=sorted(call.caller.scopes), tenant=tenant.slug)
