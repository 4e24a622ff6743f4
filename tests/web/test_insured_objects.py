"""Insured objects (Versicherte Objekte) as staff work with them: added on the contact's page
with the product line's typed data, a name made of them, edited only at the version loaded,
recorded as not insured when the customer declines (and reopened); the reminder to ask the
customer about insurance when the firm's active interface reminds and insures the object;
an insured object's contract and its papers; its applications."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tenant_app.models.activity import Event
from tenant_app.models.folders import Document
from tenant_app.models.interfaces import InsuredObject, InsurerAccount, InterfaceApplication
from tenant_app.models.scoping import tenant_scope
from tenant_app.plugins import InsurerPlugin, ObjectKind, Step
from tenant_app.security.credentials import seal
from tenant_app.services import insured_objects, insurer_plugins
from tenant_app.text.formatting import local_today
from tests.case_helpers import actor, in_tenant, staff_member
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import add_contract, add_document
from tests.html_forms import form_fields

EBIKE = {
    "product_line": "fahrrad",
    "label": "",
    "attributes.object_type": "ebike",
    "attributes.make": "Riese & Müller",
    "attributes.model": "Charger4",
    "attributes.frame_number": "WRM-12345",
    "attributes.price": "4.999,00",
    "attributes.purchase_date": "2026-11-20",
}
STORED_EBIKE = {
    "object_type": "ebike",
    "make": "Riese & Müller",
    "model": "Charger4",
    "frame_number": "WRM-12345",
    "price": "4999.00",
    "purchase_date": "2026-11-20",
}
LABEL = "E-Bike · Riese & Müller Charger4"


class VeloCover(InsurerPlugin):
    """A plug-in of the tests only: insures e-bikes (no bikes, no batteries); never called."""

    key = "velo"
    insurer_name = "Velo Schutz Versicherung AG"
    object_kinds = (ObjectKind("fahrrad", "object_type", ("ebike",)),)
    steps = (Step("check", {"de": "Prüfen"}, kind="review"),)

    async def quote(self, ctx: Any, application: Any) -> Any:
        raise NotImplementedError

    async def submit(self, ctx: Any, application: Any) -> Any:
        raise NotImplementedError

    async def finalize(self, ctx: Any, application: Any) -> Any:
        raise NotImplementedError

    async def fetch_document(self, ctx: Any, policy: Any, document: Any) -> Any:
        raise NotImplementedError


@pytest.fixture
def velo(monkeypatch) -> VeloCover:
    plugin = VeloCover()
    monkeypatch.setattr(insurer_plugins, "installed", lambda: {plugin.key: plugin})
    return plugin


async def online_account(tenant, settings, *, active=True, remind=True, entered=True) -> None:
    """The firm's online account with Velo: switched on (or not), reminding (or not), with
    credentials entered (or not)."""
    tenant_id = tenant.tenant.id
    sealed = seal(settings.credential_keys(), tenant_id, "velo", {"user": "makler", "pw": "x"})
    with tenant_scope(tenant_id):
        await InsurerAccount.create(
            plugin="velo",
            is_active=active,
            remind_on_new_object=remind,
            sealed_credentials=sealed if entered else "",
        )


@pytest.fixture
async def contact(tenant, passwords):
    return await make_customer(tenant, passwords, insurance_share=True)


@pytest.fixture
async def admin(client):
    await client.log_in("alpha-admin")
    return client


def _error(page: str, field: str) -> str:
    found = re.search(rf'id="f-{re.escape(field)}-error">([^<]*)<', page)
    assert found, f"no error next to {field}"
    return html.unescape(found.group(1))


async def add_ebike(client, contact, **changes: str) -> int:
    """An e-bike added through the form; the object's id."""
    new = f"/staff/contacts/{contact.id}/objects/new?product_line=fahrrad"
    added = await client.submit(
        f"/staff/contacts/{contact.id}/objects/new", {**EBIKE, **changes}, form_page=new
    )
    assert added.status_code == 303, added.text[:2000]
    location = added.headers["location"]
    assert location.endswith("?created=1")
    return int(location.split("?")[0].rsplit("/", 1)[1])


async def test_staff_add_an_ebike_on_the_contact_page_and_find_it_there(
    admin, tenant, contact
) -> None:
    page = await admin.get(f"/staff/contacts/{contact.id}")
    assert 'id="contact-objects"' in page.text and 'id="no-objects"' in page.text
    assert f'href="/staff/contacts/{contact.id}/objects/new"' in page.text
    form = await admin.get(f"/staff/contacts/{contact.id}/objects/new?product_line=fahrrad")
    for name in ("object_type", "make", "model", "frame_number", "price", "purchase_date"):
        assert f'name="attributes.{name}"' in form.text
    object_id = await add_ebike(admin, contact)
    with tenant_scope(tenant.tenant.id):
        found = await InsuredObject.get(id=object_id)
        event = await Event.get(kind="object_added")
    assert (found.product_line, found.label, found.attributes) == ("fahrrad", LABEL, STORED_EBIKE)
    assert (found.insurance_state, found.contact_id, found.version) == ("open", contact.id, 1)
    assert (event.object_type, event.object_id, event.title) == ("insured_object", found.id, LABEL)
    shown = html.unescape((await admin.get(f"/staff/objects/{object_id}?created=1")).text)
    assert "Das versicherte Objekt wurde angelegt." in shown
    assert "Rahmennummer</dt><dd>WRM-12345" in shown and "Kaufdatum</dt><dd>20.11.2026" in shown
    assert 'id="object-state">Offen<' in shown and 'id="no-applications"' in shown
    listed = html.unescape((await admin.get(f"/staff/contacts/{contact.id}")).text)
    assert f'<a href="/staff/objects/{object_id}">{LABEL}</a>' in listed
    assert 'class="chip chip--start">Offen<' in listed


async def test_a_name_entered_is_kept_and_another_line_shows_its_own_fields(
    admin, tenant, contact
) -> None:
    object_id = await add_ebike(admin, contact, label="Lenas Pendler-Rad")
    with tenant_scope(tenant.tenant.id):
        assert (await InsuredObject.get(id=object_id)).label == "Lenas Pendler-Rad"
    new = f"/staff/contacts/{contact.id}/objects/new"
    fragment = await admin.get(f"{new}?product_line=kfz", headers={"HX-Request": "true"})
    assert 'name="attributes.registration"' in fragment.text and "<html" not in fragment.text
    assert 'name="product_line" value="kfz"' in fragment.text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"attributes.make": ""}, "attributes.make", "Dieses Feld ist ein Pflichtfeld."),
        ({"attributes.price": "viel"}, "attributes.price", "Bitte geben Sie eine Zahl ein"),
        ({"attributes.purchase_date": "31.02.2026"}, "attributes.purchase_date", "gültiges Datum"),
        ({"attributes.frame_number": "#!"}, "attributes.frame_number", "Bindestriche"),
        ({"attributes.object_type": "roller"}, "attributes.object_type", "Bitte wählen Sie"),
        ({"label": "x" * 201}, "label", "höchstens 200 Zeichen"),
        ({"product_line": "raumfahrt"}, "product_line", "Bitte wählen Sie eine Sparte"),
    ],
)
async def test_bad_input_is_refused_next_to_the_field_and_nothing_is_stored(
    admin, tenant, contact, changes, field, message
) -> None:
    new = f"/staff/contacts/{contact.id}/objects/new"
    refused = await admin.submit(new, {**EBIKE, **changes}, form_page=new)
    assert refused.status_code == 422
    assert message in _error(refused.text, field)
    if field != "product_line":
        assert 'value="WRM-12345"' in refused.text or field == "attributes.frame_number"
    with tenant_scope(tenant.tenant.id):
        assert await InsuredObject.all().count() == 0
        assert not await Event.filter(kind="object_added").exists()


async def test_an_edit_saves_at_the_version_loaded_and_a_stale_one_is_refused(
    admin, tenant, contact, client_for
) -> None:
    object_id = await add_ebike(admin, contact)
    edit = f"/staff/objects/{object_id}/edit"
    loaded = form_fields((await admin.get(edit)).text, edit)
    assert loaded["label"] == ""  # the name made of the data: made again when they change
    assert loaded["attributes.price"] == "4999,00" and loaded["version"] == "1"
    colleague = client_for(tenant.hostname)
    await colleague.log_in("alpha-admin")
    first = await colleague.submit(edit, {**loaded, "attributes.model": "Charger4 GT"})
    assert first.status_code == 303
    stale = await admin.submit(edit, {**loaded, "attributes.price": "5.200"})
    assert stale.status_code == 409
    assert "Jetzt gespeichert: Charger4 GT" in _error(stale.text, "attributes.model")
    assert 'value="5.200"' in stale.text  # the input stays, with the version stored now
    with tenant_scope(tenant.tenant.id):
        found = await InsuredObject.get(id=object_id)
    assert (found.label, found.attributes["price"], found.version) == (
        "E-Bike · Riese & Müller Charger4 GT",
        "4999.00",
        2,
    )
    again = form_fields(stale.text, edit)
    assert again["version"] == "2"
    saved = await admin.submit(edit, {**again, "label": "Dienstrad"})
    assert saved.status_code == 303
    with tenant_scope(tenant.tenant.id):
        found = await InsuredObject.get(id=object_id)
        edited = await Event.filter(kind="object_edited").order_by("id")
    assert (found.label, found.attributes["price"], found.version) == ("Dienstrad", "5200.00", 3)
    assert edited[-1].changes["label"] == ["E-Bike · Riese & Müller Charger4 GT", "Dienstrad"]


async def test_a_declined_object_shows_not_insured_and_can_be_reopened(
    admin, tenant, contact
) -> None:
    object_id = await add_ebike(admin, contact)
    page = f"/staff/objects/{object_id}"
    declined = await admin.submit(f"{page}/decline", {"version": "1"}, form_page=page)
    assert declined.status_code == 303
    shown = html.unescape((await admin.get(page)).text)
    assert 'id="object-state">Nicht versichert<' in shown
    today = local_today().strftime("%d.%m.%Y")  # the broker's day, as the page shows it
    assert today in shown[shown.index('id="object-declined"') :][:200]
    listed = html.unescape((await admin.get(f"/staff/contacts/{contact.id}")).text)
    assert 'class="chip chip--neutral">Nicht versichert<' in listed
    with tenant_scope(tenant.tenant.id):
        found = await InsuredObject.get(id=object_id)
        assert await Event.filter(kind="object_declined", object_id=object_id).exists()
    assert found.insurance_state == "declined" and found.declined_at is not None
    again = await admin.submit(f"{page}/decline", {"version": "2"}, form_page=page)
    assert again.status_code == 422  # declined already: nothing changes
    stale = await admin.submit(f"{page}/reopen", {"version": "1"}, form_page=page)
    assert stale.status_code == 409 and 'id="object-state">Nicht versichert<' in stale.text
    reopened = await admin.submit(f"{page}/reopen", {"version": "2"}, form_page=page)
    assert reopened.status_code == 303
    with tenant_scope(tenant.tenant.id):
        found = await InsuredObject.get(id=object_id)
    assert (found.insurance_state, found.declined_at, found.version) == ("open", None, 3)


async def test_the_reminder_needs_an_active_reminding_interface_that_insures_the_object(
    admin, tenant, settings, contact, velo
) -> None:
    ebike = await add_ebike(admin, contact)
    bike = await add_ebike(admin, contact, **{"attributes.object_type": "bike"})
    reminder = 'id="insurance-reminder"'
    # no online account: nothing to apply through
    page = (await admin.get(f"/staff/objects/{ebike}")).text
    assert reminder not in page and 'id="apply-velo"' not in page
    assert 'id="decline-object"' in page  # declining needs no interface
    await online_account(tenant, settings, active=False)
    assert reminder not in (await admin.get(f"/staff/objects/{ebike}")).text
    with tenant_scope(tenant.tenant.id):
        await InsurerAccount.filter(plugin="velo").update(is_active=True)
    shown = html.unescape((await admin.get(f"/staff/objects/{ebike}")).text)
    assert reminder in shown and "Kunden nach Versicherungswunsch fragen" in shown
    assert f'action="/staff/objects/{ebike}/apply"' in shown
    assert 'name="plugin" value="velo"' in shown
    assert "Über Velo Schutz Versicherung AG beantragen" in shown
    assert "Kunde möchte nicht versichern" in shown
    # Velo insures no plain bikes: no reminder, no application there
    plain = (await admin.get(f"/staff/objects/{bike}")).text
    assert reminder not in plain and 'id="apply-velo"' not in plain
    # the reminder off: the interface is still offered, without the reminder
    with tenant_scope(tenant.tenant.id):
        await InsurerAccount.filter(plugin="velo").update(remind_on_new_object=False)
    offered = html.unescape((await admin.get(f"/staff/objects/{ebike}")).text)
    assert reminder not in offered and 'id="apply-velo"' in offered
    assert "Versicherung beantragen bei Velo Schutz Versicherung AG" in offered


async def test_no_reminder_without_credentials_once_applied_or_once_declined(
    admin, tenant, settings, contact, velo
) -> None:
    ebike = await add_ebike(admin, contact)
    await online_account(tenant, settings, entered=False)
    assert 'id="insurance-reminder"' not in (await admin.get(f"/staff/objects/{ebike}")).text
    with tenant_scope(tenant.tenant.id):
        sealed = seal(settings.credential_keys(), tenant.tenant.id, "velo", {"user": "m"})
        await InsurerAccount.filter(plugin="velo").update(sealed_credentials=sealed)
    assert 'id="insurance-reminder"' in (await admin.get(f"/staff/objects/{ebike}")).text
    page = f"/staff/objects/{ebike}"
    await admin.submit(f"{page}/decline", {"version": "1"}, form_page=page)
    declined = (await admin.get(page)).text
    assert 'id="insurance-reminder"' not in declined and 'id="apply-velo"' not in declined
    await admin.submit(f"{page}/reopen", {"version": "2"}, form_page=page)
    with tenant_scope(tenant.tenant.id):
        await InterfaceApplication.create(
            plugin="velo", contact_id=contact.id, insured_object_id=ebike, idempotency_key="k-1"
        )
    applied = html.unescape((await admin.get(page)).text)
    assert 'id="insurance-reminder"' not in applied and 'id="apply-velo"' in applied
    assert "Velo Schutz Versicherung AG" in applied and "Entwurf" in applied
    with tenant_scope(tenant.tenant.id):
        application = await InterfaceApplication.get(insured_object_id=ebike)
    assert f'href="/staff/applications/{application.id}"' in applied


async def test_an_insured_object_names_its_contract_and_lists_the_policy_papers(
    admin, tenant, settings, contact, client_for
) -> None:
    object_id = await add_ebike(admin, contact)
    contract = await add_contract(tenant, contact, number="RS-P-000001")
    await add_document(tenant, settings, contact, contract=contract, title="Versicherungsschein")
    async with in_tenant(tenant):
        found = await InsuredObject.get(id=object_id)
        await insured_objects.mark_insured(found, contract, actor=await actor("alpha-admin"))
        document = await Document.get(title="Versicherungsschein")
    shown = html.unescape((await admin.get(f"/staff/objects/{object_id}")).text)
    assert 'id="object-state">Versichert<' in shown
    folder = f"/staff/contacts/{contact.id}/folders/insurance#contract-{contract.id}"
    assert f'href="{folder}"' in shown
    assert f'href="/staff/documents/{document.id}/download"' in shown
    assert 'id="decline-object"' not in shown  # an insured object is not declined
    listed = html.unescape((await admin.get(f"/staff/contacts/{contact.id}")).text)
    assert f'href="{folder}">Versichert' in listed
    with tenant_scope(tenant.tenant.id):
        found = await InsuredObject.get(id=object_id)
    assert (found.insurance_state, found.contract_id, found.version) == ("insured", contract.id, 2)
    kai = client_for(tenant.hostname)  # the customer's contract names what it insures
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    folder_page = html.unescape((await kai.get("/portal/folders/insurance")).text)
    assert f'id="insured-object-{contract.id}">{LABEL}<' in folder_page
    assert "Versichertes Objekt" in folder_page


async def test_staff_who_only_read_the_insurance_folder_see_objects_but_change_nothing(
    admin, tenant, passwords, contact, client_for
) -> None:
    object_id = await add_ebike(admin, contact)
    await staff_member(tenant, passwords, "rita", sees_all_contacts=True, access_insurance="read")
    rita = client_for(tenant.hostname)
    await rita.log_in("rita")
    page = await rita.get(f"/staff/objects/{object_id}")
    assert page.status_code == 200 and "Riese &amp; Müller" in page.text
    assert 'id="edit-object"' not in page.text and 'id="decline-object"' not in page.text
    contact_page = await rita.get(f"/staff/contacts/{contact.id}")
    assert f'href="/staff/objects/{object_id}"' in contact_page.text
    assert 'id="new-object"' not in contact_page.text
    await staff_member(tenant, passwords, "olga", sees_all_contacts=True)  # no insurance rights
    olga = client_for(tenant.hostname)
    await olga.log_in("olga")
    assert 'id="contact-objects"' not in (await olga.get(f"/staff/contacts/{contact.id}")).text
