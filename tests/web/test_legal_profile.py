"""The legal profile as users meet it: the admin fills in the broker profile (errors in German
next to the fields, nothing saved), the imprint page shows the generated text with the
addition, every customer mail ends with the generated signature (English for a customer who
uses English), and customers cannot be invited until the go-live check passes, while staff
work goes on."""

from __future__ import annotations

from typing import Any

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.engagement import Invitation, InvitationBatch
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import tenant_cache
from tests.conftest import CUSTOMER_PASSWORD, html_of, make_customer, text_of
from tests.html_forms import form_fields
from tests.web.test_du_tenant import visible_text
from tests.web.test_invitations import invite, make_contact, run_batches

SETTINGS = "/staff/settings"
SAVE = "/staff/settings/broker-profile"
ACTION = f"{SAVE}#broker-profile"


async def save(client: Any, values: dict[str, str]) -> Any:
    loaded = form_fields((await client.get(SETTINGS)).text, ACTION)
    return await client.submit(SAVE, {**loaded, **values}, form_page=SETTINGS)


async def stored(tenant: Any, *columns: str) -> dict[str, Any]:
    rows = await Tenant.filter(id=tenant.tenant.id).values(*columns)
    return rows[0]


async def unset(tenant: Any, **columns: str) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(**columns)
    tenant_cache.invalidate()


async def test_bad_input_is_refused_in_german_next_to_each_field_and_nothing_changes(
    client, tenant
) -> None:
    await client.log_in("alpha-admin")
    before = await stored(tenant, "broker_trade_register", "broker_vat_id", "version")
    refused = await save(
        client,
        {
            "broker_vat_id": "DE12345",
            "broker_trade_register": "Handelsregister 12",
            "broker_representatives": "C. Chef",
            "broker_legal_form": "Limited",
        },
    )
    assert refused.status_code == 422
    page = refused.text
    for field, said in (
        ("broker_vat_id", "Bitte geben Sie die USt-IdNr. als DE und 9 Ziffern"),
        ("broker_trade_register", "z. B. HRB 12345, HRA 123, PR 12"),
        ("broker_representatives", "(nicht „C. Chef“)"),
        ("broker_legal_form", "Bitte wählen Sie die Rechtsform aus der Liste."),
    ):
        error = page.split(f'id="f-{field}-error">', 1)[1].split("</p>", 1)[0]
        assert said in error, field
    kept = form_fields(page, ACTION)
    assert (kept["broker_vat_id"], kept["broker_representatives"]) == ("DE12345", "C. Chef")
    assert "Bitte prüfen Sie die markierten Felder" in visible_text(page)
    assert await stored(tenant, "broker_trade_register", "broker_vat_id", "version") == before
    wrong_department = await save(client, {"broker_trade_register": "HRA 77"})
    assert wrong_department.status_code == 422
    assert "Eine GmbH steht im Register unter HRB" in wrong_department.text


async def test_an_old_free_text_legal_form_is_kept_in_the_select_and_asked_to_be_chosen(
    client, tenant
) -> None:
    await unset(tenant, broker_legal_form="Gesellschaft mbH")
    await client.log_in("alpha-admin")
    page = (await client.get(SETTINGS)).text
    assert 'value="Gesellschaft mbH" selected' in page
    assert "Gesellschaft mbH (nicht in der Liste: bitte wählen)" in page
    check = page.split('id="go-live-missing">', 1)[1].split("</ul>", 1)[0]
    assert visible_text(check) == "Rechtsform aus der Liste wählen"
    saved = await save(client, {"broker_legal_form": "GmbH"})
    assert saved.status_code == 303
    page = (await client.get(saved.headers["location"])).text
    assert 'id="go-live-ok"' in page and 'id="go-live-banner"' not in page


async def test_the_imprint_page_shows_the_generated_text_and_the_addition(
    client, client_for, tenant
) -> None:
    await unset(tenant, imprint_html="<p>Bildnachweise: eigene Aufnahmen.</p>")
    visitor = client_for(tenant.hostname)
    page = (await visitor.get("/impressum")).text
    generated = visible_text(page.split('id="imprint-generated"', 1)[1].split('id="imprint"')[0])
    for shown in (
        "Angaben gemäß § 5 DDG",
        "Alpha Versicherungsmakler GmbH",
        "Geschäftsführer: Clara Chef",
        "Registergericht: Amtsgericht Köln, HRB 12345",
        "Versicherungsmakler mit Erlaubnis nach § 34d Abs. 1 GewO",
        "Erlaubnis- und Aufsichtsbehörde: IHK Köln, Unter Sachsenhausen 10–26, 50667 Köln",
        "Vermittlerregisternummer: D-ABCD-1234-56",
        "Schlichtungsstellen",
    ):
        assert shown in generated, shown
    assert "GmbH GmbH" not in page
    addition = '<div class="rich-text" id="imprint"><p>Bildnachweise: eigene Aufnahmen.</p></div>'
    assert addition in page
    english = (await visitor.get("/impressum", headers={"Accept-Language": "en"})).text
    assert "Managing directors: Clara Chef" in english and "Information under § 5 DDG" in english
    assert 'id="imprint-incomplete"' not in page


async def test_customer_mails_end_with_the_generated_signature_in_their_language(
    client, tenant, passwords, deliver
) -> None:
    await unset(
        tenant,
        signature_html="<p>Viele Grüße aus Köln</p>",
        broker_firm_name="Alpha Versicherungsmakler",
        broker_legal_form="AG",
        broker_trade_register="HRB 34567",
        broker_board_chair="Dora Dahl",
    )
    kai = await make_customer(tenant, passwords)
    eva = await make_customer(tenant, passwords, email="eva@kunde.example", first_name="Eva")
    with tenant_scope(tenant.tenant.id):
        await User.filter(contact_id=eva.id).update(language="en")
    await client.log_in("alpha-admin")
    for contact in (kai, eva):
        sent = await client.submit(
            f"/staff/contacts/{contact.id}/registration-mail",
            form_page=f"/staff/contacts/{contact.id}",
        )
        assert sent.status_code == 303
    mails = {mail["To"]: mail for mail in await deliver()}
    german = text_of(mails["kai@kunde.example"]).replace("\r\n", "\n")
    assert "-- \nViele Grüße aus Köln\n\nAlpha Versicherungsmakler AG\n" in german
    for line in (
        "Vorstand: Clara Chef",
        "Vorsitzende(r) des Aufsichtsrats: Dora Dahl",
        "Sitz: Köln",
        "Registergericht: Amtsgericht Köln, HRB 34567",
        "Ring 1, 50672 Köln",
    ):
        assert f"\n{line}\n" in german, line
    html = html_of(mails["kai@kunde.example"])
    assert "Viele Grüße aus Köln" in html and "Vorstand: Clara Chef<br>" in html
    english = text_of(mails["eva@kunde.example"])
    assert "Management board: Clara Chef" in english and "Registered office: Köln" in english
    assert "Vorstand" not in english


async def test_invitations_wait_for_the_go_live_check_while_staff_work_goes_on(
    client, tenant, settings, deliver
) -> None:
    await unset(tenant, broker_register_court="", broker_chamber_address="")
    mia = await make_contact(tenant, "Mia", "Meier", "mia@kunde.example")
    await client.log_in("alpha-admin")
    staff_home = (await client.get("/staff")).text
    banner = visible_text(staff_home.split('id="go-live-banner"', 1)[1].split("</div>", 1)[0])
    assert "Es fehlt: Registergericht, Anschrift der IHK." in banner
    dialog = (await client.get(f"/staff/invitations/new?contact_id={mia.id}")).text
    assert "Kunden können noch nicht eingeladen werden" in visible_text(dialog)
    refused = await invite(client, [mia.id])
    assert refused.status_code == 422
    said = visible_text(refused.text)
    assert "Es fehlt: Registergericht, Anschrift der IHK." in said
    assert "Einstellungen › Maklerprofil" in said
    with tenant_scope(tenant.tenant.id):
        assert await InvitationBatch.all().count() == 0
        assert not await User.filter(contact_id=mia.id).exists()
    # staff work is not blocked: a contact is still saved
    edited = await client.get(f"/staff/contacts/{mia.id}")
    assert edited.status_code == 200

    saved = await save(
        client,
        {"broker_register_court": "Amtsgericht Köln", "broker_chamber_address": "Köln"},
    )
    assert saved.status_code == 303
    assert 'id="go-live-banner"' not in (await client.get("/staff")).text
    started = await invite(client, [mia.id])
    assert started.status_code == 303
    await run_batches(settings)
    mail = (await deliver())[-1]
    assert mail["To"] == "mia@kunde.example"
    assert "Registergericht: Amtsgericht Köln, HRB 12345" in text_of(mail)
    with tenant_scope(tenant.tenant.id):
        assert await Invitation.filter(contact_id=mia.id).exists()


async def test_a_batch_queued_before_the_profile_lost_an_item_invites_no_one(
    client, tenant, settings
) -> None:
    mia = await make_contact(tenant, "Mia", "Meier", "mia@kunde.example")
    await client.log_in("alpha-admin")
    started = await invite(client, [mia.id])
    assert started.status_code == 303
    await unset(tenant, broker_seat="")
    await run_batches(settings)
    report = visible_text((await client.get(started.headers["location"])).text)
    assert "Kunden können noch nicht eingeladen werden" in report and "Sitz" in report
    with tenant_scope(tenant.tenant.id):
        assert not await Invitation.filter(contact_id=mia.id).exists()
        assert await Contact.filter(id=mia.id).exists()


async def test_only_admins_see_the_check_and_other_tenants_are_apart(
    client_for, tenant, other_tenant, passwords
) -> None:
    await unset(tenant, broker_phone="")
    kai = await make_customer(tenant, passwords)
    assert kai is not None
    admin, customer = client_for(tenant.hostname), client_for(tenant.hostname)
    beta = client_for(other_tenant.hostname)
    await admin.log_in("alpha-admin")
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await beta.log_in("beta-admin")
    assert 'id="go-live-banner"' in (await admin.get("/staff")).text
    assert 'id="go-live-banner"' not in (await customer.get("/portal")).text
    assert 'id="go-live-banner"' not in (await beta.get("/staff")).text
    beta_imprint = (await beta.get("/impressum")).text
    assert "Beta Finanz KG" in beta_imprint and "Alpha" not in beta_imprint
    refused = await customer.submit(SAVE, {"broker_phone": "1"}, form_page="/portal")
    assert refused.status_code in (403, 404)
    assert (await stored(tenant, "broker_phone"))["broker_phone"] == ""


async def test_the_registration_mail_from_the_contact_page_waits_too(
    client, tenant, deliver
) -> None:
    await unset(tenant, broker_email="")
    ole = await make_contact(tenant, "Ole", "Olsen", "ole@kunde.example")
    await client.log_in("alpha-admin")
    page = f"/staff/contacts/{ole.id}"
    created = await client.submit(f"{page}/account", form_page=page)
    assert created.status_code == 303
    refused = await client.submit(f"{page}/registration-mail", form_page=page)
    shown = visible_text((await client.get(refused.headers["location"])).text)
    assert "Kunden können noch nicht eingeladen werden" in shown
    assert [mail["To"] for mail in await deliver()] == []
    await unset(tenant, broker_email="info@alpha.example")
    sent = await client.submit(f"{page}/registration-mail", form_page=page)
    assert "flash" not in sent.headers["location"] or "mailed" in sent.headers["location"]
    assert [mail["To"] for mail in await deliver()] == ["ole@kunde.example"]


async def test_a_household_invitation_waits_too_with_the_reason_at_the_address(
    client, tenant, deliver
) -> None:
    await unset(tenant, broker_seat="")
    lena = await make_contact(tenant, "Lena", "Lang", "lena@kunde.example")
    page = f"/staff/contacts/{lena.id}"
    await client.log_in("alpha-admin")
    person = {
        "first_name": "Petra",
        "last_name": "Pflege",
        "email": "petra@pflege.example",
        "birthdate": "17.08.1977",
        "consent_note": "Lenas Eltern haben der Pflegemutter am 1.12. zugestimmt.",
    }
    refused = await client.submit(f"{page}/household/invite", person, form_page=page)
    assert refused.status_code == 422
    error = refused.text.split('id="hh-invite-email-error">', 1)[1].split("</p>", 1)[0]
    assert "Kunden können noch nicht eingeladen werden" in error and "Sitz" in error
    with tenant_scope(tenant.tenant.id):
        assert not await Contact.filter(email="petra@pflege.example").exists()
    await unset(tenant, broker_seat="Köln")
    done = await client.submit(f"{page}/household/invite", person, form_page=page)
    assert done.status_code == 303
    assert [mail["To"] for mail in await deliver()] == ["petra@pflege.example"]
