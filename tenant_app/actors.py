"""Who acts: the logged-in staff member or customer, as loaded with their session.

Every use case takes one as its first parameter (`verb(actor, *, ...)`); the rules in
`permissions.py` read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tenant_app.permissions import CustomerRights


@dataclass(frozen=True)
class CurrentUser:
    id: int
    kind: str  # staff | customer
    role: str
    username: str
    email: str
    first_name: str
    last_name: str
    language: str | None
    session_id: str
    csrf_token: str
    contact_id: int | None = None
    access_insurance: str = "none"
    access_finance: str = "none"
    access_other: str = "none"
    access_emergency: str = "none"
    sees_all_contacts: bool = False
    handles_tickets: bool = False
    handles_chat: bool = False
    manages_contacts: bool = False
    manages_users: bool = False
    manages_settings: bool = False
    must_change_password: bool = False  # a one-time password: every page leads to changing it
    has_second_factor: bool = False
    # Households: `contact_id` is the contact the portal shows (the login's own one unless the
    # session chose a linked one); `own_contact_id` the login's own; `linked_contacts` how many
    # other contacts it manages (0: no switcher).
    own_contact_id: int | None = None
    linked_contacts: int = 0
    shown_contact_name: str = ""  # the household contact shown, when not the login's own
    # Unread notifications (the bell) and, for staff, unchecked customer actions told to them
    # (the activity feed), both counted up to security.sessions.COUNT_CAP.
    unread_notifications: int = 0
    unchecked_activity: int = 0
    # A customer's permissions, loaded with the session (all off if never set); None for staff.
    access: CustomerRights | None = None
    # Set while a staff member views the portal as this customer ("Als Kunde ansehen"): the
    # rights are the customer's, the request is theirs only to read (the edge refuses changes).
    viewing_staff_id: int | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def read_only(self) -> bool:
        return self.viewing_staff_id is not None

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"

    @property
    def is_customer(self) -> bool:
        return self.kind == "customer"

    @property
    def is_admin(self) -> bool:
        return self.is_staff and self.role == "admin"


_NOT_OF_AN_ACCOUNT = ("session_id", "csrf_token", "access", "own_contact_id")


def actor_from(
    account: object, *, access: CustomerRights | None = None, session_id: str = ""
) -> CurrentUser:
    """The actor of an account row (any object with its columns) outside a request: the demo
    acting through the use cases, tests. Its rights are the account's own."""
    names = [name for name in CurrentUser.__dataclass_fields__ if name not in _NOT_OF_AN_ACCOUNT]
    fields = {name: getattr(account, name) for name in names if hasattr(account, name)}
    return CurrentUser(
        **fields,
        session_id=session_id,
        csrf_token="",
        own_contact_id=getattr(account, "contact_id", None),
        access=access,
    )
