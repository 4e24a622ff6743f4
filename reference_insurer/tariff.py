"""Radschutz's rules: what it insures (bicycles, e-bikes, batteries in Germany and Austria),
what it costs, and what it refuses, each refusal a German message on the field it concerns.

A monthly premium is a share of the purchase price by object type, with a floor; Sofortschutz
(cover from the day of signing, no waiting time for theft) costs a fixed extra and is sold only
for objects bought within the last 30 days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

COUNTRIES = ("DE", "AT")
MAX_PRICE = Decimal("15000")
INSTANT_COVER_PREMIUM = Decimal("2.50")
INSTANT_COVER_DAYS = 30
MAX_AGE_DAYS = 365
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Rate:
    label: str  # the object's German name, as papers print it
    share: Decimal  # of the price, per month
    minimum: Decimal
    cover: tuple[str, ...]


RATES = {
    "ebike": Rate(
        "E-Bike",
        Decimal("0.009"),
        Decimal("4.90"),
        ("Diebstahl", "Vandalismus", "Unfall- und Sturzschäden", "Akku- und Elektronikschäden"),
    ),
    "bike": Rate(
        "Fahrrad",
        Decimal("0.007"),
        Decimal("2.90"),
        ("Diebstahl", "Vandalismus", "Unfall- und Sturzschäden"),
    ),
    "battery": Rate(
        "Akku",
        Decimal("0.005"),
        Decimal("1.90"),
        ("Diebstahl", "Elektronik- und Kurzschlussschäden", "Verschleiß ab dem 3. Jahr"),
    ),
}
BANDS = (  # up to this price: tariff level and what it adds to the cover
    (Decimal("1500"), "BASIS", "Basis", ()),
    (Decimal("5000"), "KOMFORT", "Komfort", ("Pannenhilfe europaweit",)),
    (MAX_PRICE, "PREMIUM", "Premium", ("Pannenhilfe europaweit", "Neuwertersatz 5 Jahre")),
)
_PRICE = re.compile(r"^\d{1,7}(\.\d{1,2})?$")
_FRAME = re.compile(r"^[A-Za-z0-9\- ]{4,30}$")
_POSTAL = {"DE": re.compile(r"^\d{5}$"), "AT": re.compile(r"^\d{4}$")}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Errors:
    """Field errors collected while reading a request body: [{"field", "message"}]."""

    def __init__(self) -> None:
        self.items: list[dict[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append({"field": field, "message": message})

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass(frozen=True)
class Tariff:
    code: str
    name: str
    premium: Decimal  # monthly, with Sofortschutz when chosen
    cover: tuple[str, ...]
    instant_cover: bool
    instant_cover_available: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "tariff": {
                "code": self.code,
                "name": self.name,
                "premium": str(self.premium),
                "frequency": "monthly",
                "cover": list(self.cover),
            },
            "instant_cover_premium": str(INSTANT_COVER_PREMIUM),
            "instant_cover_available": self.instant_cover_available,
        }


def tariff_for(object_type: str, price: Decimal, purchase_date: date, instant: bool) -> Tariff:
    """The tariff for a checked object (see `read_quote`)."""
    rate = RATES[object_type]
    code, level, extra = next((c, n, x) for top, c, n, x in BANDS if price <= top)
    premium = max((price * rate.share).quantize(CENT, ROUND_HALF_UP), rate.minimum)
    if instant:
        premium += INSTANT_COVER_PREMIUM
    cover = rate.cover + extra + (("Sofortschutz ohne Wartezeit",) if instant else ())
    return Tariff(
        code=f"RS-{object_type.upper()}-{code}",
        name=f"Radschutz {level}",
        premium=premium,
        cover=cover,
        instant_cover=instant,
        instant_cover_available=instant_cover_available(purchase_date),
    )


def instant_cover_available(purchase_date: date, today: date | None = None) -> bool:
    return purchase_date >= (today or date.today()) - timedelta(days=INSTANT_COVER_DAYS)


def _text(body: dict[str, Any], key: str, errors: Errors, prefix: str, label: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        errors.add(prefix + key, f"Bitte {label} angeben.")
        return ""
    if len(value) > 100:
        errors.add(prefix + key, f"{label[0].upper()}{label[1:]} ist zu lang (höchstens 100).")
    return value.strip()


def _flag(body: dict[str, Any], key: str, errors: Errors, prefix: str = "") -> bool:
    value = body.get(key, False)
    if not isinstance(value, bool):
        errors.add(prefix + key, "Bitte Ja oder Nein angeben (true/false).")
        return False
    return value


def _date(body: dict[str, Any], key: str, errors: Errors, prefix: str, label: str) -> date | None:
    parsed = _parse_date(body.get(key))
    if parsed is None:
        errors.add(prefix + key, f"Bitte {label} als Datum (JJJJ-MM-TT) angeben.")
    return parsed


def _parse_date(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _price(body: dict[str, Any], errors: Errors, prefix: str) -> Decimal | None:
    raw = body.get("price")
    text = str(raw) if isinstance(raw, (str, int)) and not isinstance(raw, bool) else ""
    if not _PRICE.match(text.strip()):
        message = "Bitte den Kaufpreis als Betrag in Euro angeben (z. B. 2499.00)."
        errors.add(prefix + "price", message)
        return None
    try:
        price = Decimal(text.strip())
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
    if price <= 0:
        errors.add(prefix + "price", "Der Kaufpreis muss größer als 0 € sein.")
    elif price > MAX_PRICE:
        errors.add(prefix + "price", "Versicherbar sind Objekte bis 15.000 € Kaufpreis.")
    return price


def _object_type(body: dict[str, Any], errors: Errors, prefix: str) -> str:
    value = body.get("object_type")
    if value not in RATES:
        errors.add(prefix + "object_type", "Versicherbar sind Fahrräder, E-Bikes und Akkus.")
        return ""
    return str(value)


def _purchase(body: dict[str, Any], errors: Errors, prefix: str, today: date) -> date | None:
    bought = _date(body, "purchase_date", errors, prefix, "das Kaufdatum")
    if bought is None:
        return None
    if bought > today:
        errors.add(prefix + "purchase_date", "Das Kaufdatum darf nicht in der Zukunft liegen.")
    elif bought < today - timedelta(days=MAX_AGE_DAYS):
        errors.add(
            prefix + "purchase_date",
            "Versicherbar sind Objekte, die höchstens ein Jahr alt sind.",
        )
    return bought


def _country(body: dict[str, Any], errors: Errors, prefix: str) -> str:
    value = body.get("country")
    if value not in COUNTRIES:
        message = "Wir versichern nur in Deutschland (DE) und Österreich (AT)."
        errors.add(prefix + "country", message)
        return ""
    return str(value)


def _instant(body: dict[str, Any], bought: date | None, errors: Errors, today: date) -> bool:
    instant = _flag(body, "instant_cover", errors)
    if instant and bought is not None and not instant_cover_available(bought, today):
        errors.add(
            "instant_cover",
            "Sofortschutz gibt es nur für Objekte, die vor höchstens 30 Tagen gekauft wurden.",
        )
    return instant


def read_quote(body: dict[str, Any], today: date | None = None) -> tuple[Tariff | None, Errors]:
    """A quote request's tariff, or the reasons there is none."""
    today = today or date.today()
    errors = Errors()
    object_type = _object_type(body, errors, "")
    price = _price(body, errors, "")
    bought = _purchase(body, errors, "", today)
    _country(body, errors, "")
    instant = _instant(body, bought, errors, today)
    if errors or price is None or bought is None:
        return None, errors
    return tariff_for(object_type, price, bought, instant), errors


@dataclass(frozen=True)
class Application:
    """A checked application: the body as sent, and its tariff."""

    body: dict[str, Any]
    tariff: Tariff


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _customer(body: Any, errors: Errors, today: date) -> None:
    if not isinstance(body, dict):
        errors.add("customer", "Bitte die Angaben zum Versicherungsnehmer senden.")
        return
    p = "customer."
    _text(body, "first_name", errors, p, "den Vornamen")
    _text(body, "last_name", errors, p, "den Nachnamen")
    _text(body, "street", errors, p, "Straße und Hausnummer")
    _text(body, "city", errors, p, "den Ort")
    born = _date(body, "birth_date", errors, p, "das Geburtsdatum")
    if born is not None and _age(born, today) < 18:
        errors.add(p + "birth_date", "Versicherungsnehmer müssen volljährig sein.")
    country = _country(body, errors, p)
    postal = body.get("postal_code")
    if country and not (isinstance(postal, str) and _POSTAL[country].match(postal)):
        digits = 5 if country == "DE" else 4
        errors.add(p + "postal_code", f"Bitte eine Postleitzahl mit {digits} Ziffern angeben.")
    email = body.get("email")
    if not (isinstance(email, str) and _EMAIL.match(email)):
        errors.add(p + "email", "Bitte eine gültige E-Mail-Adresse angeben.")


def _object(body: Any, errors: Errors, today: date) -> tuple[str, Decimal | None, date | None]:
    if not isinstance(body, dict):
        errors.add("object", "Bitte die Angaben zum versicherten Objekt senden.")
        return "", None, None
    p = "object."
    object_type = _object_type(body, errors, p)
    _text(body, "make", errors, p, "den Hersteller")
    _text(body, "model", errors, p, "das Modell")
    frame = _text(body, "frame_number", errors, p, "die Rahmennummer")
    if frame and not _FRAME.match(frame):
        errors.add(p + "frame_number", "Die Rahmennummer hat 4 bis 30 Buchstaben und Ziffern.")
    return object_type, _price(body, errors, p), _purchase(body, errors, p, today)


def read_application(
    body: dict[str, Any], today: date | None = None
) -> tuple[Application | None, Errors]:
    """An application's tariff, or the reasons Radschutz refuses it."""
    today = today or date.today()
    errors = Errors()
    object_type, price, bought = _object(body.get("object"), errors, today)
    _customer(body.get("customer"), errors, today)
    if body.get("approved_lock") is not True:
        errors.add(
            "approved_lock",
            "Versicherungsschutz setzt ein zugelassenes Schloss (ab 60 € Kaufpreis) voraus.",
        )
    _flag(body, "leased", errors)
    instant = _instant(body, bought, errors, today)
    if errors or price is None or bought is None:
        return None, errors
    return Application(body, tariff_for(object_type, price, bought, instant)), errors


def read_finalize(body: dict[str, Any]) -> tuple[datetime | None, Errors]:
    """When the customer signed (and how), or why the request is refused."""
    errors = Errors()
    signed = body.get("signed_at")
    signed_at = None
    try:
        signed_at = datetime.fromisoformat(signed) if isinstance(signed, str) else None
    except ValueError:
        pass
    if signed_at is None:
        errors.add("signed_at", "Bitte den Zeitpunkt der Unterschrift (ISO 8601) angeben.")
    if body.get("signature") not in ("upload", "click"):
        errors.add("signature", "Die Unterschrift ist hochgeladen (upload) oder bestätigt (click).")
    return (None if errors else signed_at), errors
