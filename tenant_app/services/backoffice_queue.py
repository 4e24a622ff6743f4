"""The backoffice's queue: the tenders of every tenant that engages the actor's backoffice now.

One hand-written read across tenants (the queue is what a backoffice person opens all day):
the tender with its broker firm, case title, customer name, assignee and unread count. Only
tenders handed to the actor's own backoffice by a tenant whose engagement has not ended are
read; opening one goes through services/tender_access.py, which checks again and audits.

Filters (the tabs): "open" every tender not closed; "new" nobody took it yet; "mine" the
actor's own open ones; "waiting" the backoffice asked and waits for the broker (status
question); "overdue" past its due date while the backoffice still owes the first offers
(status new or open: a question waits for the broker, and offered means the promise was kept);
"closed" chosen or withdrawn, for looking back. Sorted by due date, 50 a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.queries.sql import as_datetime, unscoped
from tenant_app.services.tender_access import member_of

PAGE_SIZE = 50
FILTERS = ("new", "mine", "waiting", "overdue", "open", "closed")
DEFAULT_FILTER = "open"
# The statuses in which the backoffice still owes the first offers (see "overdue").
OWING = ("new", "open")

# Literal SQL per filter: only constants, the values are bound.
_FILTER_SQL = {
    "open": "t.status NOT IN ('chosen', 'withdrawn')",
    "new": "t.status = 'new'",
    "mine": "t.assignee_id = :actor_id AND t.status NOT IN ('chosen', 'withdrawn')",
    "waiting": "t.status = 'question'",
    "overdue": "t.due_at < :now AND t.status IN ('new', 'open')",
    "closed": "t.status IN ('chosen', 'withdrawn')",
}
_QUEUE_SQL = (
    "SELECT t.id, t.status, t.product_line, t.due_at, t.assignee_id,"
    " t.backoffice_read_count, tn.name AS tenant_name, c.title AS case_title,"
    " ct.first_name, ct.last_name, u.first_name AS assignee_first,"
    " u.last_name AS assignee_last, COALESCE(cv.entry_count, 0) AS entry_count"
    " FROM tender t"
    " JOIN backoffice_engagement e ON e.tenant_id = t.tenant_id"
    " AND e.backoffice_id = t.backoffice_id AND e.ended_at IS NULL"
    " JOIN tenant tn ON tn.id = t.tenant_id"
    " JOIN advice_case c ON c.id = t.case_id AND c.tenant_id = t.tenant_id"
    " JOIN contact ct ON ct.id = c.contact_id AND ct.tenant_id = t.tenant_id"
    " LEFT JOIN user_account u ON u.id = t.assignee_id"
    " LEFT JOIN conversation cv ON cv.id = t.conversation_id AND cv.tenant_id = t.tenant_id"
    " WHERE t.backoffice_id = :backoffice_id AND {condition}"
    " ORDER BY t.due_at, t.id LIMIT :limit OFFSET :offset"
)


@dataclass(frozen=True)
class QueueRow:
    id: int
    status: str
    product_line: str
    due_at: datetime
    tenant_name: str  # the broker firm
    case_title: str
    customer_name: str
    assignee_id: int | None
    assignee_name: str
    unread: int  # messages of the broker the backoffice has not read
    overdue: bool

    @property
    def number(self) -> str:
        return f"A-{self.id:05d}"


@dataclass(frozen=True)
class Queue:
    rows: list[QueueRow]
    filter: str
    page: int
    has_next: bool
    backoffice_name: str


def _name(first: Any, last: Any) -> str:
    return f"{first or ''} {last or ''}".strip()


def _row(row: dict[str, Any], now: datetime) -> QueueRow:
    due_at = as_datetime(row["due_at"])
    return QueueRow(
        id=int(row["id"]),
        status=str(row["status"]),
        product_line=str(row["product_line"]),
        due_at=due_at,
        tenant_name=str(row["tenant_name"]),
        case_title=str(row["case_title"]),
        customer_name=_name(row["first_name"], row["last_name"]),
        assignee_id=row["assignee_id"],
        assignee_name=_name(row["assignee_first"], row["assignee_last"]),
        unread=max(0, int(row["entry_count"]) - int(row["backoffice_read_count"])),
        overdue=due_at < now and row["status"] in OWING,
    )


def chosen_filter(raw: str) -> str:
    return raw if raw in FILTERS else DEFAULT_FILTER


async def backoffice_queue(actor: CurrentUser, *, filter_name: str, page: int = 1) -> Queue:
    """A page of the queue; NotFound unless the actor works for an active backoffice."""
    member = await member_of(actor)
    name = chosen_filter(filter_name)
    page = max(1, min(page, 10_000))
    now = datetime.now(UTC)
    params: dict[str, Any] = {
        "backoffice_id": member.backoffice_id,
        "limit": PAGE_SIZE + 1,  # one more tells whether a next page exists
        "offset": (page - 1) * PAGE_SIZE,
    }
    if name == "mine":
        params["actor_id"] = actor.id
    if name == "overdue":
        params["now"] = now
    sql = _QUEUE_SQL.format(condition=_FILTER_SQL[name])
    rows = await unscoped.fetch_all(sql, **params)  # across the engaging tenants, by design
    return Queue(
        rows=[_row(row, now) for row in rows[:PAGE_SIZE]],
        filter=name,
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        backoffice_name=member.backoffice.name,
    )
