"""An application through an insurer interface in the one case model: submitting opens an
advice case for the contact with the object as its risk and the insurer's calculated offer
(source "interface"); the policy makes that offer the chosen one, the contract the case's,
and completes the case; cancelling the application calls the case off. Staff see it among
the contact's cases like any other advice."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.models.cases import AdviceCase, CaseRisk
from tenant_app.models.folders import Contract
from tenant_app.models.interfaces import InsuredObject, InterfaceApplication
from tenant_app.models.tenders import CaseOffer
from tenant_app.plugins import InsurerPlugin
from tenant_app.services import cases, events
from tenant_app.text.i18n import gettext as _


async def submitted(
    actor: CurrentUser, application: InterfaceApplication, plugin: InsurerPlugin
) -> None:
    """The case, its risk and the interface's offer, once per application."""
    if application.case_id is not None:
        return
    insured = await InsuredObject.get(id=application.insured_object_id)
    quote = application.quote
    now = datetime.now(UTC)
    async with in_transaction():
        case = await AdviceCase.create(
            contact_id=application.contact_id,
            title=_("%(insurer)s: %(object)s", insurer=plugin.insurer_name, object=insured.label)[
                :200
            ],
            product_lines=[insured.product_line],
            status="offered",
            responsible_id=actor.id,
            created_by_id=actor.id,
            description=_("Application through the insurer interface."),
        )
        await CaseRisk.create(
            case_id=case.id,
            product_line=insured.product_line,
            label=insured.label,
            attributes=dict(insured.attributes),
        )
        await CaseOffer.create(
            case_id=case.id,
            product_line=insured.product_line,
            source="interface",
            insurer_name=plugin.insurer_name,
            tariff=str(quote.get("tariff_name", ""))[:200],
            premium=Decimal(str(quote.get("premium", "0"))),
            payment_frequency=str(quote.get("frequency", "monthly")),
            cover_points=[str(point) for point in quote.get("cover", [])],
            status="released",
            released_at=now,
            entered_by_id=actor.id,
            document_id=application.paper_id,
        )
        await InterfaceApplication.filter(id=application.id).update(case_id=case.id)
        await cases.record(actor, events.CASE_OPENED, case)
        await events.record(
            actor,
            events.APPLICATION_SUBMITTED,
            contact_id=application.contact_id,
            object_type="case",
            object_id=case.id,
            title=case.title,
            tell=events.NOBODY,
        )
    application.case_id = case.id


async def finalized(
    actor: CurrentUser, application: InterfaceApplication, contract: Contract
) -> None:
    """In the caller's transaction: the offer chosen and become the contract, the case done."""
    if application.case_id is None:
        return
    now = datetime.now(UTC)
    await CaseOffer.filter(case_id=application.case_id, source="interface").update(
        status="chosen", chosen_at=now, contract_id=contract.id
    )
    await AdviceCase.filter(id=application.case_id).update(
        chosen_contract_id=contract.id, status="completed", completed_at=now
    )
    case = await AdviceCase.get(id=application.case_id)
    await cases.record(actor, events.CASE_CLOSED, case)


async def cancelled(actor: CurrentUser, application: InterfaceApplication) -> None:
    """In the caller's transaction: the application's case called off with it."""
    if application.case_id is None:
        return
    await CaseOffer.filter(case_id=application.case_id, source="interface").update(
        status="declined"
    )
    await AdviceCase.filter(id=application.case_id).update(
        status="cancelled", completed_at=datetime.now(UTC)
    )
    case = await AdviceCase.get(id=application.case_id)
    await cases.record(actor, events.CASE_CLOSED, case)
