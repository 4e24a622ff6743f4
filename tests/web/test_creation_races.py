"""Two identical creations at the same moment: one wins, the other gets the field's error.

The friendly check ("is it taken?") and the insert after it are two statements, so both
creations can pass the check; the unique constraint then refuses the second insert, and
that must read as the check's own message, never as a 500 or a half-written row.
The `gather` tests race for real on PostgreSQL (SQLite runs one writer at a time); the
`stale` tests force the race on both databases: the check answers as it would have a
moment before the other creation was saved.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest

from tenant_app.errors import ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import ConversationParticipant
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import accounts, tenants
from tests.conftest import CUSTOMER_PASSWORD, actor_of, make_customer
from tests.web.test_registration import STAFF, create_staff
from tests.web.test_tickets import _open_ticket, make_staff


def stale(monkeypatch, owner: Any, name: str, answer: Any, *, times: int = 1) -> None:
    """`owner.name` answers `answer` for its first `times` calls, then looks for real."""
    real = getattr(owner, name)
    calls = []

    async def look_up(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return answer if len(calls) <= times else await real(*args, **kwargs)

    monkeypatch.setattr(owner, name, look_up)


async def _post_twice(client, path: str, data: dict[str, str], *, form_page: str) -> list[Any]:
    """The same form sent twice at once (a double click, two admins), answers by status."""
    token = await client.csrf(form_page)
    form = {**data, "csrf_token": token}
    headers = {"Origin": f"http://{client.host}"}
    answers = await asyncio.gather(*(client.post(path, data=form, headers=headers) for _ in "12"))
    return sorted(answers, key=lambda answer: answer.status_code)


async def _staff_count(tenant, **where: Any) -> int:
    with tenant_scope(tenant.tenant.id):
        return await User.filter(kind="staff", **where).count()


async def _mail_count(tenant) -> int:
    with tenant_scope(tenant.tenant.id):
        return await OutboxMail.filter(tenant_id=tenant.tenant.id).count()


def _email_error(answer: Any) -> bool:
    return answer.status_code == 422 and 'id="f-email-error"' in answer.text


async def test_two_identical_staff_users_at_once(client, tenant, smtp) -> None:
    await client.log_in("alpha-admin")
    first, second = await _post_twice(client, "/staff/users", STAFF, form_page="/staff/users/new")
    assert first.status_code == 303 and _email_error(second)
    assert 'value="Böhm"' in second.text  # what was typed stays
    assert await _staff_count(tenant, email=STAFF["email"]) == 1
    assert await _mail_count(tenant) == 1  # one registration mail, for the one user


async def test_a_staff_user_saved_between_check_and_insert(client, tenant, smtp, monkeypatch):
    await create_staff(client)
    stale(monkeypatch, accounts, "_staff_email_taken", {})
    response = await client.submit(
        "/staff/users", {**STAFF, "first_name": "Berta"}, form_page="/staff/users/new"
    )
    assert _email_error(response)
    assert "bereits ein Konto" in response.text
    assert await _staff_count(tenant, email=STAFF["email"]) == 1
    assert await _mail_count(tenant) == 1


async def test_two_namesakes_at_once_get_their_own_usernames(client, tenant, smtp) -> None:
    await client.log_in("alpha-admin")
    token = await client.csrf("/staff/users/new")
    headers = {"Origin": f"http://{client.host}"}
    forms = [
        {**STAFF, "email": f"bernd{number}@alpha.example", "csrf_token": token} for number in (1, 2)
    ]
    answers = await asyncio.gather(
        *(client.post("/staff/users", data=form, headers=headers) for form in forms)
    )
    assert [answer.status_code for answer in answers] == [303, 303]
    with tenant_scope(tenant.tenant.id):
        names = (
            await User.filter(last_name="Böhm")
            .order_by("username")
            .values_list("username", flat=True)
        )
    assert names == ["bernd.boehm", "bernd.boehm2"]


async def test_a_username_taken_between_look_up_and_insert(client, tenant, smtp, monkeypatch):
    await create_staff(client)
    stale(monkeypatch, accounts, "unique_username", "bernd.boehm")  # as read before the first
    response = await client.submit(
        "/staff/users", {**STAFF, "email": "bernd2@alpha.example"}, form_page="/staff/users/new"
    )
    assert response.status_code == 303
    with tenant_scope(tenant.tenant.id):
        names = (
            await User.filter(last_name="Böhm")
            .order_by("username")
            .values_list("username", flat=True)
        )
    assert names == ["bernd.boehm", "bernd.boehm2"]
    assert await _mail_count(tenant) == 2


async def test_an_address_taken_while_a_staff_user_is_edited(client, tenant, smtp, monkeypatch):
    await create_staff(client)
    berta_form = {**STAFF, "first_name": "Berta", "email": "berta@alpha.example"}
    await client.submit("/staff/users", berta_form, form_page="/staff/users/new")
    with tenant_scope(tenant.tenant.id):
        berta = await User.get(email="berta@alpha.example")
    stale(monkeypatch, accounts, "_staff_email_taken", {})
    response = await client.submit(
        f"/staff/users/{berta.id}",
        {**STAFF, "first_name": "Berta", "version": str(berta.version)},
        form_page=f"/staff/users/{berta.id}",
    )
    assert _email_error(response)
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(id=berta.id)).email == "berta@alpha.example"


async def _contact(tenant) -> Contact:
    with tenant_scope(tenant.tenant.id):
        return await Contact.create(
            first_name="Jana",
            last_name="Jäger",
            email="jana@kunde.example",
            birthdate=date(1979, 11, 7),
        )


async def _accounts_of(tenant, contact: Contact) -> int:
    with tenant_scope(tenant.tenant.id):
        return await User.filter(contact_id=contact.id).count()


async def test_two_customer_accounts_for_one_contact_at_once(client, tenant) -> None:
    contact = await _contact(tenant)
    await client.log_in("alpha-admin")
    page = f"/staff/contacts/{contact.id}"
    answers = await _post_twice(client, f"{page}/account", {}, form_page=page)
    assert [answer.status_code for answer in answers] == [303, 303]
    flashes = sorted(answer.headers["location"].rsplit("?", 1)[1] for answer in answers)
    assert flashes == ["account_created=1", "account_error=1"]
    assert await _accounts_of(tenant, contact) == 1


async def test_a_customer_account_made_between_check_and_insert(
    client, tenant, monkeypatch
) -> None:
    contact = await _contact(tenant)
    await client.log_in("alpha-admin")
    page = f"/staff/contacts/{contact.id}"
    assert (await client.submit(f"{page}/account", form_page=page)).status_code == 303
    stale(monkeypatch, accounts, "_account_taken", {})
    response = await client.submit(f"{page}/account", form_page=page)
    assert response.headers["location"].endswith("?account_error=1")
    assert await _accounts_of(tenant, contact) == 1


async def _create_tenant(passwords, slug: str = "gamma") -> tenants.NewTenant:
    return await tenants.create_tenant(
        passwords,
        slug=slug,
        name="Gamma Makler",
        base_domain="localhost",
        admin_email="chef@gamma.example",
        admin_password="Gamma-Passwort-2024",
    )


async def test_two_identical_tenants_at_once(passwords) -> None:
    results = await asyncio.gather(
        *(_create_tenant(passwords) for _ in "12"), return_exceptions=True
    )
    refused = [result for result in results if isinstance(result, ValidationFailed)]
    created = [result for result in results if isinstance(result, tenants.NewTenant)]
    assert len(created) == 1 and len(refused) == 1
    assert "already exists" in refused[0].errors["slug"]
    assert await Tenant.filter(slug="gamma").count() == 1
    assert await User.unscoped.filter(email="chef@gamma.example").count() == 1


async def test_a_tenant_saved_between_check_and_insert(passwords, monkeypatch) -> None:
    await _create_tenant(passwords)
    stale(monkeypatch, tenants, "_taken", {})
    with pytest.raises(ValidationFailed) as refused:
        await _create_tenant(passwords)
    assert "already exists" in refused.value.errors["slug"]
    assert await Tenant.filter(slug="gamma").count() == 1


@pytest.fixture
async def ticket_path(tenant, passwords, client_for) -> str:
    anna = await make_staff(tenant, passwords, "anna", "Anna", handles_tickets=True)
    await make_customer(tenant, passwords, communication=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    opened = await _open_ticket(customer, anna, attachment=False)
    assert opened.status_code == 303
    return opened.headers["location"].split("?")[0].replace("/portal/", "/staff/")


async def test_a_ticket_read_in_two_tabs_at_once(client, tenant, ticket_path) -> None:
    await client.log_in("alpha-admin")
    answers = await _post_twice(client, f"{ticket_path}/read", {}, form_page=ticket_path)
    assert [answer.status_code for answer in answers] == [204, 204]
    with tenant_scope(tenant.tenant.id):
        assert await ConversationParticipant.filter(user_id=tenant.admin.id).count() == 1


async def test_a_seat_taken_between_look_up_and_insert(
    client, tenant, ticket_path, monkeypatch
) -> None:
    await client.log_in("alpha-admin")
    await client.submit(f"{ticket_path}/read", form_page=ticket_path)
    token = await client.csrf(ticket_path)
    # The second tab looked before the first tab's seat was saved (both its look-ups).
    stale(monkeypatch, ConversationParticipant, "get_or_none", None, times=2)
    response = await client.post(
        f"{ticket_path}/read",
        data={"csrf_token": token},
        headers={"Origin": f"http://{client.host}"},
    )
    assert response.status_code == 204
    with tenant_scope(tenant.tenant.id):
        assert await ConversationParticipant.filter(user_id=tenant.admin.id).count() == 1


async def test_a_login_takes_the_address_while_its_contact_is_edited(
    client, tenant, passwords, monkeypatch
) -> None:
    from tenant_app.services import contacts
    from tests.html_forms import form_fields

    kai = await make_customer(tenant, passwords)  # has a login that follows the contact
    await create_staff(client)  # bernd@alpha.example
    path = f"/staff/contacts/{kai.id}/edit"
    form = form_fields((await client.get(path)).text, path)
    stale(monkeypatch, contacts, "_email_taken", False)  # the check ran before Bernd existed
    response = await client.submit(path, {**form, "email": "bernd@alpha.example"})
    assert _email_error(response)
    with tenant_scope(tenant.tenant.id):
        assert (await Contact.get(id=kai.id)).email == "kai@kunde.example"
        assert await User.filter(email="bernd@alpha.example").count() == 1


async def test_a_logo_stored_by_another_upload_meanwhile_is_replaced(tenant, monkeypatch) -> None:
    from tortoise.exceptions import IntegrityError

    from tenant_app.demo.logo import logo_png
    from tenant_app.models.branding import TenantAsset
    from tenant_app.services import branding

    real_create = TenantAsset.create
    calls: list[int] = []

    async def create(**fields: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # what PostgreSQL answers when a parallel upload's row landed first
            raise IntegrityError("duplicate key value violates unique constraint")
        return await real_create(**fields)

    monkeypatch.setattr(TenantAsset, "create", create)
    with tenant_scope(tenant.tenant.id):
        actor = await actor_of("alpha-admin")
        image = await branding.replace_asset(actor, kind="logo", data=logo_png())
        stored = await TenantAsset.filter(kind="logo").values_list("sha256", flat=True)
        current = await Tenant.get(id=tenant.tenant.id)
    assert stored == [image.sha256] and current.logo_key == image.sha256
