"""The go-live check and the generated imprint and signature (text/legal_rules.py,
text/legal_imprint.py) for the current tenant.

Until the broker profile holds everything the imprint (§ 5 DDG, § 11 VersVermV) and the
signature (§ 37a HGB, § 35a GmbHG, § 80 AktG, §§ 125, 177a HGB, § 7 (5) PartGG) need for
the chosen legal form, administrators see what is missing and customers cannot be invited
(`require_live`); staff work goes on. The free-text imprint and signature of the settings
page are additions printed after the generated text."""

from __future__ import annotations

from dataclasses import dataclass

from tenant_app.errors import ValidationFailed
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import TenantInfo
from tenant_app.text.i18n import gettext as _
from tenant_app.text.legal_imprint import ImprintSection, imprint_sections
from tenant_app.text.legal_rules import PROFILE_COLUMNS, BrokerProfile, Missing, missing
from tenant_app.text.rich import has_text, sanitize_rich_text


@dataclass(frozen=True, slots=True)
class GoLive:
    missing: list[Missing]

    @property
    def is_live(self) -> bool:
        return not self.missing


def go_live(profile: BrokerProfile) -> GoLive:
    return GoLive(missing(profile))


async def stored_profile() -> BrokerProfile:
    """The profile as stored now (not the per-process cache of the tenant)."""
    rows = await Tenant.filter(id=current_tenant_id()).values(*PROFILE_COLUMNS)
    return BrokerProfile.of(rows[0])


def not_live_message(check: GoLive) -> str:
    names = ", ".join(item.label for item in check.missing)
    return _(
        "Customers cannot be invited yet: the imprint and the e-mail signature the law asks"
        " for are incomplete. Missing: %(names)s. An administrator fills this in under"
        " Settings › Broker profile.",
        names=names,
    )


async def require_live(*, field: str = "form") -> None:
    """ValidationFailed naming what is missing (next to `field`), while the check fails."""
    check = go_live(await stored_profile())
    if not check.is_live:
        raise ValidationFailed({field: not_live_message(check)})


@dataclass(frozen=True, slots=True)
class Imprint:
    sections: list[ImprintSection]
    addition: str  # sanitized HTML ("" without one)

    @property
    def is_empty(self) -> bool:
        return not self.sections and not self.addition


def imprint(tenant: TenantInfo) -> Imprint:
    """The imprint page's content in the request's language."""
    addition = sanitize_rich_text(tenant.imprint_html)
    return Imprint(imprint_sections(tenant.profile), addition if has_text(addition) else "")
