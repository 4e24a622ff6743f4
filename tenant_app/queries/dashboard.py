"""The staff home: every card of what needs attention, counted and sampled in one query.

Each card is one branch of a UNION ALL that keeps its newest rows and counts all of its rows
with a window, so the home costs one round trip however much there is to do. Every branch is
limited to the contacts the member may see; the folder branches also to the folders they may
read. Who may see which card (tickets, folders) is decided by the caller's rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.permissions import (
    can_chat,
    can_handle_tickets,
    can_see_all_contacts,
    staff_may_read_folder,
)
from tenant_app.queries.activity import visible_events
from tenant_app.queries.sql import as_datetime, fetch_all
from tenant_app.vocabulary import FOLDERS

SAMPLE = 5  # rows listed per card; the count covers all
UPLOADS_RECENT = timedelta(days=14)  # customer uploads this young count as news to check
CARDS = (
    "to_check",
    "deleted",
    "uploads",
    "tickets",
    "chats",
    "registrations",
    "notices",
    "activity",
)
# Customers' edits the activity card shows with their old → new values.
ACTIVITY_KINDS = ("contract_edited", "profile_changed")

_COLUMNS = (
    "section",
    "id",
    "contact_id",
    "first_name",
    "last_name",
    "title",
    "detail",
    "folder",
    "kind",
    "actor",
)
_RESPONSIBLE = (
    "EXISTS (SELECT 1 FROM contact_responsible r"
    " WHERE r.tenant_id = k.tenant_id AND r.contact_id = k.id AND r.user_id = :user_id)"
)
_OWN = f" AND {_RESPONSIBLE}"


def _branch(
    table: str,
    alias: str,
    columns: tuple[str, ...],
    at: str,
    where: str,
    extra: tuple[str, str] = ("''", "''"),
) -> str:
    """One card's rows, newest first, each with the card's total; every column named alike
    (`extra`: an event's kind and actor, empty for the other cards)."""
    every = (*columns, *extra)
    named = ", ".join(f"{expr} AS {name}" for expr, name in zip(every, _COLUMNS, strict=True))
    return (
        f"SELECT {named}, {at} AS at, COUNT(*) OVER () AS total FROM {table} {alias}"  # noqa: S608
        f" JOIN contact k ON k.id = {alias}.contact_id AND k.tenant_id = {alias}.tenant_id"
        " AND k.restricted_at IS NULL"  # retained for legal reasons: hidden
        f" WHERE {alias}.tenant_id = :tenant_id AND {where} ORDER BY {at} DESC, {alias}.id DESC"
    )


_NAMES = ("k.first_name", "k.last_name")
_BRANCHES = {
    "to_check": _branch(
        "contract",
        "c",
        (
            "'to_check'",
            "c.id",
            "c.contact_id",
            *_NAMES,
            "c.product_line",
            "c.insurer_name",
            "c.folder",
        ),
        "c.created_at",
        "c.created_by_customer = :yes AND c.status = 'start' AND c.deleted_at IS NULL"
        " AND c.folder IN ({folders}){own}",
    ),
    "deleted": _branch(
        "contract",
        "c",
        (
            "'deleted'",
            "c.id",
            "c.contact_id",
            *_NAMES,
            "c.product_line",
            "c.insurer_name",
            "c.folder",
        ),
        "c.deleted_at",
        "c.deleted_at IS NOT NULL AND c.folder IN ({folders}){own}",
    ),
    "uploads": _branch(
        "document",
        "d",
        ("'uploads'", "d.id", "d.contact_id", *_NAMES, "d.title", "d.filename", "d.folder"),
        "d.created_at",
        "d.uploaded_by_customer = :yes AND d.created_at >= :since AND d.folder IN ({folders}){own}",
    ),
    "tickets": _branch(
        "conversation",
        "t",
        ("'tickets'", "t.id", "t.contact_id", *_NAMES, "t.subject", "''", "''"),
        "t.last_entry_at",
        "t.kind = 'ticket' AND t.status = 'open' AND t.last_entry_by_customer = :yes{mine}",
    ),
    # Chats whose customer wrote last: of the contacts the member sees, or that they operate.
    "chats": _branch(
        "conversation",
        "h",
        ("'chats'", "h.id", "h.contact_id", *_NAMES, "''", "''", "''"),
        "h.last_entry_at",
        "h.kind = 'chat' AND h.status = 'open' AND h.last_entry_by_customer = :yes{chat_mine}",
    ),
    "registrations": _branch(
        "user_account",
        "u",
        ("'registrations'", "u.id", "u.contact_id", *_NAMES, "u.email", "''", "''"),
        "u.registration_sent_at",
        "u.kind = 'customer' AND u.is_active = :yes AND u.registration_sent_at IS NOT NULL"
        " AND u.password_hash IS NULL{own}",
    ),
    "notices": _branch(
        "contact_notice",
        "n",
        ("'notices'", "n.id", "n.contact_id", *_NAMES, "n.kind", "n.details", "''"),
        "n.created_at",
        "n.resolved_at IS NULL{own}",
    ),
    # Edits told to the member (a notification), not yet checked by anyone.
    "activity": _branch(
        "activity_event",
        "e",
        (
            "'activity'",
            "e.id",
            "e.contact_id",
            *_NAMES,
            "e.title",
            "CAST(e.changes AS TEXT)",
            "e.folder",
        ),
        "e.created_at",
        "e.kind IN ({kinds}) AND e.checked_at IS NULL AND EXISTS (SELECT 1 FROM notification n"
        " WHERE n.tenant_id = e.tenant_id AND n.event_id = e.id AND n.user_id = :user_id)"
        " AND {visible}",
        extra=("e.kind", "e.actor_name"),
    ),
}
# Last, so that the branches above fix the column types (PostgreSQL resolves them in order).
_CONTACTS = (
    "SELECT 'contacts', 0, 0, '', '', '', '', '', '', '', MAX(k.created_at), COUNT(*)"
    " FROM contact k WHERE k.tenant_id = :tenant_id AND k.restricted_at IS NULL{own}"
)


@dataclass(frozen=True)
class Item:
    id: int
    contact_id: int
    contact_name: str
    title: str
    detail: str
    folder: str
    at: datetime | None
    kind: str = ""  # the activity card's: the event's kind, its actor, and what services add
    actor: str = ""
    sentence: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Card:
    count: int = 0
    items: list[Item] = field(default_factory=list)


@dataclass(frozen=True)
class Dashboard:
    contacts: int
    cards: dict[str, Card]  # only the cards this member may see, by CARDS name

    @property
    def nothing_to_do(self) -> bool:
        return not any(card.count for card in self.cards.values())


def _statement(actor: CurrentUser, *, chat: bool) -> tuple[str, list[str]]:
    """The UNION ALL of the cards this member may see, and those cards' names (`chat`: the
    tenant's chat module is on)."""
    own = "" if can_see_all_contacts(actor) else _OWN
    readable = [folder for folder in FOLDERS if staff_may_read_folder(actor, folder)]
    folders = ", ".join(f"'{folder}'" for folder in readable)  # fixed vocabulary, never input
    cards = [
        name
        for name in CARDS
        if (name not in ("to_check", "deleted", "uploads") or readable)
        and (name != "tickets" or can_handle_tickets(actor))
        and (name != "chats" or (chat and can_chat(actor)))
    ]
    mine = "" if can_see_all_contacts(actor) else " AND t.responsible_id = :user_id"
    kinds = ", ".join(f"'{kind}'" for kind in ACTIVITY_KINDS)
    chat_mine = f" AND (h.responsible_id = :user_id OR {_RESPONSIBLE})" if own else ""
    fill = {"folders": folders, "own": own, "mine": mine, "kinds": kinds, "chat_mine": chat_mine}
    fill["visible"] = visible_events(actor)  # the activity feed's own rule
    parts = [
        f"SELECT * FROM ({_BRANCHES[name].format(**fill)} LIMIT {SAMPLE}) AS {name}"  # noqa: S608
        for name in cards
    ]
    parts.append(_CONTACTS.format(own=own))
    return " UNION ALL ".join(parts), cards


async def dashboard(actor: CurrentUser, *, chat: bool = False) -> Dashboard:
    """What needs the member's attention, on the contacts (and folders) they may see."""
    sql, cards = _statement(actor, chat=chat)
    values: dict[str, Any] = {"yes": True}
    if ":user_id" in sql:
        values["user_id"] = actor.id
    if ":since" in sql:
        values["since"] = datetime.now(UTC) - UPLOADS_RECENT
    rows = await fetch_all(sql, **values)
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in cards}
    contacts = 0
    for row in rows:
        if row["section"] == "contacts":
            contacts = int(row["total"])
        else:
            found[str(row["section"])].append(row)
    return Dashboard(
        contacts=contacts,
        cards={name: _card(found[name]) for name in cards},
    )


def _card(rows: list[dict[str, Any]]) -> Card:
    if not rows:
        return Card()
    items = [
        Item(
            id=int(row["id"]),
            contact_id=int(row["contact_id"]),
            contact_name=f"{row['first_name']} {row['last_name']}".strip(),
            title=str(row["title"] or ""),
            detail=str(row["detail"] or ""),
            folder=str(row["folder"] or ""),
            at=as_datetime(row["at"]) if row["at"] is not None else None,
            kind=str(row["kind"] or ""),
            actor=str(row["actor"] or ""),
        )
        for row in rows
    ]
    return Card(count=int(rows[0]["total"]), items=items)
