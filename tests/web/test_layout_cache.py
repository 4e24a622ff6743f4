"""The kept parts of the page shell (head, top bar, brand, sidebar footer, footer, top-bar
counts, go-live banner): a staff and a customer page are byte for byte an uncached render,
and the firm's name, a user's name, the unread count and the page's own address change on
the very next request."""

from __future__ import annotations

import re

from tenant_app.models.accounts import User
from tenant_app.models.activity import Event, Notification
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import tenant_cache
from tests.conftest import CUSTOMER_PASSWORD, make_customer
from tests.web.test_fragment_cache import (
    empty_cache,  # noqa: F401 - each test starts empty
    twice_and_uncached,
)

NEXT = re.compile(r'name="next" value="([^"]*)"')


async def test_a_staff_page_is_the_same_with_its_shell_kept(client, tenant) -> None:
    await client.log_in("alpha-admin")
    uncached, first, second = await twice_and_uncached(client, "/staff/contacts")
    assert uncached == first == second
    assert tenant.tenant.name in second and 'id="sidebar"' in second


async def test_a_customer_page_is_the_same_with_its_shell_kept(
    client_for, tenant, passwords
) -> None:
    await make_customer(tenant, passwords, insurance_share=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    uncached, first, second = await twice_and_uncached(customer, "/portal")
    assert uncached == first == second
    assert 'id="install-hint"' in second and 'id="bell"' in second


async def test_the_firms_new_name_shows_at_once_everywhere_in_the_shell(client, tenant) -> None:
    await client.log_in("alpha-admin")
    assert (await client.get("/staff/contacts")).text.count(tenant.tenant.name) >= 3
    await Tenant.filter(id=tenant.tenant.id).update(name="Beta Versicherungsmakler")
    tenant_cache.invalidate()
    page = (await client.get("/staff/contacts")).text
    assert tenant.tenant.name not in page
    # the title, the top bar, the brand beside the navigation and the footer
    assert page.count("Beta Versicherungsmakler") >= 4


async def test_a_users_new_name_shows_at_once_in_the_sidebar(client, tenant) -> None:
    await client.log_in("alpha-admin")
    await client.get("/staff/contacts")
    with tenant_scope(tenant.tenant.id):
        await User.filter(username="alpha-admin").update(first_name="Renate", last_name="Neu")
    footer = (await client.get("/staff/contacts")).text.split('class="sidebar__footer"', 1)[1]
    assert "Renate Neu" in footer.split("</div>", 1)[0]


async def test_the_language_form_returns_to_the_page_it_is_on(client, tenant) -> None:
    await client.log_in("alpha-admin")
    assert NEXT.search((await client.get("/staff/contacts")).text).group(1) == "/staff/contacts"
    searched = (await client.get("/staff/contacts?q=meier")).text
    assert NEXT.search(searched).group(1) == "/staff/contacts?q=meier"
    assert NEXT.search((await client.get("/staff")).text).group(1) == "/staff"
    sorted_page = (await client.get("/staff/contacts?q=m%C3%BCller&sort=name")).text
    assert NEXT.search(sorted_page).group(1) == "/staff/contacts?q=m%C3%BCller&amp;sort=name"


async def test_a_new_notification_counts_in_the_kept_top_bar_at_once(client, tenant) -> None:
    await client.log_in("alpha-admin")
    assert 'class="topbar__bell-count"' in (await client.get("/staff")).text
    with tenant_scope(tenant.tenant.id):
        admin = await User.get(username="alpha-admin")
        for _ in range(3):
            event = await Event.create(kind="contract_added", actor_kind="customer", title="V")
            await Notification.create(user_id=admin.id, event_id=event.id)
        unread = await Notification.filter(user_id=admin.id, read_at=None).count()
    page = (await client.get("/staff")).text
    bell = page.split('class="topbar__bell-count"', 1)[1].split("</span></a>", 1)[0]
    assert f'<span class="badge">{unread}<' in bell
