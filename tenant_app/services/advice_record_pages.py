"""What the advice documentation's pages read, and its letter: the versions on the case page
(with delivery and read times), one version's page, and the PDF the customer receives,
written in German in the tenant's form of address whatever language staff read. The writes
live in services/advice_records.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.files.pdf import Letter, Section
from tenant_app.models.branding import TenantAsset
from tenant_app.models.cases import AdviceCase
from tenant_app.models.folders import AuditEntry
from tenant_app.models.legal import AdviceRecord
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import can_edit_cases, customer_may, folder_flags
from tenant_app.schemas.advice_records import ADVICE_FIELDS
from tenant_app.schemas.product_lines import line_label
from tenant_app.services.access import access_of
from tenant_app.services.cases import CASE_FOLDER, is_closed, names_of
from tenant_app.services.events import customer_logins
from tenant_app.text import i18n
from tenant_app.text.formatting import fmt_datetime
from tenant_app.text.i18n import addressed
from tenant_app.text.i18n import gettext as _
from tenant_app.text.legal_forms import with_legal_form

WAIVED_AUDIT = "advice_waived"  # as services/advice_records.py writes it


@dataclass(frozen=True, slots=True)
class VersionRow:
    id: int
    number: int
    delivered: bool
    delivered_at: datetime | None
    delivered_by: str
    read_at: datetime | None
    document_id: int | None
    created_at: datetime


def document_title(case: AdviceCase, record: AdviceRecord) -> str:
    return _(
        "Advice documentation %(title)s, version %(number)s", title=case.title, number=record.number
    )


async def advice_card(actor: CurrentUser, case: AdviceCase) -> dict[str, Any]:
    """The case page's advice section: every version, newest first, with who delivered it
    when and when the customer first read it; whether one is missing (three queries)."""
    records = await AdviceRecord.filter(case_id=case.id).order_by("-number")
    names = await names_of(record.delivered_by_id for record in records)
    rows = [_row(record, names) for record in records]
    delivered = any(row.delivered for row in rows)
    waived = False
    if not delivered and case.status == "completed":
        waived = await AuditEntry.filter(action=WAIVED_AUDIT, subject_id=case.id).exists()
    return {
        "advice_versions": rows,
        "advice_draft": next((row for row in rows if not row.delivered), None),
        "advice_delivered": delivered,
        "advice_waived": waived,
        "advice_missing": case.status == "completed" and not delivered and not waived,
        "advice_can_start": can_edit_cases(actor) and not is_closed(case),
    }


def _row(record: AdviceRecord, names: dict[int, str]) -> VersionRow:
    by = record.delivered_by_id
    return VersionRow(
        id=record.id,
        number=record.number,
        delivered=record.delivered_at is not None,
        delivered_at=record.delivered_at,
        delivered_by=names.get(by, "") if by is not None else "",
        read_at=record.read_at,
        document_id=record.document_id,
        created_at=record.created_at,
    )


async def record_page(actor: CurrentUser, record: AdviceRecord, case: AdviceCase) -> dict[str, Any]:
    names = await names_of([record.delivered_by_id])
    editable = record.delivered_at is None and can_edit_cases(actor) and not is_closed(case)
    return {
        "record": record,
        "row": _row(record, names),
        "case": case,
        "contact": case.contact,
        "can_edit": editable,
        "labels": labels(),
        "fields": ADVICE_FIELDS,
    }


async def customer_reached(contact_id: int) -> bool:
    """Whether a login of the customer (or of a household member managing them) sees a
    broker's document in the insurance folder, where the delivered PDF is filed."""
    flags = folder_flags(await access_of(contact_id), CASE_FOLDER)
    if not customer_may(flags, "view", made_by_customer=False):
        return False
    return bool(await customer_logins(contact_id))


def labels() -> dict[str, str]:
    return {
        "wishes": _("Wishes and needs"),
        "advice": _("Advice given"),
        "reasons": _("Reasons for the advice"),
    }


def form_values(record: AdviceRecord) -> dict[str, str]:
    values = {name: str(getattr(record, name) or "") for name in ADVICE_FIELDS}
    return values | {"version": str(record.version)}


def _paragraphs(text: str) -> tuple[str, ...]:
    parts = tuple(part.strip() for part in text.replace("\r\n", "\n").split("\n\n"))
    return tuple(part for part in parts if part) or ("–",)


async def letter_of(
    case: AdviceCase, record: AdviceRecord, *, delivered_at: datetime, by: CurrentUser
) -> Letter:
    """The version as the customer receives it (the case loaded with its contact)."""
    tenant = await Tenant.get(id=current_tenant_id())
    logo = await TenantAsset.filter(kind="logo").values_list("data", flat=True)
    firm = with_legal_form(tenant.broker_firm_name or tenant.name, tenant.broker_legal_form)
    town = f"{tenant.broker_postal_code} {tenant.broker_city}".strip()
    sender = " · ".join(part for part in (firm, tenant.broker_street, town) if part)
    contact = case.contact
    with i18n.using(i18n.DEFAULT_LOCALE, tenant.address_form):
        texts = labels()
        return Letter(
            title=_("Advice documentation"),
            sender=sender,
            sections=(
                Section(
                    _("Advice"),
                    facts=(
                        (_("Customer"), contact.full_name),
                        (_("Subject"), case.title),
                        (_("Product lines"), ", ".join(line_label(k) for k in case.product_lines)),
                        (_("Version"), str(record.number)),
                        (_("Advised by"), by.full_name),
                        (_("Delivered on"), fmt_datetime(delivered_at)),
                    ),
                ),
                *(
                    Section(texts[name], _paragraphs(getattr(record, name)))
                    for name in ADVICE_FIELDS
                ),
                Section(
                    _("Please note"),
                    paragraphs=(
                        addressed(
                            "This documentation records the advice we gave you before the"
                            " contract is concluded (§§ 61, 62 VVG). Please read it carefully"
                            " and tell us if anything is missing or not as we discussed."
                        ),
                    ),
                ),
            ),
            footer=_("Documentation under §§ 61, 62 VVG."),
            author=firm,
            created_at=delivered_at,
            logo=bytes(logo[0]) if logo else None,
            accent=tenant.primary_color or "",
        )
