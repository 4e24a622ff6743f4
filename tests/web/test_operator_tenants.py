"""The operator's tenants: the list with each firm's usage (in a fixed number of queries), a new
firm from the console, its page; for operators on the platform host only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tenant_app.models.accounts import User
from tenant_app.models.mail import OutboxMail
from tenant_app.models.operations import OperatorAction
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.text.i18n import gettext
from tests.conftest import ADMIN_PASSWORD, count_queries, make_customer, make_tenant
from tests.folder_helpers import PDF_BYTES, add_document
from tests.operator_helpers import make_operator, operator_client
from tests.tender_helpers import (
    BACKOFFICE_PASSWORD,
    PLATFORM_HOST,
    backoffice_login,
    make_backoffice,
)

NEW_PASSWORD = "Sonnen-Blume-Weg-77"
PAGES = ("/operator/tenants", "/operator/tenants/new", "/operator/tenants/{id}")
POSTS = (
    "/operator/tenants",
    "/operator/tenants/{id}/suspend",
    "/operator/tenants/{id}/reactivate",
    "/operator/tenants/{id}/delete",
)


@pytest.fixture
async def operator(client_for, passwords):
    return await operator_client(client_for, passwords)


def _new_tenant(**changes: str) -> dict[str, str]:
    return {
        "slug": "mueller",
        "name": "Makler Müller GmbH",
        "admin_email": "Chefin@Mueller.example",
        "admin_first_name": "Maria",
        "admin_last_name": "Müller",
        **changes,
    }


async def _mail(tenant_id: int, *, sent_days_ago: float | None, status: str = "sent") -> None:
    sent_at = datetime.now(UTC) - timedelta(days=sent_days_ago) if sent_days_ago else None
    with tenant_scope(tenant_id):
        await OutboxMail.create(
            to_address="x@kunde.example",
            subject="Hallo",
            text_body="…",
            html_body="",
            status=status,
            sent_at=sent_at,
        )


async def test_the_list_shows_each_firms_usage(operator, tenant, other_tenant, passwords, settings):
    contact = await make_customer(tenant, passwords)
    await add_document(tenant, settings, contact)
    await add_document(tenant, settings, contact, title="Rechnung")
    await _mail(tenant.tenant.id, sent_days_ago=1)
    await _mail(tenant.tenant.id, sent_days_ago=40)  # older than the 30 days counted
    await _mail(tenant.tenant.id, sent_days_ago=None, status="pending")
    page = await operator.get("/operator/tenants")
    assert page.status_code == 200
    one = tenant.tenant.id
    assert f'id="tenant-{one}-users">2<' in page.text  # the admin and the customer
    assert f'id="tenant-{one}-contacts">1<' in page.text
    assert f'id="tenant-{one}-storage" data-bytes="{2 * len(PDF_BYTES)}"' in page.text
    assert f'id="tenant-{one}-mails">1<' in page.text
    two = other_tenant.tenant.id
    assert f'id="tenant-{two}-users">1<' in page.text
    assert f'id="tenant-{two}-storage" data-bytes="0"' in page.text
    assert "alpha.localhost" in page.text and "beta.localhost" in page.text
    space = await Tenant.get(is_platform=True)
    assert f'id="tenant-{space.id}"' not in page.text  # the platform is no broker firm


async def test_the_list_costs_the_same_queries_for_many_firms(operator, passwords) -> None:
    await make_tenant(passwords, "eins", "Eins GmbH")
    with count_queries() as few:
        assert (await operator.get("/operator/tenants")).status_code == 200
    for slug in ("zwei", "drei", "vier"):
        made = await make_tenant(passwords, slug, f"{slug.title()} GmbH")
        await make_customer(made, passwords)
    with count_queries() as many:
        page = await operator.get("/operator/tenants")
    assert page.status_code == 200 and "Vier GmbH" in page.text
    assert many.count == few.count


async def test_an_operator_creates_a_firm_whose_admin_logs_in(operator, client_for) -> None:
    form = await operator.get("/operator/tenants/new")
    assert form.status_code == 200 and 'id="tenant-form"' in form.text
    answer = await operator.submit(
        "/operator/tenants", _new_tenant(), form_page="/operator/tenants/new"
    )
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    password = re.search(r'id="admin-password"[^>]*value="([^"]+)"', answer.text)
    username = re.search(r'id="admin-username">([^<]+)<', answer.text)
    assert password and username and "http://mueller.localhost/login" in answer.text
    made = await Tenant.get(slug="mueller")
    assert made.name == "Makler Müller GmbH"
    action = await OperatorAction.get(tenant_id=made.id)
    assert action.action == "tenant_created" and action.operator_name == "Otto Operator"

    maria = client_for("mueller.localhost")
    await maria.log_in(username.group(1), password.group(1))
    changed = await maria.submit(
        "/account/password",
        {
            "current_password": password.group(1),
            "password": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 303
    with tenant_scope(made.id):
        admin = await User.get(username=username.group(1))
    assert admin.role == "admin" and admin.email == "chefin@mueller.example"
    listed = await operator.get("/operator/tenants")
    assert f'id="tenant-{made.id}"' in listed.text
    page = await operator.get(f"/operator/tenants/{made.id}")
    assert page.status_code == 200 and 'id="tenant-slug">mueller<' in page.text


RESERVED = "This address is reserved for the platform. Please choose another."
MALFORMED = (
    "Use lower-case letters a-z, digits and hyphens (at most 63), "
    "not starting or ending with a hyphen."
)
TAKEN = "A tenant with this address exists already. Please choose another."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": ""}, "slug", "Please enter the address part, e.g. mueller."),
        ({"slug": "www"}, "slug", RESERVED),
        ({"slug": "-mü"}, "slug", MALFORMED),
        ({"slug": "alpha"}, "slug", TAKEN),
        ({"name": " "}, "name", "Please enter the firm's name."),
        ({"admin_email": "kein-mail"}, "admin_email", "Please enter a valid e-mail address."),
        ({"admin_last_name": ""}, "admin_last_name", "Please enter a last name."),
        ({"name": "x" * 201}, "name", "Please enter at most %(n)s characters."),
    ],
)
async def test_a_refused_firm_says_why_next_to_the_field(
    operator, tenant, changes, field, message
) -> None:
    before = await Tenant.all().count()
    answer = await operator.submit(
        "/operator/tenants", _new_tenant(**changes), form_page="/operator/tenants/new"
    )
    assert answer.status_code == 422
    shown = gettext(message, n=200) if "%(n)s" in message else gettext(message)
    assert f'id="f-{field}-error">{shown}<' in answer.text.replace("&#39;", "'")
    assert 'id="tenant-errors"' in answer.text and "admin-password" not in answer.text
    assert await Tenant.all().count() == before
    assert not await OperatorAction.exists()


async def _paths(tenant) -> list[str]:
    return [path.format(id=tenant.tenant.id) for path in PAGES] + [
        "/operator/health",
        "/operator/audit",
    ]


async def test_nobody_but_an_operator_finds_the_pages(client_for, passwords, tenant) -> None:
    paths = await _paths(tenant)
    person = await backoffice_login(passwords, await make_backoffice())
    bea = client_for(PLATFORM_HOST)
    await bea.log_in(person.username, BACKOFFICE_PASSWORD)
    anonymous = client_for(PLATFORM_HOST)
    for path in paths:
        assert (await bea.get(path)).status_code == 404, path
        answer = await anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")
    token = await bea.csrf("/account/security")
    for path in POSTS:
        target = path.format(id=tenant.tenant.id)
        answer = await bea.post(
            target,
            data={"csrf_token": token, **_new_tenant(), "confirm_slug": "alpha", "notice": "x"},
            headers={"Origin": f"http://{PLATFORM_HOST}"},
        )
        assert answer.status_code == 404, target
    assert not await Tenant.filter(slug="mueller").exists()
    assert (await Tenant.get(id=tenant.tenant.id)).suspended_at is None


async def test_the_console_is_not_there_on_a_brokers_host(client_for, tenant, passwords) -> None:
    paths = await _paths(tenant)
    await make_operator(passwords)
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin", ADMIN_PASSWORD)
    for path in paths:
        assert (await admin.get(path)).status_code == 404, path
    token = await admin.csrf("/staff")
    answer = await admin.post(
        f"/operator/tenants/{tenant.tenant.id}/suspend",
        data={"csrf_token": token, "notice": "weg"},
        headers={"Origin": f"http://{tenant.hostname}"},
    )
    assert answer.status_code == 404
    assert (await Tenant.get(id=tenant.tenant.id)).suspended_at is None


async def test_the_platform_itself_has_no_tenant_page(operator) -> None:
    space = await Tenant.get(is_platform=True)
    assert (await operator.get(f"/operator/tenants/{space.id}")).status_code == 404
    assert (await operator.get("/operator/tenants/99999")).status_code == 404
