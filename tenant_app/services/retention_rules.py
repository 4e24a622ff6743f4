"""How long German law makes a broker keep what it holds about a customer, per retention
class (vocabulary.RETENTION_CLASSES), and the firm's own longer periods.

A period runs from the end of a calendar year (§ 257 (5) HGB, § 147 (4) AO, § 8 (4) GwG):
of the year of the document's date, or of the year the business relationship ended. It ends
on 31 December `years` later; the row is kept until then (`delete_after`) and goes after it.
A tenant may lengthen a class (`RetentionRule`), never shorten it below the legal minimum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.models.folders import AuditEntry
from tenant_app.models.legal import RetentionRule
from tenant_app.permissions import is_admin
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_
from tenant_app.vocabulary import DOCUMENT_CATEGORIES, RETENTION_CLASSES

FROM_DOCUMENT_DATE = "document_date"  # end of the calendar year of the document's date
FROM_RELATIONSHIP_END = "relationship_end"  # end of the year the business relationship ended
MAX_YEARS = 30  # a firm's period; § 199 (2) BGB: the longest limitation period


@dataclass(frozen=True)
class LegalMinimum:
    retention_class: str
    label: str  # N_(): what the class holds
    years: int  # 0: no legal duty to keep, deleted at once unless the firm keeps it
    start: str  # FROM_DOCUMENT_DATE or FROM_RELATIONSHIP_END
    source: str  # the legal basis, as cited


_HANDELSBRIEF = "§ 257 (1) Nr. 2, 3, (4) HGB; § 147 (1) Nr. 2, 3, (3) AO"
LEGAL_MINIMUMS: dict[str, LegalMinimum] = {
    m.retention_class: m
    for m in (
        LegalMinimum(
            "document_policy",
            N_("Policies and insurers' letters"),
            6,
            FROM_DOCUMENT_DATE,
            _HANDELSBRIEF,
        ),
        LegalMinimum(
            "document_application", N_("Applications"), 6, FROM_DOCUMENT_DATE, _HANDELSBRIEF
        ),
        LegalMinimum(
            "document_invoice",
            N_("Invoices and commission statements"),
            8,
            FROM_DOCUMENT_DATE,
            "§ 257 (1) Nr. 4, (4) HGB; § 147 (1) Nr. 4, (3) AO",
        ),
        LegalMinimum(
            "document_correspondence", N_("Correspondence"), 6, FROM_DOCUMENT_DATE, _HANDELSBRIEF
        ),
        LegalMinimum("document_claim", N_("Claim files"), 6, FROM_DOCUMENT_DATE, _HANDELSBRIEF),
        LegalMinimum(
            "document_identity",
            N_("Identification (money laundering)"),
            5,
            FROM_RELATIONSHIP_END,
            "§ 8 (4) GwG",
        ),
        LegalMinimum("document_other", N_("Other documents"), 0, FROM_DOCUMENT_DATE, ""),
        LegalMinimum(
            "contract", N_("Contracts and their data"), 6, FROM_RELATIONSHIP_END, _HANDELSBRIEF
        ),
        LegalMinimum("conversation", N_("Tickets and chats"), 6, FROM_DOCUMENT_DATE, _HANDELSBRIEF),
        LegalMinimum(
            "advice_record",
            N_("Advice documentation"),
            6,
            FROM_DOCUMENT_DATE,
            "§§ 61, 62 VVG; § 257 (1) Nr. 3, (4) HGB; § 147 (1) Nr. 3, (3) AO",
        ),
    )
}
assert tuple(LEGAL_MINIMUMS) == RETENTION_CLASSES  # noqa: S101 - one table, one vocabulary


def document_class(category: str) -> str:
    """A document's retention class from its category ("" and unknown ones: other)."""
    return f"document_{category}" if category in DOCUMENT_CATEGORIES else "document_other"


def kept_until(years: int, start_on: date) -> date | None:
    """The last day a row must be kept: 31 December `years` after the start's year.
    None when nothing keeps it (0 years)."""
    return date(start_on.year + years, 12, 31) if years > 0 else None


DELETED_LABELS = {
    "contact": N_("Contact"),
    "contracts": N_("Contracts"),
    "documents": N_("Documents"),
    "tickets": N_("Tickets"),
    "chats": N_("Chats"),
    "mails": N_("Mails"),
    "accounts": N_("Logins"),
    "cases": N_("Advice cases"),
}


@dataclass(frozen=True)
class Kept:
    """What an erasure kept of one class: how many rows, until when (None: a legal hold
    keeps them until it is released)."""

    retention_class: str
    count: int
    until: date | None


@dataclass
class ErasureOutcome:
    """What an erasure did: rows deleted at once per kind ("contracts", "documents",
    "tickets", "chats", "mails", ...) and what is kept restricted, per retention class."""

    deleted: dict[str, int] = field(default_factory=dict)
    kept: list[Kept] = field(default_factory=list)
    held: bool = False  # a legal hold on the contact kept everything

    @property
    def contact_deleted(self) -> bool:
        return not self.kept and not self.held

    def text(self) -> str:
        """What was deleted and what is kept until when, in the current locale."""
        lines = [_("Deleted at once: %(what)s.", what=self._deleted_text())]
        if self.held:
            lines.append(_("A legal hold keeps everything else until it is released."))
        for kept in self.kept:
            label = _(LEGAL_MINIMUMS[kept.retention_class].label)
            if kept.until is None:
                lines.append(
                    _(
                        "Kept under a legal hold: %(label)s (%(count)s).",
                        label=label,
                        count=kept.count,
                    )
                )
            else:
                lines.append(
                    _(
                        "Kept until %(until)s: %(label)s (%(count)s).",
                        label=label,
                        count=kept.count,
                        until=kept.until.strftime("%d.%m.%Y"),
                    )
                )
        return "\n".join(lines)

    def _deleted_text(self) -> str:
        parts = [
            f"{_(DELETED_LABELS.get(name, name))}: {count}"
            for name, count in self.deleted.items()
            if count
        ]
        return ", ".join(parts) or _("nothing")


async def periods() -> dict[str, int]:
    """The tenant's period in years per class: its own rule, or the legal minimum."""
    rules = {r.retention_class: r.years for r in await RetentionRule.all()}
    return {
        name: max(minimum.years, rules.get(name, 0)) for name, minimum in LEGAL_MINIMUMS.items()
    }


def _period_error(minimum: LegalMinimum, years: int | None) -> str | None:
    if years is None:
        return _("Please enter a number of years.")
    if years < minimum.years:
        return _("At least %(years)s years: the law does not allow less.", years=minimum.years)
    if years > MAX_YEARS:
        return _("At most %(years)s years.", years=MAX_YEARS)
    return None


async def firm_periods(actor: CurrentUser) -> dict[str, int]:
    """The periods for the settings page (admins)."""
    if not is_admin(actor):
        raise PermissionDenied
    return await periods()


async def set_periods(actor: CurrentUser, values: Mapping[str, str]) -> None:
    """Save every class's period as typed; lengthen or return to the legal minimum, never
    shorter (ValidationFailed per class, and nothing is saved)."""
    if not is_admin(actor):
        raise PermissionDenied
    errors: dict[str, str] = {}
    wanted: dict[str, int] = {}
    for name, minimum in LEGAL_MINIMUMS.items():
        raw = values.get(name, "").strip()
        years = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 3 else None
        if (error := _period_error(minimum, years)) is not None:
            errors[name] = error
        elif years is not None:
            wanted[name] = years
    if errors:
        raise ValidationFailed(errors)
    current = await periods()
    async with in_transaction():
        for name, years in wanted.items():
            if years != current[name]:
                await _store_period(actor, name, years)


async def set_period(actor: CurrentUser, *, retention_class: str, years: int | None) -> None:
    """One class's period (ValidationFailed on the class's name if shorter than the law's)."""
    minimum = LEGAL_MINIMUMS.get(retention_class)
    if not is_admin(actor):
        raise PermissionDenied
    if minimum is None:
        raise ValidationFailed({retention_class: _("Unknown retention class.")})
    if (error := _period_error(minimum, years)) is not None:
        raise ValidationFailed({retention_class: error})
    await _store_period(actor, retention_class, cast(int, years))


async def _store_period(actor: CurrentUser, retention_class: str, years: int) -> None:
    if years == LEGAL_MINIMUMS[retention_class].years:
        await RetentionRule.filter(retention_class=retention_class).delete()
    else:
        await RetentionRule.update_or_create(
            defaults={"years": years, "updated_by_id": actor.id}, retention_class=retention_class
        )
    await AuditEntry.create(
        action="retention_changed", actor_id=actor.id, details=f"{retention_class}={years}"
    )


# For templates: the labels and the legal table by name.
TABLES = {"deleted_labels": DELETED_LABELS, "legal_minimums": LEGAL_MINIMUMS}
