"""The operator's support inbox on the platform host: every firm's requests, answers with a
screenshot the firm sees, closing; each action audited, the firm's admins told by mail. Not
there on a broker's host or for anyone but an operator; a firm never reaches another's."""

from __future__ import annotations

import pytest

from tenant_app.models.operations import OperatorAction, SupportEntry, SupportRequest
from tenant_app.models.scoping import tenant_scope
from tests.conftest import ADMIN_PASSWORD, count_queries, make_customer, text_of
from tests.support_helpers import BASE, operator_client, png, send_request, shot
from tests.tender_helpers import PLATFORM_HOST
from tests.web.test_tickets import make_staff


@pytest.fixture
async def admin(client):
    await client.log_in("alpha-admin")
    return client


@pytest.fixture
async def operator(passwords, client_for):
    return await operator_client(passwords, client_for)


async def _request_of(tenant) -> SupportRequest:
    with tenant_scope(tenant.tenant.id):
        return await SupportRequest.all().order_by("-id").first()


async def test_the_operator_answers_with_a_screenshot_and_closes(
    admin, operator, tenant, deliver
) -> None:
    await send_request(admin)
    request = await _request_of(tenant)
    inbox = await operator.get("/operator/support")
    assert inbox.status_code == 200
    assert f'id="support-request-{request.id}-waiting"' in inbox.text
    assert "Alpha Versicherungsmakler GmbH" in inbox.text and "Login klemmt" in inbox.text

    path = f"/operator/support/{request.id}"
    page = await operator.get(path)
    assert page.status_code == 200 and "Beim Anmelden erscheint ein Fehler." in page.text
    refused = await operator.submit(f"{path}/entries", {"body": ""}, form_page=path)
    assert refused.status_code == 422 and 'id="f-body-error"' in refused.text
    await deliver()
    answered = await operator.submit(
        f"{path}/entries", {"body": "Bitte Cache leeren."}, form_page=path, files=shot()
    )
    assert answered.status_code == 303
    with tenant_scope(tenant.tenant.id):
        entry = await SupportEntry.get(request_id=request.id, by_operator=True)
        request = await SupportRequest.get(id=request.id)
    assert entry.author_name == "Otto Operator" and request.last_entry_by_operator
    assert entry.screenshot_key and entry.screenshot_key.startswith(f"{tenant.tenant.id}/")
    action = await OperatorAction.get(action="support_answered")
    assert action.tenant_id == tenant.tenant.id and action.operator_name == "Otto Operator"
    assert action.tenant_name == "Alpha Versicherungsmakler GmbH"
    mails = await deliver()
    to_admin = [mail for mail in mails if mail["To"] == "chef@alpha.example"]
    assert len(to_admin) == 1
    assert f"http://alpha.localhost{BASE}/{request.id}" in text_of(to_admin[0])
    assert "Cache" not in text_of(to_admin[0])

    theirs = await admin.get(f"{BASE}/{request.id}")
    assert f'id="entry-{entry.id}-operator"' in theirs.text and "Bitte Cache leeren." in theirs.text
    picture = await admin.get(f"{BASE}/{request.id}/entries/{entry.id}/screenshot")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    ops_picture = await operator.get(f"{path}/entries/{entry.id}/screenshot")
    assert ops_picture.status_code == 200 and ops_picture.content == picture.content
    listed = await admin.get(BASE)
    assert f'id="support-request-{request.id}-answered"><span class="chip' in listed.text

    closed = await operator.submit(f"{path}/close", form_page=path)
    assert closed.status_code == 303
    assert (await _request_of(tenant)).status == "closed"
    assert await OperatorAction.filter(action="support_closed").count() == 1
    assert any(mail["To"] == "chef@alpha.example" for mail in await deliver())


async def test_the_inbox_lists_every_firm_open_first_at_a_constant_cost(
    operator, client_for, tenant, other_tenant
) -> None:
    alpha, beta = client_for(tenant.hostname), client_for(other_tenant.hostname)
    await alpha.log_in("alpha-admin")
    await beta.log_in("beta-admin")
    await send_request(alpha, "Erste Anfrage")
    with count_queries() as one:
        assert (await operator.get("/operator/support")).status_code == 200
    for n in range(3):
        await send_request(beta, f"Beta {n}")
    closed = await _request_of(tenant)
    await alpha.submit(f"{BASE}/{closed.id}/status", {"status": "closed"}, form_page=BASE)
    with count_queries() as four:
        inbox = await operator.get("/operator/support")
    assert four.count == one.count
    assert "Beta Finanz KG" in inbox.text and "Alpha Versicherungsmakler GmbH" in inbox.text
    assert inbox.text.index("Beta 2") < inbox.text.index("Beta 0")  # newest entry first
    assert inbox.text.index("Beta 0") < inbox.text.index("Erste Anfrage")  # open first


async def test_another_firm_reaches_none_of_the_requests_or_screenshots(
    admin, client_for, tenant, other_tenant
) -> None:
    await send_request(admin, files=shot(png()))
    request = await _request_of(tenant)
    with tenant_scope(tenant.tenant.id):
        entry = await SupportEntry.get(request_id=request.id)
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    one = f"{BASE}/{request.id}"
    for path in (one, f"{one}/entries/{entry.id}/screenshot"):
        assert (await beta.get(path)).status_code == 404, path
    for path, data in ((f"{one}/entries", {"body": "x"}), (f"{one}/status", {"status": "closed"})):
        answer = await beta.submit(path, data, form_page=BASE)
        assert answer.status_code == 404, path
    assert "Login klemmt" not in (await beta.get(BASE)).text
    for path in ("/operator/support", f"/operator/support/{request.id}"):  # not on a firm's host
        assert (await admin.get(path)).status_code == 404, path
    for entry_id in range(1, entry.id + 3):  # every id: nothing of another firm's
        found = await beta.get(f"{one}/entries/{entry_id}/screenshot")
        assert found.status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert await SupportEntry.filter(request_id=request.id).count() == 1
        assert (await SupportRequest.get(id=request.id)).status == "open"


async def test_staff_without_admin_rights_and_customers_are_refused(
    admin, tenant, passwords, client_for
) -> None:
    await send_request(admin)
    request = await _request_of(tenant)
    await make_staff(tenant, passwords, "mia", "Mia", manages_settings=True, manages_users=True)
    await make_customer(tenant, passwords)
    mia, kai = client_for(tenant.hostname), client_for(tenant.hostname)
    await mia.log_in("mia", ADMIN_PASSWORD)
    await kai.log_in("kai", "Kundenpasswort-1")
    pages = (BASE, f"{BASE}/new", f"{BASE}/{request.id}")
    for client in (mia, kai):
        for path in pages:
            assert (await client.get(path)).status_code == 403, path
        refused = await client.post(f"{BASE}/new", data={"subject": "x", "body": "y"})
        assert refused.status_code in (403, 400), refused.status_code
    assert f'href="{BASE}"' not in (await mia.get("/staff/settings")).text


async def test_no_one_but_an_operator_finds_the_console(admin, operator, client_for, tenant):
    await send_request(admin)
    request = await _request_of(tenant)
    stranger = client_for(PLATFORM_HOST)
    for path in ("/operator/support", f"/operator/support/{request.id}"):
        answer = await stranger.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
    missing = await operator.get(f"/operator/support/{request.id + 100}")
    assert missing.status_code == 404
