"""A host without a tenant (e.g. bare `localhost:8000`): a neutral page, never framework text."""

from __future__ import annotations

import httpx
import pytest

from tenant_app import create_app


async def _get(app, host: str, path: str = "/", **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as browser:
        return await browser.get(path, headers=headers)


@pytest.mark.parametrize(
    "language,expected",
    [
        ("de-DE,de;q=0.9", "Unter dieser Adresse gibt es kein Portal."),
        ("en-US,en;q=0.9", "There is no portal at this address."),
        ("", "Unter dieser Adresse gibt es kein Portal."),
    ],
)
async def test_bare_localhost_points_to_the_demo_in_development(
    app, tenant, language, expected
) -> None:
    page = await _get(app, "localhost:8000", **({"Accept-Language": language} if language else {}))
    assert page.status_code == 404
    assert expected in page.text
    assert 'href="http://demo.localhost:8000/"' in page.text
    assert "Not Found" not in page.text
    assert tenant.tenant.name not in page.text and "alpha" not in page.text


async def test_the_hint_follows_the_port_and_any_unknown_host(app) -> None:
    page = await _get(app, "nobody.localhost:8141", "/login")
    assert page.status_code == 404
    assert 'href="http://demo.localhost:8141/"' in page.text


async def test_production_shows_a_neutral_404_without_the_hint(settings, tenant) -> None:
    production = create_app(settings.with_overrides(environment="production"), manage_db=False)
    page = await _get(production, "localhost")
    assert page.status_code == 404
    assert "Seite nicht gefunden" in page.text
    assert "demo" not in page.text and "Not Found" not in page.text
    assert tenant.tenant.name not in page.text
