"""Helpers for tests of the JSON API: tokens made through the use case, a client that sends
them, and the problem documents the API answers errors with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from tenant_app.models.scoping import tenant_scope
from tenant_app.services import api_tokens
from tenant_app.services.tenants import NewTenant
from tenant_app.vocabulary import API_SCOPES
from tests.conftest import actor_of

ALL_SCOPES = list(API_SCOPES)


async def make_token(
    tenant: NewTenant,
    scopes: list[str] | None = None,
    *,
    name: str = "BMS-Sync",
    expires_at: datetime | None = None,
) -> str:
    """A new token of `tenant`'s admin (all permissions unless `scopes`); its secret."""
    with tenant_scope(tenant.tenant.id):
        admin = await actor_of(f"{tenant.tenant.slug}-admin")
        _token, secret = await api_tokens.create_token(
            admin, name=name, scopes=scopes or ALL_SCOPES, expires_at=expires_at
        )
    return secret


def bearer(secret: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


def problem_of(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem document of an error answer, after checking its status and media type."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def field_messages(response: httpx.Response) -> dict[str, str]:
    """{field: message} of a 422 answer."""
    return {error["field"]: error["message"] for error in problem_of(response, 422)["errors"]}
