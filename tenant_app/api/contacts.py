"""Contacts through the API: list, read, create, change, upsert by external id, erase, and
the customer's portal permissions. The use cases are the staff's (services/contact_sync.py),
so what the API writes shows in the staff pages and records what the forms record."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from tenant_app.api import paging
from tenant_app.api.contact_models import (
    ContactData,
    ContactIn,
    ContactOut,
    ContactPatch,
    ContactQuery,
    PermissionsIn,
    PermissionsOut,
    external_key,
)
from tenant_app.api.operations import Call, Reply, operation
from tenant_app.api.paging import Page
from tenant_app.api.problems import ApiError
from tenant_app.permissions import CustomerRights
from tenant_app.services import contact_sync
from tenant_app.services.contact_sync import SyncedContact
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import ACCESS_FIELDS

TAG = "Contacts"
_STORED = tuple(name for name in ContactOut.model_fields if name != "account_state")


def contact_out(synced: SyncedContact) -> ContactOut:
    contact = synced.contact
    values = {name: getattr(contact, name) for name in _STORED}
    return ContactOut(**values, account_state=synced.account_state)


def _reply(synced: SyncedContact, call: Call | None = None) -> Reply:
    """The contact with its ETag; with `call`, as created (201 and its Location)."""
    reply = Reply(contact_out(synced), version=synced.contact.version)
    if call is not None:
        url = call.request.url_for("api_contact_get", contact_id=synced.contact.id)
        reply.status, reply.headers = 201, {"Location": url.path}
    return reply


def _sent(body: BaseModel) -> dict[str, Any]:
    """The fields a PATCH names, as checked (the others are not in it)."""
    return body.model_dump(include=body.model_fields_set)


@operation(
    "GET",
    "/contacts",
    name="api_contacts_list",
    summary="List contacts (in id order; `updated_since` for incremental sync)",
    scope="contacts:read",
    tag=TAG,
    query=ContactQuery,
    response=Page[ContactOut],
)
async def contacts_list(call: Call) -> Page[ContactOut]:
    query: ContactQuery = call.query
    rows = await contact_sync.contact_page(
        call.actor,
        after_id=paging.after_id(query.cursor),
        limit=query.limit,
        updated_since=query.updated_since,
        external_id=query.external_id,
        customer_number=query.customer_number,
        search=query.q,
    )
    items = [contact_out(row) for row in rows]
    return paging.page_of(items, [row.contact.id for row in rows], query.limit)


@operation(
    "GET",
    "/contacts/{contact_id:id}",
    name="api_contact_get",
    summary="Read a contact",
    scope="contacts:read",
    tag=TAG,
    response=ContactOut,
)
async def contact_get(call: Call) -> Reply:
    return _reply(await contact_sync.contact_for(call.actor, call.path["contact_id"]))


@operation(
    "POST",
    "/contacts",
    name="api_contact_create",
    summary="Create a contact",
    scope="contacts:write",
    tag=TAG,
    body=ContactIn,
    response=ContactOut,
    status=201,
)
async def contact_create(call: Call) -> Reply:
    values = call.body.model_dump(exclude={"external_id"})
    synced = await contact_sync.add_contact(
        call.actor, values=values, external_id=call.body.external_id
    )
    return _reply(synced, call)


@operation(
    "PATCH",
    "/contacts/{contact_id:id}",
    name="api_contact_update",
    summary="Change some of a contact's fields",
    scope="contacts:write",
    tag=TAG,
    body=ContactPatch,
    response=ContactOut,
    conditional=True,
)
async def contact_update(call: Call) -> Reply:
    synced = await contact_sync.change_contact(
        call.actor,
        call.path["contact_id"],
        version=call.expected_version(),
        changes=_sent(call.body),
    )
    return _reply(synced)


@operation(
    "PUT",
    "/contacts/external/{external_id:path}",
    name="api_contact_upsert",
    summary="Create or replace the contact with this external id",
    scope="contacts:write",
    tag=TAG,
    body=ContactData,
    response=ContactOut,
    description="Creates the contact (201) or, with If-Match, replaces all its fields (200).",
)
async def contact_upsert(call: Call) -> Reply:
    external_id = external_key(call.path["external_id"])
    found = await contact_sync.contact_by_external_id(call.actor, external_id)
    values = call.body.model_dump()
    if found is not None:
        version = call.expected_version()
        return _reply(
            await contact_sync.replace_contact(call.actor, found, version=version, values=values)
        )
    if call.given_version() is not None:  # it was there when the client read it
        raise ApiError(412, _("If-Match does not name the current version of this record."))
    synced = await contact_sync.add_contact(call.actor, values=values, external_id=external_id)
    return _reply(synced, call)


@operation(
    "DELETE",
    "/contacts/{contact_id:id}",
    name="api_contact_delete",
    summary="Erase a contact with all its data (contracts, documents, tickets, login)",
    scope="contacts:write",
    also=("contracts:write", "documents:write", "tickets:write", "cases:write"),
    tag=TAG,
    status=204,
    conditional=True,
)
async def contact_delete(call: Call) -> None:
    store = call.request.app.state.storage
    await contact_sync.erase_contact(
        call.actor,
        store,
        contact_id=call.path["contact_id"],
        version=call.expected_version(),
        settings=call.request.app.state.settings,  # the customer is told what went and stays
    )


def _permissions(contact_id: int, rights: CustomerRights, version: int) -> Reply:
    flags = {name: getattr(rights, name) for name in ACCESS_FIELDS}
    return Reply(PermissionsOut(contact_id=contact_id, version=version, **flags), version=version)


@operation(
    "GET",
    "/contacts/{contact_id:id}/permissions",
    name="api_contact_permissions_get",
    summary="Read what the customer may see and do in the portal",
    scope="contacts:read",
    tag=TAG,
    response=PermissionsOut,
)
async def contact_permissions_get(call: Call) -> Reply:
    contact_id = call.path["contact_id"]
    rights, version = await contact_sync.contact_permissions(call.actor, contact_id)
    return _permissions(contact_id, rights, version)


@operation(
    "PUT",
    "/contacts/{contact_id:id}/permissions",
    name="api_contact_permissions_set",
    summary="Set all of the customer's portal permissions",
    scope="contacts:write",
    tag=TAG,
    body=PermissionsIn,
    response=PermissionsOut,
    conditional=True,
)
async def contact_permissions_set(call: Call) -> Reply:
    contact_id = call.path["contact_id"]
    rights, version = await contact_sync.set_contact_permissions(
        call.actor, contact_id, flags=call.body.model_dump(), version=call.expected_version()
    )
    return _permissions(contact_id, rights, version)
