"""The API's door: tokens, scopes, revocation, other tenants, cookies and CSRF kept apart,
errors as problem documents, the OpenAPI document and its reference page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tenant_app.models.integration import ApiToken
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import api_tokens
from tests.api_helpers import bearer, make_token, problem_of
from tests.conftest import actor_of


async def test_a_token_says_who_it_is(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, ["contacts:read"], name="Maklerverwaltung")
    response = await client.get("/api/v1/token", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json() == {
        "name": "Maklerverwaltung",
        "scopes": ["contacts:read"],
        "tenant": "alpha",
    }
    assert "set-cookie" not in response.headers


async def test_without_a_valid_token_the_answer_is_401(client: Any, tenant: Any) -> None:
    await make_token(tenant)
    for headers in ({}, bearer("tka_not-a-token"), {"Authorization": "Basic eDp5"}):
        response = await client.get("/api/v1/token", headers=headers)
        assert problem_of(response, 401)["title"]
        assert response.headers["www-authenticate"] == "Bearer"


async def test_a_revoked_token_fails_at_once(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant)
    assert (await client.get("/api/v1/token", headers=bearer(secret))).status_code == 200
    with tenant_scope(tenant.tenant.id):
        admin = await actor_of("alpha-admin")
        token = await ApiToken.get(name="BMS-Sync")
        await api_tokens.revoke_token(admin, token.id)
    problem_of(await client.get("/api/v1/token", headers=bearer(secret)), 401)


async def test_an_expired_token_fails(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant, expires_at=datetime.now(UTC) + timedelta(days=1))
    assert (await client.get("/api/v1/token", headers=bearer(secret))).status_code == 200
    with tenant_scope(tenant.tenant.id):
        await ApiToken.filter(name="BMS-Sync").update(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )
    problem_of(await client.get("/api/v1/token", headers=bearer(secret)), 401)


async def test_a_token_of_another_tenant_is_unknown_here(
    client_for: Any, tenant: Any, other_tenant: Any
) -> None:
    secret = await make_token(other_tenant)
    here = client_for(tenant.hostname)
    problem_of(await here.get("/api/v1/token", headers=bearer(secret)), 401)
    there = client_for(other_tenant.hostname)
    assert (await there.get("/api/v1/token", headers=bearer(secret))).status_code == 200


async def test_a_session_cookie_never_authorises_the_api(client: Any, tenant: Any) -> None:
    await client.log_in("alpha-admin")
    problem_of(await client.get("/api/v1/token"), 401)
    # ... and an unsafe API request needs no CSRF token, only a token (it has none: 401)
    problem_of(await client.post("/api/v1/token", json={}), 405)


async def test_a_token_opens_no_html_page(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant)
    response = await client.get("/staff/contacts", headers=bearer(secret))
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


async def test_the_technical_account_cannot_log_in(client: Any, tenant: Any) -> None:
    await make_token(tenant)
    with tenant_scope(tenant.tenant.id):
        token = await ApiToken.get(name="BMS-Sync").prefetch_related("user")
        username = token.user.username
    token_page = await client.submit("/login", {"identifier": username, "password": ""})
    assert token_page.status_code != 303


async def test_unknown_api_paths_answer_with_a_problem(client: Any, tenant: Any) -> None:
    problem_of(await client.get("/api/v1/no-such-thing"), 404)


async def test_the_openapi_document_lists_every_operation(client: Any, tenant: Any) -> None:
    response = await client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"] == "3.1.0"
    token_op = spec["paths"]["/api/v1/token"]["get"]
    assert token_op["operationId"] == "api_token_info"
    assert token_op["responses"]["401"]["content"]["application/problem+json"]
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


async def test_the_reference_page_reads_the_document(client: Any, tenant: Any) -> None:
    response = await client.get("/api/v1/docs", headers={"Accept-Language": "de"})
    assert response.status_code == 200
    assert "GET /api/v1/token" in response.text
    assert "API-Referenz" in response.text


async def test_the_demo_token_of_the_readme_works(
    client_for: Any, passwords: Any, settings: Any
) -> None:
    from tenant_app.demo.integration import API_TOKEN
    from tenant_app.demo.seed import ensure_demo
    from tenant_app.files.storage import LocalStorage

    assert await ensure_demo(passwords, LocalStorage(settings.storage_dir), base_domain="localhost")
    demo = client_for("demo.localhost")
    response = await demo.get("/api/v1/token", headers=bearer(API_TOKEN))
    assert response.status_code == 200
    assert response.json()["name"] == "Demo-Maklerverwaltung"


async def test_text_no_database_can_store_is_refused_for_every_resource(
    client: Any, tenant: Any
) -> None:
    secret = await make_token(tenant)
    body = '{"first_name": "Ka\\u0000i", "last_name": "\\ud800", "email": "kai@example.org"}'
    response = await client.post(
        "/api/v1/contacts",
        content=body,
        headers=bearer(secret, **{"Content-Type": "application/json"}),
    )
    fields = {error["field"] for error in problem_of(response, 422)["errors"]}
    assert fields == {"first_name", "last_name"}
    listed = await client.get("/api/v1/contacts", headers=bearer(secret))
    assert listed.json()["items"] == []


async def test_bounds_no_database_could_hold_are_refused_on_every_list(
    client: Any, tenant: Any
) -> None:
    """PostgreSQL's integers and dates end somewhere: beyond that a 422, never a 500."""
    import base64

    secret = await make_token(tenant)
    huge = base64.urlsafe_b64encode(b"id:9999999999").decode().rstrip("=")
    for query in (
        {"cursor": huge},
        {"updated_since": "0001-01-01T00:00:00+14:00"},
        {"updated_since": "9999-12-31T23:59:59-14:00"},
    ):
        for path in ("/api/v1/contacts", "/api/v1/documents", "/api/v1/cases"):
            answer = await client.get(path, params=query, headers=bearer(secret))
            problem_of(answer, 422)


async def test_a_body_nested_too_deeply_or_too_large_is_refused(client: Any, tenant: Any) -> None:
    secret = await make_token(tenant)
    json_type = {"Content-Type": "application/json"}
    for depth, status in ((5_000, 400), (30, 400)):
        body = '{"first_name":' * depth + "1" + "}" * depth
        answer = await client.post(
            "/api/v1/contacts", content=body, headers=bearer(secret, **json_type)
        )
        problem_of(answer, status)
    big = '{"first_name": "' + "a" * (1024 * 1024) + '"}'
    answer = await client.post("/api/v1/contacts", content=big, headers=bearer(secret, **json_type))
    problem_of(answer, 413)
    assert (await client.get("/api/v1/contacts", headers=bearer(secret))).json()["items"] == []


async def test_a_delete_that_takes_other_data_needs_their_permissions_too(
    client: Any, tenant: Any, passwords: Any
) -> None:
    from tests.conftest import make_customer

    kai = await make_customer(tenant, passwords)
    narrow = await make_token(tenant, ["contacts:write"], name="nur-kontakte")
    path = f"/api/v1/contacts/{kai.id}"
    etag = (await client.get(path, headers=bearer(narrow))).headers["etag"]
    refused = await client.delete(path, headers=bearer(narrow, **{"If-Match": etag}))
    assert "documents:write" in problem_of(refused, 403)["detail"]
    assert (await client.get(path, headers=bearer(narrow))).status_code == 200
    wide = await make_token(tenant, name="alles")
    assert (
        await client.delete(path, headers=bearer(wide, **{"If-Match": etag}))
    ).status_code == 204


async def test_each_token_has_its_own_rate_limit(
    client: Any, tenant: Any, monkeypatch: Any
) -> None:
    from tenant_app.api import operations
    from tenant_app.security.ratelimit import Limit

    monkeypatch.setattr(operations, "PER_TOKEN", Limit("api-token", 3, 60))
    busy = await make_token(tenant, name="busy")
    calm = await make_token(tenant, name="calm")
    for _ in range(3):
        assert (await client.get("/api/v1/token", headers=bearer(busy))).status_code == 200
    refused = await client.get("/api/v1/token", headers=bearer(busy))
    problem_of(refused, 429)
    assert refused.headers["retry-after"] == "60"
    assert (await client.get("/api/v1/token", headers=bearer(calm))).status_code == 200
