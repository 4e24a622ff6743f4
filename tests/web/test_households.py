"""Households: one login manages several contacts' folders. With a contact chosen, every
portal page shows exactly that contact's folders under that contact's permissions, and no URL
reaches another contact's data, whichever ids it carries."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.models.accounts import Session, User
from tenant_app.models.activity import Notification
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import Conversation
from tenant_app.models.folders import Contract, CustomerAccess, Document
from tenant_app.models.households import ContactLink
from tenant_app.models.scoping import tenant_scope
from tenant_app.services.events import TICKET_REPLY
from tests.conftest import CUSTOMER_PASSWORD, make_customer, page_queries
from tests.folder_helpers import PDF_BYTES, add_contract, add_document
from tests.notification_helpers import mail_unread, told
from tests.web.test_document_previews import add_file, png
from tests.web.test_export_erasure import NOT_COMPARED, changed_tables, dump_database
from tests.web.test_tickets import make_staff

ORIGIN = {"Origin": "http://alpha.localhost"}
FOLDERS = ("insurance", "finance", "other", "emergency")
# Max and Lena may do everything in two folders (so that a 404 between them comes from whose
# data it is, never from a right missing); Paul's rights differ in every module.
FULL = {
    "insurance_share": True,
    "finance_unlock": True,
    "profile_visible": True,
    "profile_editable": True,
    "communication": True,
}
PAUL = {
    "insurance_readonly": True,
    "other_unlock": True,
    "emergency_readonly": True,
    "profile_visible": True,
}
SHOWN = {
    "max": {"insurance", "finance", "communication", "profile"},
    "lena": {"insurance", "finance", "communication", "profile"},
    "paul": {"insurance", "other", "emergency", "profile"},
}
CONSENT = "Lena ist 12; Max ist sorgeberechtigt (Gespräch am 02.12.)."
SWITCHER = re.compile(r'<nav class="switcher".*?</nav>', re.S)
TOKEN = re.compile(r'(name="csrf_token" value=")[^"]+"')


async def contact_without_login(tenant: Any, first_name: str, **access: bool) -> Contact:
    with tenant_scope(tenant.tenant.id):
        contact = await Contact.create(
            first_name=first_name,
            last_name="Muster",
            email=f"{first_name.lower()}@kunde.example",
            birthdate=date(2013, 5, 6),
        )
        await CustomerAccess.create(contact_id=contact.id, **access)
    return contact


async def fill(tenant: Any, settings: Any, contact: Any, name: str) -> SimpleNamespace:
    """A broker's contract with its policy, the customer's own contract with a photo, a
    document on the folder: each named after its contact."""
    tag = name.upper()
    broker = await add_contract(tenant, contact, number=f"{tag}-BROKER")
    own = await add_contract(tenant, contact, by_customer=True, number=f"{tag}-OWN")
    policy = await add_document(tenant, settings, contact, contract=broker, title=f"{tag} Police")
    photo = await add_file(tenant, settings, contact, png(), "image/png", contract=own)
    with tenant_scope(tenant.tenant.id):
        await Document.filter(id=photo.id).update(uploaded_by_customer=True, title=f"{tag} Foto")
    loose = await add_document(tenant, settings, contact, title=f"{tag} Übersicht")
    return SimpleNamespace(broker=broker, own=own, policy=policy, photo=photo, loose=loose)


async def link(admin: Any, contact_id: int, login: str, consent: str = CONSENT) -> Any:
    return await admin.submit(
        f"/staff/contacts/{contact_id}/household",
        {"login": login, "consent_note": consent},
        form_page="/staff",
    )


async def switch(client: Any, contact_id: int | str, **extra: str) -> Any:
    return await client.submit(
        "/portal/household", {"contact_id": str(contact_id), **extra}, form_page="/portal"
    )


async def switcher(client: Any) -> str:
    """The switcher as htmx loads it into a portal page."""
    response = await client.get("/portal/household", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.text


def current(html: str) -> str:
    match = re.search(r'<button[^>]*aria-current="true"[^>]*>([^<]+)</button>', html)
    assert match, html
    return match.group(1)


def tiles(html: str) -> set[str]:
    return set(re.findall(r'id="tile-([a-z]+)"', html))


def main_of(html: str) -> str:
    """What the page shows in its content, without the switcher and the per-session token."""
    match = re.search(r'<main class="content" id="main">(.*)</main>', html, re.S)
    assert match
    shown = TOKEN.sub(r'\1"', SWITCHER.sub("", match.group(1)))
    return " ".join(shown.split())


@pytest.fixture
async def home(tenant, passwords, settings, client_for) -> SimpleNamespace:
    """Max (own login) manages Lena (no login) and Paul (a login of his own), linked by the
    admin; everyone has contracts, documents and (where allowed) a ticket."""
    anna = await make_staff(
        tenant, passwords, "anna", "Anna", handles_tickets=True, access_insurance="write"
    )
    maxi = await make_customer(
        tenant, passwords, email="max@kunde.example", first_name="Max", last_name="Muster", **FULL
    )
    lena = await contact_without_login(tenant, "Lena", **FULL)
    paul = await make_customer(
        tenant, passwords, email="paul@kunde.example", first_name="Paul", last_name="Muster", **PAUL
    )
    data = {
        name: await fill(tenant, settings, contact, name)
        for name, contact in (("max", maxi), ("lena", lena), ("paul", paul))
    }
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    for contact in (lena, paul):
        assert (await link(admin, contact.id, "max@kunde.example")).status_code == 303
    client = client_for(tenant.hostname)
    await client.log_in("max", CUSTOMER_PASSWORD)
    return SimpleNamespace(
        anna=anna,
        admin=admin,
        client=client,
        contacts={"max": maxi, "lena": lena, "paul": paul},
        data=data,
    )


async def test_the_household_login_switches_between_its_contacts(home) -> None:
    client, contacts = home.client, home.contacts
    page = (await client.get("/portal")).text
    assert 'id="household-switcher"' in page and 'hx-get="/portal/household"' in page
    html = await switcher(client)
    assert re.findall(r'id="switch-to-(\d+)"[^>]*>([^<]+)<', html) == [
        (str(contacts["max"].id), "Max"),
        (str(contacts["lena"].id), "Lena"),
        (str(contacts["paul"].id), "Paul"),
    ]
    assert current(html) == "Max"
    for name in ("lena", "paul", "max"):
        switched = await switch(client, contacts[name].id)
        assert switched.status_code == 303 and switched.headers["location"] == "/portal"
        assert current(await switcher(client)) == name.capitalize()
        shown = (await client.get("/portal")).text
        assert tiles(shown) == SHOWN[name]
        heading = re.search(r'<h1 class="page-title"[^>]*>([^<]+)</h1>', shown)
        person = contacts[name]
        expected = f"Ordner von {person.first_name} {person.last_name}"
        assert heading and heading.group(1) == ("Willkommen, Max" if name == "max" else expected)


async def test_each_contact_shows_exactly_its_own_folders_and_permissions(
    home, client_for, tenant
) -> None:
    """Paul's folders through Max's login are exactly what Paul's own login shows; Lena's
    hold only Lena's; nothing of one contact shows under another."""
    client, contacts, data = home.client, home.contacts, home.data
    paul = client_for(tenant.hostname)
    await paul.log_in("paul", CUSTOMER_PASSWORD)
    await switch(client, contacts["paul"].id)
    paths = [f"/portal/folders/{folder}" for folder in FOLDERS]
    paths += [
        f"/portal/contracts/{data['paul'].broker.id}",
        f"/portal/contracts/{data['paul'].own.id}",
    ]
    paths += ["/portal/tickets", "/portal/tickets/new", "/portal/folders/other/contracts/new"]
    for path in paths:
        own, managed = await paul.get(path), await client.get(path)
        assert managed.status_code == own.status_code, path
        if own.status_code == 200:
            assert main_of(managed.text) == main_of(own.text), path
    for document in vars(data["paul"]).values():
        if isinstance(document, Document):
            url = f"/portal/documents/{document.id}/download"
            assert (await client.get(url)).status_code == (await paul.get(url)).status_code
    profile = (await client.get("/portal/profile")).text
    assert "Paul Muster" in profile and 'action="/portal/profile"' not in profile  # not editable
    assert "<dd>max</dd>" in profile  # the login's own username stays the login's

    await switch(client, contacts["lena"].id)
    folder = (await client.get("/portal/folders/insurance")).text
    assert "LENA-BROKER" in folder and "LENA-OWN" in folder and "LENA Foto" in folder
    assert "MAX-" not in folder and "PAUL-" not in folder
    assert (await client.get("/portal/folders/other")).status_code == 404
    assert "Lena Muster" in (await client.get("/portal/profile")).text


async def test_same_rights_different_data_never_share_a_cached_card(home) -> None:
    """Max and Lena have the same rights: each folder page shows its own contact's cards."""
    client, contacts = home.client, home.contacts
    for _ in range(2):  # the second round is served from the fragment cache
        for name, other in (("max", "LENA"), ("lena", "MAX")):
            await switch(client, contacts[name].id)
            for folder in ("insurance", "finance"):
                page = (await client.get(f"/portal/folders/{folder}")).text
                assert other not in page
            assert f"{name.upper()}-BROKER" in (await client.get("/portal/folders/insurance")).text


async def _ticket(tenant: Any, client: Any, anna: Any, subject: str) -> int:
    token = await client.csrf("/portal/tickets/new")
    created = await client.post(
        "/portal/tickets",
        files={
            "csrf_token": (None, token),
            "staff_id": (None, str(anna.id)),
            "subject": (None, subject),
            "body": (None, "Bitte prüfen."),
            "file": ("foto.pdf", PDF_BYTES, "application/pdf"),
        },
        headers=ORIGIN,
    )
    assert created.status_code == 303
    return int(created.headers["location"].split("?")[0].rsplit("/", 1)[1])


def _pages(victim: SimpleNamespace) -> list[str]:
    """Every portal page that takes an object id, with the victim's ids."""
    own, ticket = victim.own.id, victim.ticket
    documents = (victim.policy.id, victim.photo.id, victim.loose.id, victim.attachment)
    pages = [
        f"/portal/contracts/{victim.broker.id}",
        f"/portal/contracts/{own}",
        f"/portal/folders/insurance/upload?contract_id={own}",
        f"/portal/tickets/{ticket}",
        f"/portal/tickets/{ticket}/attachments/{victim.attachment}",
    ]
    for document in documents:
        views = (
            ("download", "preview", "thumbnail")
            if document == victim.photo.id
            else ("download", "preview")
        )
        pages += [f"/portal/documents/{document}/{view}" for view in views]
    return pages


async def _portal_requests(client: Any, victim: SimpleNamespace) -> list[tuple[str, Any]]:
    """Every portal URL that takes an object id, with the victim's ids: (label, response)."""
    token = await client.csrf("/portal")
    form = {"csrf_token": token}
    contract, own, ticket = victim.broker.id, victim.own.id, victim.ticket
    documents = (victim.policy.id, victim.photo.id, victim.loose.id, victim.attachment)
    answers = [(f"GET {path}", await client.get(path)) for path in _pages(victim)]
    edit = {**form, "product_line": "Kfz", "insurer": "Condor", "insurance_number": "X-1"}
    posts: list[tuple[str, dict[str, str]]] = [
        (f"/portal/contracts/{contract}", edit),
        (f"/portal/contracts/{own}", edit),
        (f"/portal/contracts/{own}/delete", form),
        (f"/portal/contracts/{contract}/delete", form),
        (f"/portal/tickets/{ticket}/read", form),
    ]
    posts += [(f"/portal/documents/{d}/delete", form) for d in documents]
    for path, data in posts:
        answers.append((f"POST {path}", await client.post(path, data=data, headers=ORIGIN)))
    multipart = {
        f"/portal/tickets/{ticket}/reply": {"body": (None, "Hallo")},
        "/portal/documents": {
            "folder": (None, "insurance"),
            "contract_id": (None, str(own)),
            "title": (None, "Fremd"),
        },
    }
    for path, fields in multipart.items():
        parts = {"csrf_token": (None, token), **fields}
        parts["file"] = ("x.pdf", PDF_BYTES, "application/pdf")
        answers.append((f"POST {path}", await client.post(path, files=parts, headers=ORIGIN)))
    return answers


@pytest.mark.parametrize(("chosen", "victim"), [("max", "lena"), ("lena", "max")])
async def test_with_one_contact_chosen_every_url_of_the_other_is_404_and_changes_nothing(
    home, tenant, settings, chosen, victim
) -> None:
    client, contacts, data = home.client, home.contacts, home.data
    for name in ("max", "lena"):  # a ticket each, with an attachment
        await switch(client, contacts[name].id)
        data[name].ticket = await _ticket(tenant, client, home.anna, f"Frage {name}")
        with tenant_scope(tenant.tenant.id):
            data[name].attachment = (
                await Document.get(
                    contact_id=contacts[name].id, folder="", contract_id=None
                ).filter(title__startswith="Frage")
            ).id
    await switch(client, contacts[chosen].id)
    before = await dump_database()
    files = sorted(settings.storage_dir.rglob("*"))
    answers = await _portal_requests(client, data[victim])
    assert {label: r.status_code for label, r in answers if r.status_code != 404} == {}
    changes = changed_tables(before, await dump_database())
    assert set(changes) - NOT_COMPARED == set(), changes
    assert sorted(settings.storage_dir.rglob("*")) == files
    assert len(answers) == 25  # 14 pages, 11 changes
    # the same pages with the victim chosen are there: the 404s came from the choice
    await switch(client, contacts[victim].id)
    for path in _pages(data[victim]):
        assert (await client.get(path)).status_code == 200, path


async def test_what_the_household_login_creates_lands_on_the_chosen_contact(home, tenant) -> None:
    client, contacts = home.client, home.contacts
    lena_id = contacts["lena"].id
    await switch(client, lena_id)
    ticket_id = await _ticket(tenant, client, home.anna, "Für Lena")
    contract = {
        "product_line": "Fahrrad",
        "insurer": "Condor Allgemeine Versicherungs-AG",
        "insurance_number": "RAD-1",
        "gross_premium": "3,00",
        "payment_frequency": "monthly",
    }
    new = "/portal/folders/insurance/contracts"
    assert (await client.submit(new, contract, form_page=f"{new}/new")).status_code == 303
    token = await client.csrf("/portal/folders/insurance")
    uploaded = await client.post(
        "/portal/documents",
        files={
            "csrf_token": (None, token),
            "folder": (None, "insurance"),
            "contract_id": (None, ""),
            "title": (None, "Zeugnis"),
            "file": ("z.pdf", PDF_BYTES, "application/pdf"),
        },
        headers=ORIGIN,
    )
    assert uploaded.status_code == 303
    profile = "/portal/profile"
    page = (await client.get(profile)).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    saved = await client.submit(
        profile, {"street": "Kinderweg 1", "country": "DE", "version": version}
    )
    assert saved.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await Conversation.get(id=ticket_id)).contact_id == lena_id
        assert (await Contract.get(insurance_number="RAD-1")).contact_id == lena_id
        assert (await Document.get(title="Zeugnis")).contact_id == lena_id
        assert (await Contact.get(id=lena_id)).street == "Kinderweg 1"
        assert (await Contact.get(id=contacts["max"].id)).street == ""
    # the unread badge counts the chosen contact's tickets: staff answer Lena's
    staff = home.admin
    path = f"/staff/tickets/{ticket_id}"
    replied = await staff.submit(f"{path}/reply", {"body": "Wir prüfen."}, form_page=path)
    assert replied.status_code == 303
    assert ">1<" in (await client.get("/portal/badge")).text
    await switch(client, contacts["max"].id)
    assert ">1<" not in (await client.get("/portal/badge")).text


async def test_a_contact_not_linked_or_of_another_tenant_cannot_be_chosen(
    home, tenant, other_tenant, passwords
) -> None:
    client = home.client
    stranger = await make_customer(tenant, passwords, email="eva@kunde.example", first_name="Eva")
    elsewhere = await make_customer(other_tenant, passwords, email="max@kunde.example")
    await switch(client, home.contacts["lena"].id)
    for contact_id in (stranger.id, elsewhere.id, 10**6, "0", "abc", ""):
        assert (await switch(client, contact_id)).status_code == 404, contact_id
    assert current(await switcher(client)) == "Lena"  # the choice stands


async def test_unlinking_while_chosen_shows_the_own_contact_at_the_next_request(
    home, tenant
) -> None:
    client, contacts = home.client, home.contacts
    await switch(client, contacts["lena"].id)
    with tenant_scope(tenant.tenant.id):
        link_id = (await ContactLink.get(contact_id=contacts["lena"].id)).id
    page = f"/staff/contacts/{contacts['lena'].id}"
    removed = await home.admin.submit(f"{page}/household/{link_id}/delete", form_page="/staff")
    assert removed.status_code == 303
    assert "MAX-BROKER" in (await client.get("/portal/folders/insurance")).text
    assert current(await switcher(client)) == "Max"
    assert (await client.get(f"/portal/contracts/{home.data['lena'].own.id}")).status_code == 404
    assert (await switch(client, contacts["lena"].id)).status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert await Session.filter(contact_id=contacts["lena"].id).count() == 0
    # the last link gone: no switcher at all
    with tenant_scope(tenant.tenant.id):
        await ContactLink.all().delete()
    assert 'id="household-switcher"' not in (await client.get("/portal")).text
    assert (await client.get("/portal/household")).status_code == 404


async def test_erasing_the_chosen_contact_shows_the_own_contact_again(home, tenant) -> None:
    client, lena = home.client, home.contacts["lena"]
    await switch(client, lena.id)
    page = f"/staff/contacts/{lena.id}"
    erased = await home.admin.submit(
        f"{page}/delete", {"confirm_text": "Muster"}, form_page=f"{page}/delete"
    )
    assert erased.status_code == 303
    assert tiles((await client.get("/portal")).text) == SHOWN["max"]
    with tenant_scope(tenant.tenant.id):
        assert await ContactLink.filter(contact_id=lena.id).count() == 0
        assert await Session.filter(contact_id=lena.id).count() == 0


async def test_a_customer_without_a_household_sees_no_switcher_and_no_extra_query(
    home, tenant, passwords, client_for
) -> None:
    await make_customer(tenant, passwords, email="kai@kunde.example", **FULL)
    kai = client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    page = (await kai.get("/portal")).text
    assert "household-switcher" not in page and "/portal/household" not in page
    assert (await kai.get("/portal/household")).status_code == 404
    assert (await switch(kai, home.contacts["lena"].id)).status_code == 404
    # the household's portal home costs what everyone's does, whichever contact is shown
    alone = await page_queries(kai, "/portal")
    assert await page_queries(home.client, "/portal") == alone
    await switch(home.client, home.contacts["lena"].id)
    assert await page_queries(home.client, "/portal") == alone
    assert await page_queries(home.client, "/portal/folders/insurance") == await page_queries(
        kai, "/portal/folders/insurance"
    )
    # and the switcher itself: the session and one query, however many contacts
    with tenant_scope(tenant.tenant.id):
        for n in range(5):
            extra = await contact_without_login(tenant, f"Kind{n}")
            max_login = await User.get(username="max")
            await ContactLink.create(user_id=max_login.id, contact_id=extra.id)
    assert await page_queries(home.client, "/portal/household") == 2


async def test_staff_viewing_as_the_customer_get_no_switcher_and_cannot_switch(
    home, tenant
) -> None:
    admin, maxi = home.admin, home.contacts["max"]
    started = await admin.submit(f"/staff/contacts/{maxi.id}/view-as", form_page="/staff")
    assert started.status_code == 303
    page = (await admin.get("/portal")).text
    assert 'id="view-as-banner"' in page and "household-switcher" not in page
    assert (await admin.get("/portal/household")).status_code == 404
    refused = await admin.post(
        "/portal/household",
        data={
            "csrf_token": await admin.csrf("/portal"),
            "contact_id": str(home.contacts["lena"].id),
        },
        headers=ORIGIN,
    )
    assert refused.status_code == 403
    with tenant_scope(tenant.tenant.id):
        assert await Session.filter(contact_id__not_isnull=True).count() == 0
    assert "MAX-BROKER" in (await admin.get("/portal/folders/insurance")).text


async def test_a_notice_of_another_contacts_ticket_leads_to_the_switch(
    home, tenant, settings, deliver
) -> None:
    """Staff answer Lena's ticket that Max wrote: Max is told (a notification, mailed while
    unread), and following it offers to open Lena's folders first (a link changes nothing),
    then goes on to the ticket."""
    client, lena = home.client, home.contacts["lena"]
    await switch(client, lena.id)
    ticket_id = await _ticket(tenant, client, home.anna, "Schulranzen")
    await switch(client, home.contacts["max"].id)
    path = f"/staff/tickets/{ticket_id}"
    assert (await home.admin.submit(f"{path}/reply", {"body": "Ja."}, form_page=path)).status_code
    assert await told(tenant, TICKET_REPLY) == ["max"]
    await mail_unread(settings)
    mails = [m for m in await deliver() if m["To"] == "max@kunde.example"]
    assert len(mails) == 1 and "Schulranzen" not in mails[0].as_string()
    assert "/account/notifications" in mails[0].get_body(("plain",)).get_content()
    with tenant_scope(tenant.tenant.id):
        notice = await Notification.get(user__username="max")
    followed = await client.get(f"/account/notifications/{notice.id}")
    assert followed.status_code == 303
    assert followed.headers["location"].startswith("/portal/household?")
    landing = await client.get(followed.headers["location"])
    assert landing.status_code == 200 and 'id="household-target"' in landing.text
    assert "Lena Muster" in landing.text
    assert current(landing.text) == "Max"  # nothing switched by following the link
    offer = landing.text.split('id="household-target"', 1)[1]
    nxt = re.search(r'name="next" value="([^"]+)"', offer).group(1)  # type: ignore[union-attr]
    assert nxt == f"/portal/tickets/{ticket_id}"
    switched = await switch(client, lena.id, next=nxt)
    assert switched.headers["location"] == nxt
    assert (await client.get(nxt)).status_code == 200
    outside_paths = (
        "https://evil.example/",
        "//evil.example/x",
        "/staff",
        "/portal\\x",
        "/portal/../staff",
        "/portal/%2e%2e/staff",
    )
    for outside in outside_paths:
        moved = await switch(client, lena.id, next=outside)
        assert moved.headers["location"] == "/portal", outside
