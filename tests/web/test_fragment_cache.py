"""Cached contract cards: the page is byte for byte what an uncached render gives, and every
change (data, rights, language, branding, another viewer) shows on the very next request."""

from __future__ import annotations

import re

import pytest

from tenant_app.fragments import fragment_cache
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Contract, CustomerAccess, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.templating import CSRF_SLOT, templates
from tenant_app.text import i18n
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import add_contract, add_document
from tests.web.test_branding import save_look
from tests.web.test_ticket_privacy import NOTE, _open, _reply, office  # noqa: F401

FOLDER = "/portal/folders/insurance"
META_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def empty_cache():
    fragment_cache.clear()
    limit = fragment_cache.max_bytes
    yield
    fragment_cache.max_bytes = limit
    fragment_cache.clear()


async def twice_and_uncached(client, path: str) -> tuple[str, str, str]:
    """The page rendered with nothing kept, then twice with the cache on: the second time
    everything kept comes from the cache (no miss)."""
    fragment_cache.max_bytes = 0
    uncached = (await client.get(path)).text
    fragment_cache.max_bytes = 1 << 20
    first = (await client.get(path)).text
    misses = fragment_cache.misses
    second = (await client.get(path)).text
    assert fragment_cache.misses == misses  # everything kept came from the cache
    return uncached, first, second


async def _customer(client_for, tenant, passwords, settings, **access):
    contact = await make_customer(tenant, passwords, insurance_share=True, **access)
    own = await add_contract(tenant, contact, by_customer=True, number="EIGEN-1")
    broker = await add_contract(tenant, contact, number="MAKLER-2")
    await add_document(tenant, settings, contact, contract=broker, title="Police 2026")
    await add_document(tenant, settings, contact, contract=own, title="Foto", by_customer=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    return contact, own, customer


async def test_cached_cards_give_the_same_page_as_an_uncached_render(
    client_for, tenant, passwords, settings
) -> None:
    _, own, customer = await _customer(client_for, tenant, passwords, settings)
    fragment_cache.max_bytes = 0  # nothing kept: every card rendered afresh
    uncached = (await customer.get(FOLDER)).text
    fragment_cache.max_bytes = 1 << 20
    first = (await customer.get(FOLDER)).text
    misses, hits = fragment_cache.misses, fragment_cache.hits
    second = (await customer.get(FOLDER)).text
    assert fragment_cache.misses == misses and fragment_cache.hits >= hits + 2  # both cards
    assert uncached == first == second
    assert "EIGEN-1" in second and "Police 2026" in second
    assert f'action="/portal/contracts/{own.id}/delete"' in second


async def test_each_cards_upload_button_is_the_shared_macros_markup(
    client_for, tenant, passwords, settings
) -> None:
    """The cards write the upload button out (portal/folder.html); it stays the macro's."""
    _, own, customer = await _customer(client_for, tenant, passwords, settings)
    page = (await customer.get(FOLDER)).text
    with i18n.using("de"):
        button = templates.globals["upload_button"](
            f"/portal/folders/insurance/upload?contract_id={own.id}"
        )
    assert str(button) in page and "Dokument hinzufügen" in str(button)


async def test_each_session_gets_its_own_token_in_a_cached_card(
    client_for, tenant, passwords, settings
) -> None:
    _, _, customer = await _customer(client_for, tenant, passwords, settings)
    await customer.get(FOLDER)  # the cards are kept with this session's token
    again = client_for(tenant.hostname)
    await again.log_in("kai", CUSTOMER_PASSWORD)
    for client in (customer, again):
        tokens = set(META_TOKEN.findall((await client.get(FOLDER)).text))
        assert len(tokens) == 1  # every form of the page, cached cards included
    first = set(META_TOKEN.findall((await customer.get(FOLDER)).text))
    second = set(META_TOKEN.findall((await again.get(FOLDER)).text))
    assert first != second


async def test_an_edit_shows_at_once(client_for, tenant, passwords, settings) -> None:
    _, own, customer = await _customer(client_for, tenant, passwords, settings)
    assert "EIGEN-1" in (await customer.get(FOLDER)).text
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=own.id).update(insurance_number="NEU-7")
    page = (await customer.get(FOLDER)).text
    assert "NEU-7" in page and "EIGEN-1" not in page


async def test_a_kept_folder_shows_a_new_and_an_unshared_document_at_once(
    client_for, tenant, passwords, settings
) -> None:
    contact, own, customer = await _customer(client_for, tenant, passwords, settings)
    await customer.get(FOLDER)
    kept = (await customer.get(FOLDER)).text  # the whole list from the cache
    assert "Police 2026" in kept and "Beitragsrechnung" not in kept
    added = await add_document(tenant, settings, contact, contract=own, title="Beitragsrechnung")
    assert "Beitragsrechnung" in (await customer.get(FOLDER)).text
    with tenant_scope(tenant.tenant.id):
        await Document.filter(id=added.id).update(shared_with_customer=False)
    assert "Beitragsrechnung" not in (await customer.get(FOLDER)).text


async def test_a_permission_change_shows_at_once(client_for, tenant, passwords, settings) -> None:
    contact, own, customer = await _customer(client_for, tenant, passwords, settings)
    edit_link = f'href="/portal/contracts/{own.id}"'
    assert edit_link in (await customer.get(FOLDER)).text
    with tenant_scope(tenant.tenant.id):
        await CustomerAccess.filter(contact_id=contact.id).update(insurance_readonly=True)
    assert edit_link not in (await customer.get(FOLDER)).text


async def test_a_language_change_shows_at_once(client_for, tenant, passwords, settings) -> None:
    _, _, customer = await _customer(client_for, tenant, passwords, settings)
    assert "Herunterladen" in (await customer.get(FOLDER)).text
    with tenant_scope(tenant.tenant.id):
        await User.filter(username="kai").update(language="en")
    page = (await customer.get(FOLDER)).text
    assert "Download" in page and "Herunterladen" not in page


async def test_a_branding_change_shows_at_once(
    client, client_for, tenant, passwords, settings
) -> None:
    _, _, customer = await _customer(client_for, tenant, passwords, settings)
    before = (await customer.get(FOLDER)).text
    await client.log_in("alpha-admin")
    assert (await save_look(client, primary_color="#aa3300")).status_code == 303
    after = (await customer.get(FOLDER)).text
    css = re.compile(r'href="(/brand\.css\?v=[0-9a-f]+)"')
    assert css.search(before).group(1) != css.search(after).group(1)


async def test_cards_are_never_shared_between_customers_or_tenants(
    client_for, tenant, other_tenant, passwords, settings
) -> None:
    _, _, kai = await _customer(client_for, tenant, passwords, settings)
    await kai.get(FOLDER)  # alpha's cards are kept
    contact, _, namesake = await _customer(client_for, other_tenant, passwords, settings)
    with tenant_scope(other_tenant.tenant.id):
        theirs = {str(c.id) for c in await Contract.filter(contact_id=contact.id)}
    page = (await namesake.get(FOLDER)).text
    assert set(re.findall(r'id="contract-(\d+)"', page)) == theirs
    assert other_tenant.tenant.name in page and tenant.tenant.name not in page


async def test_a_cached_thread_shows_a_reply_and_a_note_at_once_and_only_to_staff(
    office,  # noqa: F811 - the fixture imported above
    tenant,
) -> None:
    ticket_id = await _open(office)
    staff_path, portal_path = f"/staff/tickets/{ticket_id}", f"/portal/tickets/{ticket_id}"
    for client, path in ((office.a, staff_path), (office.kai, portal_path)):
        assert "Mein Auto hat eine Beule." in (await client.get(path)).text  # now kept
    await _reply(office.a, staff_path, "Ist versichert.")
    noted = await office.a.submit(f"{staff_path}/note", {"note": NOTE}, form_page=staff_path)
    assert noted.status_code in (200, 303)
    staff_page, customer_page = (
        (await office.a.get(staff_path)).text,
        (await office.kai.get(portal_path)).text,
    )
    assert "Ist versichert." in staff_page and "Ist versichert." in customer_page
    assert NOTE in staff_page and NOTE not in customer_page
    assert "Anna" in customer_page  # the history shows the reply


async def test_ticket_pages_with_their_reply_form_kept_are_an_uncached_render(
    office,  # noqa: F811 - the fixture imported above
) -> None:
    ticket_id = await _open(office)
    for client, path in (
        (office.a, f"/staff/tickets/{ticket_id}"),
        (office.kai, f"/portal/tickets/{ticket_id}"),
    ):
        uncached, first, second = await twice_and_uncached(client, path)  # all kept: no miss
        assert uncached == first == second
        assert f'action="{path}/reply"' in second and 'id="reply-form"' in second


async def test_a_failed_reply_shows_its_text_and_error_beside_a_kept_empty_form(
    office,  # noqa: F811 - the fixture imported above
) -> None:
    ticket_id = await _open(office)
    path = f"/portal/tickets/{ticket_id}"
    assert "Mein Auto" in (await office.kai.get(path)).text  # the empty form is kept now
    token = await office.kai.csrf(path)
    failed = await office.kai.post(
        f"{path}/reply",
        files={"csrf_token": (None, token), "body": (None, "x" * 10001)},
        headers={"Origin": f"http://{office.kai.host}"},
    )
    assert failed.status_code == 422
    assert "x" * 10001 in failed.text and 'id="f-body-error"' in failed.text
    again = (await office.kai.get(path)).text
    assert "x" * 10001 not in again and 'id="f-body-error"' not in again
    staff_path = f"/staff/tickets/{ticket_id}"
    assert 'id="note-form"' in (await office.a.get(staff_path)).text  # the panel is kept now
    noted = await office.a.submit(f"{staff_path}/note", {"note": " "}, form_page=staff_path)
    assert noted.status_code == 422 and 'id="f-note-error"' in noted.text
    assert 'id="f-note-error"' not in (await office.a.get(staff_path)).text


async def test_the_contact_list_shows_an_edited_contact_at_once(client, tenant, passwords) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    assert "kai@kunde.example" in (await client.get("/staff/contacts")).text  # now kept
    with tenant_scope(tenant.tenant.id):
        await Contact.filter(id=contact.id).update(email="kai.neu@kunde.example")
    page = (await client.get("/staff/contacts")).text
    assert "kai.neu@kunde.example" in page and "kai@kunde.example" not in page
    assert "kai.neu@kunde.example" in (await client.get("/staff/contacts?q=kai")).text


async def test_a_kept_navigation_marks_the_page_it_is_on(client_for, tenant, passwords) -> None:
    await make_customer(tenant, passwords, insurance_share=True, finance_share=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    current = re.compile(r'<a class="nav-link" href="([^"]+)" aria-current="page"')
    for _ in range(2):  # rendered, then kept
        for path, link in (
            ("/portal", "/portal"),
            (FOLDER, FOLDER),
            ("/portal/folders/finance", "/portal/folders/finance"),
            ("/portal/profile", "/portal/profile"),
        ):
            assert current.findall((await customer.get(path)).text) == [link]


async def test_pages_carry_the_request_token_never_its_stand_in(
    client, client_for, tenant, passwords, settings
) -> None:
    """Templates write CSRF_SLOT; every page, error page and fragment leaves with the token."""
    _, _, customer = await _customer(client_for, tenant, passwords, settings)
    await client.log_in("alpha-admin")
    visitor = client_for(tenant.hostname)
    header = re.compile(r'"X-CSRF-Token": "([^"]+)"')
    for who, path, status in (
        (visitor, "/login", 200),
        (customer, FOLDER, 200),
        (customer, "/portal/nowhere", 404),
        (client, "/staff/contacts", 200),
        (client, "/staff", 200),
    ):
        response = await who.get(path)
        assert response.status_code == status
        assert CSRF_SLOT not in response.text
        tokens = set(META_TOKEN.findall(response.text)) | set(header.findall(response.text))
        assert len(tokens) == 1 and tokens != {""}
