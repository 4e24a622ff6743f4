"""The settings page's "Kunden-App" section (services of the tenant admin): the portal's
module switches (Tenant.modules), the categories the invitation preselects, what an accepted
offer becomes, and the broker's status and chamber for the first information.

It shares the settings page's edit lock (`Tenant.version`); after a save the tenant cache is
emptied, so the next request's `tenant.has_module()` sees the change."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import PermissionDenied, ValidationFailed
from tenant_app.models.folders import AuditEntry
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import can_manage_settings
from tenant_app.schemas.base import checked
from tenant_app.schemas.portal_settings import PortalSettingsInput
from tenant_app.services.versions import VERSION_FIELD, save_if_unchanged, version_of
from tenant_app.tenancy import tenant_cache
from tenant_app.text.labels import N_, Labels
from tenant_app.vocabulary import DOCUMENT_CATEGORIES, MODULES

COLUMNS = (
    "modules",
    "recommended_categories",
    "offer_accepted_status",
    "tender_contract_status",
    "broker_status",
    "broker_chamber",
    "chat_transcripts",
)
COLUMN_LABELS = Labels(  # what an edit conflict names
    {
        "modules": N_("Modules"),
        "recommended_categories": N_("Recommended categories"),
        "offer_accepted_status": N_("An accepted offer becomes"),
        "tender_contract_status": N_("A confirmed offer of an advice case becomes"),
        "broker_status": N_("Status under § 34d GewO"),
        "broker_chamber": N_("Chamber (IHK)"),
        "chat_transcripts": N_("File chat transcripts when archiving"),
    }
)
SAVED_AUDIT = "portal_settings_saved"  # AuditEntry.action


def form_values(row: dict[str, Any]) -> dict[str, str]:
    """The stored columns as the form's fields (a checkbox "on" or "")."""
    modules = str(row["modules"] or "").split(",")
    categories = str(row["recommended_categories"] or "").split(",")
    values = {f"module_{m}": "on" if m in modules else "" for m in MODULES}
    values |= {f"category_{c}": "on" if c in categories else "" for c in DOCUMENT_CATEGORIES}
    values |= {name: str(row[name] or "") for name in COLUMNS[2:] if name != "chat_transcripts"}
    values["chat_transcripts"] = "on" if row["chat_transcripts"] else ""
    return values


async def settings_form(actor: CurrentUser) -> dict[str, str]:
    """The section's starting values with the settings' version."""
    if not can_manage_settings(actor):
        raise PermissionDenied
    row = (await Tenant.filter(id=current_tenant_id()).values(*COLUMNS, "version"))[0]
    return {**form_values(row), VERSION_FIELD: str(row["version"])}


async def save_settings(actor: CurrentUser, *, values: dict[str, str]) -> dict[str, str | bool]:
    """Validate and store the section at once, if nobody saved the settings since the form
    was loaded (EditConflict otherwise); ValidationFailed with a message per bad field.
    Either way a refused save changes nothing. Returns the stored columns."""
    if not can_manage_settings(actor):
        raise PermissionDenied
    given, errors = checked(PortalSettingsInput, values)
    if errors or given is None:
        raise ValidationFailed(errors)
    changes = given.columns()
    await save_section(
        actor, values=values, changes=changes, labels=COLUMN_LABELS, audit=SAVED_AUDIT
    )
    return changes


async def save_section(
    actor: CurrentUser,
    *,
    values: dict[str, str],
    changes: dict[str, Any],
    labels: Labels,
    audit: str,
) -> None:
    """Store one settings section's checked `changes` on the tenant row under the settings'
    edit lock (EditConflict naming `labels`), audited, in one transaction; the tenant cache
    (the layout, the signature, the go-live check read it) forgets it either way."""
    try:
        async with in_transaction():
            await save_if_unchanged(
                Tenant,
                where={"id": current_tenant_id()},
                version=version_of(values),
                changes=changes,
                labels=dict(labels),
            )
            await AuditEntry.create(action=audit, actor_id=actor.id)
    finally:
        tenant_cache.invalidate()
