"""Prospects on the staff side: the list's queries, who hears of new ones (the user form),
and what erasing a contact means for the prospects it recommended."""

from __future__ import annotations

from tenant_app.models.accounts import User
from tenant_app.models.leads import Lead
from tenant_app.models.scoping import tenant_scope
from tests.conftest import make_customer, page_queries
from tests.web.test_leads import make_lead, module_on  # noqa: F401 - a fixture
from tests.web.test_tickets import make_staff


async def _fill(tenant, count: int, referred_by: int | None = None) -> None:
    with tenant_scope(tenant.tenant.id):
        await Lead.all().delete()
        await Lead.bulk_create(
            [
                Lead(
                    tenant_id=tenant.tenant.id,
                    first_name=f"Person{n}",
                    last_name="Probe",
                    email=f"p{n}@example.org",
                    interest="kfz",
                    consent_text="Ja",
                    token_hash=f"{n:064x}",
                    status="new",
                    referred_by_id=referred_by,
                )
                for n in range(count)
            ]
        )


async def test_the_list_sends_as_many_queries_for_60_prospects_as_for_3(
    client,
    tenant,
    passwords,
    module_on,  # noqa: F811
) -> None:
    contact = await make_customer(tenant, passwords)
    await client.log_in("alpha-admin")
    await _fill(tenant, 3, contact.id)
    few = await page_queries(client, "/staff/interessenten")
    await _fill(tenant, 60, contact.id)
    many = await page_queries(client, "/staff/interessenten")
    assert few == many
    second = await client.get("/staff/interessenten?page=2")
    assert second.text.count('<tr id="lead-') == 10  # 50 a page, newest first


async def test_admins_choose_who_hears_of_new_prospects(
    client,
    tenant,
    passwords,
    module_on,  # noqa: F811
) -> None:
    lea = await make_staff(tenant, passwords, "lea", "Lea", manages_contacts=True)
    await client.log_in("alpha-admin")
    page = f"/staff/users/{lea.id}"
    form = await client.get(page)
    assert 'id="f-receives_leads"' in form.text
    values = {
        "first_name": "Lea",
        "last_name": "Team",
        "email": "lea@alpha.example",
        "birthdate": "1990-01-01",
        "role": "mitarbeiter",
        "version": str(lea.version),
        "manages_contacts": "on",
        "receives_leads": "on",
    }
    saved = await client.submit(page, values)
    assert saved.status_code == 303, saved.text[:2000]
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(id=lea.id)).receives_leads is True
    assert (
        'id="f-receives_leads" name="receives_leads" value="on" checked'
        in (await client.get(page)).text
    )


async def test_erasing_a_customer_keeps_the_prospects_they_recommended(
    client,
    tenant,
    passwords,
    module_on,  # noqa: F811
) -> None:
    contact = await make_customer(tenant, passwords, last_name="Werber")
    lead = await make_lead(tenant, referred_by_id=contact.id)
    await client.log_in("alpha-admin")
    path = f"/staff/contacts/{contact.id}/delete"
    erased = await client.submit(path, {"confirm_text": "Werber"})
    assert erased.status_code == 303
    with tenant_scope(tenant.tenant.id):
        kept = await Lead.get(id=lead.id)
    assert kept.referred_by_id is None and kept.first_name == "Olaf"
    detail = await client.get(f"/staff/interessenten/{lead.id}")
    assert detail.status_code == 200 and 'id="lead-referrer"' not in detail.text


async def test_staff_see_a_request_only_once_its_sender_confirmed_it(
    client,
    tenant,
    module_on,  # noqa: F811
) -> None:
    """Before the opt-in the address may be someone else's: nobody may be contacted on it."""
    await _fill(tenant, 1)
    with tenant_scope(tenant.tenant.id):
        lead = await Lead.first()
        await Lead.filter(id=lead.id).update(status="pending")
    await client.log_in("alpha-admin")
    for listing in ("/staff/interessenten", "/staff/interessenten?status=all"):
        assert f'id="lead-{lead.id}"' not in (await client.get(listing)).text
    assert (await client.get(f"/staff/interessenten/{lead.id}")).status_code == 404
    with tenant_scope(tenant.tenant.id):
        await Lead.filter(id=lead.id).update(status="new")
    assert (await client.get(f"/staff/interessenten/{lead.id}")).status_code == 200
    assert f'id="lead-{lead.id}"' in (await client.get("/staff/interessenten")).text
