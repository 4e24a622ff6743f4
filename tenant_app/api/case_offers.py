"""A case's offers through the API: the broker's system (a tariff calculator, its own offer
management) sends calculated offers, and reads every offer the broker sees, tender offers
(released by a backoffice) marked by their source. The use case is the staff's offer form
(services/case_offers.py), with the same checks; an offer sent here has the source "api"."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tenant_app.api.case_models import ProductLineKey
from tenant_app.api.contact_models import TEXT, fits
from tenant_app.api.contract_models import Premium
from tenant_app.api.operations import Call, Reply, operation
from tenant_app.schemas.base import Required, Text
from tenant_app.schemas.case_offers import COVER_POINT_MAX, COVER_POINTS_MAX, INSURER_MAX
from tenant_app.services import case_offer_pages, case_offers, cases
from tenant_app.vocabulary import PAYMENT_FREQUENCIES

TAG = "Advice cases"


class OfferIn(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    product_line: ProductLineKey = Field(description="One of the case's product lines.")
    insurer_name: Annotated[
        Required,
        Field(
            min_length=1,
            max_length=INSURER_MAX,
            description='The insurer without its legal form, e.g. "Nordstern Versicherung".',
        ),
        fits(INSURER_MAX),
        TEXT,
    ]
    insurer_legal_form: Annotated[Text, Field(max_length=60), fits(60), TEXT] = ""
    tariff: Annotated[Text, Field(max_length=200), fits(200), TEXT] = ""
    premium: Premium = Field(description='Euros per payment period, exact: "1234.56".')
    payment_frequency: str = Field(description="One of " + ", ".join(PAYMENT_FREQUENCIES) + ".")
    deductible: Premium = None
    sum_insured: Premium = None
    cover_points: list[Annotated[str, Field(max_length=COVER_POINT_MAX)]] = Field(
        default_factory=list, max_length=COVER_POINTS_MAX
    )
    valid_until: date | None = Field(
        default=None, description="The last day it can be chosen (not before today)."
    )


class OfferOut(BaseModel):
    id: int
    case_id: int
    product_line: str
    source: str = Field(description="staff, api, interface, or tender (released by a backoffice)")
    tender_id: int | None
    insurer_name: str
    insurer_legal_form: str
    tariff: str
    premium: str
    payment_frequency: str
    deductible: str | None
    sum_insured: str | None
    cover_points: list[str]
    valid_until: date | None
    status: str = Field(description="released or chosen")
    contract_id: int | None
    created_at: datetime


class OfferList(BaseModel):
    items: list[OfferOut]


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def offer_out(offer: Any) -> OfferOut:
    return OfferOut(
        **{name: getattr(offer, name) for name in OfferOut.model_fields if name != "premium"}
        | {
            "premium": _amount(offer.premium),
            "deductible": _amount(offer.deductible),
            "sum_insured": _amount(offer.sum_insured),
        }
    )


def _form_values(body: OfferIn) -> dict[str, Any]:
    """The offer as the staff's form sends it (German amounts, points a line each), so that
    one check serves both."""

    def german(value: Decimal | None) -> str:
        return "" if value is None else f"{value:.2f}".replace(".", ",")

    return {
        "product_line": body.product_line,
        "insurer": body.insurer_name,
        "legal_form": body.insurer_legal_form,
        "tariff": body.tariff,
        "premium": german(body.premium),
        "payment_frequency": body.payment_frequency,
        "deductible": german(body.deductible),
        "sum_insured": german(body.sum_insured),
        "cover_points": body.cover_points,
        "valid_until": body.valid_until.isoformat() if body.valid_until else "",
    }


@operation(
    "GET",
    "/cases/{case_id:id}/offers",
    name="api_case_offers",
    summary="The offers of an advice case the broker sees (calculated and released tender offers)",
    scope="cases:read",
    tag=TAG,
    response=OfferList,
)
async def case_offers_list(call: Call) -> OfferList:
    case = await cases.case_for(call.actor, call.path["case_id"])
    offers = await case_offer_pages.visible_offers(call.actor, case)
    return OfferList(items=[offer_out(offer) for offer in offers])


@operation(
    "POST",
    "/cases/{case_id:id}/offers",
    name="api_case_offer_create",
    summary="Send a calculated offer for one of the case's product lines",
    scope="cases:write",
    tag=TAG,
    body=OfferIn,
    response=OfferOut,
    status=201,
)
async def case_offer_create(call: Call) -> Reply:
    case = await cases.case_for(call.actor, call.path["case_id"], edit=True)
    offer = await case_offers.add_offer(
        call.actor,
        call.request.app.state.storage,
        case,
        values=_form_values(call.body),
        upload=None,
        max_bytes=0,
        source="api",
    )
    return Reply(offer_out(offer), status=201)
