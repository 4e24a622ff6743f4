"""The customer's access trail: what the broker's staff did with one contact's data, one page
at a time, in one hand-written query.

The rows are the events by staff (or the system) about the contact, of the kinds the trail
names, and only those about something the customer may see now: the rights that decide it
(`TrailRights`, from the contact's permissions) go into the statement, so a page is always
full and never names a hidden document or contract. What a row says is decided in
services/access_trail.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from tenant_app.queries.sql import as_datetime, fetch_all
from tenant_app.vocabulary import FOLDERS

NO_FOLDER = "-"  # pads the folder lists: no folder is called that


@dataclass(frozen=True, slots=True)
class TrailRights:
    """What the customer sees: the folders they may open, those where they see the broker's
    own contracts and documents too (not only their own), and their ticket attachments."""

    open_folders: frozenset[str]
    broker_folders: frozenset[str]
    communication: bool
    profile: bool = False  # their personal data are shown to them (else changes stay unsaid)


@dataclass(frozen=True, slots=True)
class TrailRow:
    id: int
    kind: str
    actor_kind: str  # staff | system
    actor_name: str
    object_type: str
    folder: str
    title: str
    changes: dict[str, list[Any]] | None
    created_at: datetime
    gone: bool  # the document or contract it is about no longer exists
    shows_names: bool  # the tenant's choice: staff by name, or "your broker's office"


# A document the customer may open (services/documents.py `_customer_check`): in a folder
# they see, shared with them or their own, and on a contract they see, if on one; outside
# the folders only an attachment of their tickets or of their chat while it is open
# (DocumentRef.customer_sees_attachment), while they may write. A contract: in a folder they
# see, their own or with the broker's shown. Of one since deleted only its folder can be
# judged (the service then withholds what it was called).
_TEMPLATE = (
    "SELECT e.id, e.kind, e.actor_kind, e.actor_name, e.object_type, e.folder, e.title,"
    " e.changes, e.created_at,"
    " (e.object_type IN ('document', 'contract') AND d.id IS NULL AND c.id IS NULL) AS gone,"
    " (SELECT t.trail_shows_staff_names FROM tenant t WHERE t.id = :tenant_id) AS shows_names"
    " FROM activity_event e"
    " LEFT JOIN document d ON e.object_type = 'document' AND d.id = e.object_id"
    " AND d.tenant_id = e.tenant_id AND d.contact_id = e.contact_id"
    " LEFT JOIN contract c ON c.tenant_id = e.tenant_id AND c.contact_id = e.contact_id"
    " AND c.id = (CASE WHEN e.object_type = 'contract' THEN e.object_id ELSE d.contract_id END)"
    " WHERE e.tenant_id = :tenant_id AND e.contact_id = :contact_id"
    " AND e.actor_kind IN ('staff', 'system') AND e.kind IN {kinds} AND ("
    "(e.object_type = 'document' AND d.id IS NOT NULL AND ("
    "(d.folder IN {open} AND (d.shared_with_customer OR d.uploaded_by_customer)"
    " AND (d.uploaded_by_customer OR d.folder IN {broker})"
    " AND (d.contract_id IS NULL OR (c.id IS NOT NULL AND c.deleted_at IS NULL"
    " AND (c.created_by_customer OR d.folder IN {broker}))))"
    " OR (d.folder = '' AND :communication AND EXISTS (SELECT 1 FROM conversation_entry x"
    " JOIN conversation v ON v.id = x.conversation_id AND v.tenant_id = x.tenant_id"
    " WHERE x.tenant_id = d.tenant_id AND x.document_id = d.id"
    " AND (v.kind = 'ticket' OR (v.kind = 'chat' AND v.status = 'open'))))))"
    " OR (e.object_type = 'contract' AND c.id IS NOT NULL AND c.folder IN {open}"
    " AND (c.created_by_customer OR c.folder IN {broker}))"
    " OR (e.object_type IN ('document', 'contract') AND d.id IS NULL AND c.id IS NULL"
    " AND e.folder IN {open})"
    " OR (e.object_type NOT IN ('document', 'contract') AND (e.folder = '' OR e.folder IN {open})"
    " AND (e.kind <> 'profile_changed' OR :profile))"
    ") ORDER BY e.created_at DESC, e.id DESC LIMIT :limit OFFSET :offset"
)


def _placeholders(prefix: str) -> str:
    return "(" + ", ".join(f":{prefix}_{n}" for n in range(len(FOLDERS))) + ")"


@cache
def _statement(kinds: tuple[str, ...]) -> str:
    # The kinds are the code's own constants, never input: written into the statement.
    listed = ", ".join(f"'{kind}'" for kind in kinds if kind.replace("_", "").isalnum())
    return (
        _TEMPLATE.replace("{kinds}", f"({listed})")
        .replace("{open}", _placeholders("open"))
        .replace("{broker}", _placeholders("broker"))
    )


def _padded(prefix: str, folders: frozenset[str]) -> dict[str, str]:
    names = sorted(folders & set(FOLDERS))
    names += [NO_FOLDER] * (len(FOLDERS) - len(names))
    return {f"{prefix}_{n}": name for n, name in enumerate(names)}


def _changes(value: Any) -> dict[str, list[Any]] | None:
    if value is None or isinstance(value, dict):
        return value
    loaded = json.loads(value)  # SQLite (and asyncpg without a codec) answer text
    return loaded if isinstance(loaded, dict) else None


async def trail_rows(
    contact_id: int, rights: TrailRights, *, kinds: tuple[str, ...], limit: int, offset: int
) -> list[TrailRow]:
    """Newest first: `limit` rows from `offset` on."""
    rows = await fetch_all(
        _statement(kinds),
        contact_id=contact_id,
        communication=rights.communication,
        profile=rights.profile,
        limit=limit,
        offset=offset,
        **_padded("open", rights.open_folders),
        **_padded("broker", rights.broker_folders),
    )
    return [
        TrailRow(
            id=int(row["id"]),
            kind=row["kind"],
            actor_kind=row["actor_kind"],
            actor_name=row["actor_name"],
            object_type=row["object_type"],
            folder=row["folder"],
            title=row["title"],
            changes=_changes(row["changes"]),
            created_at=as_datetime(row["created_at"]),
            gone=bool(row["gone"]),  # SQLite answers 0/1
            shows_names=bool(row["shows_names"]),
        )
        for row in rows
    ]
