"""The advice documentation (§§ 61, 62 VVG) as the staff form sends it: a draft may be saved
half written; only a complete one (wishes and needs, advice, reasons) can be delivered."""

from __future__ import annotations

from typing import Annotated

from tenant_app.schemas.base import FormInput, Text, at_most, filled
from tenant_app.text.i18n import gettext as _

ADVICE_TEXT_MAX = 20_000  # characters per part

AdviceText = Annotated[Text, at_most(ADVICE_TEXT_MAX)]
ADVICE_FIELDS = ("wishes", "advice", "reasons")


class AdviceDraftInput(FormInput):
    wishes: AdviceText = ""
    advice: AdviceText = ""
    reasons: AdviceText = ""


class AdviceDeliveryInput(FormInput):
    """What a delivered record must hold (§ 61 (1) VVG)."""

    wishes: Annotated[
        Text, filled(lambda: _("Please note the customer's wishes and needs before delivering."))
    ]
    advice: Annotated[Text, filled(lambda: _("Please note the advice given before delivering."))]
    reasons: Annotated[
        Text, filled(lambda: _("Please give the reasons for the advice before delivering."))
    ]
