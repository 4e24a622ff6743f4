"""The small rules of households, without a database: where a switch may go on to, how the
switcher names people, who may switch at all."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tenant_app.actors import CurrentUser
from tenant_app.queries.households import HouseholdContact
from tenant_app.services.households import _entries, may_switch, portal_next

CUSTOMER = CurrentUser(
    id=7,
    kind="customer",
    role="kunde",
    username="max",
    email="max@kunde.example",
    first_name="Max",
    last_name="Muster",
    language=None,
    session_id="s",
    csrf_token="t",
    contact_id=1,
    own_contact_id=1,
    linked_contacts=2,
)


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("/portal/tickets/5", True),
        ("/portal/folders/insurance?uploaded=1", True),
        ("/portal", False),  # the home needs no `next`
        ("/staff/contacts", False),
        ("https://evil.example/portal/x", False),
        ("//evil.example/portal/", False),
        ("/portal/../staff", False),
        ("/portal/%2E%2E/staff", False),
        ("/portal/./tickets", False),
        ("/portal\\\\evil", False),
        ("/portal/x\r\nSet-Cookie: a=b", False),
        ("/portal/x#frag", False),
        ("/portal/" + "x" * 300, False),
    ],
)
def test_only_a_page_inside_the_portal_is_gone_on_to(path: str, kept: bool) -> None:
    assert portal_next(path) == (path if kept else "")


def test_the_switcher_names_people_by_first_name_unless_two_share_one() -> None:
    people = [
        HouseholdContact(1, "Max", "Max Muster", own=True),
        HouseholdContact(2, "Lena", "Lena Muster", own=False),
        HouseholdContact(3, "Lena", "Lena Berg", own=False),
    ]
    entries = _entries(people, current_id=2)
    assert [e.label for e in entries] == ["Max", "Lena Muster", "Lena Berg"]
    assert [e.current for e in entries] == [False, True, False]


def test_who_may_switch() -> None:
    assert may_switch(CUSTOMER)
    assert not may_switch(replace(CUSTOMER, linked_contacts=0))
    assert not may_switch(replace(CUSTOMER, viewing_staff_id=3))  # staff viewing the portal
    assert not may_switch(replace(CUSTOMER, kind="staff"))
