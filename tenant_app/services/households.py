"""Households: one login that manages the folders of several contacts (a parent for the
children), each with that contact's own permissions.

Staff link an existing customer login to another contact, or invite a new person (who
becomes a contact with a login of their own, linked at once); the contact's consent is
written down either way. Unlinking ends the access with the very next request: the session
query only follows a link that exists. The customer chooses whose folders the portal shows;
the choice lives on their session (`Session.contact_id`), and every portal page, query and
permission check then works on that contact (`CurrentUser.contact_id`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from tortoise.expressions import Q, Subquery
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.accounts import Session, User
from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import ConversationParticipant
from tenant_app.models.folders import AuditEntry
from tenant_app.models.households import ContactLink
from tenant_app.permissions import can_manage_contacts, can_see_all_contacts, is_staff
from tenant_app.queries import households as household_reads
from tenant_app.queries.households import HouseholdContact, LinkRow
from tenant_app.schemas import rules
from tenant_app.schemas.base import checked
from tenant_app.schemas.households import InviteInput, LinkInput
from tenant_app.services import accounts, contacts, legal_profile
from tenant_app.services.unique import write_unless_taken
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _

LINKED = "household_linked"  # audit actions: who gave or took whose folders, no names
UNLINKED = "household_unlinked"
PORTAL_PREFIX = "/portal/"


# --- The customer: whose folders the portal shows ---------------------------------------


def may_switch(actor: CurrentUser) -> bool:
    """A customer's own login that manages other contacts too; never a staff member's view
    of a portal (that view shows one contact, read-only)."""
    return actor.is_customer and not actor.read_only and actor.linked_contacts > 0


@dataclass(frozen=True)
class SwitcherEntry:
    contact_id: int
    label: str  # the first name; the full name where two share one
    full_name: str
    current: bool


@dataclass(frozen=True)
class Switcher:
    """The contacts a household login may show, its own first, the shown one marked."""

    entries: list[SwitcherEntry]
    target: SwitcherEntry | None = None  # asked for by a link (a mail about that contact)
    next_path: str = ""  # where that link goes once the contact is chosen


def _entries(contacts_: list[HouseholdContact], current_id: int | None) -> list[SwitcherEntry]:
    first_names = [c.first_name.casefold() for c in contacts_]
    return [
        SwitcherEntry(
            contact_id=c.id,
            label=c.first_name if first_names.count(c.first_name.casefold()) == 1 else c.full_name,
            full_name=c.full_name,
            current=c.id == current_id,
        )
        for c in contacts_
    ]


def portal_next(path: str) -> str:
    """A path inside the portal to go on to after switching, or "" (nothing else: no host,
    no scheme, no `..` that a browser would resolve out of the portal)."""
    if not path.startswith(PORTAL_PREFIX) or len(path) > 300 or "\\" in path:
        return ""
    if any(ord(ch) < 32 or ch == "#" for ch in path):
        return ""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc:
        return ""
    if any(segment in (".", "..") for segment in unquote(parts.path).split("/")):
        return ""
    return path


async def switcher(
    actor: CurrentUser, *, target_id: int | None = None, next_path: str = ""
) -> Switcher:
    """The switcher for this login (one query); NotFound for a login without a household.

    `target_id` / `next_path`: a link asked for that contact's folders and a page in them;
    a contact that is not the login's is simply not offered."""
    if not may_switch(actor):
        raise NotFound
    found = await household_reads.household_contacts(
        user_id=actor.id, own_contact_id=actor.own_contact_id
    )
    entries = _entries(found, actor.contact_id)
    target = next((e for e in entries if e.contact_id == target_id), None)
    return Switcher(entries, target, portal_next(next_path) if target else "")


async def select_contact(actor: CurrentUser, contact_id: int) -> None:
    """Show this contact's folders from now on, in this session only: the login's own contact
    or one linked to it; anything else is NotFound (whoever it belongs to)."""
    if not actor.is_customer or actor.read_only:
        raise NotFound
    if contact_id == actor.own_contact_id:
        chosen = None
    elif await ContactLink.filter(user_id=actor.id, contact_id=contact_id).exists():
        chosen = contact_id
    else:
        raise NotFound
    await Session.filter(id=actor.session_id, user_id=actor.id).update(contact_id=chosen)


async def ticket_customers(contact_id: int, conversation_id: int) -> list[User]:
    """Who hears of staff's reply on a contact's ticket: the contact's own login, and the
    household logins still linked to the contact that took part in the ticket."""
    linked = ContactLink.filter(contact_id=contact_id).values("user_id")
    seated = ConversationParticipant.filter(conversation_id=conversation_id).values("user_id")
    household = Q(id__in=Subquery(linked)) & Q(id__in=Subquery(seated))
    query = User.filter(kind="customer", is_active=True).filter(
        Q(contact_id=contact_id) | household
    )
    return sorted(await query, key=lambda user: (user.contact_id != contact_id, user.id))


# --- Staff: who manages a contact -------------------------------------------------------


@dataclass(frozen=True)
class HouseholdForm:
    """A household form that failed: which one (link | invite), as typed, with its errors."""

    name: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HouseholdPanel:
    """The contact page's household section."""

    managed_by: list[LinkRow]  # logins that manage this contact
    manages: list[LinkRow]  # contacts this contact's own login manages
    can_change: bool
    form: HouseholdForm | None = None

    def may_unlink(self, link: LinkRow) -> bool:
        """A link on this page's contact; from the login's side only if the managed contact
        is one this member sees."""
        return self.can_change and (link in self.managed_by or link.person_contact_id is not None)


async def household_panel(
    actor: CurrentUser, contact: Contact, *, form: HouseholdForm | None = None
) -> HouseholdPanel:
    """The links of a contact the caller looked up as visible to the actor: one query."""
    if not is_staff(actor):
        raise PermissionDenied
    managed_by, manages = await household_reads.contact_links(
        contact.id, viewer_id=actor.id, sees_all=can_see_all_contacts(actor)
    )
    return HouseholdPanel(managed_by, manages, can_manage_contacts(actor), form)


def _no_login() -> ValidationFailed:
    return ValidationFailed(
        {"login": _("There is no customer login with this username or e-mail address.")}
    )


async def _customer_login(actor: CurrentUser, identifier: str) -> User | None:
    """A customer's own login by username or e-mail, of a contact the actor sees (others are
    not found: a member who sees only their contacts learns nothing of the rest)."""
    logins = User.filter(kind="customer", contact_id__not_isnull=True)
    logins = (
        logins.filter(email=identifier) if "@" in identifier else logins.filter(username=identifier)
    )
    if not can_see_all_contacts(actor):
        logins = logins.filter(contact__responsibles__user_id=actor.id)
    return await logins.first()


async def link_login(actor: CurrentUser, *, contact_id: int, values: dict[str, str]) -> ContactLink:
    """Let an existing customer login manage this contact too, with the contact's consent as
    told. NotFound / PermissionDenied as the contact's page; ValidationFailed names the field."""
    contact = await contacts.contact_to_manage(actor, contact_id)
    entered, errors = checked(LinkInput, values)
    if entered is None:
        raise ValidationFailed(errors)
    login = await _customer_login(actor, entered.identifier)
    if login is None:
        raise _no_login()
    if login.contact_id == contact.id:
        raise ValidationFailed({"login": _("This is the contact's own login.")})
    async with in_transaction():
        link = await write_unless_taken(
            lambda: ContactLink.create(
                user_id=login.id,
                contact_id=contact.id,
                consent_note=entered.consent_note,
                created_by_id=actor.id,
            )
        )
        if link is None:
            raise ValidationFailed({"login": _("This login already manages this contact.")})
        await _audit(actor, LINKED, contact.id, login.id)
    return link


async def _invite_errors(values: dict[str, str], errors: dict[str, str]) -> dict[str, str]:
    """Name lengths, and an address that already has a login (link it instead) or a contact
    (give that contact its login, then link it); the form's own messages come first."""
    found: dict[str, str] = {}
    names = {name: values.get(name, "") for name in ("first_name", "last_name")}
    rules.check_lengths(Contact, names, found)
    email = values.get("email", "").strip().lower()
    if email and "email" not in errors:
        if await User.filter(email=email).exists():
            found["email"] = _("This person already has a login: link it by its e-mail address.")
        elif await Contact.filter(email=email).exists():
            found["email"] = _(
                "There is already a contact with this e-mail address: create its user account "
                "on that contact, then link it here."
            )
    return {**found, **errors}


async def invite_person(
    actor: CurrentUser, *, settings: Settings, contact_id: int, values: dict[str, str]
) -> User:
    """Someone without a login is to manage this contact (a parent, a carer): they become a
    contact of their own (with no rights until staff give some) with a login, linked to this
    contact, and get the registration mail, all in one transaction."""
    contact = await contacts.contact_to_manage(actor, contact_id)
    entered, errors = checked(InviteInput, values)
    errors = await _invite_errors(values, errors)
    if errors or entered is None:
        raise ValidationFailed(errors)
    await legal_profile.require_live(field="email")  # an invitation: imprint complete first
    responsible = set(await contacts.responsible_ids(contact.id))
    try:
        async with in_transaction():
            person = await Contact.create(
                first_name=entered.first_name,
                last_name=entered.last_name,
                email=entered.email,
                birthdate=entered.birthdate,
            )
            # Whoever looks after the contact looks after the person too; the inviting member
            # keeps finding them.
            if not can_see_all_contacts(actor):
                responsible.add(actor.id)
            await contacts.set_responsible(person, responsible)
            login = await accounts.create_customer_account(actor, contact_id=person.id)
            await ContactLink.create(
                user_id=login.id,
                contact_id=contact.id,
                consent_note=entered.consent_note,
                created_by_id=actor.id,
            )
            await _audit(actor, LINKED, contact.id, login.id)
            await accounts.send_registration_mail(actor, settings=settings, user_id=login.id)
    except ValidationFailed:  # the address was taken since the check: nothing was written
        raise ValidationFailed(
            {"email": _("This person already has a login: link it by its e-mail address.")}
        ) from None
    return login


async def unlink(actor: CurrentUser, *, contact_id: int, link_id: int) -> ContactLink:
    """End a link from the page of the managed contact or of the login's own contact: the
    login loses the contact's folders with its next request, in every session."""
    await contacts.contact_to_manage(actor, contact_id)
    link = await ContactLink.get_or_none(id=link_id)
    if link is None:
        raise NotFound
    if link.contact_id != contact_id:
        if not await User.filter(id=link.user_id, contact_id=contact_id).exists():
            raise NotFound
        await contacts.get_visible_contact(actor, link.contact_id)  # the managed one, too
    async with in_transaction():
        await ContactLink.filter(id=link.id).delete()
        await Session.filter(user_id=link.user_id, contact_id=link.contact_id).update(
            contact_id=None
        )
        await _audit(actor, UNLINKED, link.contact_id, link.user_id)
    return link


async def release_sessions(contact_id: int) -> None:
    """Sessions showing a contact that goes (erasure) show their own contact again."""
    await Session.filter(contact_id=contact_id).update(contact_id=None)


async def _audit(actor: CurrentUser, action: str, contact_id: int, user_id: int) -> None:
    await AuditEntry.create(
        action=action, actor_id=actor.id, subject_id=contact_id, details=f"user={user_id}"
    )
