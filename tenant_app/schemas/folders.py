"""What goes into a contact's folders: contracts and the facts about a filed document."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, create_model

from tenant_app.schemas import rules
from tenant_app.schemas.base import FormInput, Required, Text, at_most, fail, one_of
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_
from tenant_app.vocabulary import (
    CONTRACT_STATUSES,
    DOCUMENT_CATEGORIES,
    PAYMENT_FREQUENCIES,
    PAYMENT_METHODS,
)

NOTE_MAX = 2000  # characters, as typed
PRODUCT_LINE_MAX = 100  # characters, as typed
INSURANCE_NUMBER_MAX = 60  # characters, without surrounding spaces
PROVIDER_MAX = 200  # characters, as typed (the column insurer_name)
INSURANCE_NUMBER_SIGNS = " -/._"  # besides letters and digits
TITLE_MAX = 200  # a longer title is cut, not refused
LATEST_DOCUMENT_DATE = date(2100, 1, 1)


def _insurance_number(value: object) -> str:
    number = str(value or "").strip()
    if number and (
        len(number) > INSURANCE_NUMBER_MAX
        or not all(char.isalnum() or char in INSURANCE_NUMBER_SIGNS for char in number)
    ):
        raise fail(_("Please use only letters, digits, spaces and - / . _"))
    return number


def _money(value: object) -> Decimal | None:
    """Euros from the form's text, or from JSON: a string ("1234.56") or a number (0 is an
    amount, not none)."""
    text = "" if value is None else str(value)
    if not text.strip():
        return None
    amount = rules.parse_money(text)
    if amount is None:
        raise fail(_("Please enter an amount in euros, e.g. 1.234,56."))
    return amount


def _document_date(value: object) -> date | None:
    text = str(value or "")
    if not text.strip():
        return None
    parsed = rules.parse_date(text)
    if parsed is None or parsed > LATEST_DOCUMENT_DATE:
        raise fail(_("Please enter a valid date, e.g. 03.04.1985."))
    return parsed


# Validators listed later run first: the length is checked on the text as typed.
Note = Annotated[Text, at_most(NOTE_MAX)]  # may be blank, stripped
ProductLine = Annotated[Required, at_most(PRODUCT_LINE_MAX)]
InsuranceNumber = Annotated[Required, BeforeValidator(_insurance_number)]
ContractNumber = Annotated[Text, BeforeValidator(_insurance_number)]  # may be blank
Provider = Annotated[Required, at_most(PROVIDER_MAX)]
OptionalProvider = Annotated[Text, at_most(PROVIDER_MAX)]
Status = Annotated[str, one_of(CONTRACT_STATUSES, lambda: _("Please choose a status."))]
PaymentMethod = Annotated[
    str, one_of(PAYMENT_METHODS, lambda: _("Please choose a payment method."), blank="")
]
PaymentFrequency = Annotated[
    str, one_of(PAYMENT_FREQUENCIES, lambda: _("Please choose a payment frequency."), blank="")
]
Money = Annotated[Decimal | None, BeforeValidator(_money)]  # euros to the cent, or None
Category = Annotated[
    str, one_of(DOCUMENT_CATEGORIES, lambda: _("Please choose a category."), blank="other")
]
DocumentDate = Annotated[date | None, BeforeValidator(_document_date)]
Title = Annotated[Required, AfterValidator(lambda title: title[:TITLE_MAX])]


class _FolderForm(FormInput):
    # A field the form did not send counts as empty, as it always did.
    model_config = ConfigDict(validate_default=True)


class ContractInput(_FolderForm):
    """A contract as staff or the customer enter it; the service checks that the insurer is
    one from the list, and gives customers' contracts the status "start"."""

    product_line: ProductLine = ""
    insurer: Required = ""  # an insurer's name
    insurance_number: InsuranceNumber = ""
    status: Status = ""
    payment_method: PaymentMethod = ""
    payment_frequency: PaymentFrequency = ""
    gross_premium: Money = None
    note: Note = ""
    # An offer can be accepted until then, the day included (services/contracts.py checks
    # that an offer's is not before today).
    valid_until: DocumentDate = None


@dataclass(frozen=True)
class ContractKind:
    """What a contract is in one folder, defined once: the form model that checks it, the
    labels (msgids) of its fields, and the widget for the provider. Every folder stores the
    same columns: `product_line` (product type, Sparte), `insurer_name` (the provider; with
    `insurer_id` when it is from the catalogue) and `insurance_number` (the contract number).
    """

    folder: str
    product_label: str
    provider_label: str
    number_label: str
    amount_label: str  # "" = no payments in this folder (method, frequency and amount)
    amount_short: str  # the amount's label where contracts are listed
    catalogue: str  # "only": an insurer from the catalogue; "offer": suggested; "": free text
    provider_required: bool
    number_required: bool
    product_lines: tuple[str, ...]  # suggestions, free text is fine
    model: type[ContractInput] = ContractInput

    @property
    def payments(self) -> bool:
        return bool(self.amount_label)


def _kind(**facts: Any) -> ContractKind:
    """A folder's kind with its form model: ContractInput (insurance), or one whose provider
    and number are optional where the kind says so."""
    kind = ContractKind(**facts)
    if kind.provider_required and kind.number_required:
        return kind
    model = create_model(
        f"{kind.folder.title()}ContractInput",
        __base__=ContractInput,
        insurer=(Provider if kind.provider_required else OptionalProvider, ""),
        insurance_number=(InsuranceNumber if kind.number_required else ContractNumber, ""),
    )
    return ContractKind(**{**facts, "model": model})


CONTRACT_KINDS = {
    kind.folder: kind
    for kind in (
        _kind(
            folder="insurance",
            product_label=N_("Product line (Sparte)"),
            provider_label=N_("Insurer"),
            number_label=N_("Insurance number"),
            amount_label=N_("Gross premium per period (€)"),
            amount_short=N_("Gross premium"),
            catalogue="only",
            provider_required=True,
            number_required=True,
            product_lines=(
                "Privathaftpflicht",
                "Hausrat",
                "Wohngebäude",
                "Kfz",
                "Rechtsschutz",
                "Unfall",
                "Berufsunfähigkeit",
                "Risikolebensversicherung",
                "Private Rentenversicherung",
                "Private Krankenversicherung",
                "Krankenzusatz",
                "Pflege",
                "Tierhalterhaftpflicht",
                "Reise",
                "Gewerbe",
            ),
        ),
        _kind(
            folder="finance",
            product_label=N_("Product type"),
            provider_label=N_("Provider (bank, building society, fund company)"),
            number_label=N_("Contract number"),
            amount_label=N_("Amount per period (€)"),
            amount_short=N_("Amount"),
            catalogue="offer",
            provider_required=True,
            number_required=False,
            product_lines=(
                "Bausparen",
                "Fondssparplan",
                "Depot",
                "Tagesgeld",
                "Festgeld",
                "Baufinanzierung",
                "Darlehen",
                "Riester-Rente",
                "Basisrente",
                "Betriebliche Altersvorsorge",
            ),
        ),
        _kind(
            folder="other",
            product_label=N_("Contract type"),
            provider_label=N_("Provider"),
            number_label=N_("Contract or customer number"),
            amount_label=N_("Amount per period (€)"),
            amount_short=N_("Amount"),
            catalogue="",
            provider_required=True,
            number_required=False,
            product_lines=(
                "Strom",
                "Gas",
                "Wasser",
                "Mobilfunk",
                "Internet",
                "Festnetz",
                "Streaming",
                "Zeitschrift",
                "Fitnessstudio",
                "Miete",
                "Leasing",
                "Mitgliedschaft",
            ),
        ),
        _kind(
            folder="emergency",
            product_label=N_("Document type"),
            provider_label=N_("Kept by or issued by"),
            number_label=N_("Reference"),
            amount_label="",
            amount_short="",
            catalogue="",
            provider_required=False,
            number_required=False,
            product_lines=(
                "Patientenverfügung",
                "Vorsorgevollmacht",
                "Betreuungsverfügung",
                "Testament",
                "Organspendeausweis",
                "Sorgerechtsverfügung",
                "Bestattungsverfügung",
                "Notfallkontakte",
            ),
        ),
    )
}


class DocumentMetaInput(_FolderForm):
    """What is known about an uploaded document besides its file."""

    title: Title = ""
    category: Category = ""
    document_date: DocumentDate = None
    note: Note = ""
