"""Who may see and do what. Pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Protocol

from tenant_app.vocabulary import ACCESS_FIELDS, FOLDERS


@dataclass(frozen=True, slots=True)
class CustomerRights:
    """Everything a customer may see and do (one CustomerAccess row); all off by default."""

    contact_id: int
    insurance_unlock: bool = False
    insurance_share: bool = False
    insurance_readonly: bool = False
    finance_unlock: bool = False
    finance_share: bool = False
    finance_readonly: bool = False
    other_unlock: bool = False
    other_share: bool = False
    other_readonly: bool = False
    emergency_unlock: bool = False
    emergency_share: bool = False
    emergency_readonly: bool = False
    profile_visible: bool = False
    profile_editable: bool = False
    communication: bool = False

    @classmethod
    def from_values(cls, contact_id: int, values: Mapping[str, object]) -> CustomerRights:
        """From a row or a form; a missing or NULL flag is off."""
        return cls(contact_id, **{name: bool(values.get(name)) for name in ACCESS_FIELDS})


class Actor(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def role(self) -> str: ...


class StaffActor(Actor, Protocol):
    @property
    def access_insurance(self) -> str: ...

    @property
    def access_finance(self) -> str: ...

    @property
    def access_other(self) -> str: ...

    @property
    def access_emergency(self) -> str: ...

    @property
    def sees_all_contacts(self) -> bool: ...

    @property
    def handles_tickets(self) -> bool: ...

    @property
    def handles_chat(self) -> bool: ...

    @property
    def manages_contacts(self) -> bool: ...

    @property
    def manages_users(self) -> bool: ...

    @property
    def manages_settings(self) -> bool: ...


def is_staff(actor: Actor | None) -> bool:
    return actor is not None and actor.kind == "staff"


def is_customer(actor: Actor | None) -> bool:
    return actor is not None and actor.kind == "customer"


def is_admin(actor: Actor | None) -> bool:
    return is_staff(actor) and actor is not None and actor.role == "admin"


def can_use_staff_area(actor: Actor | None) -> bool:
    return is_staff(actor)


def can_use_portal(actor: Actor | None) -> bool:
    return is_customer(actor)


def can_manage_users(actor: StaffActor | None) -> bool:
    return is_admin(actor) or (is_staff(actor) and bool(actor and actor.manages_users))


def can_manage_contacts(actor: StaffActor | None) -> bool:
    return is_admin(actor) or (is_staff(actor) and bool(actor and actor.manages_contacts))


def can_manage_settings(actor: StaffActor | None) -> bool:
    return is_admin(actor) or (is_staff(actor) and bool(actor and actor.manages_settings))


def can_link_systems(actor: Actor | None) -> bool:
    """Link the broker's own systems: API tokens and webhook endpoints. Administrators only,
    not whoever manages the settings: a token acts with every folder and contact of the
    tenant, and a webhook hears of every contact and every folder's changes, so either would
    reach far more than the rights of a staff member who is no admin allow."""
    return is_admin(actor)


def can_handle_tickets(actor: StaffActor | None) -> bool:
    return is_admin(actor) or (is_staff(actor) and bool(actor and actor.handles_tickets))


def can_chat(actor: StaffActor | None) -> bool:
    """See and answer the customers' chats (the right "Chat")."""
    return is_admin(actor) or (is_staff(actor) and bool(actor and actor.handles_chat))


def can_handle_conversation(actor: StaffActor | None, kind: str) -> bool:
    """A ticket's or (`kind` "chat") a chat's files: for those with the right Tickets or Chat."""
    return can_chat(actor) if kind == "chat" else can_handle_tickets(actor)


def can_see_all_contacts(actor: StaffActor | None) -> bool:
    return is_admin(actor) or (is_staff(actor) and bool(actor and actor.sees_all_contacts))


def folder_access(actor: StaffActor | None, folder: str) -> str:
    """`none`, `read` or `write` for a staff member on one folder of the customers' folders."""
    if folder not in FOLDERS or not is_staff(actor) or actor is None:
        return "none"
    if is_admin(actor):
        return "write"
    level = str(getattr(actor, f"access_{folder}", "none"))
    return level if level in ("none", "read", "write") else "none"


def can_edit_cases(actor: StaffActor | None) -> bool:
    """Open and change advice cases (Vorgänge), their risks and documents. A case is advice on
    insurance: its risks, offers and documents are insurance-folder data, and the contract
    chosen at its end is one of that folder. So the rule for writing in the insurance folder
    governs it (managing contacts is about the person's own data, which a case does not
    change). Seeing a case is seeing its contact, checked by the services' queries."""
    return staff_may_edit_folder(actor, "insurance")


def has_any_folder_access(actor: StaffActor | None) -> bool:
    return any(folder_access(actor, folder) != "none" for folder in FOLDERS)


def home_path_for(actor: Actor) -> str:
    return PLATFORM_HOMES.get(actor.kind) or ("/staff" if is_staff(actor) else "/portal")


PLATFORM_HOMES = {"backoffice": "/backoffice", "operator": "/operator"}  # the platform's logins


def is_backoffice(actor: Actor | None) -> bool:
    return actor is not None and actor.kind == "backoffice"


def is_operator(actor: Actor | None) -> bool:
    return actor is not None and actor.kind == "operator"


def is_platform_login(actor: Actor | None) -> bool:
    """An operator or backoffice person: reads customer data of many firms, so the platform
    always requires them a second factor (after a grace period, services/platform.py)."""
    return actor is not None and actor.kind in PLATFORM_HOMES


def staff_factor_state(
    actor: Actor | None, *, has_factor: bool, deadline: datetime | None, now: datetime
) -> str:
    """The tenant's second-factor requirement for one user: "" (none, met, or a customer),
    "grace" (a banner names the deadline), "due" (only their own login pages are reachable)."""
    if deadline is None or has_factor or not (is_staff(actor) or is_platform_login(actor)):
        return ""
    return "due" if now >= deadline else "grace"


# --- Customers: the per-folder rule engine (SPEC §5) ----------------------------------------

CUSTOMER_ACTIONS = ("view_folder", "view", "create", "add_document", "edit", "delete")


@dataclass(frozen=True)
class FolderFlags:
    unlock: bool = False  # Freischaltung
    share: bool = False  # Datenfreigabe
    readonly: bool = False  # Nur lesen

    @property
    def visible(self) -> bool:
        return self.unlock or self.share or self.readonly


def customer_may(flags: FolderFlags, action: str, *, made_by_customer: bool = False) -> bool:
    """The one decision of what a customer may do in a folder, for an item made by whom.

    `view`, `edit` and `delete` concern a contract or document; `made_by_customer` says
    whether the customer made it. `view_folder`, `create` and `add_document` ignore it.
    """
    if action not in CUSTOMER_ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not flags.visible:
        return False
    if action == "view_folder":
        return True
    if action == "view":
        # Broker-made items show with data share, or read-only without unlock.
        return made_by_customer or flags.share or (flags.readonly and not flags.unlock)
    if flags.readonly:
        return False
    if action in ("create", "add_document"):
        return True
    # edit / delete
    return made_by_customer or flags.share


def folder_flags(access: object | None, folder: str) -> FolderFlags:
    """Read one folder's flags from a CustomerAccess row (or any object with the columns)."""
    if access is None or folder not in FOLDERS:
        return FolderFlags()
    return FolderFlags(
        unlock=bool(getattr(access, f"{folder}_unlock", False)),
        share=bool(getattr(access, f"{folder}_share", False)),
        readonly=bool(getattr(access, f"{folder}_readonly", False)),
    )


def staff_may_edit_folder(actor: StaffActor | None, folder: str) -> bool:
    return folder_access(actor, folder) == "write"


def staff_may_read_folder(actor: StaffActor | None, folder: str) -> bool:
    return folder_access(actor, folder) in ("read", "write")


def visible_folders(access: object | None) -> tuple[str, ...]:
    """The folders a customer sees in the navigation, in their fixed order."""
    if access is None:  # staff pages: no customer
        return ()
    if type(access) is CustomerRights:  # every portal page asks: once per set of rights
        return _visible_with(access)
    return _visible(access)


def _visible(access: object) -> tuple[str, ...]:
    return tuple(f for f in FOLDERS if customer_may(folder_flags(access, f), "view_folder"))


_visible_with = lru_cache(maxsize=1024)(_visible)


@dataclass(frozen=True, slots=True)
class Can:
    """What templates ask (`can.handle_tickets`): the rules above, never restated in a page."""

    actor: StaffActor | None

    @property
    def use_staff_area(self) -> bool:
        return can_use_staff_area(self.actor)

    @property
    def handle_tickets(self) -> bool:
        return can_handle_tickets(self.actor)

    @property
    def chat(self) -> bool:
        return can_chat(self.actor)

    @property
    def see_all_tickets(self) -> bool:
        return can_see_all_contacts(self.actor)

    @property
    def manage_users(self) -> bool:
        return can_manage_users(self.actor)

    @property
    def manage_contacts(self) -> bool:
        return can_manage_contacts(self.actor)

    @property
    def manage_settings(self) -> bool:
        return can_manage_settings(self.actor)

    @property
    def link_systems(self) -> bool:
        return can_link_systems(self.actor)

    @property
    def edit_cases(self) -> bool:
        return can_edit_cases(self.actor)

    @property
    def manage_insurers(self) -> bool:
        return is_admin(self.actor)

    @property
    def appoint_admins(self) -> bool:
        return is_admin(self.actor)

    def view_as(self, rights: CustomerRights | None) -> bool:
        """View as customer ("Als Kunde ansehen") of the contact with these rights."""
        return rights is not None and can_view_as_customer(self.actor, rights)


def can_view_as_customer(actor: StaffActor | None, rights: CustomerRights) -> bool:
    """View as customer ("Als Kunde ansehen"): managing contacts (the right that sets what a
    customer may see), and reading everything that view shows, so it never reveals a folder
    or a ticket the staff member could not open on the staff side. Seeing the contact is
    checked by its query.
    """
    if not can_manage_contacts(actor):
        return False
    if any(not staff_may_read_folder(actor, folder) for folder in visible_folders(rights)):
        return False
    return not rights.communication or can_handle_tickets(actor)
