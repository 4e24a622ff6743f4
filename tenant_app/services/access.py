"""What a customer may use: reading and saving the permission row, module counts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied
from tenant_app.models.folders import CustomerAccess
from tenant_app.permissions import (
    CustomerRights,
    FolderFlags,
    can_manage_contacts,
    customer_may,
    folder_flags,
)
from tenant_app.queries import folders as folder_reads
from tenant_app.services.unique import write_unless_taken
from tenant_app.services.versions import save_if_unchanged
from tenant_app.text import labels
from tenant_app.vocabulary import ACCESS_FIELDS
from tenant_app.vocabulary import FOLDERS as FOLDER_KEYS


def own_contact_id(actor: CurrentUser) -> int:
    """The customer's own contact; an account without one finds nothing in the portal."""
    if actor.contact_id is None:
        raise NotFound
    return actor.contact_id


async def access_of(contact_id: int, actor: CurrentUser | None = None) -> CustomerRights:
    """The contact's permissions; all off when none were ever set.

    A customer's own permissions came with their session (same request, no second query).
    """
    own: CustomerRights | None = getattr(actor, "access", None)
    if own is not None and actor is not None and actor.contact_id == contact_id:
        return own
    row = await CustomerAccess.filter(contact_id=contact_id).values(*ACCESS_FIELDS)
    return CustomerRights.from_values(contact_id, row[0] if row else {})


async def access_form(actor: CurrentUser, *, contact_id: int) -> tuple[CustomerRights, int]:
    """The permissions as their form shows them, and the version it carries (0: never set)."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    row = await CustomerAccess.filter(contact_id=contact_id).values(*ACCESS_FIELDS, "version")
    values = row[0] if row else {}
    return CustomerRights.from_values(contact_id, values), int(values.get("version", 0))


def _flag_labels() -> dict[str, str]:
    """Each permission column as the form names it ("Finances – Data share")."""
    names = {
        f"{folder}_{flag}": f"{labels.FOLDERS[folder]} – {label}"
        for folder in FOLDER_KEYS
        for flag, label in labels.ACCESS_FLAGS
    }
    return names | dict(labels.ACCESS_MODULES)


async def save_access(
    actor: CurrentUser, *, contact_id: int, flags: dict[str, bool], version: int | None
) -> CustomerRights:
    """Replace all flags at once (one row, one statement): the next request sees the change.

    `version` is the one the form was loaded with (0: no row yet); EditConflict if someone
    saved since."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    values: dict[str, Any] = {name: bool(flags.get(name)) for name in ACCESS_FIELDS}
    if values["profile_editable"]:
        values["profile_visible"] = True  # editing implies seeing
    rights = CustomerRights.from_values(contact_id, values)
    if version == 0:  # the first save makes the row; a second "first" save is a conflict
        first = partial(CustomerAccess.create, contact_id=contact_id, **values)
        if await write_unless_taken(first):
            return rights
        version = None
    await save_if_unchanged(
        CustomerAccess,
        where={"contact_id": contact_id},
        version=version,
        changes=values,
        labels=_flag_labels(),
    )
    return rights


@dataclass(frozen=True)
class FolderCount:
    folder: str
    contracts: int
    documents: int
    flags: FolderFlags


async def folder_counts(contact_id: int, access: CustomerRights | None = None) -> list[FolderCount]:
    """Contracts and documents per folder for one contact, in one grouped query."""
    by_contract, by_document = await folder_reads.folder_totals(contact_id)
    return [
        FolderCount(
            folder,
            by_contract.get(folder, 0),
            by_document.get(folder, 0),
            folder_flags(access, folder),
        )
        for folder in FOLDER_KEYS
    ]


async def shared_folders(actor: CurrentUser) -> tuple[CustomerRights, list[str]]:
    """The customer's permissions and the folders they may open (no query: the permissions
    came with the session)."""
    contact_id = own_contact_id(actor)
    rights = await access_of(contact_id, actor)
    return rights, [f for f in FOLDER_KEYS if customer_may(folder_flags(rights, f), "view_folder")]
