"""What the law asks of a broker firm's imprint and business mails, by legal form: pure rules
over the broker profile (the `Tenant.broker_*` columns), no database.

The signature (every business mail, Geschäftsbrief) holds exactly what the legal form needs:
§ 37a HGB (e.K.), §§ 125, 177a HGB (OHG, KG, GmbH & Co. KG, with § 35a GmbHG for the
general partner; § 125 was § 125a until the MoPeG of 2024), § 35a GmbHG (GmbH, UG),
§ 80 AktG (AG), § 7 (5) PartGG (PartG) and § 15b GewO (a trader without a register
entry: full name and address). The imprint adds
§ 5 DDG (name, address, who represents the firm, contact, register, VAT id, supervisory
authority, professional rules) and the broker's status information (§ 11 VersVermV old
version, § 15 VersVermV now): status under § 34d GewO, chamber, register number with the
register's address, arbitration bodies. The legal form is printed once (with_legal_form).

Texts are English msgids translated when called: German, or English for customers who use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_
from tenant_app.text.legal_forms import with_legal_form
from tenant_app.text.rich import has_text, rich_text_to_plain, sanitize_rich_text

SOLE, REGISTERED_SOLE, GBR = "", "e.K.", "GbR"
GMBH_CO_KG = "GmbH & Co. KG"
REGISTER_WORDS = {  # legal form -> the register department its number must name
    "e.K.": ("HRA",),
    "OHG": ("HRA",),
    "KG": ("HRA",),
    GMBH_CO_KG: ("HRA",),
    "GmbH": ("HRB",),
    "UG (haftungsbeschränkt)": ("HRB",),
    "AG": ("HRB",),
    "PartG": ("PR",),
    "PartG mbB": ("PR",),
}
PARTNER_REGISTER_WORDS = ("HRB",)  # the general partner of a GmbH & Co. KG is a GmbH
UNREGISTERED = (SOLE, GBR)
PERMITTED_STATUSES = ("makler", "berater")  # permission by the chamber (§ 34d (1), (2) GewO)
REGISTER_ADDRESS = (
    "Deutscher Industrie- und Handelskammertag (DIHK) e. V., Breite Straße 29, 10178 Berlin"
)
REGISTER_URL = "www.vermittlerregister.info"
LAWS_URL = "www.gesetze-im-internet.de"
OMBUDSMEN = (
    "Versicherungsombudsmann e.V., Postfach 08 06 32, 10006 Berlin, www.versicherungsombudsmann.de",
    "Ombudsmann Private Kranken- und Pflegeversicherung, Postfach 06 02 22, 10052 Berlin,"
    " www.pkv-ombudsmann.de",
)
STATUSES = {  # Tenant.broker_status
    "makler": N_("Insurance broker with permission under § 34d (1) GewO"),
    "berater": N_("Insurance consultant with permission under § 34d (2) GewO"),
    "vertreter": N_("Tied insurance agent under § 34d (7) GewO"),
}
TITLES = {  # the professional title (Berufsbezeichnung)
    "makler": N_("Insurance broker"),
    "berater": N_("Insurance consultant"),
    "vertreter": N_("Insurance agent"),
}


@dataclass(frozen=True, slots=True)
class BrokerProfile:
    """The broker profile's columns as text ("" where not filled in)."""

    broker_firm_name: str = ""
    broker_legal_form: str = ""
    broker_street: str = ""
    broker_postal_code: str = ""
    broker_city: str = ""
    broker_phone: str = ""
    broker_email: str = ""
    broker_representatives: str = ""
    broker_board_chair: str = ""
    broker_seat: str = ""
    broker_register_court: str = ""
    broker_trade_register: str = ""
    broker_vat_id: str = ""
    broker_partner_name: str = ""
    broker_partner_seat: str = ""
    broker_partner_register_court: str = ""
    broker_partner_trade_register: str = ""
    broker_partner_representatives: str = ""
    broker_status: str = "makler"
    broker_chamber: str = ""
    broker_chamber_address: str = ""
    broker_register_number: str = ""
    broker_holdings: str = ""

    @classmethod
    def of(cls, row: Mapping[str, object]) -> BrokerProfile:
        return cls(**{name: str(row.get(name) or "").strip() for name in PROFILE_COLUMNS})

    @property
    def form(self) -> str:
        return self.broker_legal_form

    @property
    def firm(self) -> str:
        """The firm's name with its legal form once ("Muster Makler GmbH")."""
        return with_legal_form(self.broker_firm_name, self.broker_legal_form)

    @property
    def address(self) -> str:
        place = f"{self.broker_postal_code} {self.broker_city}".strip()
        return ", ".join(part for part in (self.broker_street, place) if part)

    def names(self, column: str) -> str:
        """A one-name-a-line field as "A, B"."""
        return ", ".join(line.strip() for line in getattr(self, column).splitlines() if line)

    @property
    def is_blank(self) -> bool:
        return not any(
            getattr(self, column) for column in PROFILE_COLUMNS if column != "broker_status"
        )


PROFILE_COLUMNS = tuple(field.name for field in fields(BrokerProfile))

# The signature's items by legal form, each a set of profile columns that must be filled.
FIRM, OWNER, PARTNERS, DIRECTORS, BOARD, CHAIR, SEAT, REGISTER, PARTNER, ADDRESS = (
    "firm", "owner", "partners", "directors", "board", "chair", "seat", "register", "partner",
    "address",
)  # fmt: skip
ITEM_COLUMNS = {
    FIRM: ("broker_firm_name",),
    OWNER: ("broker_representatives",),
    PARTNERS: ("broker_representatives",),
    DIRECTORS: ("broker_representatives",),
    BOARD: ("broker_representatives",),
    CHAIR: ("broker_board_chair",),
    SEAT: ("broker_seat",),
    REGISTER: ("broker_register_court", "broker_trade_register"),
    PARTNER: (
        "broker_partner_name",
        "broker_partner_seat",
        "broker_partner_register_court",
        "broker_partner_trade_register",
        "broker_partner_representatives",
    ),
    ADDRESS: ("broker_street", "broker_postal_code", "broker_city"),
}
_REGISTERED = (FIRM, SEAT, REGISTER, ADDRESS)
SIGNATURE_ITEMS: dict[str, tuple[str, ...]] = {
    SOLE: (FIRM, OWNER, ADDRESS),  # § 15b GewO
    REGISTERED_SOLE: _REGISTERED,  # § 37a HGB
    GBR: (FIRM, PARTNERS, ADDRESS),  # § 15b GewO: every partner's name
    "OHG": _REGISTERED,  # § 125 HGB
    "KG": _REGISTERED,  # §§ 177a, 125 HGB
    GMBH_CO_KG: (*_REGISTERED, PARTNER),  # §§ 177a, 125 (1) 2 HGB with § 35a GmbHG
    "GmbH": (FIRM, SEAT, REGISTER, DIRECTORS, ADDRESS),  # § 35a GmbHG
    "UG (haftungsbeschränkt)": (FIRM, SEAT, REGISTER, DIRECTORS, ADDRESS),  # §§ 5a, 35a GmbHG
    "AG": (FIRM, SEAT, REGISTER, BOARD, CHAIR, ADDRESS),  # § 80 AktG
    "PartG": _REGISTERED,  # § 7 (5) PartGG with § 125 HGB
    "PartG mbB": _REGISTERED,
}
# The chair of a GmbH's supervisory board is named only where the firm has one (§ 35a GmbHG).
OPTIONAL_ITEMS = {"GmbH": (CHAIR,), "UG (haftungsbeschränkt)": (CHAIR,)}
SOURCES = {
    SOLE: "§ 15b GewO",
    REGISTERED_SOLE: "§ 37a HGB",
    GBR: "§ 15b GewO",
    "OHG": "§ 125 HGB",
    "KG": "§§ 177a, 125 HGB",
    GMBH_CO_KG: "§§ 177a, 125 HGB, § 35a GmbHG",
    "GmbH": "§ 35a GmbHG",
    "UG (haftungsbeschränkt)": "§ 35a GmbHG",
    "AG": "§ 80 AktG",
    "PartG": "§ 7 (5) PartGG",
    "PartG mbB": "§ 7 (5) PartGG",
}

# What the form calls each column (the go-live check names these).
COLUMN_LABELS = {
    "broker_firm_name": N_("Firm name"),
    "broker_legal_form": N_("Legal form"),
    "broker_street": N_("Street and number"),
    "broker_postal_code": N_("Postal code"),
    "broker_city": N_("City"),
    "broker_phone": N_("Phone"),
    "broker_email": N_("E-mail"),
    "broker_representatives": N_("Managing directors or owners"),
    "broker_board_chair": N_("Chair of the supervisory board"),
    "broker_seat": N_("Registered office"),
    "broker_register_court": N_("Register court"),
    "broker_trade_register": N_("Register number"),
    "broker_vat_id": N_("VAT identification number"),
    "broker_partner_name": N_("General partner's firm"),
    "broker_partner_seat": N_("General partner's registered office"),
    "broker_partner_register_court": N_("General partner's register court"),
    "broker_partner_trade_register": N_("General partner's register number"),
    "broker_partner_representatives": N_("General partner's managing directors"),
    "broker_status": N_("Status under § 34d GewO"),
    "broker_chamber": N_("Chamber (IHK)"),
    "broker_chamber_address": N_("Chamber's address"),
    "broker_register_number": N_("Broker register number"),
    "broker_holdings": N_("Holdings in or of insurers"),
}
# Who represents the firm, as the imprint and the signature call them.
REPRESENTATIVES_LABELS = {
    SOLE: N_("Owner"),
    REGISTERED_SOLE: N_("Owner"),
    GBR: N_("Partners"),
    "OHG": N_("Partners with power of representation"),
    "KG": N_("General partners"),
    "GmbH": N_("Managing directors"),
    "UG (haftungsbeschränkt)": N_("Managing directors"),
    "AG": N_("Management board"),
    "PartG": N_("Partners"),
    "PartG mbB": N_("Partners"),
}


def is_known_form(legal_form: str) -> bool:
    return legal_form in SIGNATURE_ITEMS


def signature_items(legal_form: str) -> tuple[str, ...]:
    """The items every business mail of a firm of this legal form must hold."""
    return SIGNATURE_ITEMS.get(legal_form, ())


def imprint_columns(profile: BrokerProfile) -> tuple[str, ...]:
    """The columns the imprint needs beyond the signature's (§ 5 DDG, § 34d GewO)."""
    columns = ["broker_street", "broker_postal_code", "broker_city", "broker_phone"]
    columns += ["broker_email", "broker_status", "broker_register_number"]
    if profile.form != GMBH_CO_KG:  # the firm is represented by its general partner there
        columns.append("broker_representatives")
    if profile.broker_status in PERMITTED_STATUSES:
        columns += ["broker_chamber", "broker_chamber_address"]
    return tuple(columns)


def required_columns(profile: BrokerProfile) -> tuple[str, ...]:
    """Every column the signature and the imprint need for this profile's legal form."""
    needed = [c for item in signature_items(profile.form) for c in ITEM_COLUMNS[item]]
    return tuple(dict.fromkeys([*needed, *imprint_columns(profile)]))


@dataclass(frozen=True, slots=True)
class Missing:
    column: str
    label: str  # translated when made


def missing(profile: BrokerProfile) -> list[Missing]:
    """What must still be filled in before customers may be invited (the go-live check)."""
    if not is_known_form(profile.form):
        return [Missing("broker_legal_form", _("Choose the legal form from the list"))]
    if profile.broker_status not in STATUSES:
        status = "broker_status"
        return [Missing(status, _(COLUMN_LABELS[status]))]
    return [
        Missing(column, _(COLUMN_LABELS[column]))
        for column in required_columns(profile)
        if not getattr(profile, column)
    ]


def representatives_label(legal_form: str) -> str:
    return _(REPRESENTATIVES_LABELS.get(legal_form, N_("Represented by")))


def register_entry(court: str, number: str) -> str:
    return ", ".join(part for part in (court, number) if part)


def _item_line(profile: BrokerProfile, item: str) -> str:
    """One signature line; "" where the profile lacks it."""
    if item == FIRM:
        return profile.firm if profile.broker_firm_name else ""
    if item in (OWNER, PARTNERS, DIRECTORS, BOARD):
        names = profile.names("broker_representatives")
        return f"{representatives_label(profile.form)}: {names}" if names else ""
    if item == CHAIR:
        chair = profile.broker_board_chair
        return _("Chair of the supervisory board: %(name)s", name=chair) if chair else ""
    if item == SEAT:
        seat = profile.broker_seat
        return _("Registered office: %(place)s", place=seat) if seat else ""
    if item == REGISTER:
        entry = register_entry(profile.broker_register_court, profile.broker_trade_register)
        return _("Register court: %(entry)s", entry=entry) if entry else ""
    if item == PARTNER:
        return partner_line(profile)
    return profile.address


def partner_line(profile: BrokerProfile) -> str:
    """The general partner of a GmbH & Co. KG with its own § 35a GmbHG items."""
    if not profile.broker_partner_name:
        return ""
    parts = [profile.broker_partner_name]
    if profile.broker_partner_seat:
        parts.append(_("registered office: %(place)s", place=profile.broker_partner_seat))
    entry = register_entry(
        profile.broker_partner_register_court, profile.broker_partner_trade_register
    )
    if entry:
        parts.append(entry)
    directors = profile.names("broker_partner_representatives")
    if directors:
        parts.append(_("managing directors: %(names)s", names=directors))
    return _("General partner: %(partner)s", partner="; ".join(parts))


def signature_lines(profile: BrokerProfile) -> list[tuple[str, str]]:
    """(item, line) for every item the legal form needs (and a GmbH's chair if it has one),
    in the order printed; items not filled in are left out (the go-live check names them)."""
    if profile.is_blank:
        return []
    items = (*signature_items(profile.form), *OPTIONAL_ITEMS.get(profile.form, ()))
    if not is_known_form(profile.form):
        items = (FIRM, ADDRESS)
    order = (FIRM, OWNER, PARTNERS, DIRECTORS, BOARD, CHAIR, SEAT, REGISTER, PARTNER, ADDRESS)
    lines = [(item, _item_line(profile, item)) for item in order if item in items]
    return [(item, line) for item, line in lines if line]


@dataclass(frozen=True, slots=True)
class Signature:
    """A customer mail's signature: the firm's free-text addition, then the generated lines."""

    addition_html: str  # sanitized; "" without one
    lines: list[str]

    @property
    def text(self) -> str:
        """The plain-text part of the mail's signature."""
        addition = rich_text_to_plain(self.addition_html) if self.addition_html else ""
        return "\n\n".join(part for part in (addition, "\n".join(self.lines)) if part)


def signature(profile: BrokerProfile, addition_html: str) -> Signature:
    """In the current language (German, or English for customers who use it)."""
    addition = sanitize_rich_text(addition_html)
    lines = [line for _item, line in signature_lines(profile)]
    return Signature(addition if has_text(addition) else "", lines)
