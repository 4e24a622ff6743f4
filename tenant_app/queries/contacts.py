"""The staff's contact list, search and home overview, in a few hand-written queries."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any, NamedTuple

from tenant_app.actors import CurrentUser
from tenant_app.permissions import can_see_all_contacts
from tenant_app.queries.sql import as_date, fetch_all, fetch_one
from tenant_app.vocabulary import company_display

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


class ContactRow(NamedTuple):
    """A contact as the staff list shows it (a named tuple: a key of the kept rows)."""

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
        return company_display(self.company_name, self.legal_form)


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


def _bind(values: dict[str, Any], value: Any) -> str:
    """Add a value and return its placeholder."""
    name = f"p{len(values)}"
    values[name] = value
    return f":{name}"


def _like_pattern(term: str) -> str:
    """A LIKE pattern that finds the term as typed: %, _ and \\ are literal (ESCAPE '\\')."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(actor: CurrentUser, term: str, values: dict[str, Any]) -> str:
    # The list names its tenant as a literal (an int, never user input). PostgreSQL reuses a
    # generic plan after a few runs of a prepared statement, and a generic `tenant_id = $1`
    # is estimated as an average tenant (~100 rows). For that, reading the tenant's rows and
    # sorting them looks cheaper than walking the name index, and scanning looks cheaper
    # than the trigram index: in a tenant of 20,000 contacts 17 ms instead of 0.1 for page 1,
    # 15 ms instead of 1 for a search. With the literal, plans use that tenant's statistics.
    sql = "k.tenant_id = :tenant_literal AND k.restricted_at IS NULL"  # retained: hidden
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
    actor: CurrentUser, *, search: str = "", sort: str = "name", page: int = 1
) -> ContactPage:
    """One page of the contacts the actor may see, in one or two hand-written queries.

    The count stops after COUNT_LIMIT + 1 rows, so a tenant with 20,000 contacts costs
    about what one with ten does.
    """
    term = search.strip()[:100]
    values: dict[str, Any] = {}
    where = _where(actor, term, values)
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
        **values,
    )
    matched = int(counted["n"]) if counted else 0
    uncounted = matched > COUNT_LIMIT  # then every page may exist: ask for one row more
    if not uncounted:
        page = min(page, _pages(matched))
    offset = _bind(values, (page - 1) * PAGE_SIZE)
    rows = await fetch_all(
        f"SELECT {_LIST_COLUMNS} FROM contact k WHERE {where}"  # noqa: S608
        f" ORDER BY {order} LIMIT {PAGE_SIZE + int(uncounted)} OFFSET {offset}",
        **values,
    )
    found = _page(rows[:PAGE_SIZE], page, matched)
    if uncounted:  # the pages go on as far as there are contacts, one "next" at a time
        last_known = page + 1 if len(rows) > PAGE_SIZE else page
        found = replace(found, pages=max(found.pages, last_known))
    return found


async def _search_page(
    where: str, values: dict[str, Any], order: str, page: int
) -> ContactPage | None:
    """A search in one pass over its matches (through the trigram index): counted and sorted
    together. None when that cannot answer: more than COUNT_LIMIT matches (their order needs
    the sort's index over all of them), or a page past the end (it must be clamped)."""
    bound = dict(values)  # the caller's queries bind their own offset
    offset = _bind(bound, (page - 1) * PAGE_SIZE)
    # The fence keeps PostgreSQL from walking the sort's index instead, filtering most of
    # the tenant's rows.
    rows = await fetch_all(
        f"WITH found AS MATERIALIZED (SELECT {_LIST_COLUMNS} FROM contact k"  # noqa: S608
        f" WHERE {where} LIMIT {COUNT_LIMIT + 1})"
        " SELECT k.*, (SELECT COUNT(*) FROM found) AS matched FROM found k"
        f" ORDER BY {order} LIMIT {PAGE_SIZE} OFFSET {offset}",
        **bound,
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
