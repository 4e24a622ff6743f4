"""Notices staff must act on: shown on the contact and counted on the home page of the staff
who see the contact, mailed to its responsible staff, and gone once someone marks them done."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.conftest import link_in, text_of
from tests.mail_helpers import invite_customer
from tests.web.test_tickets import make_staff

PASSWORD = "Sommerwiese-2026"
JANA = "jana@kunde.example"


async def test_a_link_locked_by_wrong_pins_reaches_the_responsible_staff(
    client, client_for, tenant, passwords, deliver
) -> None:
    nina = await make_staff(tenant, passwords, "nina", "Nina", handles_tickets=True)
    await client.log_in("alpha-admin")
    contact_id = await invite_customer(client, tenant, responsible=[str(nina.id)])
    path = urlsplit(link_in(next(m for m in await deliver() if m["To"] == JANA))).path
    stranger = client_for(tenant.hostname)
    for _ in range(5):
        await stranger.submit(
            path, {"password": PASSWORD, "password2": PASSWORD, "pin": "01010101"}
        )

    [told] = [m for m in await deliver() if m["To"] == "nina@alpha.example"]
    assert told["Subject"] == "Registrierungslink gesperrt: Jana Jäger"
    assert "Guten Tag Nina," in text_of(told)  # staff: the formal form
    assert f"/staff/contacts/{contact_id}#notices" in text_of(told)

    colleague = client_for(tenant.hostname)
    await colleague.log_in("nina")
    page = await colleague.get(f"/staff/contacts/{contact_id}")
    assert "nach zu vielen falschen PINs gesperrt" in page.text
    assert 'id="open-notices-count">1<' in (await colleague.get("/staff")).text


async def test_staff_who_do_not_see_the_contact_neither_see_nor_close_its_notices(
    client, client_for, tenant, passwords, deliver
) -> None:
    nina = await make_staff(tenant, passwords, "nina", "Nina")
    await make_staff(tenant, passwords, "omar", "Omar")  # neither responsible nor sees all
    await client.log_in("alpha-admin")
    contact_id = await invite_customer(client, tenant, responsible=[str(nina.id)])
    path = urlsplit(link_in(next(m for m in await deliver() if m["To"] == JANA))).path
    for _ in range(5):
        await client_for(tenant.hostname).submit(
            path, {"password": PASSWORD, "password2": PASSWORD, "pin": "01010101"}
        )
    page = (await client.get(f"/staff/contacts/{contact_id}")).text
    notice_id = re.search(r'id="notice-(\d+)"', page).group(1)
    done_path = f"/staff/contacts/{contact_id}/notices/{notice_id}/done"

    other = client_for(tenant.hostname)
    await other.log_in("omar")
    assert 'id="open-notices"' not in (await other.get("/staff")).text
    refused = await other.submit(done_path, form_page="/staff")
    assert refused.status_code == 404  # as if there were no such contact
    assert 'id="notices"' in (await client.get(f"/staff/contacts/{contact_id}")).text
