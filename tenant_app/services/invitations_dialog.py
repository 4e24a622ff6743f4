"""The invitation dialog and what staff see of invitations: which contacts the dialog lists
(only those the actor may see), its submission as a batch, a contact's invitation panel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.expressions import Q

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.models.engagement import InvitationBatch
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import can_manage_contacts
from tenant_app.queries import invitations as reads
from tenant_app.queries.invitations import DialogRow
from tenant_app.schemas.invitations import EMAIL_FIELD, categories_of, read_options
from tenant_app.services import invitations, invitations_batch, legal_profile
from tenant_app.services.contacts import contacts_visible_to, get_visible_contact
from tenant_app.tenancy import current_tenant
from tenant_app.text.i18n import gettext as _


@dataclass(frozen=True)
class Dialog:
    rows: list[DialogRow]
    recommended: tuple[str, ...]  # the categories preselected
    address_form: str  # the tenant's, preselected
    not_live: str = ""  # why no one can be invited yet (the go-live check), or ""

    @property
    def invitable(self) -> int:
        return sum(1 for row in self.rows if row.state != reads.HAS_LOGIN)


async def dialog(
    actor: CurrentUser, *, contact_ids: list[int], search: str = "", everyone: bool = False
) -> Dialog:
    """The contacts chosen (or all the actor may see, matching `search`), each with whether
    it can be invited; ids the actor may not see are left out."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    scope = contacts_visible_to(actor)
    if everyone:
        term = search.strip()[:100]
        if term:
            scope = scope.filter(
                Q(last_name__icontains=term)
                | Q(first_name__icontains=term)
                | Q(email__icontains=term)
                | Q(customer_number__icontains=term)
            )
    else:
        scope = scope.filter(id__in=contact_ids[: invitations_batch.MAX_CONTACTS])
    rows = await reads.dialog_rows(scope, limit=invitations_batch.MAX_CONTACTS)
    recommended = categories_of(await _recommended())
    check = legal_profile.go_live(await legal_profile.stored_profile())
    not_live = "" if check.is_live else legal_profile.not_live_message(check)
    return Dialog(rows, recommended, current_tenant().address_form, not_live)


async def _recommended() -> str:
    values = await Tenant.filter(id=current_tenant().id).values_list(
        "recommended_categories", flat=True
    )
    return str(values[0]) if values else ""


async def submit(
    actor: CurrentUser, *, contact_ids: list[int], values: dict[str, Any]
) -> InvitationBatch:
    """Check the dialog (a message per field, nothing started) and start its batch. Every id
    sent goes into the batch: one the actor may not see is reported there, never invited."""
    found = await dialog(actor, contact_ids=contact_ids)
    if found.not_live:  # imprint and signature incomplete: nothing is started
        raise ValidationFailed({"form": found.not_live})
    without = [row.id for row in found.rows if row.state == reads.NO_EMAIL]
    options, errors = read_options(values, without_email=without)
    for contact_id, address in options.emails.items():
        name = f"{EMAIL_FIELD}{contact_id}"
        if name not in errors and await invitations.address_taken(address, contact_id):
            errors[name] = _("There is already a contact or user with this e-mail address.")
    if not contact_ids:
        errors["form"] = _("Please choose at least one contact.")
    if errors:
        raise ValidationFailed(errors)
    return await invitations_batch.start(actor, contact_ids=contact_ids, options=options)


@dataclass(frozen=True)
class Progress:
    batch: InvitationBatch
    counts: dict[str, int]

    @property
    def finished(self) -> bool:
        return self.batch.status in (invitations_batch.DONE, invitations_batch.FAILED)

    @property
    def total(self) -> int:
        return len(self.batch.contact_ids)

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.batch.position / self.total)


async def progress(actor: CurrentUser, batch_id: int) -> Progress:
    batch = await invitations_batch.batch_for(actor, batch_id)
    return Progress(batch, reads.summary(batch.report))


async def panel(actor: CurrentUser, *, contact_id: int) -> reads.ContactInvitation:
    """The contact page's invitation panel (404 for a contact the actor may not see)."""
    await get_visible_contact(actor, contact_id)
    return await reads.contact_invitation(contact_id)
