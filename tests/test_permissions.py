"""The customer rule engine against the spec's table, exhaustively; staff rights."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from tenant_app.permissions import (
    CUSTOMER_ACTIONS,
    CustomerRights,
    FolderFlags,
    can_manage_users,
    customer_may,
    folder_access,
    folder_flags,
    visible_folders,
)

# SPEC §5, one row per flag combination, columns:
# visible, sees broker-made, sees own, may create/add docs, may edit/delete own,
# may edit/delete broker-made
TABLE = {
    # (unlock, share, readonly)
    (False, False, False): (False, False, False, False, False, False),
    (True, False, False): (True, False, True, True, True, False),
    (False, True, False): (True, True, True, True, True, True),
    (True, True, False): (True, True, True, True, True, True),
    (False, False, True): (True, True, True, False, False, False),
    (True, False, True): (True, False, True, False, False, False),
    (False, True, True): (True, True, True, False, False, False),
    (True, True, True): (True, True, True, False, False, False),
}


def expected(flags: tuple[bool, bool, bool], action: str, made_by_customer: bool) -> bool:
    visible, sees_broker, sees_own, creates, edits_own, edits_broker = TABLE[flags]
    if action == "view_folder":
        return visible
    if action == "view":
        return sees_own if made_by_customer else sees_broker
    if action in ("create", "add_document"):
        return creates
    return edits_own if made_by_customer else edits_broker


@pytest.mark.parametrize(
    ("flags", "action", "made_by_customer"),
    list(itertools.product(TABLE, CUSTOMER_ACTIONS, (False, True))),
)
def test_rule_engine_matches_the_spec_table(flags, action, made_by_customer) -> None:
    unlock, share, readonly = flags
    decided = customer_may(
        FolderFlags(unlock, share, readonly), action, made_by_customer=made_by_customer
    )
    assert decided == expected(flags, action, made_by_customer)


def test_unknown_action_is_an_error() -> None:
    with pytest.raises(ValueError):
        customer_may(FolderFlags(True), "publish")


def test_flags_are_read_per_folder() -> None:
    access = SimpleNamespace(finance_unlock=True, finance_share=False, finance_readonly=True)
    assert folder_flags(access, "finance") == FolderFlags(True, False, True)
    assert folder_flags(access, "insurance") == FolderFlags()
    assert folder_flags(None, "finance") == FolderFlags()


@pytest.mark.parametrize("flags", list(TABLE))
def test_visible_folders_follow_the_table(flags) -> None:
    unlock, share, readonly = flags
    access = SimpleNamespace(
        finance_unlock=unlock, finance_share=share, finance_readonly=readonly, other_share=True
    )
    expected = ("finance", "other") if TABLE[flags][0] else ("other",)
    assert visible_folders(access) == expected
    rights = CustomerRights(
        7, finance_unlock=unlock, finance_share=share, finance_readonly=readonly, other_share=True
    )
    assert visible_folders(rights) == expected  # the session's rights: remembered per set
    assert visible_folders(rights) == expected
    assert visible_folders(None) == ()


def _staff(**rights: object) -> SimpleNamespace:
    base = {
        "kind": "staff",
        "role": "mitarbeiter",
        "access_insurance": "none",
        "access_finance": "none",
        "access_other": "none",
        "access_emergency": "none",
        "sees_all_contacts": False,
        "handles_tickets": False,
        "manages_contacts": False,
        "manages_users": False,
        "manages_settings": False,
    }
    return SimpleNamespace(**{**base, **rights})


def test_staff_folder_rights() -> None:
    assert folder_access(_staff(), "insurance") == "none"
    assert folder_access(_staff(access_insurance="read"), "insurance") == "read"
    assert folder_access(_staff(access_insurance="bogus"), "insurance") == "none"
    assert folder_access(_staff(role="admin"), "emergency") == "write"
    assert folder_access(_staff(access_insurance="write", kind="customer"), "insurance") == "none"


def test_admin_has_every_right_and_others_only_theirs() -> None:
    assert can_manage_users(_staff(role="admin"))
    assert not can_manage_users(_staff())
    assert can_manage_users(_staff(manages_users=True))
    assert not can_manage_users(_staff(manages_users=True, kind="customer"))


def test_advice_cases_are_changed_by_who_writes_in_the_insurance_folder() -> None:
    from tenant_app.permissions import can_edit_cases

    assert can_edit_cases(_staff(role="admin"))
    assert can_edit_cases(_staff(access_insurance="write"))
    assert not can_edit_cases(_staff(access_insurance="read", manages_contacts=True))
    assert not can_edit_cases(_staff(access_insurance="write", kind="customer"))


def test_only_administrators_link_the_brokers_systems() -> None:
    """API tokens and webhooks see every contact and folder: the settings right is not enough."""
    from tenant_app.permissions import can_link_systems, can_manage_settings

    assert can_link_systems(_staff(role="admin"))
    settings_manager = _staff(
        manages_settings=True, manages_users=True, sees_all_contacts=True, access_other="write"
    )
    assert can_manage_settings(settings_manager) and not can_link_systems(settings_manager)
    assert not can_link_systems(_staff())
    assert not can_link_systems(_staff(role="admin", kind="customer"))
    assert not can_link_systems(_staff(role="api"))  # a token's own account
    assert not can_link_systems(None)
