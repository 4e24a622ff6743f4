"""Offers (Angebote): what a customer sends when asking for one."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict

from tenant_app.schemas.base import FormInput, Text, at_most, filled, one_of
from tenant_app.text.i18n import addressed as _a
from tenant_app.vocabulary import PRODUCT_LINES

MAX_DESCRIPTION = 4000  # characters, as typed

ProductLineKey = Annotated[
    str, one_of(PRODUCT_LINES, lambda: _a("Please choose what the offer should be for."))
]
Description = Annotated[
    Text,
    at_most(MAX_DESCRIPTION),
    filled(lambda: _a("Please describe briefly what you need.")),
]


class OfferRequestInput(FormInput):
    """A customer asks for an offer: a product line (advice cases' lines, `sonstige` for
    anything else) and a short description."""

    model_config = ConfigDict(validate_default=True)

    product_line: ProductLineKey = ""
    description: Description = ""
