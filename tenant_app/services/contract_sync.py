"""Contracts as the broker's system keeps them in step (the JSON API): pages, external ids,
partial changes, upserts and deletes guarded by the version, and whether the tenant is
linked to such a system at all. The checks and writes are the contract use cases' (the
folder's rules, the insurer catalogue, the events the customer and the staff are told of),
so a contract written through the API is one the staff form would have written."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, NotFound, ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.models.folders import Contract, Insurer
from tenant_app.models.integration import ApiToken
from tenant_app.permissions import staff_may_read_folder
from tenant_app.services import contacts, contracts
from tenant_app.services.contact_sync import contact_named, form_text
from tenant_app.services.contacts import of_visible_contacts
from tenant_app.services.insurers import sort_key
from tenant_app.services.versions import VERSION_FIELD
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_
from tenant_app.vocabulary import FOLDERS

T = TypeVar("T")
EXTERNAL_ID_TAKEN = N_("Another contract already has this external ID.")
STAYS_WITH_CONTACT = N_("A contract stays with its contact.")
STAYS_IN_FOLDER = N_("A contract stays in its folder.")
_API_NAMES = {"insurer": "insurer_name"}  # the form's field names that the API calls otherwise


async def broker_system_linked() -> bool:
    """Whether the tenant has an API token that works (neither revoked nor expired): then a
    contract without an external id is one the broker's system does not know."""
    working = Q(expires_at=None) | Q(expires_at__gt=datetime.now(UTC))
    return await ApiToken.filter(working, revoked_at=None).exists()


async def contract_page(
    actor: CurrentUser,
    *,
    after_id: int,
    limit: int,
    updated_since: datetime | None = None,
    contact_id: int | None = None,
    external_id: str | None = None,
    folder: str | None = None,
    status: str | None = None,
) -> list[Contract]:
    """Up to `limit + 1` contracts after `after_id` in id order, of the contacts and
    folders the actor may see: one query, however many rows."""
    folders = [name for name in FOLDERS if staff_may_read_folder(actor, name)]
    rows = of_visible_contacts(actor, Contract.filter(id__gt=after_id, folder__in=folders))
    if updated_since is not None:
        rows = rows.filter(updated_at__gte=updated_since)
    filters = {"contact_id": contact_id, "external_id": external_id, "folder": folder}
    rows = rows.filter(**{name: value for name, value in filters.items() if value})
    if status:
        rows = rows.filter(status=status)
    return list(await rows.order_by("id").limit(limit + 1))


async def contract_for(actor: CurrentUser, contract_id: int, *, action: str = "view") -> Contract:
    """The contract if its contact is visible and the actor may `view`, `edit` or `delete`
    it (NotFound for one not theirs, also of another tenant)."""
    contact_id = await Contract.filter(id=contract_id).values_list("contact_id", flat=True)
    if not contact_id:
        raise NotFound
    contact = await contacts.get_visible_contact(actor, int(str(contact_id[0])))
    return await contracts.contract_for(
        actor, contact_id=contact.id, contract_id=contract_id, action=action
    )


async def contract_by_external_id(actor: CurrentUser, external_id: str) -> Contract | None:
    found = await Contract.filter(external_id=external_id).first()
    return None if found is None else await contract_for(actor, found.id, action="edit")


async def add_contract(
    actor: CurrentUser,
    *,
    contact_id: int | None,
    contact_external_id: str | None,
    folder: str,
    values: Mapping[str, Any],
    external_id: str | None,
) -> Contract:
    """A new contract in the contact's folder, by the staff's use case (the customer is
    told of it, as when staff add one)."""
    contact = await contact_named(actor, contact_id, contact_external_id)
    await _check_external_id(external_id)
    form = await _form(values)
    return await _api_names(
        contracts.create_contract(
            actor,
            contact_id=contact,
            folder=folder,
            values=form,
            more_columns={"external_id": external_id},
        )
    )


async def change_contract(
    actor: CurrentUser, contract_id: int, *, version: int, changes: Mapping[str, Any]
) -> Contract:
    """Change the fields in `changes` (the others stay) if the contract is still at
    `version` (else EditConflict): the staff edit form's use case with the stored values."""
    contract = await contract_for(actor, contract_id, action="edit")
    columns: dict[str, Any] = {}
    if "external_id" in changes:
        columns["external_id"] = changes["external_id"]
        await _check_external_id(columns["external_id"], except_id=contract.id)
    sent = await _form({name: value for name, value in changes.items() if name != "external_id"})
    values = contracts.form_values(contract) | sent | {VERSION_FIELD: str(version)}
    return await _api_names(
        contracts.update_contract(actor, contract, values=values, more_columns=columns)
    )


async def replace_contract(
    actor: CurrentUser,
    contract: Contract,
    *,
    version: int,
    contact_id: int | None,
    contact_external_id: str | None,
    folder: str,
    values: Mapping[str, Any],
) -> Contract:
    """An upsert of an existing contract: every field as sent (an omitted one is empty or
    its default). Its contact and its folder stay: naming others is refused."""
    if await contact_named(actor, contact_id, contact_external_id) != contract.contact_id:
        field = "contact_id" if contact_id is not None else "contact_external_id"
        raise ValidationFailed({field: _(STAYS_WITH_CONTACT)})
    if folder != contract.folder:
        raise ValidationFailed({"folder": _(STAYS_IN_FOLDER)})
    return await change_contract(actor, contract.id, version=version, changes=values)


async def remove_contract(
    actor: CurrentUser, store: Storage, *, contract_id: int, version: int
) -> None:
    """Delete the contract with its documents, as staff do, if it is still at `version`."""
    contract = await contract_for(actor, contract_id, action="delete")
    await contracts.delete_contract(actor, contract, store, version=version)


async def _form(values: Mapping[str, Any]) -> dict[str, str]:
    """Checked JSON values as the contract form names and writes them; a provider named
    like one in the catalogue takes the catalogue's spelling ("allianz" → "Allianz")."""
    form = {_FORM_NAMES.get(name, name): text for name, text in form_text(values).items()}
    if form.get("insurer"):
        insurer = await Insurer.filter(sort_key=sort_key(form["insurer"])).first()
        if insurer is not None:
            form["insurer"] = insurer.name
    return form


_FORM_NAMES = {api: form for form, api in _API_NAMES.items()}


async def _check_external_id(external_id: str | None, *, except_id: int | None = None) -> None:
    if external_id is None:
        return
    same = Contract.filter(external_id=external_id)
    if except_id is not None:
        same = same.exclude(id=except_id)
    if await same.exists():
        raise ValidationFailed({"external_id": _(EXTERNAL_ID_TAKEN)})


async def _api_names(write: Awaitable[T]) -> T:
    """The write, with its errors named by the API's fields; a lost race for the external
    id (the constraint decides, the use case's transaction is undone) as its 422."""
    try:
        return await write
    except EditConflict as conflict:
        raise EditConflict(_renamed(conflict.errors), version=conflict.version) from None
    except ValidationFailed as invalid:
        raise ValidationFailed(_renamed(invalid.errors)) from None
    except IntegrityError:
        raise ValidationFailed({"external_id": _(EXTERNAL_ID_TAKEN)}) from None


def _renamed(errors: Mapping[str, str]) -> dict[str, str]:
    return {_API_NAMES.get(name, name): message for name, message in errors.items()}
