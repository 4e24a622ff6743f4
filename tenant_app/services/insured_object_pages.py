"""What the staff's pages show of insured objects: the contact page's list, and an object's
page with its data, state, contract and the contract's papers, its applications, and what
the firm's active insurer interfaces offer for it (the reminder to ask the customer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Contract, Document
from tenant_app.models.interfaces import InsuredObject, InterfaceApplication
from tenant_app.permissions import staff_may_read_folder
from tenant_app.plugins import InsurerPlugin
from tenant_app.schemas.product_lines import line_label
from tenant_app.schemas.product_lines import product_line as line_of
from tenant_app.services import contracts, insurer_accounts, insurer_plugins
from tenant_app.services.insured_objects import may_change, objects_of
from tenant_app.text.case_risks import shown_attributes
from tenant_app.text.i18n import gettext as _
from tenant_app.text.insured_objects import (
    APPLICATION_CHIPS,
    APPLICATION_STATUSES,
    INSURANCE_STATES,
    STATE_CHIPS,
)


@dataclass(frozen=True, slots=True)
class ObjectRow:
    """One object as a list shows it."""

    id: int
    label: str
    line_label: str
    state: str  # open | insured | declined
    state_label: str
    chip: str  # the state's chip modifier
    declined_at: datetime | None
    contract_id: int | None
    contract_title: str
    contract_folder: str  # "" when the reader may not open the contract's folder


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    id: int
    insurer: str
    status_label: str
    chip: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Interface:
    """An active insurer interface that insures the object: its plug-in's key and insurer."""

    key: str
    insurer: str


def _row(actor: CurrentUser, found: InsuredObject) -> ObjectRow:
    contract: Contract | None = found.contract  # selected with the object
    readable = contract is not None and staff_may_read_folder(actor, contract.folder)
    return ObjectRow(
        id=found.id,
        label=found.label,
        line_label=line_label(found.product_line),
        state=found.insurance_state,
        state_label=INSURANCE_STATES[found.insurance_state],
        chip=STATE_CHIPS.get(found.insurance_state, "neutral"),
        declined_at=found.declined_at,
        contract_id=contract.id if contract else None,
        contract_title=contracts.title_of(contract) if contract else "",
        contract_folder=contract.folder if contract and readable else "",
    )


async def contact_objects(actor: CurrentUser, contact: Contact) -> dict[str, Any]:
    """The contact page's section: its objects (none and no section for staff who may not
    read the insurance folder), and whether the reader may add one."""
    rows = [_row(actor, found) for found in await objects_of(actor, contact)]
    return {
        "insured_objects": rows,
        "shows_objects": staff_may_read_folder(actor, "insurance"),
        "adds_objects": may_change(actor),
    }


def _insurer(key: str) -> str:
    plugin = insurer_plugins.plugin(key)
    return plugin.insurer_name if plugin else key


async def _applications(found: InsuredObject) -> list[ApplicationRow]:
    rows = InterfaceApplication.filter(insured_object_id=found.id).order_by("-created_at", "-id")
    return [
        ApplicationRow(
            id=row.id,
            insurer=_insurer(row.plugin),
            status_label=APPLICATION_STATUSES[row.status],
            chip=APPLICATION_CHIPS.get(row.status, "neutral"),
            created_at=row.created_at,
        )
        for row in await rows
    ]


def _covering(found: InsuredObject, plugins: list[InsurerPlugin]) -> list[Interface]:
    return [
        Interface(plugin.key, plugin.insurer_name)
        for plugin in plugins
        if plugin.covers(found.product_line, found.attributes)
    ]


async def interfaces_for(found: InsuredObject, *, applied: bool) -> dict[str, list[Interface]]:
    """For an open object: `remind` — the interfaces whose reminder is on, while no
    application was started (ask the customer whether they want it insured); `apply` — the
    other active ones. Nothing for an insured or declined object."""
    if found.insurance_state != "open":
        return {"remind": [], "apply": []}
    accounts = (await insurer_accounts.active_accounts()).values()  # one query for both lists
    active = _covering(found, [plugin for plugin, _remind in accounts])
    reminding = [plugin for plugin, remind in accounts if remind]
    remind = [] if applied else _covering(found, reminding)
    return {"remind": remind, "apply": [i for i in active if i not in remind]}


async def _contract_papers(actor: CurrentUser, contract: Contract | None) -> list[Document]:
    """The documents filed at the object's contract (the policy's), if the reader may read
    its folder."""
    if contract is None or not staff_may_read_folder(actor, contract.folder):
        return []
    return list(await Document.filter(contract_id=contract.id).order_by("-created_at", "-id"))


async def object_page(actor: CurrentUser, found: InsuredObject) -> dict[str, Any]:
    """The object's page (the object loaded by `object_for`)."""
    line = line_of(found.product_line)
    applications = await _applications(found)
    editable = may_change(actor)
    interfaces = await interfaces_for(found, applied=bool(applications)) if editable else {}
    return {
        "object": found,
        "contact": found.contact,
        "row": _row(actor, found),
        "risk_label": _(line.risk_label) if line else "",
        "attributes": shown_attributes(found.product_line, found.attributes),
        "papers": await _contract_papers(actor, found.contract),
        "applications": applications,
        "remind": interfaces.get("remind", []),
        "apply": interfaces.get("apply", []),
        "can_edit": editable,
    }
