"""Contracts in a contact's folders, made and changed by staff or by the customer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage
from tenant_app.models.folders import Contract, Document, Insurer
from tenant_app.permissions import (
    customer_may,
    folder_flags,
    staff_may_edit_folder,
    staff_may_read_folder,
)
from tenant_app.schemas.base import checked
from tenant_app.schemas.folders import CONTRACT_KINDS, ContractInput, ContractKind
from tenant_app.services import events, legal_holds
from tenant_app.services.access import access_of
from tenant_app.services.versions import VERSION_FIELD, claim, save_if_unchanged, version_of
from tenant_app.text import labels
from tenant_app.text.formatting import local_today
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import FOLDERS as FOLDER_KEYS

CONTRACT_FIELDS = (*ContractInput.model_fields, VERSION_FIELD)  # what the contract form sends
_NO_PAYMENTS = {"payment_method": "", "payment_frequency": "", "gross_premium": None}
# What an edit's event shows as old → new (the catalogue link follows the provider's name).
CHANGE_COLUMNS = (
    "status",
    "product_line",
    "insurer_name",
    "insurance_number",
    "payment_method",
    "payment_frequency",
    "gross_premium",
    "note",
    "valid_until",
)


def contract_kind(folder: str) -> ContractKind:
    """The fields that fit the folder's contracts (NotFound for an unknown folder)."""
    _check_folder(folder)
    return CONTRACT_KINDS[folder]


async def clean_contract(
    values: dict[str, str], *, folder: str, kept_until: date | None = None
) -> dict[str, Any]:
    """The contract's columns from the form, by the rules of its folder (ValidationFailed
    with a message per field). The provider is linked to the catalogue when it is in it; in
    the insurance folder it must be. An offer's validity may not end before today, unless it
    is the one it had (`kept_until`: an expired offer can still be edited otherwise)."""
    kind = contract_kind(folder)
    contract, errors = checked(kind.model, values)
    insurer = None
    name = contract.insurer if contract else ""
    if name:
        insurer = await Insurer.get_or_none(name=name)
        if insurer is None and kind.catalogue == "only":
            errors["insurer"] = _("Please choose an insurer from the list.")
    until = contract.valid_until if contract and contract.status == "offer" else None
    if until is not None and until != kept_until:
        if until < local_today():
            errors["valid_until"] = _("An offer's validity cannot end before today.")
    if errors or contract is None:
        raise ValidationFailed(errors)
    clean = contract.model_dump(exclude={"insurer"})
    clean["insurer_id"] = insurer.id if insurer else None
    clean["insurer_name"] = insurer.name if insurer else name
    return clean if kind.payments else clean | _NO_PAYMENTS


async def _clean_contract(
    values: dict[str, str], *, folder: str, by_customer: bool, kept_until: date | None = None
) -> dict[str, Any]:
    if by_customer:
        values = {**values, "status": "start"}  # a customer's contract always starts so
    clean = await clean_contract(values, folder=folder, kept_until=kept_until)
    if by_customer:
        clean.pop("valid_until", None)  # the broker's offer validity is not the customer's
    return clean


def field_labels(folder: str) -> dict[str, str]:
    """The contract's columns as the folder's form labels them (what a conflict names)."""
    kind = contract_kind(folder)
    named = {
        "product_line": kind.product_label,
        "insurer_name": kind.provider_label,
        "insurance_number": kind.number_label,
    }
    if kind.payments:
        named["gross_premium"] = kind.amount_label
    shown = {column: _(label) for column, label in named.items()}
    return shown | {
        column: label
        for column, label in labels.CONTRACT_FIELDS
        if kind.payments or not column.startswith("payment_")
    }


def form_values(contract: Contract) -> dict[str, Any]:
    """A contract as its edit form shows it (the premium in German notation)."""
    values = {name: getattr(contract, name, "") for name in CONTRACT_FIELDS}
    values["insurer"] = contract.insurer_name
    premium = contract.gross_premium
    values["gross_premium"] = f"{premium:.2f}".replace(".", ",") if premium is not None else ""
    valid_until = contract.valid_until
    values["valid_until"] = valid_until.strftime("%d.%m.%Y") if valid_until else ""
    return values


def _check_folder(folder: str) -> None:
    if folder not in FOLDER_KEYS:
        raise NotFound


async def create_contract(
    actor: CurrentUser,
    *,
    contact_id: int,
    folder: str,
    values: dict[str, str],
    more_columns: Mapping[str, Any] | None = None,
) -> Contract:
    """Staff with write access, or the customer where the folder allows creating. `more_columns`
    the form does not have (the API's `external_id`) are written with it."""
    _check_folder(folder)
    by_customer = actor.kind == "customer"
    if by_customer:
        if actor.contact_id != contact_id:
            raise NotFound
        if not customer_may(folder_flags(await access_of(contact_id, actor), folder), "create"):
            raise PermissionDenied
    elif not staff_may_read_folder(actor, folder):
        raise NotFound
    elif not staff_may_edit_folder(actor, folder):
        raise PermissionDenied
    clean = await _clean_contract(values, folder=folder, by_customer=by_customer)
    async with in_transaction():
        contract = await Contract.create(
            contact_id=contact_id,
            folder=folder,
            created_by_customer=by_customer,
            created_by_id=actor.id,
            **clean,
            **(more_columns or {}),
        )
        # the customer hears of a contract the broker added to their folder
        await _record(actor, events.CONTRACT_ADDED, contract, tell=_customer_or_staff(actor))
    return contract


def title_of(contract: Contract) -> str:
    """What an event calls the contract: "Hausrat · Allianz"."""
    return " · ".join(part for part in (contract.product_line, contract.insurer_name) if part)


def _customer_or_staff(actor: CurrentUser) -> events.Audience | None:
    """A customer's action goes to the staff (the default), a staff action to the customer."""
    return None if actor.kind == "customer" else events.CUSTOMER


async def _record(
    actor: CurrentUser,
    kind: str,
    contract: Contract,
    *,
    tell: events.Audience | None = None,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    await events.record(
        actor,
        kind,
        contact_id=contract.contact_id,
        object_type="contract",
        object_id=contract.id,
        folder=contract.folder,
        title=title_of(contract),
        changes=changes,
        tell=tell,
        customer_made=contract.created_by_customer,
    )


async def contract_for(
    actor: CurrentUser, *, contact_id: int, contract_id: int, action: str
) -> Contract:
    """The contract if the actor may `view`, `edit` or `delete` it (else NotFound or Denied)."""
    contract = await Contract.get_or_none(id=contract_id, contact_id=contact_id, restricted_at=None)
    if contract is None:  # a restricted one is retained for legal reasons: hidden
        raise NotFound
    if actor.kind == "customer":
        if actor.contact_id != contact_id or contract.deleted_at is not None:
            raise NotFound
        flags = folder_flags(await access_of(contact_id, actor), contract.folder)
        made_by_customer = contract.created_by_customer
        if not customer_may(flags, "view", made_by_customer=made_by_customer):
            raise NotFound  # existence stays hidden
        if action != "view" and not customer_may(flags, action, made_by_customer=made_by_customer):
            raise PermissionDenied
        if action != "view" and contract.status == "offer":
            raise PermissionDenied  # the broker's offer: the customer accepts or asks, as it is
    elif action != "view" and not staff_may_edit_folder(actor, contract.folder):
        raise PermissionDenied
    elif not staff_may_read_folder(actor, contract.folder):
        raise NotFound
    return contract


async def ensure_may_create(actor: CurrentUser, *, contact_id: int, folder: str) -> None:
    """NotFound unless the actor may add a contract to this folder (guards the empty form)."""
    if actor.kind == "customer":
        flags = folder_flags(await access_of(contact_id, actor), folder)
        if actor.contact_id != contact_id or not customer_may(flags, "create"):
            raise NotFound
    elif folder not in FOLDER_KEYS or not staff_may_edit_folder(actor, folder):
        raise NotFound


async def update_contract(
    actor: CurrentUser,
    contract: Contract,
    *,
    values: dict[str, str],
    more_columns: Mapping[str, Any] | None = None,
) -> Contract:
    """Save the edit form if nobody saved the contract since it was loaded (EditConflict);
    `more_columns` the form does not have (the API's `external_id`) in the same statement."""
    by_customer = actor.kind == "customer"
    if by_customer and contract.status == "offer":
        raise PermissionDenied  # else they could accept terms they wrote themselves
    clean = await _clean_contract(
        values, folder=contract.folder, by_customer=by_customer, kept_until=contract.valid_until
    )
    if by_customer:
        clean["status"] = contract.status if not contract.created_by_customer else "start"
    version = version_of(values)
    async with in_transaction():
        # The row as it was when saved: the one loaded, unless the form is of a later version
        # (then, if the save succeeds, that later row is what it changed).
        before = contract
        if version is not None and version != contract.version:
            before = await Contract.get_or_none(id=contract.id) or contract
        await save_if_unchanged(
            Contract,
            where={"id": contract.id},
            version=version,
            changes=clean | dict(more_columns or {}),
            labels=field_labels(contract.folder),
            form_names={"insurer_name": "insurer"},
        )
        after = await Contract.get(id=contract.id)
        columns = [column for column in CHANGE_COLUMNS if column in clean]
        changes = events.changes_between(_values(before), _values(after), columns)
        if changes:  # saving an unchanged form tells nobody anything
            tell = _customer_or_staff(actor)
            if tell == events.CUSTOMER and "status" not in changes:
                tell = events.NOBODY  # the customer hears of a new status, not of every edit
            await _record(actor, events.CONTRACT_EDITED, after, tell=tell, changes=changes)
    return after


def _values(contract: Contract) -> dict[str, Any]:
    return {column: getattr(contract, column) for column in CHANGE_COLUMNS}


async def delete_contract(
    actor: CurrentUser, contract: Contract, store: Storage, *, version: int | None = None
) -> None:
    """Staff delete for real; a customer's delete is a soft delete that staff can undo.
    With `version` (the API's If-Match), only if the contract is still at it, checked in the
    delete's own transaction.

    Soft also for the customer's own contracts: the broker may have filed documents there.
    """
    if actor.kind == "customer":
        if contract.status == "offer":
            raise PermissionDenied  # an offer is the broker's to withdraw
        async with in_transaction():
            await Contract.filter(id=contract.id).update(deleted_at=datetime.now(UTC), **_touched())
            await _record(actor, events.CONTRACT_DELETED, contract)
        return
    filed = await Document.filter(contract_id=contract.id).values("id", "storage_key")
    await legal_holds.refuse_if_held(
        contact_id=contract.contact_id, document_ids=[int(row["id"]) for row in filed]
    )
    async with in_transaction():
        if version is not None:
            await claim(Contract, row_id=contract.id, version=version)
        await contract.delete()  # documents go with it (cascade)
        await _record(actor, events.CONTRACT_DELETED, contract, tell=events.NOBODY)
        await events.forget_for_customers("contract", [contract.id])
        await events.forget_for_customers("document", [int(row["id"]) for row in filed])
    await remove_files(store, [str(row["storage_key"]) for row in filed])


def _touched() -> dict[str, Any]:
    """A change besides the edit form's: a new version (an open form or an API client's
    ETag is stale now) and `updated_at` (the API's `updated_since` finds it)."""
    return {"version": F("version") + 1, "updated_at": datetime.now(UTC)}


async def restore_contract(actor: CurrentUser, contract: Contract) -> None:
    if actor.kind != "staff" or not staff_may_edit_folder(actor, contract.folder):
        raise PermissionDenied
    async with in_transaction():
        restored = await Contract.filter(id=contract.id, deleted_at__isnull=False).update(
            deleted_at=None, **_touched()
        )
        if restored:  # restoring one that is not deleted (a second click) records nothing
            await _record(actor, events.CONTRACT_RESTORED, contract, tell=events.NOBODY)
