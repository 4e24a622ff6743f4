"""Invitations: who may invite whom, a dialog with a bad address sends nothing, a failing
contact leaves the others invited, resend and revoke, the first information's module."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tenant_app.files.storage import storage_for
from tenant_app.models.accounts import AccountLink, User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.engagement import Invitation, InvitationBatch
from tenant_app.models.folders import CustomerAccess, Document
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import invitations, invitations_batch, invitations_records
from tenant_app.services.invitations import InviteOptions
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, link_in
from tests.folder_helpers import add_document
from tests.web.test_invitations import invite, make_contact, run_batches


async def _report(client: Any, location: str) -> str:
    return (await client.get(location)).text


async def _limited_staff(tenant: Any, passwords: Any) -> User:
    with tenant_scope(tenant.tenant.id):
        return await User.create(
            kind="staff",
            role="mitarbeiter",
            username="sina.staff",
            email="sina@alpha.example",
            first_name="Sina",
            last_name="Staff",
            password_hash=await passwords.hash(ADMIN_PASSWORD),
            manages_contacts=True,
            sees_all_contacts=False,
        )


async def test_contacts_of_another_tenant_or_invisible_ones_are_never_invited(
    client_for, tenant, other_tenant, settings, passwords, smtp
) -> None:
    mine = await make_contact(tenant, "Mia", "Meier", "mia@kunde.example")
    hidden = await make_contact(tenant, "Hans", "Hidden", "hans@kunde.example")
    foreign = await make_contact(other_tenant, "Fritz", "Fremd", "fritz@kunde.example")
    sina = await _limited_staff(tenant, passwords)
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=mine.id, user_id=sina.id)
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")

    dialog = await staff.get(
        f"/staff/invitations/new?contact_id={mine.id}&contact_id={hidden.id}"
        f"&contact_id={foreign.id}"
    )
    assert "Meier, Mia" in dialog.text
    assert "Hidden" not in dialog.text and "Fremd" not in dialog.text
    started = await invite(staff, [mine.id, hidden.id, foreign.id])
    assert started.status_code == 303
    await run_batches(settings)
    report = await _report(staff, started.headers["location"])
    assert 'id="count-invited">1<' in report and 'id="count-failed">2<' in report
    assert "Hidden" not in report and "Fremd" not in report
    with tenant_scope(tenant.tenant.id):
        assert await User.filter(contact_id=hidden.id).count() == 0
        batch_id = (await InvitationBatch.first()).id
    with tenant_scope(other_tenant.tenant.id):
        assert await User.filter(contact_id=foreign.id).count() == 0

    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    assert (await beta.get(f"/staff/invitations/{batch_id}")).status_code == 404
    panel = await staff.get(f"/staff/contacts/{hidden.id}/invitation")
    assert panel.status_code == 404
    resend = await staff.submit(
        f"/staff/contacts/{hidden.id}/invitation/resend", form_page="/staff/contacts"
    )
    assert resend.status_code == 404


async def test_customer_cannot_reach_invitations(client_for, tenant, passwords, settings) -> None:
    from tests.conftest import make_customer

    contact = await make_customer(tenant, passwords)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    assert (await customer.get("/staff/invitations/new")).status_code in (403, 404)
    assert (await customer.get(f"/staff/contacts/{contact.id}/invitation")).status_code in (
        403,
        404,
    )


async def test_a_bad_address_in_the_dialog_is_marked_and_nothing_is_sent(
    client, tenant, settings, smtp
) -> None:
    taken = await make_contact(tenant, "Tina", "Taken", "tina@kunde.example")
    ben = await make_contact(tenant, "Ben", "Bauer")
    eva = await make_contact(tenant, "Eva", "Ernst")
    await client.log_in("alpha-admin")
    ids = [taken.id, ben.id, eva.id]
    refused = await invite(
        client, ids, **{f"email_{ben.id}": "not-an-address", f"email_{eva.id}": taken.email}
    )
    assert refused.status_code == 422
    assert f'id="f-email_{ben.id}-error"' in refused.text
    assert f'id="f-email_{eva.id}-error"' in refused.text
    assert 'value="not-an-address"' in refused.text  # what was typed stays
    no_category = await invite(client, [taken.id], categories=[])
    assert no_category.status_code == 422 and 'id="f-categories-error"' in no_category.text
    with tenant_scope(tenant.tenant.id):
        assert await InvitationBatch.all().count() == 0
        assert await User.filter(kind="customer").count() == 0
        assert (await Contact.get(id=ben.id)).email == ""


async def test_one_failing_contact_leaves_the_others_invited(
    client, tenant, settings, smtp, monkeypatch
) -> None:
    people = [
        await make_contact(tenant, f"P{i}", f"Person{i}", f"p{i}@kunde.example") for i in range(3)
    ]
    real = invitations.share

    async def failing(actor, contact_id, options, **kwargs):  # type: ignore[no-untyped-def]
        if contact_id == people[1].id:
            raise RuntimeError("disk on fire")
        return await real(actor, contact_id, options, **kwargs)

    monkeypatch.setattr(invitations, "share", failing)
    await client.log_in("alpha-admin")
    started = await invite(client, [p.id for p in people])
    await run_batches(settings)
    report = await _report(client, started.headers["location"])
    assert 'id="count-invited">2<' in report and 'id="count-failed">1<' in report
    assert "unerwarteter Fehler" in report
    with tenant_scope(tenant.tenant.id):
        assert await User.filter(contact_id=people[1].id).count() == 0  # nothing of it stays
        assert await Document.filter(contact_id=people[1].id).count() == 0
        assert await Invitation.all().count() == 2
        assert await OutboxMail.filter(kind="invitation").count() == 2


async def test_resend_and_revoke(client, client_for, tenant, settings, deliver) -> None:
    mia = await make_contact(tenant, "Mia", "Meier", "mia@kunde.example")
    await client.log_in("alpha-admin")
    await invite(client, [mia.id])
    await run_batches(settings)
    first = (await deliver())[-1]
    page = f"/staff/contacts/{mia.id}"
    panel = await client.get(f"{page}/invitation")
    assert 'id="invitation-revoke"' in panel.text
    resent = await client.submit(f"{page}/invitation/resend", form_page=page)
    assert resent.status_code == 303 and "invitation_resent" in resent.headers["location"]
    second = (await deliver())[-1]
    assert link_in(first) != link_in(second)
    customer = client_for(tenant.hostname)
    old = await customer.get(urlsplit(link_in(first)).path)
    assert "Passwort" in old.text and 'name="pin"' not in old.text  # the old link is dead

    revoked = await client.submit(f"{page}/invitation/revoke", form_page=page)
    assert revoked.status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert (await Invitation.get(contact_id=mia.id)).revoked_at is not None
        user = await User.get(contact_id=mia.id)
        assert user.password_hash is None and user.is_active
        assert await AccountLink.filter(user_id=user.id, used_at=None, revoked_at=None).count() == 0
    dead = await customer.get(urlsplit(link_in(second)).path)
    assert 'name="pin"' not in dead.text
    panel = await client.get(f"{page}/invitation")
    assert 'id="revoked-at"' in panel.text and 'id="invitation-revoke"' not in panel.text


@pytest.mark.parametrize("module_on", [True, False])
async def test_first_information_only_with_its_module(
    client, tenant, settings, deliver, module_on
) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(
        modules="offers,first_information" if module_on else "offers",
        broker_firm_name="Alpha Makler",
        broker_legal_form="GmbH",
        broker_register_number="D-ABCD-1234-56",
        broker_chamber="IHK Köln",
    )
    mia = await make_contact(tenant, "Mia", "Meier", "mia@kunde.example")
    await client.log_in("alpha-admin")
    await invite(client, [mia.id])
    await run_batches(settings)
    mail = (await deliver())[-1]
    from tests.conftest import text_of

    assert ("/portal/documents/" in text_of(mail)) is module_on
    assert "Alpha Makler GmbH" in text_of(mail)
    with tenant_scope(tenant.tenant.id):
        invitation = await Invitation.get(contact_id=mia.id)
        filed = await Document.filter(contact_id=mia.id, category="correspondence").all()
        assert len(filed) == (1 if module_on else 0)
        if module_on:
            assert invitation.first_information_id == filed[0].id
            assert filed[0].folder == "other" and filed[0].shared_with_customer
            assert invitation.mail_id == (await OutboxMail.get(kind="invitation")).id


async def test_a_colleague_who_sees_only_their_contacts_cannot_read_others_batches(
    client, client_for, tenant, settings, passwords, smtp
) -> None:
    mia = await make_contact(tenant, "Mia", "Meier", "mia@kunde.example")
    await _limited_staff(tenant, passwords)
    await client.log_in("alpha-admin")
    started = await invite(client, [mia.id])
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    assert (await staff.get(started.headers["location"])).status_code == 404
    assert (await client.get(started.headers["location"])).status_code == 200


async def test_a_folder_opened_only_for_the_first_information_is_read_only(
    client, tenant, settings, passwords
) -> None:
    """Data share on Sonstige Verträge would let the customer change the broker's contracts
    there: the first information alone opens that folder read-only."""
    anna = await make_contact(tenant, "Anna", "Arndt", "anna@kunde.example")
    await add_document(tenant, settings, anna, title="Police Hausrat", shared=False)
    with tenant_scope(tenant.tenant.id):
        await Document.filter(contact_id=anna.id).update(category="policy")
    await client.log_in("alpha-admin")
    assert (await invite(client, [anna.id])).status_code == 303
    await run_batches(settings)
    with tenant_scope(tenant.tenant.id):
        access = await CustomerAccess.get(contact_id=anna.id)
        letter = await Document.get(contact_id=anna.id, folder="other")
    assert "Erstinformation" in letter.title and letter.shared_with_customer
    assert (access.insurance_unlock, access.insurance_share, access.insurance_readonly) == (
        True,
        True,
        False,
    )
    assert (access.other_unlock, access.other_share, access.other_readonly) == (True, True, True)


async def test_a_contact_erased_while_its_batch_runs_stays_out_of_the_report(
    client, tenant, settings
) -> None:
    """The worker holds the batch in memory between steps: its next step must not write the
    erased contact's line back from there."""
    anna = await make_contact(tenant, "Anna", "Arndt", "anna@kunde.example")
    ben = await make_contact(tenant, "Ben", "Bauer", "ben@kunde.example")
    await client.log_in("alpha-admin")
    assert (await invite(client, [anna.id, ben.id])).status_code == 303
    tokens = enter_tenant(await load_tenant_info(tenant.tenant.id))
    try:
        assert await invitations_batch.claim_next() is not None
        batch = await InvitationBatch.get()
        actor, _language = await invitations_batch._starter(batch)
        assert actor is not None
        options = InviteOptions.from_stored(batch.options)
        store = storage_for(settings)
        await invitations_batch._one(actor, settings, store, batch, options, None)
        assert [line["name"] for line in batch.report] == ["Arndt, Anna"]
        await invitations_records.forget(anna.id)  # erasure's step for batches
        await invitations_batch._one(actor, settings, store, batch, options, None)
        stored = await InvitationBatch.get(id=batch.id)
    finally:
        leave_tenant(tokens)
    assert [line["name"] for line in stored.report] == ["Bauer, Ben"]
