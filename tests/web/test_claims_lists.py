"""The claim lists: staff's sorted, filtered and paged; a contact's on its page; the
customer's. Each costs the same number of queries however many claims it shows."""

from __future__ import annotations

import pytest

from tenant_app.models.claims import Claim
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import claim_pages
from tests.claim_helpers import claims_of, photo, report
from tests.conftest import CUSTOMER_PASSWORD, make_customer, page_queries


@pytest.fixture
async def customer(client_for, tenant, passwords):
    await make_customer(tenant, passwords, insurance_share=True)
    browser = client_for(tenant.hostname)
    await browser.log_in("kai", CUSTOMER_PASSWORD)
    return browser


async def _report(customer, count: int) -> None:
    for n in range(count):
        files = [("f.jpg", photo(size=(40, 30)), "image/jpeg")] if n % 2 == 0 else []
        assert (await report(customer, files)).status_code == 303


async def test_query_counts_stay_the_same_however_many_claims(client, customer) -> None:
    await client.log_in("alpha-admin")
    await _report(customer, 1)
    paths = ["/staff/claims", "/portal/claims"]
    one = [await page_queries(client, paths[0]), await page_queries(customer, paths[1])]
    await _report(customer, 4)
    five = [await page_queries(client, paths[0]), await page_queries(customer, paths[1])]
    assert five == one


async def test_staff_sort_by_report_date_and_filter_by_status_and_responsible(
    client, customer, tenant
) -> None:
    await client.log_in("alpha-admin")
    await _report(customer, 3)
    first, second, third = await claims_of(tenant)
    with tenant_scope(tenant.tenant.id):
        await Claim.filter(id=second.id).update(status="settled")
    newest = (await client.get("/staff/claims")).text
    assert newest.index(f'id="claim-{third.id}"') < newest.index(f'id="claim-{first.id}"')
    oldest = (await client.get("/staff/claims?order=asc")).text
    assert oldest.index(f'id="claim-{first.id}"') < oldest.index(f'id="claim-{third.id}"')
    settled = (await client.get("/staff/claims?status=settled")).text
    assert f'id="claim-{second.id}"' in settled and f'id="claim-{first.id}"' not in settled
    still_open = (await client.get("/staff/claims?status=open")).text
    assert f'id="claim-{second.id}"' not in still_open and f'id="claim-{first.id}"' in still_open
    nobody = (await client.get("/staff/claims?responsible=me")).text
    assert 'id="no-claims"' in nobody  # nobody is responsible for Kai


async def test_the_list_is_paged(client, customer, monkeypatch) -> None:
    monkeypatch.setattr(claim_pages, "PER_PAGE", 2)
    await client.log_in("alpha-admin")
    await _report(customer, 3)
    first = await client.get("/staff/claims")
    assert 'aria-current="page">1<' in first.text and "page=2" in first.text
    second = await client.get("/staff/claims?page=2")
    assert second.text.count('<tr id="claim-') == 1


async def test_the_contacts_page_lists_its_claims(client, customer, tenant) -> None:
    await client.log_in("alpha-admin")
    await _report(customer, 1)
    (claim,) = await claims_of(tenant)
    section = await client.get(f"/staff/contacts/{claim.contact_id}/claims")
    assert section.status_code == 200 and f"/staff/claims/{claim.id}" in section.text
    contact_page = await client.get(f"/staff/contacts/{claim.contact_id}")
    assert f"/staff/contacts/{claim.contact_id}/claims" in contact_page.text
