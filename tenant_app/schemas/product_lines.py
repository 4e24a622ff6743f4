"""The product lines an advice case is about and the typed attributes of their risks, as data.

Tenders and insurer interfaces read the same definitions (`attribute_definitions`,
`definitions_as_data`); the forms and the API check a risk's attributes with the pydantic
model built from them (schemas/risk_values.py). Labels are msgids, translated when read.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tenant_app.text.i18n import gettext
from tenant_app.text.labels import N_
from tenant_app.vocabulary import PRODUCT_LINES, RISK_ATTRIBUTE_TYPES


@dataclass(frozen=True, slots=True)
class RiskAttribute:
    """One typed attribute of a risk: `key` as stored (JSON) and sent (API), `type` one of
    RISK_ATTRIBUTE_TYPES, `label` a msgid; limits for numbers, choices as (value, msgid)."""

    key: str
    type: str
    label: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_length: int = 200  # text: characters
    pattern: str = ""  # text: a regular expression the whole value must match
    pattern_message: str = ""  # msgid shown next to the field when it does not

    def __post_init__(self) -> None:
        if self.type not in RISK_ATTRIBUTE_TYPES:
            raise ValueError(f"unknown attribute type {self.type!r}")
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"{self.key}: choices belong to (and only to) a choice")


@dataclass(frozen=True, slots=True)
class ProductLine:
    """A product line (Sparte): what its risk is called and the attributes it has.
    `free_attributes`: besides (or instead of) fixed ones, any name: value pairs."""

    key: str
    label: str
    risk_label: str  # what the insured object is: "Vehicle", "Building", "Insured person"
    attributes: tuple[RiskAttribute, ...]
    free_attributes: bool = False


def _number(
    key: str, kind: str, label: str, required: bool = False, *, limits: tuple[int | str, int | str]
) -> RiskAttribute:
    """A whole number (`int`) or an amount (`decimal`) from `limits[0]` to `limits[1]`."""
    low, high = limits
    return RiskAttribute(key, kind, label, required, minimum=Decimal(low), maximum=Decimal(high))


_PERSONS = (("single", N_("Single")), ("couple", N_("Couple")), ("family", N_("Family")))
_BIKES = (("ebike", N_("E-bike")), ("bike", N_("Bicycle")), ("battery", N_("Battery (separately)")))
_PERSON_NAME = RiskAttribute("person_name", "text", N_("Name of the insured person"), True)
_SMOKER = RiskAttribute("smoker", "bool", N_("Smoker"))
_MONEY = (0, "9999999999.99")  # euros
_AREA = ("1", "100000")  # square metres

PRODUCT_LINE_DEFINITIONS: dict[str, ProductLine] = {
    line.key: line
    for line in (
        ProductLine(
            "kfz",
            N_("Motor vehicle"),
            N_("Vehicle"),
            (
                RiskAttribute("make", "text", N_("Make"), True, max_length=60),
                RiskAttribute("model", "text", N_("Model"), True, max_length=80),
                RiskAttribute("registration", "text", N_("Registration number"), max_length=15),
                RiskAttribute("first_registration", "date", N_("First registration")),
                _number("annual_mileage", "int", N_("Annual mileage (km)"), limits=(0, 500_000)),
                RiskAttribute(
                    "hsn",
                    "text",
                    N_("Manufacturer key (HSN)"),
                    pattern=r"[0-9]{4}",
                    pattern_message=N_("Please enter the four digits of the HSN, e.g. 0603."),
                ),
                RiskAttribute(
                    "tsn",
                    "text",
                    N_("Type key (TSN)"),
                    pattern=r"[0-9A-Za-z]{3}",
                    pattern_message=N_("Please enter the three characters of the TSN, e.g. BJM."),
                ),
            ),
        ),
        ProductLine(
            "wohngebaeude",
            N_("Residential building"),
            N_("Building"),
            (
                RiskAttribute("address", "text", N_("Address of the building"), True),
                _number("year_built", "int", N_("Year built"), True, limits=(1000, 2100)),
                _number("living_area", "decimal", N_("Living area (m²)"), True, limits=_AREA),
                RiskAttribute(
                    "construction_class",
                    "choice",
                    N_("Construction class"),
                    choices=tuple(
                        (str(n), f"BAK {roman}")
                        for n, roman in enumerate("I II III IV V".split(), 1)
                    ),
                ),
                RiskAttribute(
                    "building_type",
                    "choice",
                    N_("Building type"),
                    choices=(
                        ("single_family", N_("Single-family house")),
                        ("two_family", N_("Two-family house")),
                        ("multi_family", N_("Apartment building")),
                    ),
                ),
            ),
        ),
        ProductLine(
            "hausrat",
            N_("Household contents"),
            N_("Home"),
            (
                RiskAttribute("address", "text", N_("Address of the home")),
                _number("living_area", "decimal", N_("Living area (m²)"), True, limits=_AREA),
                _number("sum_insured", "decimal", N_("Sum insured (€)"), limits=_MONEY),
            ),
        ),
        ProductLine(
            "privathaftpflicht",
            N_("Personal liability"),
            N_("Persons covered"),
            (
                RiskAttribute("persons", "choice", N_("Persons covered"), True, _PERSONS),
                RiskAttribute("public_service", "bool", N_("Works in the public service")),
            ),
        ),
        ProductLine(
            "berufsunfaehigkeit",
            N_("Occupational disability"),
            N_("Insured person"),
            (
                _PERSON_NAME,
                RiskAttribute("occupation", "text", N_("Occupation"), True, max_length=120),
                _number(
                    "monthly_benefit", "decimal", N_("Monthly benefit (€)"), True, limits=_MONEY
                ),
                _number("benefit_until_age", "int", N_("Benefit until age"), limits=(40, 70)),
                _SMOKER,
            ),
        ),
        ProductLine(
            "rechtsschutz",
            N_("Legal protection"),
            N_("Areas covered"),
            (
                RiskAttribute("persons", "choice", N_("Persons covered"), True, _PERSONS),
                RiskAttribute("private", "bool", N_("Private life")),
                RiskAttribute("work", "bool", N_("Work")),
                RiskAttribute("traffic", "bool", N_("Traffic")),
                RiskAttribute("housing", "bool", N_("Home and tenancy")),
            ),
        ),
        ProductLine(
            "unfall",
            N_("Accident"),
            N_("Insured person"),
            (
                _PERSON_NAME,
                _number(
                    "disability_sum", "decimal", N_("Basic sum for disability (€)"), limits=_MONEY
                ),
                RiskAttribute(
                    "progression",
                    "choice",
                    N_("Progression"),
                    choices=(("225", "225 %"), ("350", "350 %"), ("500", "500 %")),
                ),
            ),
        ),
        ProductLine(
            "leben",
            N_("Life"),
            N_("Insured person"),
            (
                _PERSON_NAME,
                _number("sum_insured", "decimal", N_("Sum insured (€)"), limits=_MONEY),
                _number("term_years", "int", N_("Term (years)"), limits=(1, 60)),
                _SMOKER,
            ),
        ),
        ProductLine(
            "kranken",
            N_("Health"),
            N_("Insured person"),
            (
                _PERSON_NAME,
                RiskAttribute(
                    "current_insurance",
                    "choice",
                    N_("Insured today"),
                    choices=(
                        ("statutory", N_("Statutory (GKV)")),
                        ("private", N_("Private (PKV)")),
                    ),
                ),
                RiskAttribute(
                    "employment",
                    "choice",
                    N_("Employment"),
                    choices=(
                        ("employee", N_("Employed")),
                        ("self_employed", N_("Self-employed")),
                        ("civil_servant", N_("Civil servant")),
                        ("student", N_("Student")),
                    ),
                ),
                _number("annual_income", "decimal", N_("Gross annual income (€)"), limits=_MONEY),
            ),
        ),
        ProductLine(
            "gewerbe",
            N_("Commercial"),
            N_("Business"),
            (
                RiskAttribute("trade", "text", N_("Trade or activity"), True),
                _number("annual_turnover", "decimal", N_("Annual turnover (€)"), limits=_MONEY),
                _number("employees", "int", N_("Employees"), limits=(0, 1_000_000)),
                _number("year_founded", "int", N_("Year founded"), limits=(1800, 2100)),
            ),
        ),
        ProductLine(
            "fahrrad",
            N_("Bicycle and e-bike"),
            N_("Bicycle"),
            (
                RiskAttribute("object_type", "choice", N_("Object"), True, choices=_BIKES),
                RiskAttribute("make", "text", N_("Make"), True, max_length=60),
                RiskAttribute("model", "text", N_("Model"), True, max_length=80),
                RiskAttribute(
                    "frame_number",
                    "text",
                    N_("Frame number"),
                    max_length=30,
                    pattern=r"[A-Za-z0-9 -]{4,30}",
                    pattern_message=N_("Letters, digits, spaces and hyphens, 4 to 30 of them."),
                ),
                _number("price", "decimal", N_("Purchase price (€)"), True, limits=("1", "100000")),
                RiskAttribute("purchase_date", "date", N_("Purchase date"), True),
            ),
        ),
        ProductLine("sonstige", N_("Other line"), N_("Insured object"), (), free_attributes=True),
    )
}
assert tuple(PRODUCT_LINE_DEFINITIONS) == PRODUCT_LINES, "defined in the vocabulary's order"


def product_line(key: str) -> ProductLine | None:
    return PRODUCT_LINE_DEFINITIONS.get(key)


def attribute_definitions(key: str) -> tuple[RiskAttribute, ...]:
    """The typed attributes of a product line's risks (KeyError for an unknown line)."""
    return PRODUCT_LINE_DEFINITIONS[key].attributes


def line_label(key: str) -> str:
    """The product line's name in the reader's language (the key itself if unknown)."""
    line = PRODUCT_LINE_DEFINITIONS.get(key)
    return gettext(line.label) if line else key


def definitions_as_data(key: str) -> dict[str, Any]:
    """A product line's definitions as JSON-ready data in the reader's language: what a tender,
    an insurer plug-in or an API client reads to know what a risk of this line holds."""
    line = PRODUCT_LINE_DEFINITIONS[key]
    return {
        "key": line.key,
        "label": gettext(line.label),
        "risk_label": gettext(line.risk_label),
        "free_attributes": line.free_attributes,
        "attributes": [
            {
                "key": attribute.key,
                "type": attribute.type,
                "label": gettext(attribute.label),
                "required": attribute.required,
                "choices": [
                    {"value": value, "label": gettext(label)} for value, label in attribute.choices
                ],
                "minimum": None if attribute.minimum is None else str(attribute.minimum),
                "maximum": None if attribute.maximum is None else str(attribute.maximum),
            }
            for attribute in line.attributes
        ],
    }
