"""Insured objects (Versicherte Objekte) on a contact: a bike, an e-bike, a battery, with the
typed attributes of its product line (schemas/product_lines.py), and whether it is insured
(by which contract) or the customer declined (`declined`, shown as "Nicht versichert").

They are insurance-folder data: staff who see the contact and may read the insurance folder
read them, those who may write in it change them (`object_for`, the one gate; every miss is
NotFound, whatever the reason). Customers never reach them here. Each change is an event of
the contact (`object_added`, `object_edited`, `object_declined`), and a form saves only at
the version it was loaded with.

The pages' parts are in insured_object_pages.py, the export in insured_object_records.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from tortoise.expressions import F
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, NotFound, ValidationFailed
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Contract
from tenant_app.models.interfaces import InsuredObject
from tenant_app.permissions import is_staff, staff_may_edit_folder, staff_may_read_folder
from tenant_app.schemas.base import checked
from tenant_app.schemas.insured_objects import LABEL_MAX, ObjectInput
from tenant_app.schemas.product_lines import product_line as line_of
from tenant_app.schemas.risk_values import check_attributes
from tenant_app.services import case_risks, contacts, events
from tenant_app.services.versions import MAX_VERSION, conflict_errors
from tenant_app.text.case_risks import shown_value
from tenant_app.text.i18n import gettext as _

OBJECT_FOLDER = "insurance"  # whose rights govern them; their contract's papers are filed there
ATTRIBUTE_PREFIX = case_risks.ATTRIBUTE_PREFIX  # the form field and error key, as a risk's

__all__ = [
    "ATTRIBUTE_PREFIX",
    "OBJECT_FOLDER",
    "built_label",
    "contact_for_new",
    "create_object",
    "decline",
    "form_attributes",
    "mark_insured",
    "may_change",
    "object_for",
    "objects_of",
    "reopen",
    "update_object",
    "visible_objects",
]


def may_change(actor: CurrentUser) -> bool:
    return is_staff(actor) and staff_may_edit_folder(actor, OBJECT_FOLDER)


def visible_objects(actor: CurrentUser) -> QuerySet[InsuredObject]:
    """The objects of the contacts the actor sees, if they may read the insurance folder."""
    if not is_staff(actor) or not staff_may_read_folder(actor, OBJECT_FOLDER):
        raise NotFound
    return contacts.of_visible_contacts(actor, InsuredObject.all())


async def object_for(actor: CurrentUser, object_id: int, *, write: bool = False) -> InsuredObject:
    """The object with its contact and contract, if the actor may read it (with `write`:
    change it). NotFound for every miss: another tenant's, a contact they do not see, no
    right on the insurance folder, a customer."""
    if write and not may_change(actor):
        raise NotFound
    found = (
        await visible_objects(actor)
        .filter(id=object_id)
        .select_related("contact", "contract")
        .first()
    )
    if found is None:
        raise NotFound
    return found


async def contact_for_new(actor: CurrentUser, contact_id: int) -> Contact:
    """The contact a new object is for, if the actor may add one (else NotFound)."""
    if not may_change(actor):
        raise NotFound
    return await contacts.get_visible_contact(actor, contact_id)


async def objects_of(actor: CurrentUser, contact: Contact) -> list[InsuredObject]:
    """The contact's objects with their contracts, the newest first; none for staff who may
    not read the insurance folder (the contact page leaves the section out)."""
    if not is_staff(actor) or not staff_may_read_folder(actor, OBJECT_FOLDER):
        return []
    rows = InsuredObject.filter(contact_id=contact.id).select_related("contract")
    return list(await rows.order_by("-created_at", "-id"))


def built_label(product_line: str, attributes: Mapping[str, Any]) -> str:
    """The name made of the attributes: the kind chosen (else what the line's risk is) and
    its first two required texts, e.g. "E-Bike · Riese & Müller Charger4"."""
    line = line_of(product_line)
    if line is None:
        return ""
    kind = next((a for a in line.attributes if a.type == "choice" and attributes.get(a.key)), None)
    head = shown_value(kind, attributes[kind.key]) if kind else _(line.risk_label)
    names = [
        str(attributes[a.key])
        for a in line.attributes
        if a.type == "text" and a.required and attributes.get(a.key)
    ][:2]
    return " · ".join(part for part in (head, " ".join(names)) if part)[:LABEL_MAX]


def _clean(
    values: Mapping[str, Any], attributes: Mapping[str, Any], *, line: str = ""
) -> dict[str, Any]:
    """The object's columns, or ValidationFailed: its own fields by name, the attributes as
    `attributes.<key>`. `line`: an object's product line stays what it was made with."""
    found, errors = checked(
        ObjectInput, {**values, "product_line": line or values.get("product_line", "")}
    )
    stored: dict[str, Any] | None = None
    if found is not None:
        stored, attribute_errors = check_attributes(found.product_line, attributes)
        errors |= {ATTRIBUTE_PREFIX + key: message for key, message in attribute_errors.items()}
    if errors or found is None or stored is None:
        raise ValidationFailed(errors)
    label = found.label or built_label(found.product_line, stored)
    return {"product_line": found.product_line, "label": label, "attributes": stored}


async def create_object(
    actor: CurrentUser,
    contact: Contact,
    *,
    values: Mapping[str, Any],
    attributes: Mapping[str, Any],
) -> InsuredObject:
    """A new object on the contact (loaded by `contact_for_new`)."""
    if not may_change(actor):
        raise NotFound
    clean = _clean(values, attributes)
    async with in_transaction():
        found = await InsuredObject.create(contact_id=contact.id, created_by_id=actor.id, **clean)
        await _record(actor, events.OBJECT_ADDED, found)
    return found


async def update_object(
    actor: CurrentUser,
    found: InsuredObject,
    *,
    values: Mapping[str, Any],
    attributes: Mapping[str, Any],
    version: int | None,
) -> InsuredObject:
    """The name and attributes as sent (all of them: one not sent is emptied), only if the
    object is still at `version` (else EditConflict naming what is stored now)."""
    if not may_change(actor):
        raise NotFound
    clean = _clean(values, attributes, line=found.product_line)
    changes = {"label": clean["label"], "attributes": clean["attributes"]}
    async with in_transaction():
        if not await _move_on(found.id, version, **changes):
            raise await _conflict(found, clean)
        await _record(
            actor, events.OBJECT_EDITED, found, label=clean["label"], changes=_changed(found, clean)
        )
    return await InsuredObject.get(id=found.id).select_related("contact", "contract")


def _changed(found: InsuredObject, clean: Mapping[str, Any]) -> dict[str, list[Any]]:
    before = {"label": found.label, **found.attributes}
    after = {"label": clean["label"], **clean["attributes"]}
    return events.changes_between(before, after, list(dict.fromkeys([*before, *after])))


async def _move_on(object_id: int, version: int | None, **changes: Any) -> bool:
    """Write `changes` if the object is still at `version`, its version moving on."""
    if version is None or not 0 < version <= MAX_VERSION:
        return False
    rows = InsuredObject.filter(id=object_id, version=version)
    return bool(
        await rows.update(**changes, version=F("version") + 1, updated_at=datetime.now(UTC))
    )


async def _conflict(found: InsuredObject, clean: Mapping[str, Any]) -> EditConflict:
    """What is stored now, next to each field the form would change (NotFound if gone)."""
    current = await InsuredObject.get_or_none(id=found.id)
    if current is None:
        raise NotFound
    line = line_of(found.product_line)
    definitions = {a.key: a for a in line.attributes} if line else {}
    stored: dict[str, Any] = {"label": current.label}
    wanted: dict[str, Any] = {"label": clean["label"]}
    labels = {"label": _("Name")}
    for key, attribute in definitions.items():
        name = ATTRIBUTE_PREFIX + key
        old, new = current.attributes.get(key), clean["attributes"].get(key)
        stored[name] = "" if old is None else shown_value(attribute, old)
        wanted[name] = "" if new is None else shown_value(attribute, new)
        labels[name] = _(attribute.label)
    errors = conflict_errors(SimpleNamespace(**stored), wanted, labels, {})
    return EditConflict(errors, version=current.version)


async def decline(actor: CurrentUser, object_id: int, version: int | None) -> InsuredObject:
    """The customer does not want it insured: "Nicht versichert", with today's date. Only an
    open object, only at `version` (EditConflict)."""
    found = await object_for(actor, object_id, write=True)
    if found.insurance_state != "open":
        raise ValidationFailed({"form": _("Only an object that is not insured can be declined.")})
    return await _set_state(actor, found, version, "declined", declined_at=datetime.now(UTC))


async def reopen(actor: CurrentUser, object_id: int, version: int | None) -> InsuredObject:
    """A declined object is open again (the customer changed their mind)."""
    found = await object_for(actor, object_id, write=True)
    if found.insurance_state != "declined":
        raise ValidationFailed({"form": _("Only a declined object can be reopened.")})
    return await _set_state(actor, found, version, "open", declined_at=None)


async def _set_state(
    actor: CurrentUser, found: InsuredObject, version: int | None, state: str, **more: Any
) -> InsuredObject:
    async with in_transaction():
        if not await _move_on(found.id, version, insurance_state=state, **more):
            current = await InsuredObject.get_or_none(id=found.id)
            if current is None:
                raise NotFound
            message = _("Someone else changed this object in the meantime. Please check it.")
            raise EditConflict({"form": message}, version=current.version)
        change = {"insurance_state": [found.insurance_state, state]}
        await _record(
            actor,
            events.OBJECT_DECLINED if state == "declined" else events.OBJECT_EDITED,
            found,
            changes=change,
        )
    return await InsuredObject.get(id=found.id).select_related("contact", "contract")


async def mark_insured(
    found: InsuredObject, contract: Contract, *, actor: CurrentUser | None = None
) -> InsuredObject:
    """The object is insured by `contract` (an application was finalized): in the caller's
    transaction, whatever its state and version (the insurer's answer is the fact)."""
    await InsuredObject.filter(id=found.id).update(
        insurance_state="insured",
        contract_id=contract.id,
        declined_at=None,
        version=F("version") + 1,
        updated_at=datetime.now(UTC),
    )
    change = {"insurance_state": [found.insurance_state, "insured"]}
    await _record(actor, events.OBJECT_EDITED, found, changes=change)
    return await InsuredObject.get(id=found.id).select_related("contact", "contract")


async def _record(
    actor: CurrentUser | None,
    kind: str,
    found: InsuredObject,
    *,
    label: str = "",
    changes: Mapping[str, list[Any]] | None = None,
) -> None:
    await events.record(
        actor,
        kind,
        contact_id=found.contact_id,
        object_type="insured_object",
        object_id=found.id,
        folder=OBJECT_FOLDER,
        title=label or found.label,
        changes=changes,
    )


form_attributes = case_risks.form_attributes  # the same fields as a risk's edit form
