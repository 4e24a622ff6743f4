"""The imprint (§ 5 DDG with the broker's status information, § 11 VersVermV) generated from
the broker profile: sections of lines, in the language of the request (German or English).
The rules of what each legal form needs live in text/legal_rules.py."""

from __future__ import annotations

from dataclasses import dataclass

from tenant_app.text.i18n import gettext as _
from tenant_app.text.legal_rules import (
    GMBH_CO_KG,
    LAWS_URL,
    OMBUDSMEN,
    REGISTER_ADDRESS,
    REGISTER_URL,
    STATUSES,
    TITLES,
    BrokerProfile,
    partner_line,
    register_entry,
    representatives_label,
)


@dataclass(frozen=True, slots=True)
class ImprintSection:
    heading: str
    lines: tuple[str, ...]


def _section(heading: str, *lines: str) -> ImprintSection | None:
    kept = tuple(line for line in lines if line)
    return ImprintSection(heading, kept) if kept else None


def status_sections(profile: BrokerProfile) -> list[ImprintSection | None]:
    """The broker's status information (§ 34d GewO, § 11 VersVermV): shared by the imprint."""
    status = profile.broker_status if profile.broker_status in STATUSES else "makler"
    chamber = ", ".join(p for p in (profile.broker_chamber, profile.broker_chamber_address) if p)
    number = profile.broker_register_number
    return [
        _section(
            _("Permission and supervisory authority"),
            _(STATUSES[status]),
            _("Permission granted and supervised by: %(chamber)s", chamber=chamber)
            if chamber
            else "",
        ),
        _section(
            _("Insurance intermediaries register"),
            _("Register number: %(number)s", number=number) if number else "",
            _("Register: %(address)s", address=REGISTER_ADDRESS),
            _("You can check the entry at %(url)s.", url=REGISTER_URL),
        ),
        _section(
            _("Professional title and rules"),
            _(
                "Professional title: %(title)s, granted in the Federal Republic of Germany",
                title=_(TITLES[status]),
            ),
            _(
                "Professional rules: § 34d GewO, §§ 59–68 VVG, the VersVermV; you can read"
                " them at %(url)s.",
                url=LAWS_URL,
            ),
        ),
        _section(
            _("Arbitration bodies"),
            _("For out-of-court dispute resolution you can turn to:"),
            *OMBUDSMEN,
        ),
    ]


def imprint_sections(profile: BrokerProfile) -> list[ImprintSection]:
    """The imprint from the profile (§ 5 DDG, § 11 VersVermV); empty for a blank profile."""
    if profile.is_blank:
        return []
    names = profile.names("broker_representatives")
    represented = f"{representatives_label(profile.form)}: {names}" if names else ""
    if profile.form == GMBH_CO_KG:
        represented = partner_line(profile)
    entry = register_entry(profile.broker_register_court, profile.broker_trade_register)
    chair = profile.broker_board_chair
    sections = [
        _section(
            _("Information under § 5 DDG"),
            profile.firm if profile.broker_firm_name else "",
            profile.broker_street,
            f"{profile.broker_postal_code} {profile.broker_city}".strip(),
            represented,
            _("Chair of the supervisory board: %(name)s", name=chair) if chair else "",
        ),
        _section(
            _("Contact"),
            _("Phone: %(phone)s", phone=profile.broker_phone) if profile.broker_phone else "",
            _("E-mail: %(email)s", email=profile.broker_email) if profile.broker_email else "",
        ),
        _section(
            _("Register entry"),
            _("Registered office: %(place)s", place=profile.broker_seat)
            if profile.broker_seat
            else "",
            _("Register court: %(entry)s", entry=entry) if entry else "",
        ),
        _section(
            _("VAT identification number"),
            _(
                "VAT identification number under § 27a UStG: %(number)s",
                number=profile.broker_vat_id,
            )
            if profile.broker_vat_id
            else "",
        ),
        *status_sections(profile),
    ]
    return [section for section in sections if section is not None]
