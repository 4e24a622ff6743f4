"""Contracts through the API: list, read, create, change, upsert by external id, delete.
The use cases are the staff's (services/contract_sync.py): the folder's rules, the insurer
catalogue, and the events the customer and the staff are told of."""

from __future__ import annotations

from typing import Any

from tenant_app.api import paging
from tenant_app.api.contact_models import external_key
from tenant_app.api.contract_models import (
    ContractCreate,
    ContractIn,
    ContractOut,
    ContractPatch,
    ContractQuery,
)
from tenant_app.api.operations import Call, Reply, operation
from tenant_app.api.paging import Page
from tenant_app.api.problems import ApiError
from tenant_app.services import contract_sync
from tenant_app.text.i18n import gettext as _

TAG = "Contracts"
_STORED = tuple(name for name in ContractOut.model_fields if name not in ("connected",))
_REFERENCES = ("contact_id", "contact_external_id", "folder")  # where, not what


def contract_out(contract: Any) -> ContractOut:
    values = {name: getattr(contract, name) for name in _STORED}
    premium = contract.gross_premium
    values["gross_premium"] = None if premium is None else f"{premium:.2f}"
    return ContractOut(**values, connected=contract.external_id is not None)


def _reply(contract: Any, call: Call | None = None) -> Reply:
    """The contract with its ETag; with `call`, as created (201 and its Location)."""
    reply = Reply(contract_out(contract), version=contract.version)
    if call is not None:
        url = call.request.url_for("api_contract_get", contract_id=contract.id)
        reply.status, reply.headers = 201, {"Location": url.path}
    return reply


def _where(body: ContractIn) -> dict[str, Any]:
    return {name: getattr(body, name) for name in _REFERENCES}


def _what(body: ContractIn) -> dict[str, Any]:
    return body.model_dump(exclude={*_REFERENCES, "external_id"})


@operation(
    "GET",
    "/contracts",
    name="api_contracts_list",
    summary="List contracts (in id order; `updated_since` for incremental sync)",
    scope="contracts:read",
    tag=TAG,
    query=ContractQuery,
    response=Page[ContractOut],
)
async def contracts_list(call: Call) -> Page[ContractOut]:
    query: ContractQuery = call.query
    rows = await contract_sync.contract_page(
        call.actor,
        after_id=paging.after_id(query.cursor),
        limit=query.limit,
        updated_since=query.updated_since,
        contact_id=query.contact_id,
        external_id=query.external_id,
        folder=query.folder,
        status=query.status,
    )
    items = [contract_out(row) for row in rows]
    return paging.page_of(items, [row.id for row in rows], query.limit)


@operation(
    "GET",
    "/contracts/{contract_id:id}",
    name="api_contract_get",
    summary="Read a contract",
    scope="contracts:read",
    tag=TAG,
    response=ContractOut,
)
async def contract_get(call: Call) -> Reply:
    return _reply(await contract_sync.contract_for(call.actor, call.path["contract_id"]))


@operation(
    "POST",
    "/contracts",
    name="api_contract_create",
    summary="Create a contract in a contact's folder",
    scope="contracts:write",
    tag=TAG,
    body=ContractCreate,
    response=ContractOut,
    status=201,
    description="Name the contact by `contact_id` or by `contact_external_id`.",
)
async def contract_create(call: Call) -> Reply:
    body: ContractCreate = call.body
    contract = await contract_sync.add_contract(
        call.actor, **_where(body), values=_what(body), external_id=body.external_id
    )
    return _reply(contract, call)


@operation(
    "PATCH",
    "/contracts/{contract_id:id}",
    name="api_contract_update",
    summary="Change some of a contract's fields",
    scope="contracts:write",
    tag=TAG,
    body=ContractPatch,
    response=ContractOut,
    conditional=True,
)
async def contract_update(call: Call) -> Reply:
    changes = call.body.model_dump(include=call.body.model_fields_set)
    contract = await contract_sync.change_contract(
        call.actor, call.path["contract_id"], version=call.expected_version(), changes=changes
    )
    return _reply(contract)


@operation(
    "PUT",
    "/contracts/external/{external_id:path}",
    name="api_contract_upsert",
    summary="Create or replace the contract with this external id",
    scope="contracts:write",
    tag=TAG,
    body=ContractIn,
    response=ContractOut,
    description="Creates the contract (201) or, with If-Match, replaces its fields (200);"
    " its contact and folder stay.",
)
async def contract_upsert(call: Call) -> Reply:
    external_id = external_key(call.path["external_id"])
    found = await contract_sync.contract_by_external_id(call.actor, external_id)
    where, values = _where(call.body), _what(call.body)
    if found is not None:
        version = call.expected_version()
        changed = await contract_sync.replace_contract(
            call.actor, found, version=version, **where, values=values
        )
        return _reply(changed)
    if call.given_version() is not None:  # it was there when the client read it
        raise ApiError(412, _("If-Match does not name the current version of this record."))
    created = await contract_sync.add_contract(
        call.actor, **where, values=values, external_id=external_id
    )
    return _reply(created, call)


@operation(
    "DELETE",
    "/contracts/{contract_id:id}",
    name="api_contract_delete",
    summary="Delete a contract with its documents",
    scope="contracts:write",
    also=("documents:write",),
    tag=TAG,
    status=204,
    conditional=True,
)
async def contract_delete(call: Call) -> None:
    store = call.request.app.state.storage
    await contract_sync.remove_contract(
        call.actor, store, contract_id=call.path["contract_id"], version=call.expected_version()
    )
