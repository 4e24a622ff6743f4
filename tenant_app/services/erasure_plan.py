"""What an erasure of a contact may delete at once and what retention or a legal hold keeps,
until when: read-only, so the staff's confirmation page shows it before anything happens.

Documents keep by their class (category; advice documentation by the record that filed
it), contracts by the end of the business relationship (the erasure ends it if nothing has),
tickets and chats by their last message. A contract stays as long as a document filed in it
(the document goes with its contract). Under a hold of the contact everything stays with no
end date (`None`), as does a document held on its own and the contract it is filed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from tenant_app.models.contacts import Contact
from tenant_app.models.conversations import Conversation
from tenant_app.models.folders import Contract, Document
from tenant_app.models.legal import AdviceRecord
from tenant_app.services import legal_holds, retention_rules
from tenant_app.services.retention_rules import (
    FROM_RELATIONSHIP_END,
    LEGAL_MINIMUMS,
    ErasureOutcome,
    Kept,
)
from tenant_app.vocabulary import RETENTION_CLASSES

KEPT_CONVERSATIONS = ("ticket", "chat")  # tender threads go with their advice case


@dataclass(frozen=True)
class KeptRow:
    retention_class: str
    until: date | None  # None: a legal hold keeps it


@dataclass
class ErasurePlan:
    today: date
    relationship_end: date
    held: bool  # a hold of the whole contact
    documents: dict[int, KeptRow] = field(default_factory=dict)  # id: kept as
    contracts: dict[int, KeptRow] = field(default_factory=dict)
    conversations: dict[int, KeptRow] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)  # what goes at once, per kind

    @property
    def keeps_anything(self) -> bool:
        return self.held or bool(self.documents or self.contracts or self.conversations)

    @property
    def contact_until(self) -> date | None:
        """The contact stays (restricted) as long as the last of its kept rows."""
        rows = [*self.documents.values(), *self.contracts.values(), *self.conversations.values()]
        if self.held or any(row.until is None for row in rows):
            return None
        return max((row.until for row in rows if row.until is not None), default=self.today)

    def outcome(self) -> ErasureOutcome:
        groups: dict[str, list[KeptRow]] = {}
        rows = [*self.documents.values(), *self.contracts.values(), *self.conversations.values()]
        for row in rows:
            groups.setdefault(row.retention_class, []).append(row)
        kept = [
            Kept(name, len(group), _latest(row.until for row in group))
            for name in RETENTION_CLASSES
            if (group := groups.get(name))
        ]
        return ErasureOutcome(deleted=dict(self.deleted), kept=kept, held=self.held)


def _latest(untils: Iterable[date | None]) -> date | None:
    values = list(untils)
    if any(until is None for until in values):
        return None
    return max(value for value in values if value is not None)


def _day(value: date | datetime | None, fallback: date) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value or fallback


class _Periods:
    def __init__(self, years: dict[str, int], relationship_end: date) -> None:
        self.years = years
        self.relationship_end = relationship_end

    def until(self, retention_class: str, dated: date) -> date | None:
        start = self.relationship_end
        if LEGAL_MINIMUMS[retention_class].start != FROM_RELATIONSHIP_END:
            start = dated
        return retention_rules.kept_until(self.years[retention_class], start)


async def plan_erasure(contact: Contact, *, today: date) -> ErasurePlan:
    """What `erasure.delete_contact` would do today."""
    end = contact.relationship_ended_on or today
    periods = _Periods(await retention_rules.periods(), end)
    held = bool(await legal_holds.held_contact_ids([contact.id]))
    plan = ErasurePlan(today=today, relationship_end=end, held=held)
    await _plan_documents(plan, contact.id, periods)
    await _plan_contracts(plan, contact.id, periods)
    await _plan_conversations(plan, contact.id, periods)
    return plan


def _keep(plan: ErasurePlan, name: str, until: date | None, *, held: bool) -> KeptRow | None:
    if plan.held or held:
        return KeptRow(name, None)
    if until is not None and until >= plan.today:
        return KeptRow(name, until)
    return None


async def _plan_documents(plan: ErasurePlan, contact_id: int, periods: _Periods) -> None:
    held = await legal_holds.held_document_ids([contact_id])
    advice = set(
        await AdviceRecord.filter(
            case__contact_id=contact_id, document_id__isnull=False
        ).values_list("document_id", flat=True)
    )
    rows = await Document.filter(contact_id=contact_id).values(
        "id", "category", "document_date", "created_at"
    )
    for row in rows:
        name = (
            "advice_record"
            if row["id"] in advice
            else retention_rules.document_class(str(row["category"]))
        )
        dated = _day(row["document_date"] or row["created_at"], plan.today)
        kept = _keep(plan, name, periods.until(name, dated), held=row["id"] in held)
        if kept is not None:
            plan.documents[int(row["id"])] = kept
    plan.deleted["documents"] = len(rows) - len(plan.documents)


async def _plan_contracts(plan: ErasurePlan, contact_id: int, periods: _Periods) -> None:
    filed: dict[int, list[KeptRow]] = {}
    for document_id, contract_id in await Document.filter(
        contact_id=contact_id, contract_id__isnull=False
    ).values_list("id", "contract_id"):
        if (kept_document := plan.documents.get(int(document_id))) is not None:
            filed.setdefault(int(contract_id), []).append(kept_document)
    ids = await Contract.filter(contact_id=contact_id).values_list("id", flat=True)
    for contract_id in (int(str(value)) for value in ids):
        kept = _keep(plan, "contract", periods.until("contract", plan.today), held=False)
        inside = filed.get(contract_id, [])
        if kept is None and inside:
            kept = KeptRow("contract", _latest(row.until for row in inside))
        elif kept is not None and inside:  # as long as the last document filed in it
            kept = KeptRow("contract", _latest([kept.until, *(row.until for row in inside)]))
        if kept is not None:
            plan.contracts[contract_id] = kept
    plan.deleted["contracts"] = len(ids) - len(plan.contracts)


async def _plan_conversations(plan: ErasurePlan, contact_id: int, periods: _Periods) -> None:
    rows = await Conversation.filter(contact_id=contact_id, kind__in=KEPT_CONVERSATIONS).values(
        "id", "kind", "created_at", "last_entry_at"
    )
    for row in rows:
        dated = _day(row["last_entry_at"] or row["created_at"], plan.today)
        kept = _keep(plan, "conversation", periods.until("conversation", dated), held=False)
        if kept is not None:
            plan.conversations[int(row["id"])] = kept
    for kind, plural in (("ticket", "tickets"), ("chat", "chats")):
        plan.deleted[plural] = sum(
            1 for row in rows if row["kind"] == kind and int(row["id"]) not in plan.conversations
        )
