"""An API token acts through a technical account (kind "api"): it names the token where its
changes show, and never appears or acts where people do: no staff list, picker or
notification has it, and nobody logs in as it or gets a password link for it."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest

from tenant_app.files.storage import LocalStorage
from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.integration import ApiToken
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import api_tokens, contracts, tickets
from tenant_app.services.tickets import Context
from tests.api_helpers import make_token
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, make_customer
from tests.web.test_du_tenant import CONTRACT
from tests.web.test_tickets import make_staff

TOKEN_NAME = "BMS-Sync"
DE = {"Accept-Language": "de"}
GUESSED_PASSWORD = "Geraten-und-gesetzt-1"


@pytest.fixture
async def office(tenant, passwords, client_for, settings) -> SimpleNamespace:
    """Kai (communication and his insurance folder open) with Anna as his responsible staff
    member; a token with every permission; the admin and Kai logged in. The token has opened
    a ticket to Kai and added a contract to his folder, as the API's handlers would."""
    anna = await make_staff(
        tenant, passwords, "anna", "Anna", handles_tickets=True, access_insurance="write"
    )
    kai = await make_customer(
        tenant, passwords, communication=True, insurance_unlock=True, insurance_share=True
    )
    secret = await make_token(tenant, name=TOKEN_NAME)
    with tenant_scope(tenant.tenant.id):
        token = await ApiToken.get(name=TOKEN_NAME).prefetch_related("user")
        caller = await api_tokens.authenticate(secret)
        assert caller is not None
        ticket = await tickets.open_ticket(
            Context(settings, LocalStorage(settings.storage_dir)),
            caller.actor,
            contact_id=kai.id,
            staff_id=None,
            subject="Ihre neue Police",
            body="Die Police liegt in Ihrem Ordner.",
        )
        contract = await contracts.create_contract(
            caller.actor,
            contact_id=kai.id,
            folder="insurance",
            values={**CONTRACT, "status": "active"},
        )
        # only now: a token's ticket would go to her, and the forward picker leaves her out
        await ContactResponsible.create(contact_id=kai.id, user_id=anna.id)
    admin, customer = client_for(tenant.hostname), client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    return SimpleNamespace(
        account=token.user, kai=kai, anna=anna, ticket=ticket, contract=contract,
        admin=admin, customer=customer,
    )  # fmt: skip


def absent(html: str, account: User) -> bool:
    return all(word not in html for word in (TOKEN_NAME, account.username, account.email))


async def test_no_staff_list_or_staff_page_has_it(office, tenant) -> None:
    account, admin = office.account, office.admin
    users = await admin.get("/staff/users")
    assert users.status_code == 200 and "Anna" in users.text
    assert absent(users.text, account)
    assert (await admin.get(f"/staff/users/{account.id}")).status_code == 404
    for action in ("send-link", "deactivate", "activate", "sessions/end", "second-factor/reset"):
        path = f"/staff/users/{account.id}/{action}"
        answer = await admin.submit(path, form_page="/staff/users")
        assert answer.status_code == 404, (action, answer.status_code)
    with tenant_scope(tenant.tenant.id):
        assert not await OutboxMail.filter(to_address=account.email).exists()
        assert (await User.get(id=account.id)).is_active


PICKED = re.compile(r'<option value="(\d+)"|name="responsible" value="(\d+)"')


def offered(html: str) -> set[int]:
    """The accounts a page's pickers offer (options, responsible checkboxes)."""
    return {int(a or b) for a, b in PICKED.findall(html)}


async def test_no_picker_offers_it(office) -> None:
    kai, admin, account = office.kai, office.admin, office.account
    pickers = (
        (admin, "/staff/contacts/new"),  # responsible staff
        (admin, f"/staff/contacts/{kai.id}/edit"),
        (admin, f"/staff/tickets/{office.ticket.id}"),  # forward to a colleague
        (office.customer, "/portal/tickets/new"),  # whom the customer writes to
    )
    for who, path in pickers:
        page = await who.get(path)
        assert page.status_code == 200, path
        assert office.anna.id in offered(page.text), path  # the picker is there ...
        assert account.id not in offered(page.text), path  # ... without the token
        assert account.username not in page.text and account.email not in page.text
    home = await office.customer.get("/portal")
    assert "Anna" in home.text and TOKEN_NAME not in home.text  # "Ihr Berater"


async def test_nobody_logs_in_as_it_or_resets_its_password(
    office, tenant, passwords, client_for
) -> None:
    account = office.account
    with tenant_scope(tenant.tenant.id):  # as if someone had set a password and birthdate
        await User.filter(id=account.id).update(
            password_hash=await passwords.hash(GUESSED_PASSWORD), birthdate=date(1990, 1, 2)
        )
    visitor = client_for(tenant.hostname)
    for identifier in (account.username, account.email):
        answer = await visitor.submit(
            "/login", {"identifier": identifier, "password": GUESSED_PASSWORD}, headers=DE
        )
        assert answer.status_code != 303, identifier
        assert "set-cookie" not in answer.headers or "session" not in answer.headers["set-cookie"]
    for identifier in (account.username, account.email):
        await visitor.submit("/passwort-vergessen", {"identifier": identifier})
    with tenant_scope(tenant.tenant.id):
        assert not await OutboxMail.filter(user_id=account.id).exists()
    await visitor.log_in("alpha-admin", ADMIN_PASSWORD)  # the form itself works


async def test_it_is_never_told_nor_mailed(office, tenant, deliver) -> None:
    """The token opened the ticket, so it sits in it; Kai's reply tells people only."""
    reply = await office.customer.submit(
        f"/portal/tickets/{office.ticket.id}/reply",
        {"body": "Danke, gefunden!"},
        form_page=f"/portal/tickets/{office.ticket.id}",
    )
    assert reply.status_code in (200, 303)
    with tenant_scope(tenant.tenant.id):
        assert not await Notification.filter(user_id=office.account.id).exists()
    mails = await deliver()
    assert all(office.account.email not in str(mail["To"]) for mail in mails)


async def test_what_it_changed_names_the_token(office) -> None:
    thread = await office.admin.get(f"/staff/tickets/{office.ticket.id}", headers=DE)
    assert f"API {TOKEN_NAME}" in thread.text
    told = await office.customer.get("/account/notifications", headers=DE)
    assert f"API {TOKEN_NAME}" in told.text
