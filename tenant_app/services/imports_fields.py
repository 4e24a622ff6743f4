"""What a CSV row can fill: the fields of each import kind, the column names that suggest
them (German and English, as broker systems and Excel name them), and turning a row's cells
into the values the staff forms take. Pure: no database."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

KINDS = ("contacts", "contracts")
KIND_LABELS = {"contacts": N_("Contacts"), "contracts": N_("Contracts")}
# What importing a row did (imports_rows), as the preview and the result name it.
ROW_OUTCOMES = {
    "created": N_("New"),
    "updated": N_("Update"),
    "unchanged": N_("Unchanged"),
    "failed": N_("Not imported"),
}


@dataclass(frozen=True)
class Target:
    """A field a column can be mapped to: the form field it fills, its label (a msgid), the
    column names that suggest it, and whether the import needs it mapped."""

    name: str
    label: str
    synonyms: tuple[str, ...]
    required: bool = False


CONTACT_TARGETS = (
    Target("external_id", N_("External ID"), ("Externe ID", "External ID", "ID", "Kunden-ID")),
    Target("first_name", N_("First name"), ("Vorname", "First name", "Given name"), True),
    Target("last_name", N_("Last name"), ("Nachname", "Name", "Familienname", "Surname"), True),
    Target(
        "birthdate",
        N_("Date of birth"),
        ("Geburtsdatum", "Geb.-Datum", "Geburtstag", "Date of birth", "Birthdate", "DOB"),
        True,
    ),
    Target("email", N_("E-mail"), ("E-Mail", "E-Mail-Adresse", "Mail", "Email address"), True),
    Target("company_name", N_("Company"), ("Firma", "Firmenname", "Unternehmen", "Company")),
    Target("legal_form", N_("Legal form"), ("Rechtsform", "Legal form")),
    Target("street", N_("Street"), ("Straße", "Str.", "Anschrift", "Adresse", "Street", "Address")),
    Target("house_number", N_("House number"), ("Hausnummer", "Hausnr.", "Nr.", "House number")),
    Target("postal_code", N_("Postal code"), ("PLZ", "Postleitzahl", "Postal code", "ZIP")),
    Target("city", N_("City"), ("Ort", "Wohnort", "Stadt", "City", "Town")),
    Target("country", N_("Country"), ("Land", "Staat", "Country")),
    Target("phone", N_("Phone"), ("Telefon", "Tel.", "Telefonnummer", "Mobil", "Handy", "Phone")),
    Target(
        "customer_number",
        N_("Customer number"),
        ("Kundennummer", "Kunden-Nr.", "Kundennr.", "Kd.-Nr.", "Customer number", "Customer no."),
    ),
)
CONTRACT_TARGETS = (
    Target(
        "external_id",
        N_("External ID"),
        ("Externe ID", "Externe Vertrags-ID", "Vertrags-ID", "External ID", "ID"),
    ),
    Target(
        "contact_external_id",
        N_("Contact: external ID"),
        ("Externe ID Kontakt", "Kontakt-ID", "Kunden-ID", "Contact ID", "Customer ID"),
    ),
    Target(
        "contact_number",
        N_("Contact: customer number"),
        ("Kundennummer", "Kunden-Nr.", "Kundennr.", "Kd.-Nr.", "Customer number"),
    ),
    Target("folder", N_("Folder"), ("Ordner", "Bereich", "Folder")),
    Target(
        "product_line",
        N_("Product line (Sparte)"),
        ("Sparte", "Produkt", "Produktart", "Vertragsart", "Product line", "Product"),
        True,
    ),
    Target("insurer", N_("Insurer"), ("Versicherer", "Gesellschaft", "Anbieter", "Insurer"), True),
    Target(
        "insurance_number",
        N_("Insurance number"),
        (
            "Versicherungsnummer",
            "Vertragsnummer",
            "Policennummer",
            "VSNR",
            "Vers.-Nr.",
            "Policy number",
            "Contract number",
        ),
    ),
    Target("status", N_("Status"), ("Status", "Vertragsstatus", "Contract status")),
    Target(
        "payment_frequency",
        N_("Payment frequency"),
        ("Zahlweise", "Zahlungsweise", "Payment frequency"),
    ),
    Target("payment_method", N_("Payment method"), ("Zahlart", "Zahlungsart", "Payment method")),
    Target(
        "gross_premium",
        N_("Gross premium"),
        ("Beitrag", "Bruttobeitrag", "Beitrag brutto", "Prämie", "Gross premium", "Premium"),
    ),
    Target("note", N_("Note"), ("Bemerkung", "Notiz", "Hinweis", "Note", "Comment")),
)
TARGETS = {"contacts": CONTACT_TARGETS, "contracts": CONTRACT_TARGETS}
# A contract row names its contact by one of these (at least one must be mapped).
CONTACT_REFERENCES = ("contact_external_id", "contact_number")

# Words for fixed choices, as broker systems write them -> the forms' values.
_CHOICES: dict[str, dict[str, tuple[str, ...]]] = {
    "status": {
        "active": ("aktiv", "active", "laufend", "in Kraft", "Bestand"),
        "offer": ("Angebot", "offer"),
        "start": ("Start", "Start (zu prüfen)", "zu prüfen", "Start (to check)"),
        "prospect": ("Anbahnung", "prospect", "Interessent"),
        "cancelled": ("gekündigt", "cancelled", "canceled", "storniert"),
        "ended": ("beendet", "ended", "abgelaufen"),
    },
    "payment_frequency": {
        "monthly": ("monatlich", "monthly", "1/12", "12"),
        "quarterly": ("vierteljährlich", "quartalsweise", "quarterly", "1/4", "4"),
        "half_yearly": ("halbjährlich", "half-yearly", "half yearly", "1/2", "2"),
        "yearly": ("jährlich", "yearly", "annually", "annual", "1/1", "1"),
        "single": ("einmalig", "Einmalbeitrag", "single payment", "single", "0"),
    },
    "payment_method": {
        "direct_debit": ("Lastschrift", "SEPA-Lastschrift", "Bankeinzug", "direct debit"),
        "transfer": ("Überweisung", "transfer", "bank transfer"),
        "invoice": ("Rechnung", "invoice"),
        "other": ("Sonstige", "Sonstiges", "other"),
    },
    "folder": {
        "insurance": ("Versicherung", "Versicherungen", "insurance"),
        "finance": ("Finanzen", "finance", "finances"),
        "other": ("Sonstige Verträge", "Sonstige", "other", "other contracts"),
        "emergency": ("Notfall-Ordner", "Notfallordner", "Notfall", "emergency"),
    },
    "country": {
        "DE": ("Deutschland", "Germany", "D", "DEU"),
        "AT": ("Österreich", "Austria", "A", "AUT"),
        "CH": ("Schweiz", "Switzerland", "CHE"),
    },
}


def normalized(name: str) -> str:
    """A column name or choice as compared: lower case, umlauts spelled out, no punctuation
    ("Geb.-Datum" = "gebdatum", "Straße" = "strasse", "E-Mail" = "email")."""
    text = name.strip().lower().replace("ß", "ss")
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9/]", "", text)


_WORDS = {
    field: {normalized(word): value for value, words in choices.items() for word in (value, *words)}
    for field, choices in _CHOICES.items()
}


def target_names(kind: str) -> tuple[str, ...]:
    return tuple(target.name for target in TARGETS[kind])


def suggest_mapping(kind: str, headers: tuple[str, ...]) -> dict[str, str]:
    """{field: column} for each field one of whose names a column has (each column once)."""
    by_name: dict[str, str] = {}
    for header in headers:
        by_name.setdefault(normalized(header), header)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for target in TARGETS[kind]:
        for word in (target.name, target.label, *target.synonyms):
            found = by_name.get(normalized(word))
            if found is not None and found not in used:
                mapping[target.name] = found
                used.add(found)
                break
    return mapping


def clean_mapping(
    kind: str, mapping: Mapping[str, str], headers: tuple[str, ...]
) -> dict[str, str]:
    """The mapping without unknown fields and columns (a column may fill several fields)."""
    names = set(target_names(kind))
    return {
        field: column for field, column in mapping.items() if field in names and column in headers
    }


def row_values(
    mapping: Mapping[str, str], headers: tuple[str, ...], cells: tuple[str, ...]
) -> dict[str, str]:
    """The mapped fields' non-blank cells, choices turned into the forms' values ("monatlich"
    -> monthly); street and house number become one street. Unknown words stay as written,
    so the form's rule refuses them with its message."""
    position = {header: index for index, header in enumerate(headers)}
    values: dict[str, str] = {}
    for field, column in mapping.items():
        index = position.get(column)
        cell = cells[index].strip() if index is not None and index < len(cells) else ""
        if cell:
            values[field] = _WORDS[field].get(normalized(cell), cell) if field in _WORDS else cell
    number = values.pop("house_number", "")
    if number:
        values["street"] = f"{values.get('street', '')} {number}".strip()
    return values


def extra_cells(headers: tuple[str, ...], cells: tuple[str, ...]) -> bool:
    """Whether the row has filled cells beyond the header's columns (a wrong separator or a
    quote left open shifts the row)."""
    return any(cell.strip() for cell in cells[len(headers) :])


def row_key(kind: str, values: Mapping[str, str]) -> str:
    """What the report names a row by: its external ID, else its customer or contract number."""
    second = "customer_number" if kind == "contacts" else "insurance_number"
    return values.get("external_id") or values.get(second, "")


def messages_of(kind: str, errors: Mapping[str, str]) -> tuple[str, ...]:
    """Each message after the label of its field, where it belongs to one ("E-Mail: …")."""
    labels = {target.name: _(target.label) for target in TARGETS.get(kind, ())}
    return tuple(
        f"{labels[name]}: {message}" if name in labels else message
        for name, message in errors.items()
    )
