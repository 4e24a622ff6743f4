"""Claims (Schäden): a customer reports a loss with photos and documents; staff move it on.

A claim belongs to its contact. The customer shown in the portal sees the contact's claims;
staff see the claims of the contacts they see (`contacts.contacts_visible_to`) and change them
when they may write in the insurance folder or manage contacts (`can_edit_claims`). Photos are
re-encoded (files/images.py: no metadata, unless the customer keeps where and when it was
taken) with a thumbnail made once; PDFs are kept as sent. All or none: a refused file stores
nothing. The files: services/claim_files.py; the pages' reads: services/claim_pages.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.models.accounts import User
from tenant_app.models.claims import Claim, ClaimFile
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.conversations import Conversation
from tenant_app.models.folders import Contract
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import (
    can_manage_contacts,
    customer_may,
    folder_flags,
    is_customer,
    is_staff,
    staff_may_edit_folder,
)
from tenant_app.schemas.base import checked
from tenant_app.schemas.claims import STATUS_LABELS, ClaimInput, ClaimUpdateInput
from tenant_app.services import claim_files, events, tickets
from tenant_app.services.access import access_of
from tenant_app.services.cases import staff_sees_contact
from tenant_app.services.contacts import of_visible_contacts
from tenant_app.services.upload_checks import Upload
from tenant_app.services.versions import save_if_unchanged
from tenant_app.text.i18n import addressed
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

FIELD_LABELS = {
    "status": N_("Status"),
    "note_to_customer": N_("Note to the customer"),
    "responsible": N_("Responsible"),
}


def can_edit_claims(actor: CurrentUser) -> bool:
    return is_staff(actor) and (
        staff_may_edit_folder(actor, "insurance") or can_manage_contacts(actor)
    )


def visible_claims(actor: CurrentUser) -> QuerySet[Claim]:
    """The customer's (the contact the portal shows) or, for staff, those of the contacts
    they see: all, or those they are responsible for."""
    if is_customer(actor):
        if actor.contact_id is None:
            raise NotFound
        return Claim.filter(contact_id=actor.contact_id)
    if not is_staff(actor):
        raise NotFound
    return of_visible_contacts(actor, Claim.all())


async def claim_for(actor: CurrentUser, claim_id: int, *, edit: bool = False) -> Claim:
    """The claim with its contact, contract and responsible, if the actor sees it (else
    NotFound); with `edit`, PermissionDenied unless they may change it."""
    claim = (
        await visible_claims(actor)
        .filter(id=claim_id)
        .select_related("contact", "contract", "responsible")
        .first()
    )
    if claim is None:
        raise NotFound
    if edit and not can_edit_claims(actor):
        raise PermissionDenied
    return claim


async def customer_contracts(actor: CurrentUser) -> list[Contract]:
    """The contracts the customer sees (not deleted, in folders their permissions show)."""
    if actor.contact_id is None:
        return []
    access = await access_of(actor.contact_id, actor)
    contracts = await Contract.filter(contact_id=actor.contact_id, deleted_at=None).order_by(
        "folder", "product_line", "id"
    )
    return [
        contract
        for contract in contracts
        if customer_may(
            folder_flags(access, contract.folder),
            "view",
            made_by_customer=contract.created_by_customer,
        )
    ]


async def _clean_report(actor: CurrentUser, values: Mapping[str, Any]) -> dict[str, Any]:
    found, errors = checked(ClaimInput, values)
    if found is not None and found.contract_id is not None:
        if found.contract_id not in {c.id for c in await customer_contracts(actor)}:
            errors["contract_id"] = addressed("Please choose one of your contracts.")
    if found is None or errors:
        raise ValidationFailed(errors)
    return found.model_dump()


async def next_number(tenant_id: int, year: int) -> str:
    """The tenant's next claim number, counted in the caller's transaction: the UPDATE locks
    the tenant's row until it commits, so two reports never get the same number."""
    await Tenant.filter(id=tenant_id).update(claim_counter=F("claim_counter") + 1)
    counter = await Tenant.filter(id=tenant_id).values_list("claim_counter", flat=True)
    return f"S-{year}-{int(str(counter[0])):04d}"


async def _responsible_of(contact_id: int) -> int | None:
    """The contact's first responsible staff member who is still active."""
    rows = await ContactResponsible.filter(
        contact_id=contact_id, user__is_active=True, user__kind="staff"
    ).order_by("id")
    return rows[0].user_id if rows else None


async def report_claim(
    actor: CurrentUser,
    store: Storage,
    *,
    values: Mapping[str, Any],
    uploads: list[Upload],
    keep_location: bool,
    max_bytes: int,
) -> Claim:
    """The customer's new claim, numbered, with its files; told to the contact's responsible
    staff. ValidationFailed by field (the files under "files") stores nothing."""
    if not is_customer(actor) or actor.contact_id is None or actor.read_only:
        raise NotFound
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    try:
        clean = await _clean_report(actor, values)
    except ValidationFailed as failed:
        errors |= failed.errors
    prepared = await claim_files.prepare(uploads, keep_location=keep_location, max_bytes=max_bytes)
    if isinstance(prepared, str):
        errors["files"] = prepared
    if errors or isinstance(prepared, str):
        raise ValidationFailed(errors)
    contact_id = actor.contact_id
    responsible = await _responsible_of(contact_id)
    async with claim_files.stored(store, prepared, uploaded_by=actor.id) as rows:
        async with in_transaction():
            tenant_id = claim_files.tenant_id()
            number = await next_number(tenant_id, clean["loss_date"].year)
            claim = await Claim.create(
                number=number,
                contact_id=contact_id,
                responsible_id=responsible,
                reported_by_id=actor.id,
                by_customer=True,
                **clean,
            )
            await ClaimFile.bulk_create(
                [ClaimFile(tenant_id=tenant_id, claim_id=claim.id, **row) for row in rows]
            )
            await record(actor, events.CLAIM_REPORTED, claim, tell=events.STAFF)
    return claim


async def record(
    actor: CurrentUser,
    kind: str,
    claim: Claim,
    *,
    tell: events.Audience,
    changes: Mapping[str, list[Any]] | None = None,
) -> None:
    await events.record(
        actor,
        kind,
        contact_id=claim.contact_id,
        object_type="claim",
        object_id=claim.id,
        title=claim.number,
        changes=changes,
        tell=tell,
    )


async def update_claim(
    actor: CurrentUser, claim: Claim, *, values: Mapping[str, Any], version: int | None
) -> Claim:
    """Save staff's form (status, note to the customer, responsible) if nobody saved the claim
    since it was loaded at `version` (EditConflict otherwise). A new status or note is told to
    the customer; only a new responsible, to that staff member."""
    if not can_edit_claims(actor):
        raise PermissionDenied
    found, errors = checked(ClaimUpdateInput, values)
    if found is not None and found.responsible is not None:
        if not await staff_sees_contact(found.responsible, claim.contact_id):
            errors["responsible"] = _("Please choose a staff member who sees this contact.")
    if found is None or errors:
        raise ValidationFailed(errors)
    clean = {
        "status": found.status,
        "note_to_customer": found.note_to_customer,
        "responsible_id": found.responsible,
    }
    labels = {"status": _("Status"), "note_to_customer": _("Note to the customer")}
    labels["responsible_id"] = _("Responsible")
    async with in_transaction():
        await save_if_unchanged(
            Claim,
            where={"id": claim.id},
            version=version,
            changes=clean,
            labels=labels,
            form_names={"responsible_id": "responsible"},
        )
        after = await Claim.get(id=claim.id)
        changes = await _changes(claim, after)
        if "status" in changes or "note_to_customer" in changes:
            await record(actor, events.CLAIM_UPDATED, after, tell=events.CUSTOMER, changes=changes)
        elif "responsible" in changes and after.responsible_id is not None:
            tell = [after.responsible_id]
            await record(actor, events.CLAIM_UPDATED, after, tell=tell, changes=changes)
    return after


async def _changes(before: Claim, after: Claim) -> dict[str, list[Any]]:
    ids = [i for i in (before.responsible_id, after.responsible_id) if i is not None]
    names = {user.id: user.full_name for user in await User.filter(id__in=ids)} if ids else {}
    found = events.changes_between(
        {
            "status": before.status,
            "note_to_customer": before.note_to_customer,
            "responsible": names.get(before.responsible_id or 0, ""),
        },
        {
            "status": after.status,
            "note_to_customer": after.note_to_customer,
            "responsible": names.get(after.responsible_id or 0, ""),
        },
        ("status", "note_to_customer", "responsible"),
    )
    return found


def status_label(status: str) -> str:
    return STATUS_LABELS[status]


async def write_to_customer(
    ctx: tickets.Context, actor: CurrentUser, claim: Claim, *, subject: str, body: str
) -> Conversation:
    """A ticket to the customer about the claim (tickets.open_ticket checks the rights),
    linked to it."""
    async with in_transaction():
        ticket = await tickets.open_ticket(
            ctx, actor, contact_id=claim.contact_id, staff_id=None, subject=subject, body=body
        )
        await Conversation.filter(id=ticket.id).update(claim_id=claim.id)
    return ticket
