"""A customer's contract card ready to print: labels, amounts and links prepared in Python.

Rendered only when the card is not in the fragment cache (tenant_app/fragments.py), so a
folder seen for the first time (every customer's first visit) costs one call per card
instead of a dozen calls through Jinja's runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from tenant_app.queries.folders import ContractRow
from tenant_app.schemas.folders import CONTRACT_KINDS
from tenant_app.text import i18n
from tenant_app.text.formatting import fmt_date, fmt_money, local_today
from tenant_app.text.labels import CONTRACT_STATUSES, PAYMENT_FREQUENCIES

STATUS_CHIPS = frozenset({"active", "offer", "start", "cancelled", "ended"})


@dataclass(frozen=True, slots=True)
class CardLabels:
    number: str
    amount: str
    note: str
    insured_object: str
    edit: str
    delete: str
    delete_question: str


@dataclass(frozen=True, slots=True)
class ContractCard:
    id: int
    title: str  # "Hausrat · Condor"
    chip: str  # the status's chip modifier
    status: str
    number: str
    premium: str  # "12,50 € monatlich", "" without an amount
    note: str
    named: str  # how the delete dialog names it: "Hausrat · V-1"
    edit_url: str
    delete_url: str
    upload_url: str
    labels: CardLabels
    valid_until: str = ""  # an offer's last day, "" without one
    insured_object: str = ""  # what it insures, when applied for through an insurer interface


def offer_state(contract: ContractRow) -> str:
    """An empty string for a contract that is no offer, else "open" or "expired" (by today in
    Europe/Berlin): part of the card's cache key, so an offer's card turns expired at midnight."""
    if contract.status != "offer":
        return ""
    if contract.valid_until is not None and contract.valid_until < local_today():
        return "expired"
    return "open"


@cache
def _labels(locale: str, folder: str) -> CardLabels:
    kind = CONTRACT_KINDS[folder]
    with i18n.using(locale):
        return CardLabels(
            number=i18n.gettext(kind.number_label),
            amount=i18n.gettext(kind.amount_short or "Amount"),
            note=i18n.gettext("Note"),
            insured_object=i18n.gettext("Insured object"),
            edit=i18n.gettext("Edit"),
            delete=i18n.gettext("Delete"),
            delete_question=i18n.gettext("Delete this contract?"),
        )


def contract_card(url: Callable[..., str], folder: str, contract: ContractRow) -> ContractCard:
    """The card of one contract in the customer's folder. `url` builds a route's path."""
    premium = ""
    if contract.gross_premium is not None:
        premium = fmt_money(contract.gross_premium)
        if contract.payment_frequency:
            premium += " " + PAYMENT_FREQUENCIES[contract.payment_frequency]
    title = contract.product_line
    if contract.insurer_name:
        title += " · " + contract.insurer_name
    named = contract.product_line
    if contract.insurance_number:
        named += " · " + contract.insurance_number
    return ContractCard(
        id=contract.id,
        title=title,
        chip=contract.status if contract.status in STATUS_CHIPS else "",
        status=CONTRACT_STATUSES[contract.status],
        number=contract.insurance_number,
        premium=premium,
        note=contract.note,
        named=named,
        edit_url=url("portal_contract_edit_form", contract_id=contract.id),
        delete_url=url("portal_contract_delete", contract_id=contract.id),
        upload_url=f"{url('portal_upload_form', folder=folder)}?contract_id={contract.id}",
        labels=_labels(i18n.get_locale(), folder),
        valid_until=fmt_date(contract.valid_until) if contract.valid_until else "",
        insured_object=contract.insured_object,
    )
