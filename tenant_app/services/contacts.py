"""Contacts: creating, changing and finding the ones a staff member may see."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from tenant_app.db_queries import as_date, as_datetime, fetch_all, fetch_one
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.i18n import gettext as _
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.permissions import can_manage_contacts, can_see_all_contacts
from tenant_app.services import validation

CONTACT_FIELDS = (
    "first_name",
    "last_name",
    "birthdate",
    "email",
    "company_name",
    "legal_form",
    "street",
    "postal_code",
    "city",
    "phone",
    "customer_number",
)
PAGE_SIZE = 25
COUNT_LIMIT = 1_000  # counted exactly up to here; beyond: "more than 1,000", pages go on
# Sorts of the staff list; each has its index (Contact.Meta), the id makes page borders stable.
SORTS = {
    "name": "k.last_name, k.first_name, k.id",
    "-name": "k.last_name DESC, k.first_name DESC, k.id DESC",
    "number": "k.customer_number, k.last_name, k.id",
    "created": "k.created_at DESC, k.id DESC",
}
# Exactly the expression of the trigram index in migrations/0006_contact_search.py.
_SEARCH_TEXT = (
    "lower(k.first_name || ' ' || k.last_name || ' ' || k.email || ' ' || k.customer_number"
    " || ' ' || k.company_name)"
)
_SEARCH_FIELDS = ("first_name", "last_name", "email", "customer_number", "company_name")
_LIST_COLUMNS = (  # created_at only for sorting
    "k.id, k.first_name, k.last_name, k.email, k.customer_number, k.company_name,"
    " k.legal_form, k.birthdate, k.created_at"
)


def _scope_for(actor: Any) -> Any:
    """Contacts the actor may see: all of them, or those they are responsible for."""
    if can_see_all_contacts(actor):
        return Contact.all()
    return Contact.filter(responsibles__user_id=actor.id)


@dataclass(frozen=True)
class ContactRow:
    """A contact as the staff list shows it."""

    id: int
    first_name: str
    last_name: str
    email: str
    customer_number: str
    company_name: str
    legal_form: str
    birthdate: date | None  # never NULL in the table; as_date's type

    @property
    def company_display(self) -> str:
        """The model's rule ("GmbH" exactly once), applied to this row."""
        return Contact.company_display.fget(self)  # type: ignore[attr-defined, no-any-return]


@dataclass(frozen=True)
class ContactPage:
    contacts: list[ContactRow]
    page: int
    pages: int
    total: int  # at most COUNT_LIMIT
    has_more: bool  # more than COUNT_LIMIT matched; `pages` then ends one after this page

    @property
    def page_numbers(self) -> list[int]:
        """The pages the navigation links: the first, the last and two either side of this."""
        around = range(max(2, self.page - 2), min(self.pages - 1, self.page + 2) + 1)
        return sorted({1, *around, self.pages})


def _bind(values: list[Any], value: Any) -> str:
    """Append a value and return its placeholder (each use gets its own: SQLite has `?`)."""
    values.append(value)
    return f"{{{len(values) - 1}}}"


def _like_pattern(term: str) -> str:
    """A LIKE pattern that finds the term as typed: %, _ and \\ are literal (ESCAPE '\\')."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(actor: Any, tenant_id: int, term: str, values: list[Any]) -> str:
    # The list names its tenant as a literal (an int, never user input). PostgreSQL reuses a
    # generic plan after a few runs of a prepared statement, and a generic `tenant_id = $1`
    # is estimated as an average tenant (~100 rows). For that, reading the tenant's rows and
    # sorting them looks cheaper than walking the name index, and scanning looks cheaper
    # than the trigram index: in a tenant of 20,000 contacts 17 ms instead of 0.1 for page 1,
    # 15 ms instead of 1 for a search. With the literal, plans use that tenant's statistics.
    sql = f"k.tenant_id = {int(tenant_id)}"
    if not can_see_all_contacts(actor):
        user = _bind(values, actor.id)
        sql += (
            " AND EXISTS (SELECT 1 FROM contact_responsible r"  # noqa: S608 - placeholder only
            f" WHERE r.tenant_id = k.tenant_id AND r.user_id = {user} AND r.contact_id = k.id)"
        )
    if term:
        pattern = _like_pattern(term)
        sql += f" AND {_SEARCH_TEXT} LIKE lower({_bind(values, pattern)}) ESCAPE '\\'"
        if " " in term:  # only a term with a space can match across two fields: exclude that
            fields = " OR ".join(
                f"lower(k.{name}) LIKE lower({_bind(values, pattern)}) ESCAPE '\\'"
                for name in _SEARCH_FIELDS
            )
            sql += f" AND ({fields})"
    return sql


def _row(row: dict[str, Any]) -> ContactRow:
    return ContactRow(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        email=row["email"],
        customer_number=row["customer_number"],
        company_name=row["company_name"],
        legal_form=row["legal_form"],
        birthdate=as_date(row["birthdate"]),
    )


async def visible_contacts(
    actor: Any, tenant_id: int, *, search: str = "", sort: str = "name", page: int = 1
) -> ContactPage:
    """One page of the contacts the actor may see, in one or two hand-written queries.

    The count stops after COUNT_LIMIT + 1 rows, so a tenant with 20,000 contacts costs
    about what one with ten does.
    """
    term = search.strip()[:100]
    values: list[Any] = []
    where = _where(actor, tenant_id, term, values)
    order = SORTS.get(sort, SORTS["name"])
    page = max(1, page)
    if term:
        found = await _search_page(where, values, order, page)
        if found is not None:
            return found
    # Only constants and placeholders are formatted into the SQL; the values are bound.
    counted = await fetch_one(
        f"SELECT COUNT(*) AS n FROM (SELECT 1 FROM contact k WHERE {where}"  # noqa: S608
        f" LIMIT {COUNT_LIMIT + 1}) AS found",
        *values,
    )
    matched = int(counted["n"]) if counted else 0
    uncounted = matched > COUNT_LIMIT  # then every page may exist: ask for one row more
    if not uncounted:
        page = min(page, _pages(matched))
    offset = _bind(values, (page - 1) * PAGE_SIZE)
    rows = await fetch_all(
        f"SELECT {_LIST_COLUMNS} FROM contact k WHERE {where}"  # noqa: S608
        f" ORDER BY {order} LIMIT {PAGE_SIZE + int(uncounted)} OFFSET {offset}",
        *values,
    )
    found = _page(rows[:PAGE_SIZE], page, matched)
    if uncounted:  # the pages go on as far as there are contacts, one "next" at a time
        last_known = page + 1 if len(rows) > PAGE_SIZE else page
        found = replace(found, pages=max(found.pages, last_known))
    return found


async def _search_page(where: str, values: list[Any], order: str, page: int) -> ContactPage | None:
    """A search in one pass over its matches (through the trigram index): counted and sorted
    together. None when that cannot answer: more than COUNT_LIMIT matches (their order needs
    the sort's index over all of them), or a page past the end (it must be clamped)."""
    bound = list(values)  # the caller's queries bind their own offset
    offset = _bind(bound, (page - 1) * PAGE_SIZE)
    # The fence keeps PostgreSQL from walking the sort's index instead, filtering most of
    # the tenant's rows.
    rows = await fetch_all(
        f"WITH found AS MATERIALIZED (SELECT {_LIST_COLUMNS} FROM contact k"  # noqa: S608
        f" WHERE {where} LIMIT {COUNT_LIMIT + 1})"
        " SELECT k.*, (SELECT COUNT(*) FROM found) AS matched FROM found k"
        f" ORDER BY {order} LIMIT {PAGE_SIZE} OFFSET {offset}",
        *bound,
    )
    if not rows:
        return _page(rows, 1, 0) if page == 1 else None
    matched = int(rows[0]["matched"])
    return _page(rows, page, matched) if matched <= COUNT_LIMIT else None


def _pages(matched: int) -> int:
    return max(1, -(-min(matched, COUNT_LIMIT) // PAGE_SIZE))


def _page(rows: list[dict[str, Any]], page: int, matched: int) -> ContactPage:
    return ContactPage(
        contacts=[_row(row) for row in rows],
        page=page,
        pages=_pages(matched),
        total=min(matched, COUNT_LIMIT),
        has_more=matched > COUNT_LIMIT,
    )


async def get_visible_contact(actor: Any, contact_id: int) -> Contact:
    """404 whether the contact does not exist, is another tenant's or not the actor's."""
    contact = await _scope_for(actor).filter(id=contact_id).first()
    if contact is None:
        raise NotFound
    return contact


async def _clean(values: dict[str, str], *, except_contact: int | None = None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    validation.required(values, errors, "first_name", "last_name")
    if message := validation.email_error(values.get("email", "")):
        errors["email"] = message
    birthdate, message = validation.birthdate_error(values.get("birthdate", ""))
    if message:
        errors["birthdate"] = message
    email = values.get("email", "").strip().lower()
    if "email" not in errors:
        same_contact = Contact.filter(email=email)
        same_user = User.filter(email=email)
        if except_contact is not None:
            same_contact = same_contact.exclude(id=except_contact)
            # Staff accounts have no contact (NULL), so a plain exclude() would skip them.
            same_user = same_user.filter(
                Q(contact_id__isnull=True) | Q(contact_id__not=except_contact)
            )
        if await same_contact.exists() or await same_user.exists():
            errors["email"] = _("There is already a contact or user with this e-mail address.")
    validation.check_lengths(Contact, values, errors)
    if errors:
        raise ValidationFailed(errors)
    clean: dict[str, Any] = {name: values.get(name, "").strip() for name in CONTACT_FIELDS}
    clean["email"] = email
    clean["birthdate"] = birthdate
    return clean


async def create_contact(
    actor: Any, *, values: dict[str, str], responsible: list[int] | None = None
) -> Contact:
    if not can_manage_contacts(actor):
        raise PermissionDenied
    clean = await _clean(values)
    contact = await Contact.create(**clean)
    staff_ids = set(responsible or [])
    if not can_see_all_contacts(actor):  # the creator stays responsible, so they can find it again
        staff_ids.add(actor.id)
    await set_responsible(contact, staff_ids)
    return contact


async def update_contact(
    actor: Any, contact: Contact, *, values: dict[str, str], responsible: list[int]
) -> Contact:
    if not can_manage_contacts(actor):
        raise PermissionDenied
    clean = await _clean(values, except_contact=contact.id)
    async with in_transaction():  # contact, account and responsibles change together or not at all
        await Contact.filter(id=contact.id).update(**clean)
        await User.filter(contact_id=contact.id).update(  # the account follows name and e-mail
            first_name=clean["first_name"],
            last_name=clean["last_name"],
            email=clean["email"],
            birthdate=clean["birthdate"],
        )
        await set_responsible(contact, set(responsible))
    return await Contact.get(id=contact.id)


async def set_responsible(contact: Contact, staff_ids: set[int]) -> None:
    valid = set(
        await User.filter(id__in=list(staff_ids), kind="staff").values_list("id", flat=True)
    )
    await ContactResponsible.filter(contact_id=contact.id).exclude(user_id__in=list(valid)).delete()
    existing = set(
        await ContactResponsible.filter(contact_id=contact.id).values_list("user_id", flat=True)
    )
    for user_id in sorted(valid - existing):
        await ContactResponsible.create(contact_id=contact.id, user_id=user_id)


async def responsible_ids(contact_id: int) -> list[int]:
    rows = await ContactResponsible.filter(contact_id=contact_id).values_list("user_id", flat=True)
    return [int(str(user_id)) for user_id in rows]


async def staff_choices() -> list[User]:
    return list(await User.filter(kind="staff", is_active=True).order_by("last_name", "first_name"))


@dataclass(frozen=True)
class EntryToCheck:
    id: int
    contact_id: int
    contact_name: str
    folder: str
    product_line: str
    insurer_name: str
    status: str
    created_at: Any


@dataclass(frozen=True)
class Overview:
    contacts: int
    contracts_to_check: list[EntryToCheck]  # customer-made, in status "Start", newest first


_OWN = (
    " AND EXISTS (SELECT 1 FROM contact_responsible r"
    " WHERE r.contact_id = k.id AND r.user_id = {1})"
)
_COUNT_SQL = "SELECT COUNT(*) AS n FROM contact k WHERE k.tenant_id = {0}"
_TO_CHECK_SQL = (
    "SELECT c.id, c.contact_id, c.folder, c.product_line, c.insurer_name, c.status, c.created_at,"
    " k.first_name, k.last_name FROM contract c"
    " JOIN contact k ON k.id = c.contact_id AND k.tenant_id = c.tenant_id"
    " WHERE c.tenant_id = {0}"
)


async def overview(actor: Any, tenant_id: int) -> Overview:
    """The staff home in two hand-written queries (it is the page everyone lands on)."""
    from tenant_app.permissions import FOLDERS, staff_may_read_folder

    own = "" if can_see_all_contacts(actor) else _OWN
    scope: list[Any] = [tenant_id] if not own else [tenant_id, actor.id]
    count = await fetch_one(_COUNT_SQL + own, *scope)
    readable = [folder for folder in FOLDERS if staff_may_read_folder(actor, folder)]
    entries: list[EntryToCheck] = []
    if readable:
        first = len(scope)  # placeholders after the scope's: customer-made, status, folders
        marks = ", ".join(f"{{{first + 2 + index}}}" for index in range(len(readable)))
        sql = (
            f"{_TO_CHECK_SQL}{own} AND c.created_by_customer = {{{first}}}"
            f" AND c.status = {{{first + 1}}} AND c.deleted_at IS NULL"
            f" AND c.folder IN ({marks}) ORDER BY c.created_at DESC LIMIT 10"
        )
        rows = await fetch_all(sql, *scope, True, "start", *readable)
        entries = [
            EntryToCheck(
                id=row["id"],
                contact_id=row["contact_id"],
                contact_name=f"{row['first_name']} {row['last_name']}",
                folder=row["folder"],
                product_line=row["product_line"],
                insurer_name=row["insurer_name"],
                status=row["status"],
                created_at=as_datetime(row["created_at"]),
            )
            for row in rows
        ]
    return Overview(contacts=int(count["n"]) if count else 0, contracts_to_check=entries)
