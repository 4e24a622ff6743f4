"""Every use case that matters records one event in the transaction that makes the change, and
notifies exactly the accounts that must hear of it: what customers do reaches their responsible
staff (or, without one, those who manage contacts) who may read the folder; what the broker does
for the customer reaches the customer's login and the household logins managing them, if their
folder shows it; a failed request records nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.folders import Contract, CustomerAccess, Document
from tenant_app.models.households import ContactLink
from tenant_app.models.scoping import tenant_scope
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer, make_tenant
from tests.folder_helpers import PDF_BYTES, add_contract, add_document
from tests.html_forms import form_fields

CONTRACT = {
    "product_line": "Kfz",
    "insurer": "Condor Allgemeine Versicherungs-AG",
    "insurance_number": "KFZ-77",
    "gross_premium": "45,90",
    "payment_frequency": "monthly",
}
JPEG = ("foto.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg")
PDF = ("police.pdf", PDF_BYTES, "application/pdf")


@dataclass
class Seen:
    """An event as a test compares it, with the usernames it notified."""

    kind: str
    actor_kind: str
    contact_id: int | None
    folder: str
    title: str
    changes: dict[str, list[Any]] | None
    told: list[str]


async def recorded(tenant: Any) -> list[Seen]:
    with tenant_scope(tenant.tenant.id):
        names = dict(await User.all().values_list("id", "username"))
        seen = []
        for event in await Event.all().order_by("id"):
            users = await Notification.filter(event_id=event.id).values_list("user_id", flat=True)
            seen.append(
                Seen(
                    event.kind,
                    event.actor_kind,
                    event.contact_id,
                    event.folder,
                    event.title,
                    event.changes,
                    sorted(names[user] for user in users),
                )
            )
        return seen


async def make_staff(tenant: Any, passwords: Any, username: str, **rights: Any) -> User:
    with tenant_scope(tenant.tenant.id):
        return await User.create(
            kind="staff",
            role="mitarbeiter",
            username=username,
            email=f"{username}@{tenant.tenant.slug}.example",
            first_name=username.capitalize(),
            last_name="Staff",
            password_hash=await passwords.hash(ADMIN_PASSWORD),
            **rights,
        )


async def responsible(tenant: Any, contact: Any, *users: User) -> None:
    with tenant_scope(tenant.tenant.id):
        for user in users:
            await ContactResponsible.create(contact_id=contact.id, user_id=user.id)


async def load(client: Any, path: str) -> dict[str, str]:
    page = await client.get(path)
    assert page.status_code == 200, page.text[:300]
    return form_fields(page.text, path)


async def upload(
    client: Any, path: str, form_page: str, fields: dict[str, str], *files: Any
) -> Any:
    token = await client.csrf(form_page)
    parts: list[tuple[str, Any]] = [("csrf_token", (None, token))]
    parts += [(name, (None, value)) for name, value in fields.items()]
    parts += [("file", file) for file in files]
    return await client.post(path, files=parts, headers={"Origin": f"http://{client.host}"})


@pytest.fixture
async def office(tenant, passwords, client_for):
    """Kai's broker contracts are shared with him (insurance: data share). Rita is responsible
    for him and reads insurance; Nora is responsible too but may not read insurance; Mona
    manages contacts (not responsible). Clara is the admin."""
    contact = await make_customer(tenant, passwords, insurance_share=True, finance_unlock=True)
    rita = await make_staff(tenant, passwords, "rita", access_insurance="write")
    nora = await make_staff(tenant, passwords, "nora", access_finance="read")
    await make_staff(tenant, passwords, "mona", manages_contacts=True, access_insurance="read")
    await responsible(tenant, contact, rita, nora)
    customer, admin = client_for(tenant.hostname), client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await admin.log_in("alpha-admin")
    contract = await add_contract(tenant, contact, number="V-1")
    return contact, customer, admin, contract


def title_of(contract: Contract) -> str:
    return f"{contract.product_line} · {contract.insurer_name}"


# --- what the customer does reaches the staff -------------------------------------------------


async def test_customer_edit_of_a_broker_contract_reaches_the_responsible_reader(
    tenant, office
) -> None:
    contact, customer, _admin, contract = office
    path = f"/portal/contracts/{contract.id}"
    form = await load(customer, path)
    saved = await customer.submit(path, {**form, "gross_premium": "15,00", "note": "Neue Bank"})
    assert saved.status_code == 303, saved.text[:300]
    assert await recorded(tenant) == [
        Seen(
            "contract_edited",
            "customer",
            contact.id,
            "insurance",
            title_of(contract),
            {"gross_premium": ["12.50", "15.00"], "note": ["", "Neue Bank"]},
            ["rita"],  # not Nora (no insurance), not Mona nor Clara (Kai has responsibles)
        )
    ]


async def test_an_edit_that_changes_nothing_or_fails_records_nothing(tenant, office) -> None:
    _contact, customer, admin, contract = office
    path = f"/portal/contracts/{contract.id}"
    form = await load(customer, path)
    assert (await customer.submit(path, form)).status_code == 303  # saved unchanged
    form = await load(customer, path)
    invalid = await customer.submit(path, {**form, "gross_premium": "zwölf"})
    assert invalid.status_code in (400, 422)
    staff_path = f"/staff/contacts/{contract.contact_id}/contracts/{contract.id}"
    staff_form = await load(admin, staff_path)
    assert (await admin.submit(staff_path, {**staff_form, "note": "Clara"})).status_code == 303
    stale = await customer.submit(path, {**form, "note": "Kai"})  # Clara saved meanwhile
    assert stale.status_code == 409
    assert [(seen.kind, seen.actor_kind) for seen in await recorded(tenant)] == [
        ("contract_edited", "staff")  # only Clara's
    ]


async def test_customer_adds_deletes_uploads_and_changes_the_profile(
    tenant, passwords, office
) -> None:
    contact, customer, _admin, contract = office
    with tenant_scope(tenant.tenant.id):
        await CustomerAccess.filter(contact_id=contact.id).update(
            profile_visible=True, profile_editable=True
        )
    added = await customer.submit(
        "/portal/folders/insurance/contracts",
        CONTRACT,
        form_page="/portal/folders/insurance/contracts/new",
    )
    assert added.status_code == 303
    deleted = await customer.submit(
        f"/portal/contracts/{contract.id}/delete", form_page="/portal/folders/insurance"
    )
    assert deleted.status_code == 303
    sent = await upload(
        customer,
        "/portal/documents",
        "/portal/folders/insurance",
        {"folder": "insurance", "contract_id": "", "title": ""},
        PDF,
        JPEG,
    )
    assert sent.status_code == 303, sent.text[:300]
    profile = await load(customer, "/portal/profile")
    saved = await customer.submit("/portal/profile", {**profile, "street": "Neuer Weg 5"})
    assert saved.status_code == 303
    with tenant_scope(tenant.tenant.id):
        new = await Contract.get(created_by_customer=True)
        titles = list(await Document.all().order_by("id").values_list("title", flat=True))
    assert await recorded(tenant) == [
        Seen("contract_added", "customer", contact.id, "insurance", title_of(new), None, ["rita"]),
        Seen(
            "contract_deleted", "customer", contact.id, "insurance", title_of(contract), None,
            ["rita"],
        ),
        Seen("document_added", "customer", contact.id, "insurance", titles[0], None, ["rita"]),
        Seen("document_added", "customer", contact.id, "insurance", titles[1], None, ["rita"]),
        # outside the folders: both responsibles hear of it
        Seen(
            "profile_changed", "customer", contact.id, "", "", {"street": ["", "Neuer Weg 5"]},
            ["nora", "rita"],
        ),
    ]  # fmt: skip


async def test_without_a_responsible_those_managing_contacts_who_read_the_folder_hear(
    tenant, passwords, office
) -> None:
    contact, customer, _admin, contract = office
    await make_staff(tenant, passwords, "olga", manages_contacts=True)  # no insurance access
    await make_staff(tenant, passwords, "ines", access_insurance="write")  # no contact rights
    # manages contacts and reads insurance, but sees only the contacts he is responsible for
    await make_staff(tenant, passwords, "sam", manages_contacts=True, access_insurance="write")
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.filter(contact_id=contact.id).delete()
        await User.filter(username="mona").update(sees_all_contacts=True)
    path = f"/portal/contracts/{contract.id}"
    form = await load(customer, path)
    assert (await customer.submit(path, {**form, "note": "Bitte prüfen"})).status_code == 303
    [seen] = await recorded(tenant)
    assert seen.told == ["alpha-admin", "mona"]


# --- what the broker does reaches the customer, where their folder shows it --------------------


async def _household(tenant: Any, passwords: Any, contact: Any) -> None:
    """Max's own login manages Kai too (a household link)."""
    other = await make_customer(tenant, passwords, email="max@kunde.example", first_name="Max")
    with tenant_scope(tenant.tenant.id):
        login = await User.get(contact_id=other.id)
        await ContactLink.create(user_id=login.id, contact_id=contact.id)


async def test_staff_contract_changes_reach_the_customer_and_the_household(
    tenant, passwords, office
) -> None:
    contact, _customer, admin, contract = office
    await _household(tenant, passwords, contact)
    base = f"/staff/contacts/{contact.id}/folders/insurance"
    added = await admin.submit(
        f"{base}/contracts", {**CONTRACT, "status": "active"}, form_page=f"{base}/contracts/new"
    )
    assert added.status_code == 303
    path = f"/staff/contacts/{contact.id}/contracts/{contract.id}"
    form = await load(admin, path)
    assert (await admin.submit(path, {**form, "note": "intern"})).status_code == 303
    form = await load(admin, path)
    assert (await admin.submit(path, {**form, "status": "cancelled"})).status_code == 303
    restore = f"/staff/contacts/{contact.id}/contracts/{contract.id}/restore"
    with tenant_scope(tenant.tenant.id):
        await Contract.filter(id=contract.id).update(deleted_at=datetime.now(UTC))
    assert (await admin.submit(restore, form_page=base)).status_code == 303
    assert (await admin.submit(restore, form_page=base)).status_code == 303  # not deleted now
    with tenant_scope(tenant.tenant.id):
        new = await Contract.get(insurance_number="KFZ-77")
    title = title_of(contract)
    told_of_status = await recorded(tenant)
    assert told_of_status[2].told == ["kai", "max"]
    delete = f"/staff/contacts/{contact.id}/contracts/{contract.id}/delete"
    assert (await admin.submit(delete, form_page=base)).status_code == 303
    # deleted for good: the customers' lists stop naming it (the other contract stays)
    assert await recorded(tenant) == [
        Seen(
            "contract_added", "staff", contact.id, "insurance", title_of(new), None,
            ["kai", "max"],
        ),
        Seen(
            "contract_edited", "staff", contact.id, "insurance", title, {"note": ["", "intern"]},
            [],
        ),
        Seen(
            "contract_edited", "staff", contact.id, "insurance", title,
            {"status": ["active", "cancelled"]}, [],
        ),
        Seen("contract_restored", "staff", contact.id, "insurance", title, None, []),
        Seen("contract_deleted", "staff", contact.id, "insurance", title, None, []),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("flags", "told"),
    [
        ({}, []),  # the folder is not shown at all
        ({"insurance_unlock": True}, []),  # only his own contracts show: not the broker's
        ({"insurance_readonly": True}, ["kai"]),
    ],
)
async def test_the_customer_is_not_told_of_what_their_folder_does_not_show(
    tenant, passwords, client_for, flags, told
) -> None:
    contact = await make_customer(tenant, passwords, **flags)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    base = f"/staff/contacts/{contact.id}/folders/insurance"
    added = await admin.submit(
        f"{base}/contracts", {**CONTRACT, "status": "active"}, form_page=f"{base}/contracts/new"
    )
    assert added.status_code == 303
    [seen] = await recorded(tenant)
    assert (seen.kind, seen.told) == ("contract_added", told)


async def test_a_new_status_of_the_customers_own_contract_reaches_them_with_unlock(
    tenant, passwords, client_for
) -> None:
    contact = await make_customer(tenant, passwords, insurance_unlock=True)
    own = await add_contract(tenant, contact, by_customer=True, number="OWN-1")
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    path = f"/staff/contacts/{contact.id}/contracts/{own.id}"
    form = await load(admin, path)
    assert (await admin.submit(path, {**form, "status": "active"})).status_code == 303
    [seen] = await recorded(tenant)
    assert (seen.changes, seen.told) == ({"status": ["start", "active"]}, ["kai"])


async def test_staff_documents_shared_reach_the_customer_unshared_nobody(tenant, office) -> None:
    contact, _customer, admin, contract = office
    base = f"/staff/contacts/{contact.id}/folders/insurance"
    documents = f"/staff/contacts/{contact.id}/documents"
    fields = {"folder": "insurance", "contract_id": str(contract.id), "shared_present": "1"}
    shared = await upload(
        admin, documents, base, {**fields, "title": "Police", "shared": "on"}, PDF
    )
    hidden = await upload(admin, documents, base, {**fields, "title": "Intern"}, PDF)
    assert (shared.status_code, hidden.status_code) == (303, 303)
    with tenant_scope(tenant.tenant.id):
        intern = await Document.get(title="Intern")
    share = f"/staff/documents/{intern.id}/share"
    assert (await admin.submit(share, {"shared": "on"}, form_page=base)).status_code == 303
    assert (await admin.submit(share, {"shared": "on"}, form_page=base)).status_code == 303
    police = Seen("document_added", "staff", contact.id, "insurance", "Police", None, ["kai"])
    intern_added = Seen("document_added", "staff", contact.id, "insurance", "Intern", None, [])
    shared_intern = Seen("document_shared", "staff", contact.id, "insurance", "Intern", None, [])
    assert await recorded(tenant) == [police, intern_added, replace(shared_intern, told=["kai"])]
    # hidden again (it was not for Kai): his list stops naming it, read or not
    assert (await admin.submit(share, {}, form_page=base)).status_code == 303
    assert await recorded(tenant) == [police, intern_added, shared_intern]
    delete = f"/staff/documents/{intern.id}/delete"
    assert (await admin.submit(delete, form_page=base)).status_code == 303
    assert await recorded(tenant) == [
        police,
        intern_added,
        shared_intern,
        Seen("document_deleted", "staff", contact.id, "insurance", "Intern", None, []),
    ]
    # the broker deletes the shared one too: gone from Kai's list as well
    with tenant_scope(tenant.tenant.id):
        policy = await Document.get(title="Police")
    delete = f"/staff/documents/{policy.id}/delete"
    assert (await admin.submit(delete, form_page=base)).status_code == 303
    assert (await recorded(tenant))[0] == replace(police, told=[])


async def test_staff_opening_a_document_is_recorded_once_in_ten_minutes(
    tenant, settings, client_for, office
) -> None:
    contact, customer, admin, _contract = office
    document = await add_document(tenant, settings, contact, title="Police")
    picture = f"/staff/documents/{document.id}"
    assert (await admin.get(f"{picture}/download")).status_code == 200
    assert (await admin.get(f"{picture}/preview")).status_code == 200  # the same look
    assert (await admin.get(f"{picture}/thumbnail")).status_code == 404  # a PDF: none
    assert (await customer.get(f"/portal/documents/{document.id}/download")).status_code == 200
    rita = client_for(tenant.hostname)  # Rita opens it too: her own entry
    await rita.log_in("rita")
    assert (await rita.get(f"{picture}/preview")).status_code == 200
    opened = Seen("document_opened", "staff", contact.id, "insurance", "Police", None, [])
    assert await recorded(tenant) == [opened, opened]
    with tenant_scope(tenant.tenant.id):
        await Event.all().update(created_at=datetime.now(UTC) - timedelta(minutes=11))
    assert (await admin.get(f"{picture}/download")).status_code == 200
    assert len(await recorded(tenant)) == 3


# --- staff changing a contact's data, viewing as the customer ----------------------------------


async def test_staff_edit_of_the_contact_and_view_as_are_recorded_for_nobody(
    tenant, office
) -> None:
    contact, _customer, admin, _contract = office
    path = f"/staff/contacts/{contact.id}/edit"
    form = await load(admin, path)
    assert (await admin.submit(path, {**form, "phone": "0221 4711"})).status_code == 303
    form = await load(admin, path)
    assert (await admin.submit(path, form)).status_code == 303  # nothing changed
    invalid = await admin.submit(path, {**form, "email": "kein-mail"})
    assert invalid.status_code in (400, 422)
    start = await admin.submit(
        f"/staff/contacts/{contact.id}/view-as", form_page=f"/staff/contacts/{contact.id}"
    )
    assert start.status_code == 303
    assert await recorded(tenant) == [
        Seen("profile_changed", "staff", contact.id, "", "", {"phone": ["", "0221 4711"]}, []),
        Seen("viewed_as_customer", "staff", contact.id, "", "", None, []),
    ]


# --- tenants --------------------------------------------------------------------------------


async def test_an_event_in_one_tenant_never_notifies_another(
    tenant, passwords, client_for, office
) -> None:
    beta = await make_tenant(passwords, "beta", "Beta Finanz KG")
    other = await make_customer(beta, passwords, insurance_share=True)
    await make_staff(beta, passwords, "rita", access_insurance="write")  # the same name there
    contact, customer, _admin, contract = office
    path = f"/portal/contracts/{contract.id}"
    form = await load(customer, path)
    assert (await customer.submit(path, {**form, "note": "Alpha"})).status_code == 303
    [seen] = await recorded(tenant)
    assert seen.told == ["rita"]
    with tenant_scope(beta.tenant.id):
        assert await Event.all().count() == 0 and await Notification.all().count() == 0
        beta_ids = set(await User.all().values_list("id", flat=True))
    with tenant_scope(tenant.tenant.id):
        told = set(await Notification.all().values_list("user_id", flat=True))
    assert told and not told & beta_ids
    assert other.id != contact.id
