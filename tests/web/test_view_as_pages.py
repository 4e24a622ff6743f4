"""View as customer, the edges of the view: error pages keep the banner and its way out, and
the sidebar offers nothing that would act on the staff member's own account."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.web.test_view_as import start_view

BANNER = "Sie sehen das Portal als Kai Kunde – nur ansehen"
END_FORM = re.compile(
    r'<form method="post" action="/staff/view-as/end"[^>]*>.*?id="view-as-end">Ansicht beenden<',
    re.S,
)


@pytest.fixture
async def viewing(tenant: Any, passwords: Any, client_for: Any) -> dict[str, Any]:
    """Kai with insurance shared but no communication; the admin viewing Kai's portal."""
    contact = await make_customer(tenant, passwords, insurance_share=True, profile_visible=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    assert (await start_view(admin, contact.id)).status_code == 303
    return {"contact": contact, "customer": customer, "admin": admin}


@pytest.mark.parametrize(
    ("method", "path", "status", "heading"),
    [
        ("GET", "/portal/contracts/987654", 404, "Seite nicht gefunden"),  # no such contract
        ("GET", "/portal/no-such-page", 404, "Seite nicht gefunden"),  # no such route
        ("GET", "/portal/folders/emergency", 404, "Seite nicht gefunden"),  # not Kai's to see
        ("GET", "/portal/documents/987654/preview", 404, "Seite nicht gefunden"),
        ("GET", "/portal/tickets/1/read", 405, "Etwas ist schiefgelaufen"),  # POST only
    ],
)
async def test_an_error_page_in_the_view_shows_the_banner_and_the_way_out(
    viewing: dict[str, Any], method: str, path: str, status: int, heading: str
) -> None:
    admin, customer = viewing["admin"], viewing["customer"]
    origin = {"Origin": f"http://{admin.host}"}
    viewed = await admin.request(method, path, headers=origin)
    assert viewed.status_code == status
    assert f'<h1 class="page-title">{heading}</h1>' in viewed.text  # errors/error.html
    assert BANNER in viewed.text and END_FORM.search(viewed.text), path
    # the way home stays in the view: "/" would take staff to their own area
    assert 'id="error-home" href="/portal"' in viewed.text
    assert 'id="site-brand" href="/portal"' in viewed.text
    own = await customer.request(method, path, headers=origin)  # their own: no banner
    assert own.status_code == status and "view-as-banner" not in own.text
    assert 'id="error-home" href="/portal"' in own.text  # the same for the customer
    found = re.search(r'name="csrf_token" value="([^"]+)"', viewed.text)
    assert found, "no CSRF token on the error page"
    token = found.group(1)
    ended = await admin.post(
        "/staff/view-as/end",
        data={"csrf_token": token},
        headers=origin,
    )
    assert ended.status_code == 303
    assert ended.headers["location"] == f"/staff/contacts/{viewing['contact'].id}"
    again = await admin.request(method, path, headers=origin)  # the staff member again
    assert "view-as-banner" not in again.text


async def test_staff_error_pages_show_no_banner_while_viewing(viewing: dict[str, Any]) -> None:
    """The view is of /portal only: a staff page's error is the staff member's own."""
    response = await viewing["admin"].get("/staff/contacts/987654")
    assert response.status_code == 404 and "view-as-banner" not in response.text
    assert 'id="error-home" href="/"' in response.text  # "/" leads staff to their area


def _sidebar_footer(html: str) -> str:
    start = html.index('<div class="sidebar__footer">')
    return html[start : html.index("</aside>", start)]


async def test_the_sidebar_offers_no_action_on_the_staff_members_own_account(
    viewing: dict[str, Any],
) -> None:
    admin, customer = viewing["admin"], viewing["customer"]
    own = _sidebar_footer((await customer.get("/portal")).text)
    assert 'href="/account/password" id="change-password-link"' in own
    page = (await admin.get("/portal")).text
    viewed = _sidebar_footer(page)
    assert "Kai Kunde" in viewed  # the customer's name, as the customer sees it
    assert "/account/password" not in page
    password = re.search(r'<button [^>]*id="change-password-link"[^>]*>', viewed)
    assert password and " disabled" in password.group(0)
    assert "Passwort ändern" in viewed  # still there, only disabled
    # Logging out would end the staff member's own session: it sits in the disabled frame.
    frame = page[page.index('<fieldset class="view-as-frame" disabled>') :]
    assert 'action="/logout"' in frame[: frame.index("</fieldset><!-- /view-as -->")]
    assert END_FORM.search(page[: page.index('<fieldset class="view-as-frame"')])


async def test_the_staff_area_keeps_its_own_password_link(viewing: dict[str, Any]) -> None:
    page = (await viewing["admin"].get("/staff")).text
    assert 'href="/account/password" id="change-password-link"' in page
