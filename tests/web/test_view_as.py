"""View as customer: staff see exactly the customer's portal and can change nothing from it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.routing import Route

from tenant_app.models.accounts import User
from tenant_app.models.claims import ClaimFile
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.conversations import (
    Conversation,
    ConversationEntry,
    ConversationEvent,
    ConversationParticipant,
)
from tenant_app.models.folders import AuditEntry, Contract, CustomerAccess, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services.view_as import VIEWED_AS_CUSTOMER
from tests.claim_helpers import photo
from tests.claim_helpers import report as report_claim
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import add_contract, add_document
from tests.web.test_tickets import _open_ticket, make_staff

SHARE = {
    "insurance_share": True,
    "finance_unlock": True,
    "profile_visible": True,
    "profile_editable": True,
    "communication": True,
}
READ_ONLY = {
    "insurance_readonly": True,
    "other_readonly": True,
    "profile_visible": True,
    "communication": True,
}
KINDS = {"share": SHARE, "read_only": READ_ONLY}
ORIGIN = {"Origin": "http://alpha.localhost"}


def normalized(html: str) -> str:
    """The page without what differs by who looks: the banner, its frame, CSRF tokens."""
    html = re.sub(r"<!-- view-as -->.*?<!-- /view-as-banner -->", "", html, flags=re.S)
    html = html.replace('<fieldset class="view-as-frame" disabled>', "")
    html = html.replace("</fieldset><!-- /view-as -->", "")
    html = html.replace("layout-portal view-as", "layout-portal")
    # The customer's own links to their password and login security; in the view disabled
    # buttons (they would open the staff member's own pages).
    html = re.sub(
        r'<(a|button) [^>]*id="(change-password|security)-link".*?</\1>', "", html, flags=re.S
    )
    # The bell: the customer's own count and live stream; in the view disabled, no count.
    html = re.sub(r'<span class="topbar__live".*?</(a|button)></span>', "", html, flags=re.S)
    html = re.sub(r'(name="csrf_token" value=")[^"]+"', r'\1"', html)
    html = re.sub(r'"X-CSRF-Token": "[^"]+"', '"X-CSRF-Token": ""', html)
    return re.sub(r"\s+", " ", html).strip()


@pytest.fixture(params=list(KINDS))
async def world(request, tenant, passwords, settings, client_for) -> dict[str, Any]:
    """A customer with contracts, documents and a ticket; logged in, and the admin viewing."""
    contact = await make_customer(tenant, passwords, **KINDS[request.param])
    folder = "insurance"
    broker = await add_contract(tenant, contact, folder, number="BROKER-1")
    own = await add_contract(tenant, contact, folder, by_customer=True, number="OWN-1")
    document = await add_document(tenant, settings, contact, contract=broker, title="Police")
    if request.param == "share":
        await add_contract(tenant, contact, "finance", by_customer=True, number="FIN-1")
    else:
        await add_contract(tenant, contact, "other", number="OTHER-1")
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    assert (await _open_ticket(customer, tenant.admin, attachment=True)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        ticket = await Conversation.get(contact_id=contact.id)
        attachment = await Document.filter(contact_id=contact.id, folder="inbox").first()
        if attachment is None:
            attachment = await Document.exclude(id=document.id).get(contact_id=contact.id)
    assert (await report_claim(customer, [("f.jpg", photo(), "image/jpeg")])).status_code == 303
    with tenant_scope(tenant.tenant.id):
        claim_file = await ClaimFile.get(claim__contact_id=contact.id)
    return {
        "kind": request.param,
        "contact": contact,
        "customer": customer,
        "admin": admin,
        "ids": {
            "contract_id": own.id,
            "offer_id": broker.id,  # no offer (and the module off): 404 for him and the view
            "document_id": document.id,
            "ticket_id": ticket.id,
            "claim_id": claim_file.claim_id,  # a claim he reported, with a photo
            "file_id": claim_file.id,
            "folder": folder,
            "trust_id": 10**6,  # he is nobody's trusted person: 404 for him and the view alike
            "request_id": 10**6,  # no data request of his: 404 for him and the view alike
        },
        "attachment_id": attachment.id,
        "broker": broker,
    }


async def start_view(client, contact_id: int):
    return await client.submit(f"/staff/contacts/{contact_id}/view-as", form_page="/staff")


def portal_routes(app, methods: set[str]) -> list[tuple[str, str]]:
    """(method, path template) of every registered /portal route with one of these methods."""
    found = []
    for route in app.routes:
        if isinstance(route, Route) and route.path.startswith("/portal"):
            found += [(method, route.path) for method in sorted(route.methods & methods)]
    return found


def concrete(path: str, ids: dict[str, Any], attachment_id: int) -> str:
    if "/attachments/" in path:
        ids = {**ids, "document_id": attachment_id}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: str(ids[m.group(1)]), path)


async def test_every_portal_page_looks_exactly_as_the_customer_sees_it(world, app) -> None:
    admin, customer = world["admin"], world["customer"]
    started = await start_view(admin, world["contact"].id)
    assert started.status_code == 303 and started.headers["location"] == "/portal"
    pages = [p for m, p in portal_routes(app, {"GET"}) if "download" not in p]
    pages = [p for p in pages if "attachments" not in p]
    assert len(pages) >= 8
    paths = [concrete(template, world["ids"], world["attachment_id"]) for template in pages]
    paths += [f"/portal/folders/{f}" for f in ("finance", "other", "emergency")]
    paths += [f"/portal/contracts/{world['broker'].id}", "/portal/tickets?status=closed"]
    for path in paths:
        own, viewed = await customer.get(path), await admin.get(path)
        assert viewed.status_code == own.status_code, path
        if own.headers.get("content-type", "").startswith("text/html"):
            whole_page = "<html" in own.text  # pages and error pages alike: never fragments
            assert ("view-as-banner" in viewed.text) is whole_page, path
            assert normalized(viewed.text) == normalized(own.text), path
        else:  # files (previews): byte for byte
            assert viewed.content == own.content, path
    home = await admin.get("/portal")
    assert "Sie sehen das Portal als Kai Kunde – nur ansehen" in home.text
    assert "Ansicht beenden" in home.text


async def test_downloads_serve_the_same_files(world) -> None:
    admin, customer = world["admin"], world["customer"]
    await start_view(admin, world["contact"].id)
    path = f"/portal/documents/{world['ids']['document_id']}/download"
    own, viewed = await customer.get(path), await admin.get(path)
    assert (viewed.status_code, viewed.content) == (own.status_code, own.content)


async def _state(tenant) -> list[Any]:
    """Every row a portal action could add or change, with its last change."""
    with tenant_scope(tenant.tenant.id):
        return [
            await Contract.all().order_by("id").values_list("id", "version", "deleted_at"),
            await Document.all()
            .order_by("id")
            .values_list("id", "title", "shared_with_customer", "version"),
            await Contact.all().order_by("id").values_list("id", "updated_at", "version"),
            await User.all().order_by("id").values_list("id", "updated_at", "password_hash"),
            await Conversation.all().order_by("id").values_list("id", "status", "entry_count"),
            await ConversationEntry.all().count(),
            await ConversationEvent.all().count(),
            await ConversationParticipant.all().values_list("user_id", "read_count"),
            await CustomerAccess.all().values_list("contact_id", "version"),
            await ClaimFile.all().values_list("id", "claim__status"),
        ]


async def test_every_change_is_refused_and_changes_nothing(world, app, tenant) -> None:
    admin = world["admin"]
    await start_view(admin, world["contact"].id)
    unsafe = portal_routes(app, {"POST", "PUT", "PATCH", "DELETE"})
    assert len(unsafe) >= 8
    token = await admin.csrf("/portal")
    before = await _state(tenant)
    fields = {"title": "x", "subject": "x", "body": "x", "first_name": "Evil", "version": "1"}
    for method, template in unsafe:
        path = concrete(template, world["ids"], world["attachment_id"])
        headers = {**ORIGIN, "X-CSRF-Token": token}
        response = await admin.request(method, path, data=fields, headers=headers)
        assert response.status_code == 403, (method, path, response.status_code)
        assert "Solange Sie das Portal als Kunde ansehen" in response.text
        htmx = await admin.request(method, path, headers={**headers, "HX-Request": "true"})
        assert htmx.status_code == 403
    assert await _state(tenant) == before


async def test_the_ticket_read_ping_is_refused_quietly(world) -> None:
    """The ticket page's htmx read ping (hx-swap none) is refused: no read as the customer."""
    admin = world["admin"]
    await start_view(admin, world["contact"].id)
    page = await admin.get(f"/portal/tickets/{world['ids']['ticket_id']}")
    assert 'hx-swap="none"' in page.text
    ping = await admin.submit(
        f"/portal/tickets/{world['ids']['ticket_id']}/read",
        form_page="/portal",
        headers={"HX-Request": "true"},
    )
    assert ping.status_code == 403


async def test_the_visit_is_in_the_audit_trail_and_ending_it_returns(world, tenant) -> None:
    admin, contact = world["admin"], world["contact"]
    await start_view(admin, contact.id)
    with tenant_scope(tenant.tenant.id):
        entry = await AuditEntry.get(action=VIEWED_AS_CUSTOMER)
    assert (entry.actor_id, entry.subject_id, entry.details) == (tenant.admin.id, contact.id, "")
    assert (await admin.get("/staff/contacts")).status_code == 200  # staff pages stay
    ended = await admin.submit("/staff/view-as/end", form_page="/portal")
    assert ended.status_code == 303
    assert ended.headers["location"] == f"/staff/contacts/{contact.id}"
    assert (await admin.get("/portal")).status_code == 403  # the staff member again
    assert (await admin.get(f"/staff/contacts/{contact.id}")).status_code == 200


async def test_only_staff_with_the_right_may_view(tenant, passwords, client_for, settings) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True, communication=True)
    await add_contract(tenant, contact, number="SECRET-1")
    plain = await make_staff(tenant, passwords, "paul", "Paul", handles_tickets=True)
    blind = await make_staff(
        tenant, passwords, "bea", "Bea", manages_contacts=True, handles_tickets=True
    )  # no insurance access
    full = await make_staff(
        tenant,
        passwords,
        "fred",
        "Fred",
        manages_contacts=True,
        handles_tickets=True,
        access_insurance="read",
    )
    stranger = await make_staff(
        tenant,
        passwords,
        "sven",
        "Sven",
        manages_contacts=True,
        handles_tickets=True,
        access_insurance="read",
    )
    with tenant_scope(tenant.tenant.id):
        for user in (plain, blind, full):
            await ContactResponsible.create(contact_id=contact.id, user_id=user.id)
    results = {}
    for user in (plain, blind, full, stranger):
        client = client_for(tenant.hostname)
        await client.log_in(user.username, ADMIN_PASSWORD)
        token = await client.csrf("/staff")
        response = await client.post(
            f"/staff/contacts/{contact.id}/view-as",
            data={"csrf_token": token},
            headers=ORIGIN,
        )
        page = await client.get(f"/staff/contacts/{contact.id}")
        results[user.username] = (response.status_code, 'id="view-as-start"' in page.text)
        viewed = await client.get("/portal/folders/insurance")
        assert viewed.status_code == 403 or user is full
        assert ("SECRET-1" in viewed.text) is (user is full)
    assert results == {
        "paul": (403, False),
        "bea": (403, False),
        "fred": (303, True),
        "sven": (404, False),
    }
    with tenant_scope(tenant.tenant.id):
        assert await AuditEntry.filter(action=VIEWED_AS_CUSTOMER).count() == 1


async def test_another_tenants_contact_is_not_found(
    tenant, other_tenant, passwords, client_for
) -> None:
    theirs = await make_customer(other_tenant, passwords, insurance_share=True)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    assert (await start_view(admin, theirs.id)).status_code == 404


async def test_a_forged_or_foreign_marker_shows_nothing(tenant, passwords, client_for) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    await start_view(admin, contact.id)
    marker = admin.cookies.get("view_as")
    assert marker
    other = client_for(tenant.hostname)  # the same admin, another session
    await other.log_in("alpha-admin")
    other.cookies.set("view_as", marker)
    assert (await other.get("/portal")).status_code == 403
    other.cookies.set("view_as", "forged")
    assert (await other.get("/portal")).status_code == 403


async def test_a_right_taken_away_ends_the_view(tenant, passwords, client_for) -> None:
    contact = await make_customer(tenant, passwords, insurance_share=True)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    fred = await make_staff(
        tenant,
        passwords,
        "fred",
        "Fred",
        manages_contacts=True,
        sees_all_contacts=True,
        access_insurance="read",
    )
    client = client_for(tenant.hostname)
    await client.log_in("fred", ADMIN_PASSWORD)
    await start_view(client, contact.id)
    assert (await client.get("/portal")).status_code == 200
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=fred.id).update(access_insurance="none")
    assert (await client.get("/portal")).status_code == 403


async def test_a_contact_without_account_is_shown_from_its_permissions(tenant, client_for) -> None:
    from datetime import date

    with tenant_scope(tenant.tenant.id):
        contact = await Contact.create(
            first_name="Nora",
            last_name="Neu",
            email="nora@kunde.example",
            birthdate=date(1980, 5, 6),
        )
        await CustomerAccess.create(
            contact_id=contact.id, insurance_unlock=True, profile_visible=True
        )
    await add_contract(tenant, contact, number="NEU-1")
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    assert (await start_view(admin, contact.id)).status_code == 303
    home = await admin.get("/portal")
    assert home.status_code == 200
    assert "Sie sehen das Portal als Nora Neu" in home.text
    assert "noch kein Kundenkonto" in home.text
    for path in ("/portal/folders/insurance", "/portal/profile", "/portal/tickets"):
        assert (await admin.get(path)).status_code in (200, 404), path
    folder = await admin.get("/portal/folders/insurance")
    assert "NEU-1" not in folder.text  # unlock only: broker contracts stay hidden
