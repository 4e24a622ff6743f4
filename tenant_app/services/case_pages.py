"""What the advice-case pages read: the tenant's list, a contact's cases, one case with its
risks, documents and history, and the choices its forms offer. A few queries each, however
many cases there are. The writes live in services/cases.py and case_risks.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.models.accounts import User
from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.folders import Contract, Document
from tenant_app.permissions import (
    can_edit_cases,
    can_see_all_contacts,
    staff_may_read_folder,
)
from tenant_app.schemas.product_lines import line_label, product_line
from tenant_app.services import advice_record_pages, case_offer_pages, tender_pages
from tenant_app.services.cases import (
    CASE_FOLDER,
    FIELD_LABELS,
    contract_title,
    visible_cases,
)
from tenant_app.services.object_history import HistoryEntry, object_history
from tenant_app.text.case_risks import shown_attributes
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import CASE_STATUSES as STATUS_LABELS
from tenant_app.vocabulary import CASE_STATUSES, CLOSED_CASE_STATUSES

PER_PAGE = 50
STATUS_FILTERS = ("active", *CASE_STATUSES, "all")  # "active": not closed


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: int
    title: str
    status: str
    product_lines: str  # "Kfz, Hausrat"
    contact_id: int
    contact_name: str
    responsible_name: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CaseList:
    rows: list[CaseRow]
    page: int
    pages: int
    total: int

    @property
    def page_numbers(self) -> list[int]:
        """The pages the navigation links: the first, the last and two either side of this."""
        around = range(max(2, self.page - 2), min(self.pages - 1, self.page + 2) + 1)
        return sorted({1, *around, self.pages})


@dataclass(frozen=True, slots=True)
class RiskView:
    id: int
    product_line: str
    line_label: str
    risk_label: str  # what the line's risk is: "Vehicle"
    label: str
    attributes: list[tuple[str, str]]


def _row(case: AdviceCase) -> CaseRow:
    responsible = case.responsible  # selected with the case
    return CaseRow(
        id=case.id,
        title=case.title,
        status=case.status,
        product_lines=lines_text(case.product_lines),
        contact_id=case.contact_id,
        contact_name=f"{case.contact.last_name}, {case.contact.first_name}",
        responsible_name=responsible.full_name if responsible else "",
        updated_at=case.updated_at,
    )


def lines_text(keys: list[str]) -> str:
    return ", ".join(line_label(key) for key in keys)


def _filtered(actor: CurrentUser, status: str, responsible: str) -> Any:
    query = visible_cases(actor)
    if status == "active":
        query = query.exclude(status__in=CLOSED_CASE_STATUSES)
    elif status in CASE_STATUSES:
        query = query.filter(status=status)
    if responsible == "me":
        query = query.filter(responsible_id=actor.id)
    elif responsible == "none":
        query = query.filter(responsible_id=None)
    elif responsible.isascii() and responsible.isdigit() and len(responsible) <= 10:
        query = query.filter(responsible_id=int(responsible))
    return query


async def case_list(
    actor: CurrentUser, *, status: str = "active", responsible: str = "", page: int = 1
) -> CaseList:
    """One page of the cases the actor sees, the latest changed first (two queries)."""
    query = _filtered(actor, status if status in STATUS_FILTERS else "active", responsible)
    total = await query.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(page, 1), pages)
    cases = (
        await query.select_related("contact", "responsible")
        .order_by("-updated_at", "-id")
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    return CaseList([_row(case) for case in cases], page, pages, total)


async def contact_cases(actor: CurrentUser, *, contact_id: int) -> list[CaseRow]:
    """The contact's cases, the latest changed first (the caller checked it sees the contact;
    one query)."""
    cases = (
        await visible_cases(actor)
        .filter(contact_id=contact_id)
        .select_related("contact", "responsible")
        .order_by("-updated_at", "-id")
    )
    return [_row(case) for case in cases]


async def staff_filter_choices() -> list[User]:
    return list(await User.filter(kind="staff", is_active=True).order_by("last_name", "first_name"))


async def responsible_choices(contact_id: int) -> list[User]:
    """Active staff who see the contact: all contacts, or responsible for this one."""
    rows = await ContactResponsible.filter(contact_id=contact_id).values_list("user_id", flat=True)
    responsible = {int(str(user_id)) for user_id in rows}
    return [
        user
        for user in await staff_filter_choices()
        if can_see_all_contacts(user) or user.id in responsible
    ]


def risk_view(risk: CaseRisk) -> RiskView:
    line = product_line(risk.product_line)
    return RiskView(
        id=risk.id,
        product_line=risk.product_line,
        line_label=line_label(risk.product_line),
        risk_label=_(line.risk_label) if line else "",
        label=risk.label,
        attributes=shown_attributes(risk.product_line, risk.attributes),
    )


async def case_page(actor: CurrentUser, case: AdviceCase) -> dict[str, Any]:
    """The case page's parts (the case loaded by `cases.case_for`): its risks, the documents
    filed on it (for staff who may read the insurance folder), the chosen contract, the
    history, and what the actor may do."""
    risks = await CaseRisk.filter(case_id=case.id).order_by("id")
    reads_folder = staff_may_read_folder(actor, CASE_FOLDER)
    filed = (
        await Document.filter(case_id=case.id).order_by("-created_at", "-id")
        if reads_folder
        else []
    )
    closed = case.status in CLOSED_CASE_STATUSES
    editable = can_edit_cases(actor) and not closed
    contract = case.chosen_contract
    return {
        "case": case,
        "contact": case.contact,
        "status_label": STATUS_LABELS[case.status],
        "lines": [(key, line_label(key)) for key in case.product_lines],
        "risks": [risk_view(risk) for risk in risks],
        "documents": filed,
        "reads_documents": reads_folder,
        "contract": contract,
        "contract_title": contract_title(contract),
        "contract_readable": contract is not None and staff_may_read_folder(actor, contract.folder),
        "history": await history(case),
        "closed": closed,
        "can_edit": editable,
        "can_reopen": can_edit_cases(actor) and closed,
        "contract_choices": await contract_choices(actor, case.contact_id) if editable else [],
        "statuses": [(status, STATUS_LABELS[status]) for status in CASE_STATUSES],
        **await tender_pages.case_tenders(actor, case),
        **await case_offer_pages.offers_card(actor, case),
        **await advice_record_pages.advice_card(actor, case),
    }


async def contract_choices(actor: CurrentUser, contact_id: int) -> list[tuple[int, str]]:
    """The contact's contracts (not deleted) in folders the actor reads, to choose from."""
    contracts = await Contract.filter(contact_id=contact_id, deleted_at=None).order_by(
        "folder", "product_line", "id"
    )
    return [
        (contract.id, contract_title(contract))
        for contract in contracts
        if staff_may_read_folder(actor, contract.folder)
    ]


async def history(case: AdviceCase) -> list[HistoryEntry]:
    """What happened to the case, newest first: from the event stream (one query)."""
    return await object_history(
        contact_id=case.contact_id,
        object_type="case",
        object_id=case.id,
        field_labels=FIELD_LABELS,
        shown=_shown,
    )


def _shown(column: str, value: Any) -> str:
    if value in (None, "", []):
        return "–"
    if column == "status":
        return STATUS_LABELS[str(value)]
    if column == "product_lines" and isinstance(value, list):
        return lines_text([str(key) for key in value])
    return str(value)
