"""Advice cases (Vorgänge) as staff work with them: open one on the contact's page, edit it,
add risks whose fields follow the product line, move its status, file documents on it,
choose the contract it led to; the tenant's list of cases."""

from __future__ import annotations

import html
import re

import pytest

from tenant_app.models.activity import Notification
from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.folders import Document
from tenant_app.models.scoping import tenant_scope
from tests.case_helpers import CAR, STORED_CAR, open_case, staff_member
from tests.conftest import CUSTOMER_PASSWORD, count_queries, make_customer
from tests.folder_helpers import PDF_BYTES, add_contract
from tests.html_forms import form_fields

ORIGIN = {"Origin": "http://alpha.localhost"}
CASE = {"title": "Kfz-Wechsel", "product_lines": ["kfz", "hausrat"], "description": "Neues Auto"}


@pytest.fixture
async def contact(tenant, passwords):
    return await make_customer(tenant, passwords, insurance_share=True)


@pytest.fixture
async def admin(client):
    await client.log_in("alpha-admin")
    return client


def _error(page: str, field: str) -> str:
    """The message shown next to a field (`id="f-<field>-error"`)."""
    found = re.search(rf'id="f-{re.escape(field)}-error">([^<]*)<', page)
    assert found, f"no error next to {field}"
    return html.unescape(found.group(1))


async def test_staff_open_a_case_on_the_contact_page_and_find_it_again(
    admin, tenant, contact
) -> None:
    page = await admin.get(f"/staff/contacts/{contact.id}")
    assert 'id="contact-cases"' in page.text and 'id="no-cases"' in page.text
    assert f'href="/staff/contacts/{contact.id}/cases/new"' in page.text
    new = f"/staff/contacts/{contact.id}/cases/new"
    created = await admin.submit(f"/staff/contacts/{contact.id}/cases", CASE, form_page=new)
    assert created.status_code == 303
    case_page = await admin.get(created.headers["location"])
    assert case_page.status_code == 200
    text = html.unescape(case_page.text)
    assert "Der Vorgang wurde angelegt." in text and "Kfz-Wechsel" in text
    assert re.search(r'id="case-status">Offen<', text)
    assert re.search(r'id="case-lines">Kfz, Hausrat<', text)
    with tenant_scope(tenant.tenant.id):
        case = await AdviceCase.get(contact_id=contact.id)
    assert (case.status, case.product_lines, case.version) == ("open", ["kfz", "hausrat"], 1)
    assert case.responsible_id is None and case.description == "Neues Auto"
    listed = await admin.get(f"/staff/contacts/{contact.id}")
    assert f'href="/staff/cases/{case.id}"' in listed.text and "Offen" in listed.text
    everyone = await admin.get("/staff/cases")
    assert f'id="case-{case.id}"' in everyone.text and "Kunde, Kai" in everyone.text
    assert 'href="/staff/cases"' in everyone.text  # the staff's navigation names the list


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Pflichtfeld"),
        ({"product_lines": []}, "product_lines", "mindestens eine Sparte"),
        ({"product_lines": ["kfz", "raumfahrt"]}, "product_lines", "aus der Liste"),
        ({"responsible": "999999"}, "responsible", "diesen Kontakt sieht"),
        ({"external_id": "VG 1"}, "external_id", "nur Buchstaben"),
        ({"title": "x" * 201}, "title", "höchstens 200 Zeichen"),
    ],
)
async def test_a_case_with_bad_input_is_refused_next_to_the_field(
    admin, tenant, contact, changes, field, message
) -> None:
    new = f"/staff/contacts/{contact.id}/cases/new"
    refused = await admin.submit(
        f"/staff/contacts/{contact.id}/cases", {**CASE, **changes}, form_page=new
    )
    assert refused.status_code == 422
    assert message in _error(refused.text, field)
    assert "Neues Auto" in refused.text  # what was typed stays
    with tenant_scope(tenant.tenant.id):
        assert await AdviceCase.all().count() == 0


async def test_a_risk_keeps_its_attributes_typed_and_refuses_wrong_ones(
    admin, tenant, contact
) -> None:
    case = await open_case(tenant, contact, with_car=False)
    form, action = f"/staff/cases/{case.id}/risks/new", f"/staff/cases/{case.id}/risks"
    page = await admin.get(form)
    for name in ("make", "model", "first_registration", "annual_mileage", "hsn", "tsn"):
        assert f'name="attributes.{name}"' in page.text
    assert 'type="date"' in page.text  # the first registration is a date field
    wrong = {
        **CAR,
        "product_line": "kfz",
        "attributes.make": "",
        "attributes.annual_mileage": "viel",
        "attributes.first_registration": "31.02.2019",
        "attributes.hsn": "12",
    }
    refused = await admin.submit(action, wrong, form_page=form)
    assert refused.status_code == 422
    assert _error(refused.text, "attributes.make") == "Dieses Feld ist ein Pflichtfeld."
    assert "ganze Zahl" in _error(refused.text, "attributes.annual_mileage")
    assert "gültiges Datum" in _error(refused.text, "attributes.first_registration")
    assert "vier Ziffern der HSN" in _error(refused.text, "attributes.hsn")
    assert 'value="viel"' in refused.text  # what was typed stays
    with tenant_scope(tenant.tenant.id):
        assert await CaseRisk.all().count() == 0
    saved = await admin.submit(action, {**CAR, "product_line": "kfz"}, form_page=form)
    assert saved.status_code == 303
    with tenant_scope(tenant.tenant.id):
        risk = await CaseRisk.get(case_id=case.id)
    assert (risk.product_line, risk.label, risk.attributes) == ("kfz", CAR["label"], STORED_CAR)
    shown = html.unescape((await admin.get(saved.headers["location"])).text)
    assert "Das Risiko wurde hinzugefügt." in shown
    assert "Erstzulassung</dt><dd>01.05.2019" in shown and "Hersteller</dt><dd>Volkswagen" in shown
    edit = f"/staff/cases/{case.id}/risks/{risk.id}"
    fields = form_fields((await admin.get(edit)).text, edit)
    assert fields["attributes.annual_mileage"] == "12000" and fields["label"] == CAR["label"]
    fields["attributes.annual_mileage"] = "15000"
    assert (await admin.submit(edit, fields)).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await CaseRisk.get(id=risk.id)).attributes["annual_mileage"] == 15000
    removed = await admin.submit(f"{edit}/delete", form_page=f"/staff/cases/{case.id}")
    assert removed.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert not await CaseRisk.filter(id=risk.id).exists()


async def test_the_risk_form_follows_the_product_line(admin, tenant, contact) -> None:
    case = await open_case(tenant, contact, lines=("kfz", "hausrat", "sonstige"))
    form = f"/staff/cases/{case.id}/risks/new"
    # Without JavaScript: the product line's button loads the page with its fields.
    page = await admin.get(f"{form}?product_line=hausrat")
    assert 'name="attributes.living_area"' in page.text and "attributes.make" not in page.text
    assert 'id="line-choice"' in page.text and "<html" in page.text
    # With htmx: only the fields, swapped into the form.
    fragment = await admin.get(f"{form}?product_line=kfz", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="risk-fields">')
    assert 'name="attributes.make"' in fragment.text and "<html" not in fragment.text
    assert 'name="product_line" value="kfz"' in fragment.text
    # A line the case does not have is refused; a free line takes name: value pairs.
    other = {"product_line": "leben", "label": "Ich", "attributes.person_name": "Kai"}
    refused = await admin.submit(f"/staff/cases/{case.id}/risks", other, form_page=form)
    assert refused.status_code == 422 and "Sparten des Vorgangs" in refused.text
    free = {
        "product_line": "sonstige",
        "label": "Drohne",
        "attributes.free": "Farbe: rot\nGewicht: 2 kg",
    }
    saved = await admin.submit(f"/staff/cases/{case.id}/risks", free, form_page=form)
    assert saved.status_code == 303
    with tenant_scope(tenant.tenant.id):
        drone = await CaseRisk.get(label="Drohne")
    assert drone.attributes == {"free": {"Farbe": "rot", "Gewicht": "2 kg"}}
    broken = {**free, "attributes.free": "nur ein Wort"}
    refused = await admin.submit(f"/staff/cases/{case.id}/risks", broken, form_page=form)
    assert refused.status_code == 422 and "Name: Wert" in _error(refused.text, "attributes.free")


async def test_a_stale_case_form_is_refused_and_changes_nothing(
    tenant, passwords, client_for, contact
) -> None:
    await staff_member(tenant, passwords, "sina", sees_all_contacts=True, access_insurance="write")
    case = await open_case(tenant, contact)
    clara, sina = client_for(tenant.hostname), client_for(tenant.hostname)
    await clara.log_in("alpha-admin")
    await sina.log_in("sina")
    path = f"/staff/cases/{case.id}/edit"
    form_a = form_fields((await clara.get(path)).text, path)
    form_b = form_fields((await sina.get(path)).text, path)
    assert form_a["version"] == "2"  # opened, then its car added
    saved = await clara.submit(
        path, {**form_a, "title": "Kfz-Wechsel zum 1.1.", "product_lines": ["kfz"]}
    )
    assert saved.status_code == 303
    refused = await sina.submit(
        path, {**form_b, "product_lines": ["kfz", "unfall"], "notes": "Sina war hier"}
    )
    assert refused.status_code == 409
    text = html.unescape(refused.text)
    assert "Kfz-Wechsel zum 1.1." in text and "Titel" in text  # what is stored now
    assert "Sina war hier" in text  # what she typed stays
    assert _error(refused.text, "title").startswith("Jetzt gespeichert")
    with tenant_scope(tenant.tenant.id):
        stored = await AdviceCase.get(id=case.id)
    assert (stored.title, stored.notes, stored.version) == ("Kfz-Wechsel zum 1.1.", "", 3)
    again = form_fields(refused.text, path)
    assert again["version"] == "3"
    assert (await sina.submit(path, {**again, "product_lines": ["kfz"]})).status_code == 303


async def test_completing_dates_the_case_and_locks_it_until_reopened(
    admin, tenant, contact
) -> None:
    case = await open_case(tenant, contact)
    page = f"/staff/cases/{case.id}"
    completing = {"status": "completed", "advice_waived": "on"}  # no advice documentation
    done = await admin.submit(f"{page}/status", completing, form_page=page)
    assert done.status_code == 303
    with tenant_scope(tenant.tenant.id):
        stored = await AdviceCase.get(id=case.id)
    assert stored.status == "completed" and stored.completed_at is not None
    shown = await admin.get(page)
    assert 'id="case-closed"' in shown.text and 'id="reopen-case"' in shown.text
    assert f'href="{page}/edit"' not in shown.text and 'id="add-risk"' not in shown.text
    assert (await admin.get(f"{page}/edit")).headers["location"] == page
    refused = await admin.submit(
        f"{page}/edit", {**CASE, "version": str(stored.version)}, form_page=page
    )
    assert refused.status_code == 409 and "Öffnen Sie ihn zuerst wieder" in refused.text
    with tenant_scope(tenant.tenant.id):
        assert (await AdviceCase.get(id=case.id)).title == "Kfz-Wechsel"
    reopened = await admin.submit(f"{page}/status", {"status": "open"}, form_page=page)
    assert reopened.status_code == 303
    with tenant_scope(tenant.tenant.id):
        stored = await AdviceCase.get(id=case.id)
    assert stored.status == "open" and stored.completed_at is None
    history = html.unescape((await admin.get(page)).text)
    assert "hat den Vorgang Kfz-Wechsel abgeschlossen" in history
    assert "Status: Offen → Abgeschlossen" in history and "Abgeschlossen → Offen" in history


async def test_documents_filed_on_a_case_belong_to_its_contact_and_stay_hidden(
    admin, tenant, passwords, client_for, contact
) -> None:
    case = await open_case(tenant, contact)
    page = f"/staff/cases/{case.id}"
    token = await admin.csrf(page)
    uploaded = await admin.post(
        f"{page}/documents",
        files={
            "csrf_token": (None, token),
            "title": (None, "Angebot HUK"),
            "category": (None, "application"),
            "folder": (None, "finance"),  # what the form says does not move it
            "file": ("angebot.pdf", PDF_BYTES, "application/pdf"),
        },
        headers=ORIGIN,
    )
    assert uploaded.status_code == 303
    with tenant_scope(tenant.tenant.id):
        document = await Document.get(title="Angebot HUK")
    assert (document.case_id, document.contact_id, document.folder) == (
        case.id,
        contact.id,
        "insurance",
    )
    assert not document.shared_with_customer
    shown = await admin.get(page)
    assert f'id="document-{document.id}"' in shown.text
    assert (await admin.get(f"/staff/documents/{document.id}/download")).status_code == 200
    kai = client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    assert "Angebot HUK" not in (await kai.get("/portal/folders/insurance")).text
    assert (await kai.get(f"/portal/documents/{document.id}/download")).status_code == 404
    token = await admin.csrf(page)
    empty = await admin.post(
        f"{page}/documents",
        files={"csrf_token": (None, token), "title": (None, "Ohne Datei")},
        headers=ORIGIN,
    )
    assert empty.status_code == 422 and 'id="case-documents"' in empty.text
    deleted = await admin.submit(f"/staff/documents/{document.id}/delete", form_page=page)
    assert deleted.headers["location"].startswith(page)  # back to the case


async def test_the_chosen_contract_is_one_of_the_contacts(
    admin, tenant, passwords, contact
) -> None:
    case = await open_case(tenant, contact)
    offer = await add_contract(tenant, contact, number="KFZ-ANGEBOT-1", status="offer")
    stranger = await make_customer(tenant, passwords, email="zoe@kunde.example", first_name="Zoe")
    foreign = await add_contract(tenant, stranger, number="FREMD-1")
    page = f"/staff/cases/{case.id}"
    refused = await admin.submit(
        f"{page}/contract", {"contract_id": str(foreign.id)}, form_page=page
    )
    assert refused.status_code == 422 and 'id="contract-error"' in refused.text
    chosen = await admin.submit(f"{page}/contract", {"contract_id": str(offer.id)}, form_page=page)
    assert chosen.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await AdviceCase.get(id=case.id)).chosen_contract_id == offer.id
    shown = html.unescape((await admin.get(page)).text)
    assert re.search(r'id="chosen-contract">.*KFZ-ANGEBOT-1', shown)
    assert "Gewählter Vertrag: – → Hausrat" in shown  # the history names it


async def test_the_responsible_member_hears_of_a_colleagues_change(
    admin, tenant, passwords, contact
) -> None:
    anna = await staff_member(
        tenant, passwords, "anna", sees_all_contacts=True, access_insurance="write"
    )
    case = await open_case(tenant, contact, responsible=str(anna.id))
    with tenant_scope(tenant.tenant.id):
        told = await Notification.filter(user_id=anna.id).prefetch_related("event")
    assert [n.event.kind for n in told] == ["case_opened", "case_edited"]  # opened, a risk
    page = f"/staff/cases/{case.id}"
    await admin.submit(f"{page}/status", {"status": "in_progress"}, form_page=page)
    with tenant_scope(tenant.tenant.id):
        assert await Notification.filter(user_id=anna.id).count() == 3
        # the customer hears of none of it
        assert not await Notification.filter(user__kind="customer").exists()


async def test_the_list_filters_by_status_and_responsible(
    admin, tenant, passwords, contact
) -> None:
    anna = await staff_member(tenant, passwords, "anna", sees_all_contacts=True)
    mine = await open_case(tenant, contact, title="Hausrat Umzug", lines=("hausrat",))
    hers = await open_case(
        tenant, contact, title="BU prüfen", lines=("berufsunfaehigkeit",), responsible=str(anna.id)
    )
    await admin.submit(
        f"/staff/cases/{mine.id}/status",
        {"status": "cancelled"},
        form_page=f"/staff/cases/{mine.id}",
    )
    active = (await admin.get("/staff/cases")).text
    assert f'id="case-{hers.id}"' in active and f'id="case-{mine.id}"' not in active
    every = (await admin.get("/staff/cases?status=all")).text
    assert f'id="case-{mine.id}"' in every and "Storniert" in every
    theirs = (await admin.get(f"/staff/cases?status=all&responsible={anna.id}")).text
    assert f'id="case-{hers.id}"' in theirs and f'id="case-{mine.id}"' not in theirs
    fragment = await admin.get("/staff/cases?status=cancelled", headers={"HX-Request": "true"})
    assert (
        fragment.text.lstrip().startswith('<div id="results">') and "Hausrat Umzug" in fragment.text
    )


async def test_the_lists_send_the_same_queries_for_3_or_30_cases(
    admin, tenant, passwords, contact
) -> None:
    anna = await staff_member(tenant, passwords, "anna", sees_all_contacts=True)

    async def fill(count: int) -> None:
        with tenant_scope(tenant.tenant.id):
            await AdviceCase.bulk_create(
                [
                    AdviceCase(
                        tenant_id=tenant.tenant.id,
                        contact_id=contact.id,
                        title=f"Vorgang {n}",
                        product_lines=["kfz"],
                        responsible_id=anna.id if n % 2 else None,
                    )
                    for n in range(count)
                ]
            )

    paths = ("/staff/cases", "/staff/cases?status=all", f"/staff/contacts/{contact.id}")
    await fill(3)
    few = [await _queries(admin, path) for path in paths]
    await fill(27)
    many = [await _queries(admin, path) for path in paths]
    assert few == many


async def _queries(client, path: str) -> int:
    with count_queries() as counter:
        response = await client.get(path)
    assert response.status_code == 200
    return counter.count
