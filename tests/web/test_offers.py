"""Offers in the portal: accepting one (receipt, status, staff told), expiry, double submits,
rights and isolation, asking about one, the validity on the staff form."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from tenant_app.models.activity import Event, Notification
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.conversations import Conversation
from tenant_app.models.engagement import OfferAcceptance
from tenant_app.models.folders import Contract, Document
from tenant_app.models.integration import WebhookDelivery, WebhookEndpoint
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import tenant_cache
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.folder_helpers import add_contract
from tests.web.test_tickets import make_staff

FULL = {"insurance_unlock": True, "insurance_share": True, "communication": True}


async def switch_on(tenant: Any, *modules: str) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(modules=",".join(modules))
    tenant_cache.invalidate()


async def make_offer(tenant: Any, contact: Any, *, valid_until: date | None = None) -> Contract:
    offer = await add_contract(tenant, contact, status="offer", number="A-77")
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=offer.id).update(
            valid_until=valid_until or date.today() + timedelta(days=14)
        )
        return await Contract.get(id=offer.id)


@pytest.fixture
async def world(tenant: Any, passwords: Any, client_for: Any) -> dict[str, Any]:
    return await make_world(tenant, passwords, client_for)


async def make_world(tenant: Any, passwords: Any, client_for: Any) -> dict[str, Any]:
    """The module on; Anna (tickets, insurance) looks after Kai, who may do everything."""
    await switch_on(tenant, "offers")
    anna = await make_staff(
        tenant, passwords, "anna", "Anna", handles_tickets=True, access_insurance="write"
    )
    contact = await make_customer(tenant, passwords, **FULL)
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=contact.id, user_id=anna.id)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    staff = client_for(tenant.hostname)
    await staff.log_in("anna")
    return {"anna": anna, "contact": contact, "customer": customer, "staff": staff}


def _version(page: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', page)
    assert match, page[:2000]
    return match.group(1)


async def test_customer_accepts_an_offer(tenant: Any, world: dict[str, Any]) -> None:
    customer = world["customer"]
    offer = await make_offer(tenant, world["contact"])
    with tenant_scope(tenant.tenant.id):
        await WebhookEndpoint.create(
            url="https://hooks.example/x", secret="s" * 32, event_types=["offer.accepted"]
        )
    folder = await customer.get("/portal/folders/insurance")
    assert f'id="accept-offer-{offer.id}"' in folder.text
    page = await customer.get(f"/portal/offers/{offer.id}/accept")
    assert page.status_code == 200
    assert "A-77" in page.text and "12,50" in page.text
    path = f"/portal/offers/{offer.id}/accept"
    done = await customer.submit(path, {"version": _version(page.text)})
    assert done.status_code == 303, done.text[:2000]
    assert done.headers["location"].startswith("/portal/folders/insurance")
    with tenant_scope(tenant.tenant.id):
        contract = await Contract.get(id=offer.id)
        assert contract.status == "active"
        acceptance = await OfferAcceptance.get(contract_id=offer.id)
        assert "A-77" in acceptance.text and acceptance.new_status == "active"
        receipt = await Document.get(id=acceptance.receipt_id)
        assert receipt.contract_id == offer.id and receipt.shared_with_customer
        event = await Event.get(kind="offer_accepted")
        told = await Notification.filter(event_id=event.id).values_list("user_id", flat=True)
        assert list(told) == [world["anna"].id]
        assert await WebhookDelivery.filter(event_type="offer.accepted").count() == 1
    folder = await customer.get(done.headers["location"])
    assert receipt.title in folder.text
    # a second submit (the same form again) accepts nothing and says why, in the folder
    again = await customer.submit(path, {"version": _version(page.text)}, form_page="/portal")
    assert again.status_code == 303
    assert again.headers["location"] == "/portal/folders/insurance?offer_done=1"
    shown = await customer.get(again.headers["location"])
    assert 'id="offer-closed"' in shown.text
    assert "Dieses Angebot wurde bereits angenommen." in shown.text
    reopened = await customer.get(path)  # the confirmation page again (back button, old link)
    assert reopened.status_code == 303
    assert reopened.headers["location"] == "/portal/folders/insurance?offer_done=1"
    with tenant_scope(tenant.tenant.id):
        assert await OfferAcceptance.filter(contract_id=offer.id).count() == 1
        assert await Document.filter(contract_id=offer.id).count() == 1  # one receipt
        assert await Event.filter(kind="offer_accepted").count() == 1


async def test_offer_changed_by_staff_is_no_longer_open(tenant: Any, world: dict[str, Any]) -> None:
    customer = world["customer"]
    offer = await make_offer(tenant, world["contact"])
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=offer.id).update(status="active")
    path = f"/portal/offers/{offer.id}/accept"
    opened = await customer.get(path)
    assert opened.status_code == 303
    posted = await customer.submit(path, {"version": str(offer.version)}, form_page="/portal")
    assert posted.headers["location"] == "/portal/folders/insurance?offer_closed=1"
    shown = await customer.get(posted.headers["location"])
    assert "Dieses Angebot ist nicht mehr offen." in shown.text
    with tenant_scope(tenant.tenant.id):
        assert not await OfferAcceptance.exists()
        assert (await Contract.get(id=offer.id)).status == "active"


async def test_customer_cannot_change_an_offer_and_accept_their_own_terms(
    tenant: Any, world: dict[str, Any]
) -> None:
    """With data share a customer may edit the broker's contracts, but never an offer."""
    customer = world["customer"]
    offer = await make_offer(tenant, world["contact"])
    other = await add_contract(tenant, world["contact"], number="B-1")  # editable as before
    folder = await customer.get("/portal/folders/insurance")
    assert f'href="/portal/contracts/{offer.id}"' not in folder.text
    assert f'action="/portal/contracts/{offer.id}/delete"' not in folder.text
    assert f'href="/portal/contracts/{other.id}"' in folder.text
    edit = f"/portal/contracts/{offer.id}"
    assert (await customer.get(edit)).status_code == 403
    values = {
        "product_line": "Hausrat",
        "insurer": offer.insurer_name,
        "insurance_number": "A-77",
        "gross_premium": "1,00",
        "payment_frequency": "monthly",
        "version": str(offer.version),
    }
    refused = await customer.submit(edit, values, form_page="/portal/folders/insurance")
    assert refused.status_code == 403
    deleted = await customer.submit(f"{edit}/delete", form_page="/portal/folders/insurance")
    assert deleted.status_code == 403
    with tenant_scope(tenant.tenant.id):
        kept = await Contract.get(id=offer.id)
        assert kept.gross_premium == offer.gross_premium and kept.version == offer.version
        assert kept.status == "offer" and kept.deleted_at is None
    page = await customer.get(f"/portal/offers/{offer.id}/accept")
    assert "12,50" in page.text and "1,00" not in page.text
    done = await customer.submit(
        f"/portal/offers/{offer.id}/accept", {"version": _version(page.text)}
    )
    assert done.status_code == 303
    with tenant_scope(tenant.tenant.id):
        acceptance = await OfferAcceptance.get(contract_id=offer.id)
        assert "12,50" in acceptance.text and "1,00" not in acceptance.text


async def test_customer_cannot_make_an_offer(tenant: Any, world: dict[str, Any]) -> None:
    customer = world["customer"]
    form = "/portal/folders/insurance/contracts/new"
    values = {"status": "offer", "product_line": "Hausrat", "insurance_number": "C-1"}
    with tenant_scope(tenant.tenant.id):
        from tenant_app.models.folders import Insurer

        insurer = await Insurer.filter(name__startswith="Condor").first()
    values["insurer"] = insurer.name if insurer else "Condor"
    made = await customer.submit("/portal/folders/insurance/contracts", values, form_page=form)
    assert made.status_code == 303, made.text[:2000]
    with tenant_scope(tenant.tenant.id):
        contract = await Contract.get(insurance_number="C-1")
        assert contract.status == "start" and contract.created_by_customer
    path = f"/portal/contracts/{contract.id}"
    changed = await customer.submit(path, {**values, "version": str(contract.version)})
    assert changed.status_code == 303, changed.text[:2000]
    with tenant_scope(tenant.tenant.id):
        assert (await Contract.get(id=contract.id)).status == "start"


async def test_double_submit_in_one_moment_accepts_once(tenant: Any, world: dict[str, Any]) -> None:
    customer = world["customer"]
    offer = await make_offer(tenant, world["contact"])
    page = await customer.get(f"/portal/offers/{offer.id}/accept")
    version = _version(page.text)
    path = f"/portal/offers/{offer.id}/accept"
    first = await customer.submit(path, {"version": version})
    assert first.status_code == 303
    with tenant_scope(tenant.tenant.id):  # as if the second request had loaded it before
        await Contract.filter(id=offer.id).update(status="offer")
    second = await customer.submit(path, {"version": version}, form_page="/portal")
    assert second.status_code == 422
    assert 'id="offer-error"' in second.text
    with tenant_scope(tenant.tenant.id):
        assert await OfferAcceptance.filter(contract_id=offer.id).count() == 1


async def test_expired_offer_is_refused(tenant: Any, world: dict[str, Any]) -> None:
    customer = world["customer"]
    offer = await make_offer(tenant, world["contact"], valid_until=date.today() - timedelta(days=2))
    page = await customer.get(f"/portal/offers/{offer.id}/accept")
    assert 'id="offer-expired"' in page.text and 'id="accept-form"' not in page.text
    refused = await customer.submit(
        f"/portal/offers/{offer.id}/accept", {"version": str(offer.version)}, form_page="/portal"
    )
    assert refused.status_code == 422
    assert 'id="offer-error"' in refused.text
    with tenant_scope(tenant.tenant.id):
        assert (await Contract.get(id=offer.id)).status == "offer"
        assert not await OfferAcceptance.exists()


async def test_read_only_customer_sees_but_cannot_accept(
    tenant: Any, passwords: Any, world: dict[str, Any], client_for: Any
) -> None:
    await switch_on(tenant, "offers")
    reader = await make_customer(
        tenant, passwords, email="rita@kunde.example", insurance_readonly=True
    )
    offer = await make_offer(tenant, reader)
    client = client_for(tenant.hostname)
    await client.log_in("rita", CUSTOMER_PASSWORD)
    page = await client.get(f"/portal/offers/{offer.id}/accept")
    assert page.status_code == 200 and 'id="offer-read-only"' in page.text
    refused = await client.submit(
        f"/portal/offers/{offer.id}/accept", {"version": "1"}, form_page="/portal"
    )
    assert refused.status_code == 403
    with tenant_scope(tenant.tenant.id):
        assert (await Contract.get(id=offer.id)).status == "offer"


async def test_offers_of_others_are_not_found(
    tenant: Any, other_tenant: Any, passwords: Any, world: dict[str, Any], client_for: Any
) -> None:
    customer = world["customer"]
    stranger = await make_customer(tenant, passwords, email="sven@kunde.example", **FULL)
    theirs = await make_offer(tenant, stranger)
    locked = await make_customer(tenant, passwords, email="lea@kunde.example")  # no rights
    hidden = await make_offer(tenant, locked)
    await switch_on(other_tenant, "offers")
    elsewhere = await make_customer(other_tenant, passwords, **FULL)
    foreign = await make_offer(other_tenant, elsewhere)
    for offer in (theirs, foreign):
        for suffix in ("accept", "question"):
            assert (await customer.get(f"/portal/offers/{offer.id}/{suffix}")).status_code == 404
    lea = client_for(tenant.hostname)
    await lea.log_in("lea", CUSTOMER_PASSWORD)
    assert (await lea.get(f"/portal/offers/{hidden.id}/accept")).status_code == 404
    posted = await lea.submit(
        f"/portal/offers/{hidden.id}/accept", {"version": "1"}, form_page="/portal"
    )
    assert posted.status_code == 404


async def test_module_off_hides_offers(tenant: Any, world: dict[str, Any]) -> None:
    offer = await make_offer(tenant, world["contact"])
    await switch_on(tenant)
    customer = world["customer"]
    assert (await customer.get(f"/portal/offers/{offer.id}/accept")).status_code == 404
    assert (await customer.get("/portal/offers")).status_code == 404
    folder = await customer.get("/portal/folders/insurance")
    assert f'id="accept-offer-{offer.id}"' not in folder.text


async def test_asking_about_an_offer_opens_a_linked_ticket(
    tenant: Any, world: dict[str, Any]
) -> None:
    customer, staff = world["customer"], world["staff"]
    offer = await make_offer(tenant, world["contact"])
    form = await customer.get(f"/portal/offers/{offer.id}/question")
    assert form.status_code == 200 and "Hausrat" in form.text
    path = f"/portal/offers/{offer.id}/question"
    empty = await customer.submit(path, {"staff_id": str(world["anna"].id), "subject": "F"})
    assert empty.status_code == 422 and 'id="f-body-error"' in empty.text
    sent = await customer.submit(
        path, {"staff_id": str(world["anna"].id), "subject": "Frage", "body": "Gilt das ab 1.1.?"}
    )
    assert sent.status_code == 303
    with tenant_scope(tenant.tenant.id):
        ticket = await Conversation.get(contract_id=offer.id)
    page = await staff.get(f"/staff/tickets/{ticket.id}")
    assert page.status_code == 200 and 'id="ticket-offer-link"' in page.text


async def test_staff_form_checks_the_validity(tenant: Any, world: dict[str, Any]) -> None:
    staff, contact = world["staff"], world["contact"]
    path = f"/staff/contacts/{contact.id}/folders/insurance/contracts/new"
    form = await staff.get(path)
    assert form.status_code == 200 and 'id="f-valid_until"' in form.text
    values = {
        "status": "offer",
        "product_line": "Hausrat",
        "insurer": "Condor Allgemeine Versicherungs-AG",
        "insurance_number": "A-1",
        "valid_until": (date.today() - timedelta(days=1)).strftime("%d.%m.%Y"),
    }
    with tenant_scope(tenant.tenant.id):
        from tenant_app.models.folders import Insurer

        insurer = await Insurer.filter(name__startswith="Condor").first()
        values["insurer"] = insurer.name if insurer else "Condor"
    action = f"/staff/contacts/{contact.id}/folders/insurance/contracts"
    refused = await staff.submit(action, values, form_page=path)
    assert refused.status_code == 422 and 'id="f-valid_until-error"' in refused.text
    values["valid_until"] = "kein Datum"
    refused = await staff.submit(action, values, form_page=path)
    assert refused.status_code == 422 and 'id="f-valid_until-error"' in refused.text
    with tenant_scope(tenant.tenant.id):
        assert not await Contract.filter(status="offer").exists()
    values["valid_until"] = (date.today() + timedelta(days=30)).strftime("%d.%m.%Y")
    saved = await staff.submit(action, values, form_page=path)
    assert saved.status_code == 303, saved.text[:3000]
    with tenant_scope(tenant.tenant.id):
        offer = await Contract.get(status="offer")
        assert offer.valid_until == date.today() + timedelta(days=30)


async def du_walk(walk: Any, kai: Any) -> None:
    """For the Du tenant's walk (test_du_tenant.py): the offers pages and actions, with their
    confirmations and errors (the module switched on for it)."""
    tenant = await Tenant.get(id=walk.tenant_id)
    modules = [name for name in tenant.modules.split(",") if name]
    await Tenant.filter(id=walk.tenant_id).update(modules=",".join([*modules, "offers"]))
    tenant_cache.invalidate()
    with tenant_scope(walk.tenant_id):
        from tenant_app.models.contacts import Contact

        contact = await Contact.get(email="kai@kunde.example")
    holder = type("T", (), {"tenant": tenant})
    offer = await make_offer(holder, contact)
    expired = await make_offer(holder, contact, valid_until=date.today() - timedelta(days=1))
    await walk.get(kai, "/portal/offers")
    request = "/portal/offers/request"
    await walk.get(kai, request)
    await walk.post(kai, request, 422, {"product_line": "x", "description": ""}, files={})
    await walk.post(kai, request, 303, {"product_line": "kfz", "description": "Auto"}, files={})
    accept = f"/portal/offers/{offer.id}/accept"
    await walk.get(kai, accept)
    await walk.get(kai, f"/portal/offers/{expired.id}/accept")
    await walk.post(kai, f"/portal/offers/{expired.id}/accept", 422, {"version": "1"})
    question = f"/portal/offers/{offer.id}/question"
    await walk.get(kai, question)
    await walk.post(kai, question, 422, {"subject": "Frage", "body": ""}, files={})
    await walk.post(kai, question, 303, {"subject": "Frage", "body": "Ab wann?"}, files={})
    await walk.post(kai, accept, 303, {"version": str(offer.version)})


async def test_open_offers_lead_the_folder_while_the_module_is_on(
    tenant: Any, world: dict[str, Any]
) -> None:
    customer = world["customer"]
    offer = await make_offer(tenant, world["contact"])
    newer = await add_contract(tenant, world["contact"], number="B-2")  # newest: first otherwise
    folder = (await customer.get("/portal/folders/insurance")).text
    assert folder.index(f'id="contract-{offer.id}"') < folder.index(f'id="contract-{newer.id}"')
    await switch_on(tenant)  # no offers module: the folder's own order, newest first
    folder = (await customer.get("/portal/folders/insurance")).text
    assert folder.index(f'id="contract-{newer.id}"') < folder.index(f'id="contract-{offer.id}"')
