"""The data-processing agreement (AVV, Art. 28 GDPR): the operator writes and publishes
versions on the platform host; a firm's administrator reads and accepts the current one
(who, when, which), sees a banner until then, and accepts a new version again."""

from __future__ import annotations

import pytest

from tenant_app.models.folders import AuditEntry
from tenant_app.models.legal import DpaAcceptance, DpaVersion
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import platform
from tests.case_helpers import staff_member
from tests.conftest import page_queries
from tests.tender_helpers import PLATFORM_HOST, platform_space

OPERATOR_PASSWORD = "Operator-Sicher-2026!"


@pytest.fixture
async def operator(client_for, passwords):
    made = await platform.create_login(
        passwords,
        await platform_space(),
        kind="operator",
        email="ops@platform.example",
        first_name="Otto",
        last_name="Operator",
        password=OPERATOR_PASSWORD,
    )
    client = client_for(PLATFORM_HOST)
    await client.log_in(made.user.username, OPERATOR_PASSWORD)
    return client


async def _publish(operator, version: str, text: str = "<p>Gegenstand des Auftrags</p>") -> int:
    created = await operator.submit(
        "/operator/dpa", {"version": version, "text": text}, form_page="/operator/dpa/new"
    )
    assert created.status_code == 303, created.text[:300]
    page = created.headers["location"].split("?")[0]
    published = await operator.submit(page + "/publish", form_page=page)
    assert published.status_code == 303
    return int(page.rsplit("/", 1)[1])


async def _banner(client) -> str:
    response = await client.get("/staff/dpa/banner", headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.text


async def test_the_operator_publishes_and_the_admin_accepts_each_version(
    operator, client, tenant
) -> None:
    empty = await operator.get("/operator/dpa")
    assert empty.status_code == 200 and 'id="no-dpa"' in empty.text
    refused = await operator.submit(
        "/operator/dpa",
        {"version": "", "text": "<script>x</script>"},
        form_page="/operator/dpa/new",
    )
    assert refused.status_code == 422
    assert "Bitte geben Sie die Version ein" in refused.text
    assert "Bitte geben Sie den Text des Vertrags ein" in refused.text
    assert not await DpaVersion.exists()
    await client.log_in("alpha-admin")
    assert 'id="dpa-banner-slot"' in (await client.get("/staff")).text
    assert 'id="dpa-link"' in (await client.get("/staff/settings")).text
    assert await _banner(client) == ""  # nothing published yet
    first = await _publish(operator, "2026-1")
    assert "2026-1" in await _banner(client)
    page = await client.get("/staff/dpa")
    assert 'id="dpa-not-accepted"' in page.text and "Gegenstand des Auftrags" in page.text
    accepted = await client.submit(f"/staff/dpa/{first}/accept", form_page="/staff/dpa")
    assert accepted.status_code == 303
    assert await _banner(client) == ""
    page = await client.get("/staff/dpa")
    assert 'id="dpa-accepted"' in page.text and "Clara Chef" in page.text
    with tenant_scope(tenant.tenant.id):
        acceptance = await DpaAcceptance.get()
        audit = await AuditEntry.get(action="dpa_accepted")
    assert (acceptance.dpa_id, acceptance.accepted_by_name) == (first, "Clara Chef")
    assert acceptance.accepted_by_id == tenant.admin.id and audit.details == "2026-1"
    listing = await operator.get("/operator/dpa")
    assert f'id="dpa-{first}-accepted">1 Firma' in listing.text
    # a new version: accepted again; the old one cannot be accepted any more
    second = await _publish(operator, "2026-2", "<p>Neue Fassung</p>")
    assert "2026-2" in await _banner(client)
    stale = await client.submit(f"/staff/dpa/{first}/accept", form_page="/staff/dpa")
    assert stale.status_code == 404
    assert (
        await client.submit(f"/staff/dpa/{second}/accept", form_page="/staff/dpa")
    ).status_code == 303
    page = await client.get("/staff/dpa")
    assert 'id="dpa-acceptance-' in page.text and "Version 2026-1 angenommen" in page.text
    with tenant_scope(tenant.tenant.id):
        assert await DpaAcceptance.all().count() == 2


async def test_a_version_is_unique_and_text_is_sanitized(operator) -> None:
    await _publish(operator, "2026-1", '<p onclick="x()">Text</p><script>alert(1)</script>')
    dpa = await DpaVersion.get(version="2026-1")
    assert "script" not in dpa.text and "onclick" not in dpa.text
    again = await operator.submit(
        "/operator/dpa", {"version": "2026-1", "text": "<p>x</p>"}, form_page="/operator/dpa/new"
    )
    assert again.status_code == 422 and "Diese Version gibt es bereits" in again.text
    assert 'value="2026-1"' in again.text


async def test_only_operators_and_admins_reach_the_agreement(
    operator, client, client_for, tenant, other_tenant, passwords
) -> None:
    first = await _publish(operator, "2026-1")
    await staff_member(tenant, passwords, "mia")
    mia = client_for(tenant.hostname)
    await mia.log_in("mia")
    assert (await mia.get("/staff/dpa")).status_code == 404
    assert await _banner(mia) == ""
    assert (await mia.submit(f"/staff/dpa/{first}/accept", form_page="/staff")).status_code == 404
    await client.log_in("alpha-admin")
    for path in ("/operator/dpa", "/operator/dpa/new", f"/operator/dpa/{first}"):
        assert (await client.get(path)).status_code == 404
    other = client_for(other_tenant.hostname)
    await other.log_in("beta-admin")
    assert (
        await other.submit(f"/staff/dpa/{first}/accept", form_page="/staff/dpa")
    ).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert not await DpaAcceptance.exists()  # Beta's acceptance is Beta's
    assert "2026-1" in await _banner(client)
    assert (await operator.get("/operator/dpa/999999")).status_code == 404


async def test_the_lists_ask_as_often_for_many_versions_and_acceptances(
    operator, client, tenant
) -> None:
    first = await _publish(operator, "2026-1")
    await client.log_in("alpha-admin")
    await client.submit(f"/staff/dpa/{first}/accept", form_page="/staff/dpa")
    operator_one = await page_queries(operator, "/operator/dpa")
    staff_one = await page_queries(client, "/staff/dpa")
    for number in range(2, 7):
        version = await _publish(operator, f"2026-{number}")
        await client.submit(f"/staff/dpa/{version}/accept", form_page="/staff/dpa")
    listing = await operator.get("/operator/dpa")
    assert listing.text.count('-accepted">1 Firma') == 6
    assert (await client.get("/staff/dpa")).text.count('id="dpa-acceptance-') == 6
    assert await page_queries(operator, "/operator/dpa") == operator_one
    assert await page_queries(client, "/staff/dpa") == staff_one
