"""Who reaches a tender: the broker's staff through its case, a backoffice through its
engagement.

A backoffice person's request runs in the platform's space. `backoffice_tender` finds the
tender only if it was handed to the person's backoffice by a tenant that engages it now,
then runs the block in that tenant's scope (the ORM's), so nothing else of the tenant can be
read by accident; each such access is written to the tenant's audit trail. Anything else
answers NotFound, exactly like an object of another tenant.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.models.folders import AuditEntry, Document
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import BackofficeEngagement, BackofficeMember, CaseOffer, Tender
from tenant_app.services.cases import case_for

AUDIT_PREFIX = "backoffice_"  # audit actions: backoffice_viewed, backoffice_wrote, ...


async def member_of(actor: CurrentUser) -> BackofficeMember:
    """The actor's backoffice membership (with its backoffice); NotFound for anyone else."""
    if actor.kind != "backoffice":
        raise NotFound
    member = await BackofficeMember.filter(user_id=actor.id).select_related("backoffice").first()
    if member is None or not member.backoffice.is_active:
        raise NotFound
    return member


async def engaged_tenant_ids(backoffice_id: int) -> list[int]:
    """The tenants that engage this backoffice now."""
    rows = await BackofficeEngagement.unscoped.filter(
        backoffice_id=backoffice_id, ended_at=None
    ).values_list("tenant_id", flat=True)
    return [int(tenant_id) for tenant_id in rows]


@asynccontextmanager
async def backoffice_tender(
    actor: CurrentUser, tender_id: int, *, action: str = "viewed"
) -> AsyncIterator[Tender]:
    """The tender (with its case and contact) in its tenant's scope, if the actor's backoffice
    may see it now; the access is audited there as `backoffice_<action>`."""
    member = await member_of(actor)
    tender = await Tender.unscoped.filter(id=tender_id, backoffice_id=member.backoffice_id).first()
    if tender is None or tender.tenant_id not in await engaged_tenant_ids(member.backoffice_id):
        raise NotFound
    with tenant_scope(tender.tenant_id):
        tender = await Tender.filter(id=tender_id).select_related("case__contact").get()
        await AuditEntry.create(
            action=f"{AUDIT_PREFIX}{action}"[:40],
            actor_id=actor.id,
            subject_id=tender.id,
            details=f"{member.backoffice.name}: {actor.full_name}"[:300],
        )
        yield tender


async def tender_for(actor: CurrentUser, tender_id: int, *, edit: bool = False) -> Tender:
    """A tender of the broker's own, if the staff member sees its case (NotFound otherwise);
    with `edit`, PermissionDenied unless they may change the case."""
    tender = await Tender.get_or_none(id=tender_id)
    if tender is None:
        raise NotFound
    tender.case = await case_for(actor, tender.case_id, edit=edit)
    return tender


async def handed_over_document(tender: Tender, document_id: int) -> Document:
    """A document the tender hands over: one of the frozen risk, of its messages or of its
    offers. Call inside `backoffice_tender` (or after `tender_for`); NotFound otherwise."""
    document = await Document.get_or_none(id=document_id, contact_id=tender.case.contact_id)
    if document is None:
        raise NotFound
    if document.id in tender.document_ids:
        return document
    if await CaseOffer.filter(tender_id=tender.id, document_id=document.id).exists():
        return document
    if (
        tender.conversation_id is not None
        and await Document.filter(
            id=document.id, conversation_entries__conversation_id=tender.conversation_id
        ).exists()
    ):
        return document
    raise NotFound
