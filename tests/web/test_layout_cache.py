"""The kept parts of the page shell (head, top bar, brand, sidebar footer, footer, top-bar
counts, go-live banner): a staff and a customer page are byte for byte an uncached render,
and the firm's name, a user's name, the unread count and the page's own address change on
the very next request."""

from __future__ import annotations

import re

from tenant_app import pages as pages_module
from tenant_app.fragments import fragment_cache
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
from tests.web.test_view_as import start_view

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


def kept_shells() -> list[tuple]:
    return [key for key in fragment_cache.keys() if key[0] == "shell"]


async def test_two_customers_with_the_same_rights_share_one_kept_shell(
    client_for, tenant, passwords
) -> None:
    """The layouts are kept once for every customer with these rights; each page still shows
    its own viewer's name, and the second customer's layouts come from the cache."""
    customers = []
    for first, email in (("Kai", "kai@kunde.example"), ("Lena", "lena@kunde.example")):
        await make_customer(tenant, passwords, email=email, first_name=first, communication=True)
        customer = client_for(tenant.hostname)
        await customer.log_in(email.split("@")[0], CUSTOMER_PASSWORD)
        customers.append(customer)
    kai = (await customers[0].get("/portal")).text
    kept = kept_shells()
    lena = (await customers[1].get("/portal")).text
    assert kept_shells() == kept and len(kept) == 1  # Lena's came from the cache
    assert '<span class="muted">Kai Kunde</span>' in kai and "Lena" not in kai
    assert '<span class="muted">Lena Kunde</span>' in lena and "Kai" not in lena


async def test_pages_of_different_records_share_their_kind_of_pages_shell(
    client, tenant, passwords
) -> None:
    kai = await make_customer(tenant, passwords)
    lena = await make_customer(tenant, passwords, email="lena@kunde.example", first_name="Lena")
    await client.log_in("alpha-admin")
    first = (await client.get(f"/staff/contacts/{kai.id}")).text
    second = (await client.get(f"/staff/contacts/{lena.id}")).text
    assert len(kept_shells()) == 1  # the contact's id is no part of what the layouts show
    assert "<title>Kai Kunde" in first and "<title>Lena Kunde" in second
    assert 'aria-current="page"' in second.split('id="sidebar"', 1)[1].split("</nav>", 1)[0]


async def test_other_rights_get_other_layouts(client_for, tenant, passwords) -> None:
    """A customer without the right to write to the broker gets no link to the messages."""
    await make_customer(tenant, passwords, communication=True)
    await make_customer(tenant, passwords, email="lena@kunde.example", first_name="Lena")
    kai, lena = client_for(tenant.hostname), client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    await lena.log_in("lena", CUSTOMER_PASSWORD)
    assert 'href="/portal/tickets"' in (await kai.get("/portal")).text
    assert 'href="/portal/tickets"' not in (await lena.get("/portal")).text
    assert len(kept_shells()) == 2


async def test_a_staff_view_as_a_customer_keeps_no_shell(client, tenant, passwords) -> None:
    """The view's banner names the customer: such a page is rendered whole every time."""
    kai = await make_customer(tenant, passwords, insurance_share=True)
    await client.log_in("alpha-admin")
    assert (await start_view(client, kai.id)).status_code == 303
    kept = kept_shells()
    page = (await client.get("/portal")).text
    assert "Sie sehen das Portal als Kai Kunde" in page and 'id="view-as-banner"' in page
    assert kept_shells() == kept


async def test_pages_with_their_layouts_kept_are_the_pages_rendered_whole(
    client, client_for, tenant, passwords, monkeypatch
) -> None:
    """Byte for byte what Jinja renders in one go, also for pages that set names at their
    top level (the contact page, the portal's overview) and from a kept shell."""
    kai = await make_customer(tenant, passwords, insurance_share=True, communication=True)
    customer = client_for(tenant.hostname)
    await customer.log_in("kai", CUSTOMER_PASSWORD)
    await client.log_in("alpha-admin")
    pages = [
        (client, "/staff"),
        (client, "/staff/contacts"),
        (client, f"/staff/contacts/{kai.id}"),
        (customer, "/portal"),
        (customer, "/portal/folders/insurance"),
    ]
    for who, path in pages:
        await who.get(path)  # now kept
    kept = [(await who.get(path)).text for who, path in pages]
    assert len(kept_shells()) == len(pages)
    monkeypatch.setattr(
        pages_module, "render_page", lambda template, context: template.render(context).encode()
    )
    whole = [(await who.get(path)).text for who, path in pages]
    assert kept == whole
