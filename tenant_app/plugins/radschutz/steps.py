"""What the Radschutz plug-in declares as data: the objects it insures, the credentials of the
firm's account, and the six steps of its application with their fields. The core asks these
questions, checks the answers by the fields and keeps them; the field keys are the names the
calls (client.py) send to the insurer, and the names its refusals are mapped back to."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tenant_app.plugins import Field, ObjectKind, Step

OBJECT_TYPES = ("ebike", "bike", "battery")
OBJECT_KINDS = (ObjectKind("fahrrad", "object_type", OBJECT_TYPES),)
COUNTRIES = ("DE", "AT")
MAX_PRICE = Decimal("15000")

DESCRIPTION = {
    "de": "Fahrrad-, E-Bike- und Akkuversicherung der Radschutz Versicherung AG für Kunden in "
    "Deutschland und Österreich: Tarif berechnen, Antrag als PDF zur Unterschrift, Police "
    "und Vertragsunterlagen direkt über die Schnittstelle.",
    "en": "Bicycle, e-bike and battery insurance by Radschutz Versicherung AG for customers in "
    "Germany and Austria: the tariff calculated, the application as a PDF to sign, the policy "
    "and its documents straight through the interface.",
}
AGENT_NUMBER_PATTERN = r"VM-\d{5}"
AGENT_NUMBER_HELP = {
    "de": "Die Vermittlernummer bei Radschutz hat die Form VM-12345.",
    "en": "The agent number with Radschutz looks like VM-12345.",
}

CREDENTIAL_FIELDS = (
    Field(
        "username",
        "text",
        {"de": "Benutzername", "en": "User name"},
        required=True,
        max_length=100,
        help={
            "de": "Der Benutzername des Maklerzugangs bei Radschutz.",
            "en": "The user name of the firm's broker account with Radschutz.",
        },
    ),
    Field(
        "password",
        "text",
        {"de": "Passwort", "en": "Password"},
        required=True,
        max_length=200,
        secret=True,
    ),
)

_OBJECT = Step(
    "object",
    {"de": "Versicherungsobjekt wählen", "en": "Choose the insured object"},
    intro={
        "de": "Radschutz versichert Fahrräder und E-Bikes sowie Akkus auch separat.",
        "en": "Radschutz insures bicycles and e-bikes, and batteries on their own.",
    },
    fields=(
        Field(
            "object_type",
            "choice",
            {"de": "Was wird versichert?", "en": "What is insured?"},
            required=True,
            choices=(
                ("ebike", {"de": "E-Bike", "en": "E-bike"}),
                ("bike", {"de": "Fahrrad", "en": "Bicycle"}),
                ("battery", {"de": "Akku (separat)", "en": "Battery (on its own)"}),
            ),
            prefill="object.object_type",
        ),
    ),
)

_OBJECT_DATA = Step(
    "object_data",
    {"de": "Fahrzeugdaten prüfen", "en": "Check the vehicle's data"},
    intro={
        "de": "Die Angaben stammen vom versicherten Objekt. Bitte mit der Rechnung abgleichen.",
        "en": "The data come from the insured object. Please compare them with the invoice.",
    },
    fields=(
        Field(
            "make",
            "text",
            {"de": "Hersteller", "en": "Make"},
            required=True,
            max_length=60,
            prefill="object.make",
        ),
        Field(
            "model",
            "text",
            {"de": "Modell", "en": "Model"},
            required=True,
            max_length=80,
            prefill="object.model",
        ),
        Field(
            "frame_number",
            "text",
            {"de": "Rahmennummer", "en": "Frame number"},
            required=True,
            max_length=30,
            pattern=r"[A-Za-z0-9 -]{4,30}",
            pattern_message={
                "de": "Die Rahmennummer hat 4 bis 30 Buchstaben, Ziffern, Leerzeichen oder "
                "Bindestriche.",
                "en": "The frame number has 4 to 30 letters, digits, spaces or hyphens.",
            },
            help={
                "de": "Meist unten am Rahmen beim Tretlager eingeschlagen; beim Akku die "
                "Seriennummer.",
                "en": "Usually stamped under the frame near the bottom bracket; for a battery "
                "its serial number.",
            },
            prefill="object.frame_number",
        ),
        Field(
            "price",
            "decimal",
            {"de": "Kaufpreis (€)", "en": "Purchase price (€)"},
            required=True,
            minimum=Decimal("1"),
            maximum=MAX_PRICE,
            help={
                "de": "Laut Rechnung. Radschutz versichert Objekte bis 15.000 € Kaufpreis.",
                "en": "As invoiced. Radschutz insures objects up to a price of €15,000.",
            },
            prefill="object.price",
        ),
        Field(
            "purchase_date",
            "date",
            {"de": "Kaufdatum", "en": "Purchase date"},
            required=True,
            help={
                "de": "Versicherbar sind Objekte, die höchstens ein Jahr alt sind.",
                "en": "Objects bought at most a year ago can be insured.",
            },
            prefill="object.purchase_date",
        ),
    ),
)

_TARIFF = Step(
    "tariff",
    {"de": "Tarifinformation", "en": "Tariff information"},
    kind="tariff",
    intro={
        "de": "Der Beitrag nach den bisherigen Angaben, berechnet von Radschutz.",
        "en": "The premium for the data so far, as Radschutz calculates it.",
    },
    fields=(
        Field(
            "instant_cover",
            "bool",
            {"de": "Sofortschutz mitbuchen", "en": "Add instant cover"},
            help={
                "de": "Versicherungsschutz ab dem Tag der Unterschrift, ohne Wartezeit bei "
                "Diebstahl. Nur bis 30 Tage nach dem Kauf möglich, "
                "2,50\u00a0€ monatlich zusätzlich.",
                "en": "Cover from the day of signing, without a waiting period for theft. Only "
                "within 30 days of purchase, €2.50 a month extra.",
            },
        ),
    ),
)

_SECURITY = Step(
    "security",
    {"de": "Schloss und Leasing", "en": "Lock and leasing"},
    fields=(
        Field(
            "approved_lock",
            "bool",
            {"de": "Ein zugelassenes Schloss ist vorhanden", "en": "An approved lock is present"},
            must_be_true=True,
            help={
                "de": "Voraussetzung für den Versicherungsschutz: ein zugelassenes Schloss "
                "mit einem Kaufpreis ab 60 €.",
                "en": "Cover requires an approved lock that cost at least €60.",
            },
        ),
        Field(
            "leased",
            "bool",
            {"de": "Es handelt sich um ein Leasingfahrzeug", "en": "The vehicle is leased"},
            help={
                "de": "Zum Beispiel ein Dienstrad über den Arbeitgeber.",
                "en": "For example a company bike leased through the employer.",
            },
        ),
    ),
)


def _contact_field(key: str, type_: str, de: str, en: str, **options: Any) -> Field:
    """A required question about the customer, first answered from the contact."""
    return Field(
        key, type_, {"de": de, "en": en}, required=True, prefill=f"contact.{key}", **options
    )


_CUSTOMER = Step(
    "customer",
    {"de": "Kundendaten ergänzen", "en": "Complete the customer's data"},
    intro={
        "de": "Der Kunde wird Versicherungsnehmer. Die Angaben stammen aus dem Kontakt; "
        "bitte prüfen und vervollständigen.",
        "en": "The customer becomes the policyholder. The data come from the contact; please "
        "check and complete them.",
    },
    fields=(
        _contact_field("first_name", "text", "Vorname", "First name", max_length=100),
        _contact_field("last_name", "text", "Nachname", "Last name", max_length=100),
        _contact_field(
            "birth_date",
            "date",
            "Geburtsdatum",
            "Date of birth",
            help={
                "de": "Versicherungsnehmer müssen volljährig sein.",
                "en": "Policyholders must be of age.",
            },
        ),
        _contact_field("street", "text", "Straße und Hausnummer", "Street and number"),
        _contact_field(
            "postal_code",
            "text",
            "Postleitzahl",
            "Postal code",
            max_length=5,
            pattern=r"\d{4,5}",
            pattern_message={
                "de": "Bitte eine Postleitzahl mit 5 Ziffern (Deutschland) oder 4 Ziffern "
                "(Österreich) angeben.",
                "en": "Please enter a postal code of 5 digits (Germany) or 4 digits (Austria).",
            },
        ),
        _contact_field("city", "text", "Ort", "City", max_length=100),
        _contact_field(
            "country",
            "choice",
            "Land",
            "Country",
            choices=(
                ("DE", {"de": "Deutschland", "en": "Germany"}),
                ("AT", {"de": "Österreich", "en": "Austria"}),
            ),
        ),
        _contact_field("email", "text", "E-Mail-Adresse", "Email address", max_length=200),
    ),
)

_REVIEW = Step(
    "review",
    {"de": "Antrag prüfen und absenden", "en": "Review and submit the application"},
    kind="review",
    intro={
        "de": "Bitte alle Angaben mit dem Kunden durchgehen. Nach dem Absenden kommt der "
        "ausgefüllte Antrag als PDF zurück, den der Kunde unterschreibt.",
        "en": "Please go through every answer with the customer. Once submitted, the filled "
        "application comes back as a PDF for the customer to sign.",
    },
)

STEPS = (_OBJECT, _OBJECT_DATA, _TARIFF, _SECURITY, _CUSTOMER, _REVIEW)
FIELD_KEYS = frozenset(field.key for step in STEPS for field in step.fields)
