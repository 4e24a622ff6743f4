"""`can`, what templates ask: the same answers as the rules it stands for."""

from __future__ import annotations

import pytest

from tenant_app.actors import CurrentUser
from tenant_app.permissions import Can


def _user(kind: str = "staff", role: str = "mitarbeiter", **rights: bool) -> CurrentUser:
    return CurrentUser(
        id=1,
        kind=kind,
        role=role,
        username="u",
        email="u@example.org",
        first_name="U",
        last_name="V",
        language=None,
        session_id="s",
        csrf_token="c",
        **rights,
    )


@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (None, set()),
        (_user("customer", "kunde"), set()),
        (_user(), {"use_staff_area"}),
        (_user(handles_tickets=True), {"use_staff_area", "handle_tickets"}),
        (_user(sees_all_contacts=True), {"use_staff_area", "see_all_tickets"}),
        (_user(manages_users=True), {"use_staff_area", "manage_users"}),
        (_user(manages_contacts=True), {"use_staff_area", "manage_contacts"}),
        (_user(manages_settings=True), {"use_staff_area", "manage_settings"}),  # no link_systems
        (
            _user(manages_settings=True, manages_users=True, sees_all_contacts=True),
            {"use_staff_area", "manage_settings", "manage_users", "see_all_tickets"},
        ),
        (_user("customer", "admin"), set()),
        (_user(access_insurance="write"), {"use_staff_area", "edit_cases"}),  # type: ignore[arg-type]
        (_user(access_insurance="read"), {"use_staff_area"}),  # type: ignore[arg-type]
        (_user(handles_chat=True), {"use_staff_area", "chat"}),  # type: ignore[arg-type]
        (
            _user(role="admin"),
            {
                "use_staff_area",
                "handle_tickets",
                "chat",
                "see_all_tickets",
                "manage_users",
                "manage_contacts",
                "manage_settings",
                "link_systems",
                "manage_insurers",
                "appoint_admins",
                "edit_cases",
            },
        ),
    ],
)
def test_can_answers_as_the_rules_do(actor: CurrentUser | None, expected: set[str]) -> None:
    names = [name for name in dir(Can) if isinstance(getattr(Can, name), property)]
    assert {name for name in names if getattr(Can(actor), name)} == expected
