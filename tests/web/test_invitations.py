"""Inviting contacts to the portal: the dialog, the batch and its report, the mail in the
chosen form of address, the sharing, isolation and validation."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.engagement import Invitation
from tenant_app.models.folders import CustomerAccess, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import invitations_batch
from tests.conftest import CUSTOMER_PASSWORD, link_in, make_customer, text_of
from tests.folder_helpers import add_document


async def make_contact(tenant: Any, first: str, last: str, email: str = "", **more: Any) -> Contact:
    with tenant_scope(tenant.tenant.id):
        return await Contact.create(
            first_name=first, last_name=last, email=email, birthdate=date(1980, 5, 17), **more
        )


async def invite(client: Any, ids: list[int], **values: Any) -> Any:
    query = "&".join(f"contact_id={i}" for i in ids)
    form = {
        "contact_ids": ",".join(str(i) for i in ids),
        "share": "categories",
        "categories": ["policy"],
        "address_form": "sie",
        **values,
    }
    return await client.submit(
        "/staff/invitations", form, form_page=f"/staff/invitations/new?{query}"
    )


async def run_batches(settings: Any) -> None:
    await invitations_batch.run_all(settings)


async def batch_report(client: Any, location: str) -> str:
    page = await client.get(location)
    assert page.status_code == 200
    return page.text


async def test_bulk_invite_with_du_filled_in_email_and_skipped_login(
    client, client_for, tenant, settings, deliver, passwords
) -> None:
    anna = await make_contact(tenant, "Anna", "Arndt", "anna@kunde.example")
    ben = await make_contact(tenant, "Ben", "Bauer")  # no e-mail: filled in in the dialog
    kai = await make_customer(tenant, passwords)  # already has a login: skipped
    police = await add_document(tenant, settings, anna, title="Police Hausrat", shared=False)
    invoice = await add_document(tenant, settings, anna, title="Rechnung", shared=True)
    with tenant_scope(tenant.tenant.id):
        await Document.filter(id=invoice.id).update(category="correspondence")
    await client.log_in("alpha-admin")

    dialog = await client.get(
        f"/staff/invitations/new?contact_id={anna.id}&contact_id={ben.id}&contact_id={kai.id}"
    )
    assert dialog.status_code == 200
    assert 'id="f-email_' + str(ben.id) + '"' in dialog.text
    assert 'id="has-login"' in dialog.text and "Kunde, Kai" in dialog.text
    assert re.search(r'id="category-policy"[^>]*checked', dialog.text)  # recommended

    started = await invite(
        client,
        [anna.id, ben.id, kai.id],
        address_form="du",
        **{f"email_{ben.id}": "Ben@Kunde.example"},
    )
    assert started.status_code == 303, started.text[:2000]
    location = started.headers["location"]
    page = await batch_report(client, location)
    assert 'hx-trigger="every 1s"' in page
    await run_batches(settings)
    page = await batch_report(client, location)
    assert 'id="count-invited">2<' in page and 'id="count-skipped">1<' in page
    assert 'id="invitations-done"' in page

    mails = await deliver()
    by_to = {m["To"]: m for m in mails}
    assert set(by_to) == {"anna@kunde.example", "ben@kunde.example"}
    text = text_of(by_to["anna@kunde.example"])
    assert "dein" in text.lower() and " Sie " not in text
    assert "/portal/documents/" in text  # the first information's link
    with tenant_scope(tenant.tenant.id):
        assert (await Contact.get(id=ben.id)).email == "ben@kunde.example"
        assert (await User.get(contact_id=anna.id)).address_form == "du"
        access = await CustomerAccess.get(contact_id=anna.id)
        assert access.insurance_unlock and access.insurance_share and access.other_unlock
        assert (await Document.get(id=police.id)).shared_with_customer
        assert not (await Document.get(id=invoice.id)).shared_with_customer  # not chosen
        invitation = await Invitation.get(contact_id=anna.id)
        assert invitation.mail_id and invitation.first_information_id
        assert await Invitation.filter(contact_id=kai.id).count() == 0

    customer = client_for(tenant.hostname)
    path = urlsplit(link_in(by_to["anna@kunde.example"])).path
    done = await customer.submit(
        path, {"password": CUSTOMER_PASSWORD, "password2": CUSTOMER_PASSWORD, "pin": "17051980"}
    )
    assert done.status_code == 200
    username_mail = (await deliver())[-1]
    assert "dein" in text_of(username_mail).lower()
    with tenant_scope(tenant.tenant.id):
        account = await User.get(contact_id=anna.id)
        assert account.registered_at is not None
    await customer.log_in(account.username, CUSTOMER_PASSWORD)
    folder = await customer.get("/portal/folders/insurance")
    assert "Police Hausrat" in folder.text
    other = await customer.get("/portal/folders/other")
    assert "Erstinformation" in other.text
    download = await customer.get(f"/portal/documents/{invitation.first_information_id}/download")
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    with tenant_scope(tenant.tenant.id):
        opened = await Invitation.get(id=invitation.id)
        assert opened.first_information_opened_at is not None
    panel = await client.get(f"/staff/contacts/{anna.id}/invitation")
    assert (
        'id="registered-at"' in panel.text
        and "noch nicht" not in panel.text.split('id="registered-at"')[1][:80]
    )
