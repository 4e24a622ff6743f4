"""The guided application through an insurer's interface, as staff go through it against the
real reference insurer (Radschutz, tests/insurer_service.py): started at the e-bike, each step
a form of the plug-in's questions, the tariff, every answer before sending, the filled
application as a PDF, signing, finalizing into a policy filed at the object, which the
customer then sees. Bad answers, the insurer down or slow, refused credentials and a missing
agent number each keep what was entered and say why."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from tenant_app.models.folders import Contract, Document
from tenant_app.models.scoping import tenant_scope
from tests.application_helpers import (
    INSURER,
    answer,
    applying_world,
    error_next_to,
    insured_object,
    moved_on,
    page_of,
    send,
    sign_by_click,
    start,
    stored,
    submitted,
    text_of,
    to_review,
)
from tests.conftest import CUSTOMER_PASSWORD
from tests.html_forms import form_fields
from tests.pdf_text import pdf_text

STEP_TITLES = (
    "Versicherungsobjekt wählen",
    "Fahrzeugdaten prüfen",
    "Tarifinformation",
    "Schloss und Leasing",
    "Kundendaten ergänzen",
    "Antrag prüfen und absenden",
)


@pytest.fixture
async def world(tenant, settings, passwords, client, insurer) -> SimpleNamespace:
    return await applying_world(tenant, settings, passwords, client, insurer)


async def test_staff_go_through_every_step_with_the_tariff_and_review_before_sending(
    world, tenant
) -> None:
    admin = world.admin
    app_id = await start(admin, world.object_id)
    first = await page_of(admin, app_id)
    shown = text_of(first)
    assert "Antrag bei Radschutz Versicherung AG" in shown and "Schritt 1 von 6" in shown
    assert all(title in shown for title in STEP_TITLES)  # the steps' indicator
    assert 'aria-current="step"' in first
    assert re.search(r'name="object_type" value="ebike" id="a-object_type-ebike" checked', first)

    await moved_on(admin, app_id, "object")
    second = await page_of(admin, app_id)
    assert "Schritt 2 von 6 " in text_of(second)
    assert 'value="Riese &amp; Müller"' in second and 'value="WRM-12345"' in second
    assert 'value="2499,00"' in second  # the object's price, prefilled
    assert "Meist unten am Rahmen beim Tretlager eingeschlagen" in text_of(second)  # help

    await moved_on(admin, app_id, "object_data")  # leaving it asks for the tariff
    tariff = text_of(await page_of(admin, app_id))
    assert "Schritt 3 von 6" in tariff and "Radschutz Komfort" in tariff
    assert "22,49 € monatlich" in tariff and "Diebstahl" in tariff
    assert "Sofortschutz" in tariff and "Tarif neu berechnen" in tariff

    await moved_on(admin, app_id, "tariff", instant_cover="on")  # 2,50 € more
    await moved_on(admin, app_id, "security", approved_lock="on")
    customer = await page_of(admin, app_id)
    assert 'value="Kai"' in customer and 'value="Hauptstraße 1"' in customer
    assert 'value="1990-01-02"' in customer and 'value="50667"' in customer
    await moved_on(admin, app_id, "customer")

    review = await page_of(admin, app_id)
    read = text_of(review)
    assert "Schritt 6 von 6" in read and "Antrag absenden" in read
    assert "24,99 € monatlich" in read and "Radschutz Komfort" in read
    assert "Rahmennummer WRM-12345" in read and "Kaufpreis (€) 2.499" in read
    assert "Sofortschutz mitbuchen ja" in read and "Nachname Kunde" in read
    for step in ("object", "object_data", "tariff", "security", "customer"):
        assert (
            f'href="/staff/applications/{app_id}?step={step}" id="change-{step}">ändern' in review
        )
    application = await stored(tenant, app_id)
    assert application.status == "draft" and application.step == "review"
    assert application.answers["instant_cover"] is True
    assert application.answers["approved_lock"] is True
    assert application.quote["premium"] == "24.99"


async def test_sending_opens_the_filled_application_naming_the_customer(world, tenant) -> None:
    app_id = await to_review(world)
    sent = await send(world.admin, app_id)
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/staff/applications/{app_id}?submitted=1"
    page = await page_of(world.admin, app_id, "?submitted=1")
    read = text_of(page)
    assert "Der Antrag wurde gesendet." in read and "Der ausgefüllte Antrag" in read
    assert "RS-A-000001" in read and "22,49 € monatlich" in read
    paper = f"/staff/applications/{app_id}/paper"
    assert re.search(rf'<a href="{paper}" target="_blank"', page)
    assert re.search(rf'<iframe class="paper-preview" src="{paper}"', page)
    assert 'id="sign-upload-form"' in page and 'id="sign-click-form"' in page

    pdf = await world.admin.get(paper)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("inline;")
    assert pdf.content.startswith(b"%PDF")
    words = pdf_text(pdf.content)
    assert "Kai" in words and "Kunde" in words and "WRM-12345" in words
    application = await stored(tenant, app_id)
    assert (application.status, application.external_id) == ("submitted", "RS-A-000001")
    with tenant_scope(tenant.tenant.id):
        filed = await Document.get(id=application.paper_id)
    assert (filed.contact_id, filed.folder, filed.shared_with_customer) == (
        world.contact.id,
        "insurance",
        False,
    )


async def test_a_click_signature_needs_the_customers_name_and_finalizing_files_the_policy(
    world, tenant
) -> None:
    app_id = await submitted(world)
    wrong = await sign_by_click(world.admin, app_id, "Karl Kunde")
    assert wrong.status_code == 422
    message = re.search(r'id="f-signer_name-error">([^<]*)<', wrong.text)
    assert message and "Kai Kunde" in message.group(1)
    assert 'value="Karl Kunde"' in wrong.text  # kept as typed
    assert (await stored(tenant, app_id)).status == "submitted"

    signed = await sign_by_click(world.admin, app_id, "kai  kunde")
    assert signed.headers["location"] == f"/staff/applications/{app_id}?signed=1"
    page = await page_of(world.admin, app_id)
    assert "Per Klick unterschrieben von Kai Kunde" in text_of(page)
    assert re.search(r'id="finalize-form"[^>]*data-confirm="Antrag finalisieren\?', page)

    finalize = f"/staff/applications/{app_id}/finalize"
    unconfirmed = await world.admin.submit(finalize, {}, form_page=f"/staff/applications/{app_id}")
    assert unconfirmed.status_code == 422 and 'id="f-confirm-error"' in unconfirmed.text
    done = await world.admin.submit(
        finalize, {"confirm": "on"}, form_page=f"/staff/applications/{app_id}"
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/staff/objects/{world.object_id}?finalized=1"

    application = await stored(tenant, app_id)
    insured = await insured_object(tenant, world.object_id)
    with tenant_scope(tenant.tenant.id):
        contract = await Contract.get(id=application.contract_id)
        papers = await Document.filter(contract_id=contract.id).order_by("id")
    assert application.status == "finalized" and application.signature == "click"
    assert (contract.contact_id, contract.folder, contract.insurer_name) == (
        world.contact.id,
        "insurance",
        INSURER,
    )
    assert contract.insurance_number == "RS-P-000001"
    # the application as sent joins the policy documents, and the customer keeps all three
    assert [paper.title for paper in papers] == [
        "Antrag Radschutz RS-A-000001 – E-Bike · Riese & Müller Charger4",
        "Versicherungsschein",
        "Versicherungsbedingungen",
    ]
    assert all(paper.shared_with_customer and paper.folder == "insurance" for paper in papers)
    assert (insured.insurance_state, insured.contract_id) == ("insured", contract.id)

    object_page = text_of((await world.admin.get(done.headers["location"])).text)
    assert "Versichert" in object_page
    assert "Versicherungsschein" in object_page and "Versicherungsbedingungen" in object_page


async def test_the_customer_sees_the_new_contract_with_its_documents(
    world, tenant, client_for
) -> None:
    app_id = await submitted(world)
    await sign_by_click(world.admin, app_id, "Kai Kunde")
    done = await world.admin.submit(
        f"/staff/applications/{app_id}/finalize",
        {"confirm": "on"},
        form_page=f"/staff/applications/{app_id}",
    )
    assert done.status_code == 303
    contract_id = (await stored(tenant, app_id)).contract_id
    with tenant_scope(tenant.tenant.id):
        papers = await Document.filter(contract_id=contract_id).order_by("id")
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    folder = await customer.get("/portal/folders/insurance")
    assert folder.status_code == 200
    shown = text_of(folder.text)
    assert INSURER in shown and "RS-P-000001" in shown
    assert "Versicherungsschein" in shown and "Versicherungsbedingungen" in shown
    assert f'id="contract-{contract_id}"' in folder.text
    for paper in papers:
        download = await customer.get(f"/portal/documents/{paper.id}/download")
        assert download.status_code == 200 and download.content.startswith(b"%PDF")


async def test_bad_answers_are_shown_next_to_their_fields_and_nothing_is_stored(
    world, tenant
) -> None:
    app_id = await start(world.admin, world.object_id)
    await moved_on(world.admin, app_id, "object")
    before = await stored(tenant, app_id)
    refused = await answer(world.admin, app_id, "object_data", frame_number="!!", price="teuer")
    assert refused.status_code == 422
    assert "Die Rahmennummer hat 4 bis 30 Buchstaben" in error_next_to(refused.text, "frame_number")
    assert error_next_to(refused.text, "price")
    assert 'value="!!"' in refused.text and 'value="teuer"' in refused.text  # kept as typed
    assert "Schritt 2 von 6" in text_of(refused.text)
    after = await stored(tenant, app_id)
    assert (after.answers, after.step, after.version) == (
        before.answers,
        "object_data",
        before.version,
    )

    for step in ("object_data", "tariff"):
        await moved_on(world.admin, app_id, step)
    unlocked = await answer(world.admin, app_id, "security", approved_lock=None)
    assert unlocked.status_code == 422
    assert (
        error_next_to(unlocked.text, "approved_lock")
        == "Bitte bestätigen Sie das, um fortzufahren."
    )
    assert (await stored(tenant, app_id)).step == "security"


async def test_the_insurers_refusal_of_an_answer_is_shown_next_to_it(world, tenant) -> None:
    app_id = await start(world.admin, world.object_id)
    await moved_on(world.admin, app_id, "object")
    refused = await answer(world.admin, app_id, "object_data", purchase_date="2020-01-01")
    assert refused.status_code == 422
    assert error_next_to(refused.text, "purchase_date")  # the insurer's German words
    application = await stored(tenant, app_id)
    assert application.answers["purchase_date"] == "2020-01-01"  # kept, to be corrected
    assert application.step == "object_data" and application.quote == {}


async def test_back_shows_the_step_before_and_change_opens_a_step_of_the_review(world) -> None:
    admin = world.admin
    app_id = await start(admin, world.object_id)
    await moved_on(admin, app_id, "object")
    action = f"/staff/applications/{app_id}/steps/object_data"
    typed = {**form_fields(await page_of(admin, app_id), action), "model": "Charger5 Vario"}
    back = await admin.submit(
        action, {**typed, "back": "1"}, form_page=f"/staff/applications/{app_id}"
    )
    assert back.status_code == 303
    assert "Schritt 1 von 6" in text_of(await page_of(admin, app_id))
    assert (await stored(world.tenant, app_id)).answers["model"] == "Charger5 Vario"  # kept
    wrong = {**typed, "price": "teuer", "model": "Charger6"}
    await moved_on(admin, app_id, "object")
    await admin.submit(action, {**wrong, "back": "1"}, form_page=f"/staff/applications/{app_id}")
    assert "Schritt 1 von 6" in text_of(await page_of(admin, app_id))  # back all the same
    assert (await stored(world.tenant, app_id)).answers["model"] == "Charger5 Vario"
    await moved_on(admin, app_id, "object")
    changing = await page_of(admin, app_id, "?step=object")
    assert "Schritt 1 von 6" in text_of(changing)


async def test_a_step_sent_from_a_stale_page_is_refused_with_the_input_kept(world) -> None:
    admin = world.admin
    app_id = await start(admin, world.object_id)
    await moved_on(admin, app_id, "object")
    page = await page_of(admin, app_id)
    action = f"/staff/applications/{app_id}/steps/object_data"
    stale = {**form_fields(page, action), "model": "Charger5"}
    stale.pop("back", None)
    first = await admin.submit(action, stale, form_page=f"/staff/applications/{app_id}")
    assert first.status_code == 303
    again = await admin.submit(action, stale, form_page=f"/staff/applications/{app_id}")
    assert again.status_code == 409
    assert "Dieser Antrag wurde inzwischen geändert." in text_of(again.text)
    assert 'value="Charger5"' in again.text


async def test_the_signed_copy_is_uploaded_and_filed_hidden_from_the_customer(
    world, tenant
) -> None:
    app_id = await submitted(world)
    page = f"/staff/applications/{app_id}"
    missing = await world.admin.submit(f"{page}/sign", {"way": "upload"}, form_page=page)
    assert missing.status_code == 422
    assert "Bitte wählen Sie den unterschriebenen Antrag aus." in text_of(missing.text)
    assert 'id="signed-file-error"' in missing.text
    scan = (await world.admin.get(f"{page}/paper")).content  # as printed, signed, scanned
    uploaded = await world.admin.submit(
        f"{page}/sign",
        {"way": "upload"},
        form_page=page,
        files={"file": ("antrag-unterschrieben.pdf", scan, "application/pdf")},
    )
    assert uploaded.status_code == 303, uploaded.text[:2000]
    application = await stored(tenant, app_id)
    assert (application.status, application.signature) == ("signed", "upload")
    with tenant_scope(tenant.tenant.id):
        copy = await Document.get(id=application.signed_paper_id)
    assert (copy.title, copy.folder, copy.shared_with_customer) == (
        "Unterschriebener Antrag",
        "insurance",
        False,
    )
    shown = text_of(await page_of(world.admin, app_id))
    assert "Unterschriebenes Exemplar hochgeladen am" in shown and "Antrag finalisieren" in shown
