"""The staff contact list: search, sort, pages, "only my contacts", and its query count."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.scoping import tenant_scope
from tests.conftest import count_queries, page_queries
from tests.web.test_staff_users import _make_registered_staff

ROW_RE = re.compile(r'<a href="/staff/contacts/\d+">([^<]+)</a>')


async def _add(tenant, *people: dict[str, str]) -> list[Contact]:
    """Contacts in the tenant, created a minute apart in the given order."""
    start = datetime(2024, 1, 1, tzinfo=UTC)
    with tenant_scope(tenant.tenant.id):
        await Contact.bulk_create(
            [
                Contact(
                    tenant_id=tenant.tenant.id,
                    birthdate=date(1980, 1, 1),
                    created_at=start + timedelta(minutes=index),
                    **{"email": f"person{index}@kunde.example", **person},
                )
                for index, person in enumerate(people)
            ]
        )
        return list(await Contact.all().order_by("id"))


async def _many(tenant, count: int) -> None:
    await _add(
        tenant,
        *(
            {"first_name": "Eva", "last_name": f"Muster{n:04d}", "customer_number": f"K{n:04d}"}
            for n in range(count)
        ),
    )


async def _names(client, query: str = "") -> list[str]:
    """The names in the result table, top to bottom ("Last, First")."""
    response = await client.get(f"/staff/contacts{query}")
    assert response.status_code == 200
    return ROW_RE.findall(response.text)


@pytest.fixture
async def people(tenant) -> list[Contact]:
    return await _add(
        tenant,
        {"first_name": "Berta", "last_name": "Bergmann", "customer_number": "K-2024-17"},
        {"first_name": "Jonas", "last_name": "Müller", "email": "jonas@rheinblick.example"},
        {
            "first_name": "Ida",
            "last_name": "Imhof",
            "company_name": "Rheinblick Immobilien",
            "legal_form": "GmbH",
        },
    )


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("ergman", ["Bergmann, Berta"]),
        ("BERGMANN", ["Bergmann, Berta"]),
        ("k-2024", ["Bergmann, Berta"]),
        ("Mül", ["Müller, Jonas"]),
        ("JONAS@Rhein", ["Müller, Jonas"]),
        ("rheinblick", ["Imhof, Ida", "Müller, Jonas"]),  # company name and e-mail
        ("Blick Immo", ["Imhof, Ida"]),  # a space inside one field
        ("Berta Bergmann", []),  # as before: a term is looked for inside one field
        ("Zander", []),
    ],
)
async def test_search_finds_part_of_name_e_mail_number_or_company_in_any_case(
    client, people, term, expected
) -> None:
    await client.log_in("alpha-admin")
    assert await _names(client, f"?q={term}") == expected


async def test_search_shows_the_company_with_its_legal_form(client, people) -> None:
    await client.log_in("alpha-admin")
    page = await client.get("/staff/contacts?q=imhof")
    assert "Rheinblick Immobilien GmbH" in page.text and "1 Kontakt<" in page.text


async def test_search_finds_nothing_of_another_tenant(
    client, client_for, tenant, other_tenant
) -> None:
    await _add(tenant, {"first_name": "Anna", "last_name": "Bergmann"})
    await _add(other_tenant, {"first_name": "Beate", "last_name": "Bergmann"})
    await client.log_in("alpha-admin")
    assert await _names(client, "?q=bergmann") == ["Bergmann, Anna"]
    assert await _names(client) == ["Bergmann, Anna"]
    beta = client_for(other_tenant.hostname)
    await beta.log_in("beta-admin")
    assert await _names(beta, "?q=bergmann") == ["Bergmann, Beate"]


async def test_staff_who_may_not_see_all_find_only_their_own_contacts(
    client_for, tenant, other_tenant, passwords, people
) -> None:
    sina = await _make_registered_staff(tenant, passwords)
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=people[1].id, user_id=sina.id)
    staff = client_for(tenant.hostname)
    await staff.log_in("sina.staff")
    assert await _names(staff) == ["Müller, Jonas"]
    assert await _names(staff, "?q=rheinblick") == ["Müller, Jonas"]
    assert await _names(staff, "?q=bergmann") == []
    page = await staff.get("/staff/contacts")
    assert "1 Kontakt<" in page.text


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("50%", ["Prozent, Paula"]),
        ("a_b", ["Unterstrich, Ulf"]),
        ("k\\1", ["Schräg, Sven"]),
        ("%", ["Prozent, Paula"]),
        ("_", ["Unterstrich, Ulf"]),
    ],
)
async def test_like_wildcards_in_the_search_are_literal(client, tenant, term, expected) -> None:
    await _add(
        tenant,
        {"first_name": "Paula", "last_name": "Prozent", "company_name": "Rabatt 50%"},
        {
            "first_name": "Otto",
            "last_name": "Ohne",
            "company_name": "Rabatt 500",
            "customer_number": "AXB K1",
        },
        {"first_name": "Ulf", "last_name": "Unterstrich", "customer_number": "A_B"},
        {"first_name": "Sven", "last_name": "Schräg", "customer_number": "K\\1"},
    )
    await client.log_in("alpha-admin")
    assert await _names(client, f"?q={term.replace('%', '%25')}") == expected


async def test_pages_and_sorts(client, tenant) -> None:
    await _many(tenant, 30)
    await client.log_in("alpha-admin")
    first = await _names(client)
    assert len(first) == 25 and first[0] == "Muster0000, Eva"
    assert await _names(client, "?page=2") == [f"Muster{n:04d}, Eva" for n in range(25, 30)]
    assert await _names(client, "?page=99") == await _names(client, "?page=2")
    assert (await _names(client, "?sort=-name"))[0] == "Muster0029, Eva"
    assert (await _names(client, "?sort=number"))[:2] == ["Muster0000, Eva", "Muster0001, Eva"]
    assert (await _names(client, "?sort=created"))[0] == "Muster0029, Eva"
    found = await _names(client, "?q=muster001&sort=-name")
    assert found == [f"Muster{n:04d}, Eva" for n in range(19, 9, -1)]
    page = await client.get("/staff/contacts?page=2")
    assert "30 Kontakte" in page.text and 'aria-current="page">2<' in page.text


async def test_more_than_a_thousand_are_not_counted_to_the_end(client, tenant) -> None:
    await _many(tenant, 1_030)
    await client.log_in("alpha-admin")
    page = await client.get("/staff/contacts")
    assert "Mehr als 1.000 Kontakte" in page.text
    assert 'page=40"' in page.text and 'page=41"' not in page.text
    # beyond the counted thousand the pages go on, one "next" at a time
    deep = await client.get("/staff/contacts?page=41")
    assert 'page=42"' in deep.text and 'page=43"' not in deep.text
    assert await _names(client, "?page=41") == [f"Muster{n:04d}, Eva" for n in range(1000, 1025)]
    assert await _names(client, "?page=42") == [f"Muster{n:04d}, Eva" for n in range(1025, 1030)]
    assert 'page=43"' not in (await client.get("/staff/contacts?page=42")).text
    middle = await client.get("/staff/contacts?page=20")
    shown = re.findall(r'href="[^"]*[?&;]page=(\d+)"', middle.text)  # the pager's links
    assert shown == ["1", "18", "19", "20", "21", "22", "40"]  # first, around, last
    # a search with more matches than are counted is still sorted over all of them
    broad = await client.get("/staff/contacts?q=muster&sort=-name")
    assert "Mehr als 1.000 Treffer" in broad.text
    assert (await _names(client, "?q=muster&sort=-name"))[0] == "Muster1029, Eva"
    with count_queries() as counter:
        assert len(await _names(client, "?q=muster102")) == 10
    assert counter.count <= 2  # the session; matches counted and sorted in one statement
    narrowed = await client.get("/staff/contacts?q=muster102")
    assert "10 Kontakte" in narrowed.text


@pytest.mark.parametrize(
    "path",
    ["/staff/contacts", "/staff/contacts?q=muster&sort=-name&page=2", "/staff/contacts?q=k 0"],
)
async def test_list_and_search_cost_the_same_queries_for_30_and_200_contacts(
    client, tenant, path
) -> None:
    await client.log_in("alpha-admin")
    await _many(tenant, 30)  # enough for the page asked for (a page past the end is clamped)
    few = await page_queries(client, path)
    with tenant_scope(tenant.tenant.id):
        await Contact.all().delete()
    await _many(tenant, 200)
    many = await page_queries(client, path)
    assert few == many
    assert many <= 3  # the session, the count, the page
