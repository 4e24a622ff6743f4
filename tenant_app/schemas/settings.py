"""The tenant's settings: white label (Erscheinungsbild), the insurer catalogue, a user's language.

Whether a theme exists is asked of `tenant_app.theming` by the service, not here."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, ConfigDict

from tenant_app.schemas.base import FormInput, fail, one_of
from tenant_app.text.i18n import ADDRESS_FORMS, LOCALES
from tenant_app.text.i18n import gettext as _
from tenant_app.text.rich import has_text, sanitize_rich_text

RICH_TEXT_MAX_CHARS = 20_000
INSURER_NAME_MAX_CHARS = 200
_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")


def parse_color(raw: str) -> str | None:
    """`#rrggbb` (the `#` may be left out, any case) as lower-case `#rrggbb`; None if invalid."""
    match = _HEX.fullmatch(raw.strip())
    return f"#{match.group(1).lower()}" if match else None


def _color(value: object) -> str | None:
    raw = str(value or "").strip()
    if not raw:
        return None  # the theme's colour
    if (color := parse_color(raw)) is None:
        raise fail(_("Please enter a colour as #rrggbb, e.g. #0b5cab."))
    return color


def _rich_text(value: object) -> str:
    raw = str(value or "")
    if len(raw) > RICH_TEXT_MAX_CHARS:
        raise fail(
            _(
                "This text is too long (at most %(n)s characters of formatting and text).",
                n=RICH_TEXT_MAX_CHARS,
            )
        )
    cleaned = sanitize_rich_text(raw)
    return cleaned if has_text(cleaned) else ""


def _insurer_name(value: object) -> str:
    name = " ".join(str(value or "").split())
    if not name or len(name) > INSURER_NAME_MAX_CHARS:
        raise fail(_("Please enter a name (at most 200 characters)."))
    return name


Color = Annotated[str | None, BeforeValidator(_color)]  # None: blank, the theme decides
RichText = Annotated[str, BeforeValidator(_rich_text)]  # sanitized; "" if it shows nothing
AddressForm = Annotated[str, one_of(ADDRESS_FORMS, lambda: _("Please choose Sie or Du."))]
Language = Annotated[str, one_of(LOCALES, lambda: _("Please choose a language."))]


class BrandingInput(FormInput):
    """Theme, colours, form of address, imprint and signature (Einstellungen > Erscheinungsbild).

    A missing field counts as a blank one. `theme` is the name as sent: the service checks it
    against the installed themes."""

    model_config = ConfigDict(validate_default=True)

    theme: str = ""
    primary_color: Color = None
    secondary_color: Color = None
    text_color: Color = None
    address_form: AddressForm = ""
    imprint_html: RichText = ""
    signature_html: RichText = ""


class InsurerInput(FormInput):
    """A new entry of the insurer catalogue: its name with runs of spaces made one."""

    name: Annotated[str, BeforeValidator(_insurer_name)]


class LanguageInput(FormInput):
    """The user's own language for pages and mails."""

    language: Language
