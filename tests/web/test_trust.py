"""The trusted person (Vertrauensperson) of the emergency folder, as people use it: the
customer names them, they register by link and PIN, ask, are vetoed once, ask again, and
read the folder once the waiting period has passed (time is moved in the database, never
slept); staff open it at once on proof; the customer removes them. Nothing else of the
contact is ever in reach, and nothing of another customer or tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest

from tenant_app.app import PERIODIC_USE_CASES
from tenant_app.jobs.runner import JobRunner
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.folders import Document
from tenant_app.models.households import TrustedPerson, TrustEvent
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import trust
from tests.conftest import CUSTOMER_PASSWORD, link_in, make_customer, text_of
from tests.folder_helpers import PDF_BYTES, add_contract, add_document, attach_to_ticket
from tests.web.test_tickets import make_staff

TESSA = {
    "first_name": "Tessa",
    "last_name": "Treu",
    "email": "tessa@vertrauen.example",
    "birthdate": "1971-06-05",
    "wait_days": "7",
}
TESSA_PIN = "05061971"
TESSA_PASSWORD = "Leuchtturm-Abend-42"
ORIGIN = {"Origin": "http://alpha.localhost"}
PERSONS = "/portal/trust/persons"


async def _kai(tenant: Any, passwords: Any, settings: Any, **flags: bool) -> SimpleNamespace:
    """Kai reads his emergency folder (a broker's will and one internal paper in it), has
    insurance, tickets, a profile, a paper on the contact itself; Anna looks after him."""
    access = {
        "emergency_readonly": True,
        "insurance_share": True,
        "communication": True,
        "profile_visible": True,
        **flags,
    }
    contact = await make_customer(tenant, passwords, **access)
    anna = await make_staff(tenant, passwords, "anna", "Anna", access_emergency="read")
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=contact.id, user_id=anna.id)
    will = await add_contract(tenant, contact, "emergency", number="PV-1")
    insurance = await add_contract(tenant, contact, "insurance", number="HR-1")
    return SimpleNamespace(
        contact=contact,
        anna=anna,
        will=will,
        insurance=insurance,
        will_doc=await add_document(tenant, settings, contact, contract=will, title="Verfügung"),
        loose_doc=await add_document(
            tenant, settings, contact, folder="emergency", title="Notfallkarte"
        ),
        internal_doc=await add_document(
            tenant, settings, contact, folder="emergency", title="Intern", shared=False
        ),
        insurance_doc=await add_document(
            tenant, settings, contact, contract=insurance, title="Hausrat-Schein"
        ),
        on_contact=await add_document(
            tenant, settings, contact, folder="", title="Maklervertrag", shared=False
        ),
    )


async def _name_tessa(customer: Any, **changes: str) -> Any:
    return await customer.submit(PERSONS, {**TESSA, **changes}, form_page=f"{PERSONS}/new")


async def _person(tenant: Any, email: str = TESSA["email"]) -> TrustedPerson:
    with tenant_scope(tenant.tenant.id):
        return await TrustedPerson.filter(email=email).order_by("-id").first()


async def _trail(tenant: Any, person_id: int) -> list[str]:
    with tenant_scope(tenant.tenant.id):
        steps = await TrustEvent.filter(trusted_person_id=person_id).order_by("created_at", "id")
    return [step.kind for step in steps]


async def _register(client_for: Any, tenant: Any, mails: list[Any]) -> Any:
    """Tessa follows the link of her mail, sets her password with her birthdate as PIN and
    logs in: a client in her session."""
    [link_mail] = [m for m in mails if m["To"] == TESSA["email"] and "/passwort/" in text_of(m)]
    path = urlsplit(link_in(link_mail)).path
    tessa = client_for(tenant.hostname)
    wrong = await tessa.submit(
        path, {"password": TESSA_PASSWORD, "password2": TESSA_PASSWORD, "pin": "01011990"}
    )
    assert wrong.status_code == 422
    done = await tessa.submit(
        path, {"password": TESSA_PASSWORD, "password2": TESSA_PASSWORD, "pin": TESSA_PIN}
    )
    assert done.status_code == 200, done.text[:500]
    await tessa.log_in("tessa.treu", TESSA_PASSWORD)
    return tessa


async def _pass_the_wait(tenant: Any, person_id: int) -> None:
    """Eight days pass (instead of waiting them): everything so far moves into the past."""
    earlier = timedelta(days=8)
    with tenant_scope(tenant.tenant.id):
        person = await TrustedPerson.get(id=person_id)
        await TrustedPerson.filter(id=person_id).update(
            created_at=person.created_at - earlier,
            requested_at=person.requested_at - earlier,
            opens_at=person.opens_at - earlier,
        )
        for step in await TrustEvent.filter(trusted_person_id=person_id):
            await TrustEvent.filter(id=step.id).update(created_at=step.created_at - earlier)


@pytest.fixture
async def kai(tenant, passwords, settings, client_for) -> SimpleNamespace:
    found = await _kai(tenant, passwords, settings)
    found.client = client_for(tenant.hostname)
    await found.client.log_in("kai", CUSTOMER_PASSWORD)
    return found


@pytest.fixture
async def tessa(tenant, client_for, kai, deliver) -> SimpleNamespace:
    """Kai named Tessa; she registered by link and PIN and is logged in."""
    named = await _name_tessa(kai.client)
    assert named.status_code == 303
    client = await _register(client_for, tenant, await deliver())
    assert (await client.get("/portal/trust")).status_code == 200  # where her login leads
    person = await _person(tenant)
    return SimpleNamespace(client=client, person=person, id=person.id)


async def _request(tessa: Any) -> Any:
    page = f"/portal/trust/{tessa.id}"
    return await tessa.client.submit(f"{page}/request", form_page=page)


async def _opened(tenant: Any, tessa: Any) -> None:
    assert (await _request(tessa)).status_code == 303
    await _pass_the_wait(tenant, tessa.id)


# --- naming ---------------------------------------------------------------------------------


async def test_naming_shows_every_error_next_to_its_field_and_keeps_the_input(
    tenant, kai, passwords
) -> None:
    await make_staff(tenant, passwords, "bea", "Bea")
    form = (await kai.client.get(f"{PERSONS}/new")).text
    assert 'name="wait_days"' in form and '<option value="30"' in form
    empty = await _name_tessa(kai.client, first_name="", last_name="", email="", birthdate="")
    assert empty.status_code == 422
    for field in ("first_name", "last_name", "email", "birthdate"):
        assert f'id="f-{field}-error"' in empty.text
    bad = await _name_tessa(kai.client, email="keine-adresse", birthdate="2999-01-01")
    assert bad.status_code == 422
    assert "gültige E-Mail-Adresse" in bad.text and "nicht in der Zukunft" in bad.text
    assert 'value="Tessa"' in bad.text and 'value="Treu"' in bad.text  # kept as typed
    odd_wait = await _name_tessa(kai.client, wait_days="5")
    assert odd_wait.status_code == 422 and "Wartezeit" in odd_wait.text
    myself = await _name_tessa(kai.client, email="KAI@kunde.example")
    assert myself.status_code == 422 and "nicht selbst" in myself.text
    staff = await _name_tessa(kai.client, email="bea@alpha.example")
    assert staff.status_code == 422 and "nicht verwendet werden" in staff.text
    with tenant_scope(tenant.tenant.id):
        assert not await TrustedPerson.exists()
        assert not await User.filter(email=TESSA["email"]).exists()

    named = await _name_tessa(kai.client)
    assert named.status_code == 303 and named.headers["location"] == f"{PERSONS}?named=1"
    listed = (await kai.client.get(named.headers["location"])).text
    assert "Tessa Treu" in listed and "Eingeladen" in listed and "erhält eine E-Mail" in listed
    again = await _name_tessa(kai.client, email=TESSA["email"].upper())
    assert again.status_code == 422 and "bereits eine Ihrer Vertrauenspersonen" in again.text
    for n in range(4):
        assert (await _name_tessa(kai.client, email=f"p{n}@vertrauen.example")).status_code == 303
    too_many = await _name_tessa(kai.client, email="p9@vertrauen.example")
    assert too_many.status_code == 422 and "höchstens 5" in too_many.text


async def test_a_new_trusted_person_gets_a_login_without_a_contact_and_two_mails(
    tenant, kai, deliver
) -> None:
    await _name_tessa(kai.client)
    with tenant_scope(tenant.tenant.id):
        login = await User.get(email=TESSA["email"])
    assert (login.kind, login.contact_id, login.password_hash) == ("customer", None, None)
    assert login.birthdate.isoformat() == TESSA["birthdate"]
    mails = [m for m in await deliver() if m["To"] == TESSA["email"]]
    subjects = sorted(str(m["Subject"]) for m in mails)
    assert len(mails) == 2, subjects
    named = next(m for m in mails if "Vertrauensperson" in str(m["Subject"]))
    assert "Kai Kunde hat Sie als Vertrauensperson benannt" in str(named["Subject"])
    assert "7 Tage" in text_of(named) and "zweite E-Mail" in text_of(named)
    assert "/passwort/" not in text_of(named)  # the link comes in the other one


async def test_naming_an_existing_customer_links_their_login_without_a_new_link(
    tenant, passwords, kai, client_for, deliver
) -> None:
    rita = await make_customer(tenant, passwords, email="rita@kunde.example", first_name="Rita")
    assert (await _name_tessa(kai.client, email="rita@kunde.example")).status_code == 303
    mails = [m for m in await deliver() if m["To"] == "rita@kunde.example"]
    assert len(mails) == 1 and "/passwort/" not in text_of(mails[0])
    assert "http://alpha.localhost/portal/trust" in text_of(mails[0])
    person = await _person(tenant, "rita@kunde.example")
    with tenant_scope(tenant.tenant.id):
        account = await User.get(contact_id=rita.id)
    assert (person.user_id, person.status) == (account.id, "invited")  # says nothing yet
    assert "Eingeladen" in (await kai.client.get(PERSONS)).text
    client = client_for(tenant.hostname)
    await client.log_in("rita", CUSTOMER_PASSWORD)
    assert (await client.get("/portal")).status_code == 200  # her own portal, as before
    entrusted = await client.get("/portal/trust")
    assert "Notfall-Ordner von Kai Kunde" in entrusted.text
    assert (await _person(tenant, "rita@kunde.example")).status == "ready"
    assert await _trail(tenant, person.id) == ["named", "registered"]


async def test_naming_a_brokers_contact_gives_that_contact_no_portal_account(
    tenant, kai, client_for, deliver
) -> None:
    """A customer cannot make the broker's contact a portal account: the named person gets
    a login of their own that reaches only what they are trusted with. When staff later
    make the contact's account, that login (same address: same person) becomes it."""
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    ria = {"first_name": "Ria", "last_name": "Roth", "email": "ria@kunde.example"}
    created = await admin.submit(
        "/staff/contacts", {**ria, "birthdate": "1980-01-02"}, form_page="/staff/contacts/new"
    )
    assert created.status_code == 303
    await _name_tessa(kai.client, **ria, birthdate="1980-02-02")  # a wrong birthdate, too
    with tenant_scope(tenant.tenant.id):
        contact = await Contact.get(email="ria@kunde.example")
        login = await User.get(email="ria@kunde.example")
        assert not await User.exists(contact_id=contact.id)
    assert login.contact_id is None and login.birthdate.isoformat() == "1980-02-02"
    mails = [m for m in await deliver() if m["To"] == "ria@kunde.example"]
    assert any("/passwort/" in text_of(m) for m in mails)  # her link, as for anyone named
    page = f"/staff/contacts/{contact.id}"
    made = await admin.submit(f"{page}/account", form_page=page)
    assert made.status_code == 303 and "account_created" in made.headers["location"]
    with tenant_scope(tenant.tenant.id):
        login = await User.get(email="ria@kunde.example")
    assert login.contact_id == contact.id and login.birthdate == contact.birthdate
    assert (await _person(tenant, "ria@kunde.example")).user_id == login.id


async def test_a_customer_who_does_not_see_the_emergency_folder_names_nobody(
    tenant, passwords, settings, client_for
) -> None:
    await make_customer(tenant, passwords, email="ute@kunde.example", insurance_share=True)
    ute = client_for(tenant.hostname)
    await ute.log_in("ute", CUSTOMER_PASSWORD)
    for path in (PERSONS, f"{PERSONS}/new"):
        assert (await ute.get(path)).status_code == 404
    refused = await ute.submit(PERSONS, TESSA, form_page="/portal")
    assert refused.status_code == 404
    assert "Vertrauenspersonen verwalten" not in (await ute.get("/portal/trust")).text


# --- the whole way: register, ask, veto, ask again, open after the wait ---------------------


async def test_request_veto_request_again_and_access_opens_after_the_wait(
    tenant, kai, tessa, deliver, smtp
) -> None:
    home = await tessa.client.get("/portal")
    assert home.status_code == 303 and home.headers["location"] == "/portal/trust"
    overview = (await tessa.client.get("/portal/trust")).text
    assert "Notfall-Ordner von Kai Kunde" in overview and "Sie können Zugriff anfragen" in overview
    folder = f"/portal/trust/{tessa.id}/folder"
    assert (await tessa.client.get(folder)).status_code == 404  # not open: no folder

    await deliver()  # the registration's own mails
    smtp.messages.clear()
    asked = await _request(tessa)
    assert asked.status_code == 303
    page = (await tessa.client.get(asked.headers["location"])).text
    assert "Ihre Anfrage wurde gesendet" in page and "Zugriff angefragt" in page
    person = await _person(tenant)
    assert person.status == "requested"
    assert person.opens_at - person.requested_at == timedelta(days=7)
    assert (await tessa.client.get(folder)).status_code == 404  # waiting: still none
    mails = await deliver()
    to_kai = next(m for m in mails if m["To"] == "kai@kunde.example")
    to_anna = next(m for m in mails if m["To"] == "anna@alpha.example")
    assert f"http://alpha.localhost/portal/trust/persons/{tessa.id}" in text_of(to_kai)
    assert "Tessa Treu" in str(to_kai["Subject"]) and "widersprechen" in text_of(to_kai)
    assert f"/staff/contacts/{kai.contact.id}#trusted" in text_of(to_anna)

    smtp.messages.clear()
    detail = f"{PERSONS}/{tessa.id}"
    vetoed = await kai.client.submit(f"{detail}/veto", form_page=detail)
    assert vetoed.headers["location"] == f"{detail}?vetoed=1"
    assert (
        "Der Anfrage wurde widersprochen" in (await kai.client.get(vetoed.headers["location"])).text
    )
    assert (await _person(tenant)).status == "ready"
    [to_tessa] = [m for m in await deliver() if m["To"] == TESSA["email"]]
    assert "widersprochen" in text_of(to_tessa)
    twice = await kai.client.submit(f"{detail}/veto", form_page=detail)
    assert twice.headers["location"] == f"{detail}?not_vetoed=1"  # nothing waits any more
    assert "Ihrer letzten Anfrage wurde am" in (await tessa.client.get("/portal/trust")).text

    assert (await _request(tessa)).status_code == 303
    assert (await tessa.client.get(folder)).status_code == 404
    await deliver()  # the second request's mails
    await _pass_the_wait(tenant, tessa.id)
    smtp.messages.clear()
    opened = await tessa.client.get(folder)
    assert opened.status_code == 200
    assert "Notfall-Ordner von Kai Kunde" in opened.text and "PV-1" in opened.text
    assert (await _person(tenant)).status == "open"  # written on the first read
    await tessa.client.get(folder)  # once only
    told = await deliver()
    assert sorted(m["To"] for m in told) == ["kai@kunde.example", TESSA["email"]]
    late = await kai.client.submit(f"{detail}/veto", form_page=detail)
    assert late.headers["location"] == f"{detail}?not_vetoed=1"  # open: too late to veto
    assert await _trail(tenant, tessa.id) == [
        "named",
        "registered",
        "requested",
        "vetoed",
        "requested",
        "opened",
    ]
    trail = (await kai.client.get(detail)).text
    for line in (
        "Kai Kunde hat Tessa Treu als Vertrauensperson benannt (Wartezeit: 7 Tage).",
        "Tessa Treu hat sich registriert",
        "Tessa Treu hat Zugriff angefragt.",
        "Kai Kunde hat der Anfrage widersprochen.",
        "Die Wartezeit ist abgelaufen: Tessa Treu hat Zugriff.",
    ):
        assert line in trail, line


async def test_the_housekeeping_job_opens_a_passed_wait_nobody_looked_at(
    tenant, other_tenant, settings, kai, tessa, deliver, smtp
) -> None:
    assert (await _request(tessa)).status_code == 303
    await deliver()
    smtp.messages.clear()
    almost = datetime.now(UTC) + timedelta(days=6, hours=23)
    assert await trust.open_due_everywhere(settings, now=almost) == 0
    assert (await _person(tenant)).status == "requested"
    await _pass_the_wait(tenant, tessa.id)
    runner = JobRunner(settings, periodic=PERIODIC_USE_CASES)  # as the app's loop runs it
    [job] = [job for job in runner.jobs if job.name == "trusted persons"]
    await job.run()
    person = await _person(tenant)
    assert person.status == "open" and person.opened_at == person.opens_at
    assert await _trail(tenant, tessa.id) == ["named", "registered", "requested", "opened"]
    assert sorted(m["To"] for m in await deliver()) == ["kai@kunde.example", TESSA["email"]]
    assert await trust.open_due_everywhere(settings) == 0  # once


def test_a_passed_wait_counts_as_open_before_anyone_writes_it() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    waiting = TrustedPerson(status="requested", opens_at=now + timedelta(seconds=1))
    assert trust.status_at(waiting, now) == "requested"
    assert trust.status_at(waiting, now + timedelta(seconds=1)) == "open"
    for status in ("invited", "ready", "open", "revoked"):
        assert trust.status_at(TrustedPerson(status=status, opens_at=now), now) == status


# --- what the trusted person sees -----------------------------------------------------------


async def test_open_access_shows_exactly_the_emergency_folder_read_only(
    tenant, settings, kai, tessa
) -> None:
    await _opened(tenant, tessa)
    folder = (await tessa.client.get(f"/portal/trust/{tessa.id}/folder")).text
    assert "Verfügung" in folder and "Notfallkarte" in folder
    for hidden in ("Intern", "Hausrat-Schein", "HR-1", "Maklervertrag"):
        assert hidden not in folder
    for control in ("<form", "Hochladen", "Bearbeiten", "Vertrag hinzufügen"):
        assert control not in folder.split('id="main"')[1].split("</main>")[0]
    base = f"/portal/trust/{tessa.id}/documents"
    for document in (kai.will_doc, kai.loose_doc):
        download = await tessa.client.get(f"{base}/{document.id}/download")
        assert download.status_code == 200 and download.content == PDF_BYTES
        assert download.headers["content-disposition"].startswith("attachment")
        assert (await tessa.client.get(f"{base}/{document.id}/preview")).status_code == 200
    attachment = await add_document(tenant, settings, kai.contact, folder="", title="Foto")
    await attach_to_ticket(tenant, kai.contact, attachment)
    for document in (kai.internal_doc, kai.insurance_doc, kai.on_contact, attachment):
        for view in ("download", "preview"):
            assert (await tessa.client.get(f"{base}/{document.id}/{view}")).status_code == 404


async def test_every_other_portal_url_of_the_contact_is_refused_to_the_trusted_person(
    tenant, kai, tessa
) -> None:
    await _opened(tenant, tessa)
    kai_pages = [
        "/portal/folders/emergency",
        "/portal/folders/insurance",
        "/portal/folders/emergency/contracts/new",
        "/portal/folders/emergency/upload",
        f"/portal/contracts/{kai.will.id}",
        f"/portal/contracts/{kai.insurance.id}",
        f"/portal/documents/{kai.will_doc.id}/download",
        f"/portal/documents/{kai.will_doc.id}/preview",
        f"/portal/documents/{kai.insurance_doc.id}/download",
        "/portal/profile",
        "/portal/tickets",
        "/portal/tickets/new",
        PERSONS,
        f"{PERSONS}/new",
        f"{PERSONS}/{tessa.id}",
    ]
    for path in kai_pages:
        assert (await tessa.client.get(path)).status_code in (403, 404), path
    changes = [
        (f"/portal/contracts/{kai.will.id}", {"note": "x"}),
        (f"/portal/contracts/{kai.will.id}/delete", {}),
        (f"/portal/documents/{kai.will_doc.id}/delete", {}),
        ("/portal/folders/emergency/contracts", {"product_line": "x"}),
        ("/portal/profile", {"street": "x"}),
        (PERSONS, TESSA),
        (f"{PERSONS}/{tessa.id}/veto", {}),
        (f"{PERSONS}/{tessa.id}/remove", {}),
    ]
    for path, data in changes:
        token = await tessa.client.csrf("/portal/trust")
        answer = await tessa.client.post(path, data={"csrf_token": token, **data}, headers=ORIGIN)
        assert answer.status_code in (403, 404), path
    token = await tessa.client.csrf("/portal/trust")
    upload = await tessa.client.post(
        "/portal/documents",
        files={
            "csrf_token": (None, token),
            "folder": (None, "emergency"),
            "title": (None, "Eingeschmuggelt"),
            "file": ("x.pdf", PDF_BYTES, "application/pdf"),
        },
        headers=ORIGIN,
    )
    assert upload.status_code in (403, 404)
    with tenant_scope(tenant.tenant.id):
        assert not await Document.exists(title="Eingeschmuggelt")
        assert (await TrustedPerson.get(id=tessa.id)).status == "open"


# --- staff ----------------------------------------------------------------------------------


async def test_staff_see_the_trail_veto_and_open_at_once_on_proof(
    tenant, passwords, kai, tessa, client_for, deliver, smtp
) -> None:
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    page = f"/staff/contacts/{kai.contact.id}"
    section = (await admin.get(page)).text.split('id="trusted"')[1]
    assert "Tessa Treu" in section and "Registriert" in section
    assert "hat Tessa Treu als Vertrauensperson benannt" in section
    assert (await _request(tessa)).status_code == 303
    anna = client_for(tenant.hostname)
    await anna.log_in("anna")  # responsible for Kai, not managing contacts: may veto only
    assert "Sofort öffnen" not in (await anna.get(page)).text
    vetoed = await anna.submit(f"{page}/trusted/{tessa.id}/veto", form_page=page)
    assert vetoed.headers["location"] == f"{page}?trust_vetoed=1#trusted"
    assert (await _person(tenant)).status == "ready"
    assert (
        "Anna Team hat der Anfrage widersprochen."
        in (await kai.client.get(f"{PERSONS}/{tessa.id}")).text
    )
    form = f"{page}/trusted/{tessa.id}/open"
    assert (await anna.get(form)).status_code == 403
    refused = await anna.submit(form, {"note": "x"}, form_page=page)
    assert refused.status_code == 403

    token = await admin.csrf(form)
    empty = await admin.post(
        form, files={"csrf_token": (None, token), "note": (None, "")}, headers=ORIGIN
    )
    assert empty.status_code == 422
    assert 'id="f-note-error"' in empty.text and 'id="f-file-error"' in empty.text
    await deliver()  # the request's and the veto's mails
    smtp.messages.clear()
    note = "Ärztliches Attest der Uniklinik vom 02.03.2026, per Post"
    opened = await admin.post(
        form,
        files={
            "csrf_token": (None, token),
            "note": (None, note),
            "file": ("attest.pdf", PDF_BYTES, "application/pdf"),
        },
        headers=ORIGIN,
    )
    assert opened.status_code == 303, opened.text[:500]
    assert (await _person(tenant)).status == "open"
    with tenant_scope(tenant.tenant.id):
        step = await TrustEvent.get(trusted_person_id=tessa.id, kind="opened_proof")
        proof = await Document.get(id=step.document_id)
    assert step.note == note and step.actor_name == "Clara Chef"
    assert (proof.contact_id, proof.folder, proof.shared_with_customer) == (
        kai.contact.id,
        "",
        False,
    )
    assert (await admin.get(f"/staff/documents/{proof.id}/download")).content == PDF_BYTES
    assert (await kai.client.get(f"/portal/documents/{proof.id}/download")).status_code == 404
    proof_path = f"/portal/trust/{tessa.id}/documents/{proof.id}/download"
    assert (await tessa.client.get(proof_path)).status_code == 404
    assert (await tessa.client.get(f"/portal/trust/{tessa.id}/folder")).status_code == 200
    told = await deliver()
    assert sorted(m["To"] for m in told) == ["kai@kunde.example", TESSA["email"]]
    trail = (await kai.client.get(f"{PERSONS}/{tessa.id}")).text
    assert "Clara Chef hat den Zugriff auf Nachweis sofort geöffnet." in trail and note in trail
    again = await admin.get(form)
    assert again.status_code == 200
    token = await admin.csrf(form)
    late = await admin.post(
        form,
        files={
            "csrf_token": (None, token),
            "note": (None, "noch mal"),
            "file": ("attest.pdf", PDF_BYTES, "application/pdf"),
        },
        headers=ORIGIN,
    )
    assert late.status_code == 422 and "bereits offen" in late.text


async def test_revoking_ends_access_at_once(tenant, kai, tessa) -> None:
    await _opened(tenant, tessa)
    base = f"/portal/trust/{tessa.id}"
    assert (await tessa.client.get(f"{base}/folder")).status_code == 200
    detail = f"{PERSONS}/{tessa.id}"
    removed = await kai.client.submit(f"{detail}/remove", form_page=detail)
    assert removed.headers["location"] == f"{PERSONS}?removed=1"
    for path in (base, f"{base}/folder", f"{base}/documents/{kai.will_doc.id}/download"):
        assert (await tessa.client.get(path)).status_code == 404, path
    assert "Notfall-Ordner von Kai" not in (await tessa.client.get("/portal/trust")).text
    asked = await tessa.client.submit(f"{base}/request", form_page="/portal/trust")
    assert asked.status_code == 404
    assert (await _trail(tenant, tessa.id))[-1] == "revoked"
    assert (
        "Kai Kunde hat Tessa Treu als Vertrauensperson entfernt."
        in (await kai.client.get(detail)).text
    )


# --- isolation ------------------------------------------------------------------------------


async def test_other_customers_and_other_tenants_find_nothing(
    tenant, other_tenant, passwords, settings, kai, tessa, client_for
) -> None:
    await _opened(tenant, tessa)
    paula = await make_customer(
        tenant, passwords, email="paula@kunde.example", first_name="Paula", emergency_readonly=True
    )
    pau = client_for(tenant.hostname)
    await pau.log_in("paula", CUSTOMER_PASSWORD)
    theirs = [
        f"{PERSONS}/{tessa.id}",
        f"/portal/trust/{tessa.id}",
        f"/portal/trust/{tessa.id}/folder",
        f"/portal/trust/{tessa.id}/documents/{kai.will_doc.id}/download",
    ]
    for path in theirs:
        assert (await pau.get(path)).status_code == 404, path
    for path in (f"{PERSONS}/{tessa.id}/veto", f"{PERSONS}/{tessa.id}/remove"):
        assert (await pau.submit(path, form_page=PERSONS)).status_code == 404
    assert "Tessa" not in (await pau.get(PERSONS)).text
    # Paula names Tessa too: Tessa's access to Paula's folder is its own and closed.
    assert (await _name_tessa(pau)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        paulas = await TrustedPerson.get(contact_id=paula.id)
    assert paulas.user_id == tessa.person.user_id
    assert (await tessa.client.get(f"/portal/trust/{paulas.id}/folder")).status_code == 404
    assert (
        await tessa.client.get(f"/portal/trust/{paulas.id}/documents/{kai.will_doc.id}/download")
    ).status_code == 404

    other = await make_customer(
        other_tenant, passwords, email="kai@kunde.example", emergency_readonly=True
    )
    stranger = client_for(other_tenant.hostname)
    await stranger.log_in("kai", CUSTOMER_PASSWORD)
    for path in theirs:
        assert (await stranger.get(path)).status_code == 404, path
    other_admin = client_for(other_tenant.hostname)
    await other_admin.log_in("beta-admin")
    staff_page = f"/staff/contacts/{kai.contact.id}/trusted/{tessa.id}/open"
    assert (await other_admin.get(staff_page)).status_code == 404
    own_contact = f"/staff/contacts/{other.id}/trusted/{tessa.id}/open"
    assert (await other_admin.get(own_contact)).status_code == 404


async def test_staff_viewing_as_a_customer_never_see_what_that_customer_is_trusted_with(
    tenant, passwords, kai, client_for, deliver
) -> None:
    rita = await make_customer(
        tenant, passwords, email="rita@kunde.example", first_name="Rita", insurance_share=True
    )
    await _name_tessa(kai.client, email="rita@kunde.example")
    person = await _person(tenant, "rita@kunde.example")
    with tenant_scope(tenant.tenant.id):
        await TrustedPerson.filter(id=person.id).update(status="open", opened_at=datetime.now(UTC))
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    started = await admin.submit(
        f"/staff/contacts/{rita.id}/view-as", form_page=f"/staff/contacts/{rita.id}"
    )
    assert started.status_code == 303
    assert (await admin.get("/portal")).status_code == 200  # the view works
    for path in (f"/portal/trust/{person.id}", f"/portal/trust/{person.id}/folder"):
        assert (await admin.get(path)).status_code == 404
    assert "Kai Kunde" not in (await admin.get("/portal/trust")).text


async def test_erasing_a_trusted_persons_own_contact_removes_the_entries_naming_them(
    tenant, passwords, kai, client_for
) -> None:
    rita = await make_customer(tenant, passwords, email="rita@kunde.example", first_name="Rita")
    await _name_tessa(kai.client, email="rita@kunde.example", first_name="Rita", last_name="Rahn")
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    page = f"/staff/contacts/{rita.id}/delete"
    erased = await admin.submit(page, {"confirm_text": "Kunde"}, form_page=page)
    assert erased.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert not await TrustedPerson.exists(email="rita@kunde.example")
        left = await OutboxMail.filter(to_address="rita@kunde.example").values_list(
            "kind", flat=True
        )
    assert left == ["erasure_done"]  # only the mail telling her what was erased
    assert "Rita" not in (await kai.client.get(PERSONS)).text


async def test_erasing_the_customer_takes_a_login_that_only_trusted_them(
    tenant, kai, tessa, client_for
) -> None:
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    page = f"/staff/contacts/{kai.contact.id}/delete"
    assert (await admin.submit(page, {"confirm_text": "Kunde"}, form_page=page)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert not await User.filter(email=TESSA["email"]).exists()
        assert not await TrustedPerson.exists()
        # His contracts and documents stay for the law: the contact is restricted, hidden.
        assert (await Contact.get(id=kai.contact.id)).restricted_at is not None


def _customer(contact_id: int, own_contact_id: int) -> Any:
    from tenant_app.actors import CurrentUser
    from tenant_app.permissions import CustomerRights

    rights = CustomerRights.from_values(contact_id, {"emergency_readonly": True})
    return CurrentUser(
        id=1, kind="customer", role="kunde", username="max", email="max@x.example",
        first_name="Max", last_name="M", language=None, session_id="s", csrf_token="t",
        contact_id=contact_id, own_contact_id=own_contact_id, linked_contacts=1, access=rights,
    )  # fmt: skip


def test_only_the_contact_itself_names_its_trusted_persons() -> None:
    """A household login managing a child's folders names nobody for the child: a person it
    named would keep the child's emergency folder after the household link ended."""
    assert trust.may_name(_customer(4, own_contact_id=4))
    assert not trust.may_name(_customer(5, own_contact_id=4))


async def test_a_removal_racing_the_end_of_the_wait_wins(tenant, kai, settings) -> None:
    """The customer removes the person just as the waiting period ends: a reader that saw
    the period over must not open the folder for this one request."""
    await _name_tessa(kai.client)
    with tenant_scope(tenant.tenant.id):
        person = await _person(tenant)
        past = datetime.now(UTC) - timedelta(minutes=1)
        await TrustedPerson.filter(id=person.id).update(
            status="requested", requested_at=past - timedelta(days=7), opens_at=past
        )
        seen = await TrustedPerson.get(id=person.id)  # read before the removal
        await TrustedPerson.filter(id=person.id).update(status="revoked")
        await trust.settle(settings, [seen], datetime.now(UTC))
        assert seen.status == "revoked" and seen.opened_at is None
        assert (await TrustedPerson.get(id=person.id)).status == "revoked"
