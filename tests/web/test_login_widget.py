"""The login on the broker's website: the allow-list of website origins, the snippets, and
`frame-ancestors` naming them on the login page only."""

from __future__ import annotations

from typing import Any

import pytest
from markupsafe import escape

from tenant_app.models.folders import AuditEntry
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.security.frame_origins import allowed_origins, clean_origin
from tenant_app.text import i18n

PAGE = "/staff/settings/domains"
SAVE = PAGE + "/website"


@pytest.fixture
async def admin(client: Any, tenant: Any) -> Any:
    await client.log_in("alpha-admin")
    return client


async def stored(tenant: Any) -> str:
    return str((await Tenant.get(id=tenant.tenant.id)).frame_origins)


async def test_the_page_offers_a_script_free_button_to_the_login(admin: Any) -> None:
    page = await admin.get(PAGE)
    assert page.status_code == 200
    assert 'id="snippet-link"' in page.text
    assert '&lt;a href="http://alpha.localhost/login"' in page.text
    assert "&lt;script" not in page.text and 'id="snippet-frame"' not in page.text
    assert 'id="domains-link"' in (await admin.get("/staff/settings")).text


async def test_origins_are_saved_cleaned_and_the_frame_snippet_appears(
    admin: Any, tenant: Any
) -> None:
    typed = "https://WWW.Makler.de/\n\n  https://makler.de:8443 \nhttps://www.makler.de"
    answer = await admin.submit(SAVE, {"frame_origins": typed}, form_page=PAGE)
    assert answer.status_code == 303
    assert await stored(tenant) == "https://www.makler.de\nhttps://makler.de:8443"
    page = await admin.get(answer.headers["location"])
    assert 'id="origins-saved"' in page.text and 'id="snippet-frame"' in page.text
    assert '&lt;iframe src="http://alpha.localhost/login"' in page.text
    with tenant_scope(tenant.tenant.id):
        assert await AuditEntry.filter(action="frame_origins_saved").exists()


@pytest.mark.parametrize(
    "typed",
    [
        "http://www.makler.de",  # not https
        "https://www.makler.de/kunden",  # a path
        "www.makler.de",  # no scheme
        "https://user@www.makler.de",
        "https://www.makler.de; script-src *",  # no directive smuggled into the header
        "https://localhost",
        "\n".join(f"https://www{n}.makler.de" for n in range(11)),  # more than 10
    ],
)
async def test_a_bad_origin_is_refused_and_nothing_changes(
    admin: Any, tenant: Any, typed: str
) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(frame_origins="https://www.makler.de")
    answer = await admin.submit(SAVE, {"frame_origins": typed}, form_page=PAGE)
    assert answer.status_code == 422
    assert 'id="f-frame_origins-error"' in answer.text
    assert str(escape(typed.splitlines()[0])) in answer.text  # the input stays
    assert await stored(tenant) == "https://www.makler.de"


async def test_only_the_login_page_names_the_allowed_origins(
    admin: Any, client_for: Any, tenant: Any
) -> None:
    visitor = client_for(tenant.hostname)
    login = await visitor.get("/login")
    assert "frame-ancestors 'none'" in login.headers["content-security-policy"]
    assert login.headers["x-frame-options"] == "DENY"

    origins = "https://www.makler.de\nhttps://makler.de"
    await admin.submit(SAVE, {"frame_origins": origins}, form_page=PAGE)
    login = await visitor.get("/login")
    policy = login.headers["content-security-policy"]
    assert "frame-ancestors https://www.makler.de https://makler.de" in policy
    assert "'none'" not in policy.split("frame-ancestors")[1]
    assert "x-frame-options" not in login.headers
    assert 'target="_top"' in login.text  # after the login the portal is the whole page
    for path in ("/passwort-vergessen", "/impressum", "/staff", "/staff/settings", PAGE):
        answer = await (admin if path.startswith("/staff") else visitor).get(path)
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"], path
        assert answer.headers["x-frame-options"] == "DENY", path
    refused = await visitor.post("/login", data={"identifier": "x", "password": "y"})
    assert "frame-ancestors 'none'" in refused.headers["content-security-policy"]


async def test_in_a_frame_of_another_site_the_login_offers_a_button(
    admin: Any, client_for: Any, tenant: Any
) -> None:
    await admin.submit(SAVE, {"frame_origins": "https://www.makler.de"}, form_page=PAGE)
    framed = {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "cross-site"}
    page = await client_for(tenant.hostname).get("/login", headers=framed)
    assert 'id="login-open"' in page.text and 'name="password"' not in page.text
    with i18n.using("de"):
        assert i18n.gettext("Open the login page") in page.text
    same_site = {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "same-site"}
    page = await client_for(tenant.hostname).get("/login", headers=same_site)
    assert 'name="password"' in page.text


def test_a_stored_value_never_reaches_the_header_unchecked() -> None:
    assert clean_origin("https://www.makler.de:443/") == "https://www.makler.de"
    assert clean_origin("https://mäkler.de") == "https://xn--mkler-gra.de"
    assert allowed_origins("https://a.de\nhttps://b.de; script-src *\n'none'") == ["https://a.de"]
