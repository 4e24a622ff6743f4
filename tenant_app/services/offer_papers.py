"""The papers of a chosen offer: the proposal (Vorschlag) for the customer and the cover order
(Deckungsauftrag) for the insurer, written as PDFs in the tenant's branding (its firm from
the broker profile, logo and main colour) and filed in the customer's insurance folder,
linked to the case and hidden from the customer until staff share them.

Each paper names the broker and the insurer once, each with its legal form once
(text/legal_forms.py), and writes money and dates the German way: they are German letters
whatever language the staff member reads the portal in.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import anyio

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.files.pdf import Letter, Section, render_letter
from tenant_app.files.storage import Storage
from tenant_app.models.branding import TenantAsset
from tenant_app.models.contacts import Contact
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.models.tenders import CaseOffer
from tenant_app.schemas.case_offers import expired
from tenant_app.schemas.product_lines import line_label
from tenant_app.services import cases, document_store
from tenant_app.services.case_offer_pages import premium_text, tender_number
from tenant_app.services.case_offers import CONTRACT_FOLDER, OfferExpired, offer_for
from tenant_app.services.upload_checks import Upload
from tenant_app.text import i18n
from tenant_app.text.formatting import fmt_date, fmt_money, local_today
from tenant_app.text.i18n import addressed
from tenant_app.text.i18n import gettext as _
from tenant_app.text.legal_forms import with_legal_form

CATEGORY = "correspondence"


@dataclass(frozen=True)
class Parties:
    """Who a paper names: the broker's firm with its address line, the customer, the insurer."""

    firm: str
    firm_address: str
    broker_facts: tuple[tuple[str, str], ...]
    customer: str
    customer_address: str
    insurer: str


def _address(street: str, postal_code: str, city: str) -> str:
    town = f"{postal_code} {city}".strip()
    return ", ".join(part for part in (street.strip(), town) if part)


def parties(tenant: Tenant, contact: Contact, offer: CaseOffer) -> Parties:
    firm = with_legal_form(tenant.broker_firm_name or tenant.name, tenant.broker_legal_form)
    customer = contact.full_name
    if contact.company_name:
        customer = f"{contact.company_display} ({customer})"
    return Parties(
        firm=firm,
        firm_address=_address(tenant.broker_street, tenant.broker_postal_code, tenant.broker_city),
        broker_facts=(
            (_("Broker ID"), tenant.broker_number),
            (_("Broker register number"), tenant.broker_register_number),
            (_("Phone"), tenant.broker_phone),
            (_("E-mail"), tenant.broker_email),
        ),
        customer=customer,
        customer_address=_address(contact.street, contact.postal_code, contact.city),
        insurer=with_legal_form(offer.insurer_name, offer.insurer_legal_form),
    )


def _offer_facts(offer: CaseOffer) -> tuple[tuple[str, str], ...]:
    """The offer's terms (without the insurer: each paper names it once, where it belongs)."""
    facts = [
        (_("Product line"), line_label(offer.product_line)),
        (_("Tariff"), offer.tariff),
        (_("Premium"), premium_text(offer.premium, offer.payment_frequency)),
        (_("Deductible"), fmt_money(offer.deductible) if offer.deductible is not None else ""),
        (_("Sum insured"), fmt_money(offer.sum_insured) if offer.sum_insured is not None else ""),
        (_("Offer valid until"), fmt_date(offer.valid_until) if offer.valid_until else ""),
    ]
    if offer.tender_id is not None:
        facts.append((_("Tender"), tender_number(offer.tender_id)))
    return tuple(facts)


def _cover(offer: CaseOffer) -> Section:
    points = tuple(f"• {point}" for point in offer.cover_points or [])
    return Section(_("Cover"), paragraphs=points or (_("As in the insurer's offer."),))


def proposal(
    who: Parties, offer: CaseOffer, *, today: date, logo: bytes | None, accent: str
) -> Letter:
    """The proposal for the customer: the offer we recommend, with its terms."""
    return Letter(
        title=_("Proposal"),
        sender=" · ".join(part for part in (who.firm, who.firm_address) if part),
        sections=(
            Section(
                _("For"),
                facts=((_("Customer"), who.customer), (_("Address"), who.customer_address)),
            ),
            Section(
                _("Our recommendation"),
                paragraphs=(
                    _(
                        "Of the offers we obtained, the following one suits the need we discussed"
                        " best. Its terms:"
                    ),
                ),
                facts=((_("Insurer"), who.insurer), *_offer_facts(offer)),
            ),
            _cover(offer),
            Section(
                _("Next steps"),
                paragraphs=(
                    addressed(
                        "Once you agree, we order the cover from the insurer. The insurer's"
                        " terms and conditions apply."
                    ),
                ),
            ),
        ),
        footer=_("Date: %(date)s", date=fmt_date(today)),
        logo=logo,
        accent=accent,
    )


def cover_order(
    who: Parties, offer: CaseOffer, *, today: date, logo: bytes | None, accent: str
) -> Letter:
    """The cover order for the insurer: cover on the offered terms, from today."""
    return Letter(
        title=_("Cover order"),
        sender=" · ".join(part for part in (who.firm, who.firm_address) if part),
        sections=(
            Section(_("To"), paragraphs=(who.insurer,)),
            Section(
                _("Policyholder"),
                facts=((_("Name"), who.customer), (_("Address"), who.customer_address)),
            ),
            Section(
                _("Order"),
                paragraphs=(
                    _(
                        "On behalf of our customer we order cover on the terms of your offer,"
                        " beginning %(date)s. Please confirm the cover and send the policy to us.",
                        date=fmt_date(today),
                    ),
                ),
                facts=_offer_facts(offer),
            ),
            _cover(offer),
            Section(_("Broker"), facts=tuple(fact for fact in who.broker_facts if fact[1])),
        ),
        footer=_("Date: %(date)s", date=fmt_date(today)),
        logo=logo,
        accent=accent,
    )


async def _branding(tenant: Tenant) -> tuple[bytes | None, str]:
    logo = await TenantAsset.filter(kind="logo").values_list("data", flat=True)
    return (bytes(logo[0]) if logo else None), tenant.primary_color or ""


def render_papers(letters: tuple[Letter, Letter]) -> tuple[bytes, bytes]:
    """CPU-bound (tens of milliseconds): call it through a thread pool."""
    return render_letter(letters[0]), render_letter(letters[1])


async def papers_of(offer: CaseOffer, contact: Contact) -> tuple[Letter, Letter]:
    """The two letters for the current tenant, in German."""
    tenant = await Tenant.get(id=current_tenant_id())
    logo, accent = await _branding(tenant)
    with i18n.using(i18n.DEFAULT_LOCALE, tenant.address_form):
        who, today = parties(tenant, contact, offer), local_today()
        return (
            proposal(who, offer, today=today, logo=logo, accent=accent),
            cover_order(who, offer, today=today, logo=logo, accent=accent),
        )


async def make_papers(
    actor: CurrentUser, store: Storage, offer_id: int, *, max_bytes: int
) -> CaseOffer:
    """Write both papers of the chosen offer, while it is valid, and file them on the case,
    all or none; the offer keeps their ids. Made again (terms renewed), the new ones take the
    old ones' place on the offer; the old ones stay filed."""
    offer = await offer_for(actor, offer_id, edit=True)
    case = offer.case
    cases.ensure_open(case)
    if offer.status != "chosen":
        raise ValidationFailed({"form": _("Please choose the offer first.")})
    if expired(offer.valid_until, local_today()):  # no cover can be ordered on it any more
        raise OfferExpired(offer)
    letters = await papers_of(offer, case.contact)
    data = await anyio.to_thread.run_sync(render_papers, letters)
    with i18n.using(i18n.DEFAULT_LOCALE):
        line, names = line_label(offer.product_line), (_("Proposal"), _("Cover order"))
    uploads = [
        Upload(io.BytesIO(pdf), f"{name} {line} {offer.insurer_name}.pdf", len(pdf))
        for name, pdf in zip(names, data, strict=True)
    ]
    filed = await document_store.store_documents(
        actor,
        store,
        contact_id=case.contact_id,
        contract=None,
        folder=CONTRACT_FOLDER,
        uploads=uploads,
        values={"title": "", "folder": CONTRACT_FOLDER, "category": CATEGORY},
        max_bytes=max(max_bytes, max(len(pdf) for pdf in data)),
        shared=False,
        announce=True,
        case_id=case.id,
    )
    await CaseOffer.filter(id=offer.id).update(proposal_id=filed[0].id, cover_order_id=filed[1].id)
    await cases.touch(case.id)
    return await CaseOffer.get(id=offer.id)
