"""One CSV row into a contact or a contract, checked exactly as the staff forms check it.

A row finds what it updates by its key: a contact by its external ID, else (without one) by
its customer number; a contract by its external ID, else by its contact, folder and insurance
number. Found, the row's filled cells change what is stored (a blank cell changes nothing);
not found, the row creates. The same row twice changes nothing the second time, so a file
can be imported again, and a chunk re-run after a restart does no harm.

Contacts go through the contact use cases (which notify nobody); contracts are checked by
the contract form's rules and written here, each with its event told to nobody (webhooks and
the customer's trail see it; customers are not notified of every imported contract). The
import as a whole is one entry of the audit trail (imports_run.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, NotFound, ValidationFailed
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Contract, Insurer
from tenant_app.permissions import staff_may_edit_folder
from tenant_app.schemas.base import FormInput, checked
from tenant_app.schemas.cases import ExternalId
from tenant_app.schemas.people import CONTACT_FIELDS, ContactInput
from tenant_app.services import contacts, contracts, events
from tenant_app.services.insurers import sort_key
from tenant_app.services.versions import save_if_unchanged
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import FOLDERS

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def _fail(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: message})


def _changed_meanwhile() -> ValidationFailed:
    """The record was saved by someone else between this row's read and its write."""
    return _fail("form", _("The record was changed in the meantime; please import again."))


class _Key(FormInput):
    external_id: ExternalId = None  # the rule of the API and the forms


def _external_id(values: dict[str, str]) -> str:
    """The row's external ID ("" for none), checked as everywhere else."""
    found, errors = checked(_Key, {"external_id": values.pop("external_id", "")})
    if found is None:
        raise ValidationFailed({"external_id": errors["external_id"]})
    return found.external_id or ""


class RowImporter:
    """Imports the rows of one job as `actor` (the staff member who started it)."""

    def __init__(self, actor: CurrentUser, kind: str) -> None:
        self.actor = actor
        self.kind = kind
        self._insurers: dict[str, str] = {}  # sort key -> the catalogue's spelling

    async def row(self, values: dict[str, str]) -> str:
        """CREATED, UPDATED or UNCHANGED; ValidationFailed with a message per field (the
        caller runs each row in a savepoint, so a failing row leaves nothing behind)."""
        values = dict(values)
        if self.kind == "contacts":
            return await self._contact(values)
        return await self._contract(values)

    # Contacts

    async def _contact(self, values: dict[str, str]) -> str:
        external_id = _external_id(values)
        found = await self._find_contact(external_id, values.get("customer_number", ""))
        if found is None:  # every field as the form sends it, blank where the row has none
            blank = dict.fromkeys(CONTACT_FIELDS, "")
            await contacts.create_contact(
                self.actor, values=blank | values, external_id=external_id or None
            )
            return CREATED
        merged = {**_contact_values(found), **values}
        form, _errors = checked(ContactInput, merged)
        adopt = bool(external_id) and found.external_id != external_id
        if form is not None and not adopt and _same(found, form.model_dump()):
            return UNCHANGED
        merged["version"] = str(found.version)  # saved only if nobody saved it since it was read
        try:
            await contacts.update_contact(
                self.actor,
                found,
                values=merged,
                responsible=None,  # those responsible stay
                more_columns={"external_id": external_id} if adopt else None,
            )
        except EditConflict:
            raise _changed_meanwhile() from None
        return UPDATED

    async def _find_contact(self, external_id: str, customer_number: str) -> Contact | None:
        """The contact the row updates: by external ID; else by customer number, among
        contacts without an external ID (which the row then gives them)."""
        if external_id:
            found = await Contact.filter(external_id=external_id).first()
            if found is not None:
                return await self._visible(found, "external_id")
        if not customer_number:
            return None
        same = await Contact.filter(customer_number=customer_number).limit(2)
        if len(same) > 1:
            raise _fail("customer_number", _("Several contacts have this customer number."))
        if not same or (external_id and same[0].external_id):
            return None
        return await self._visible(same[0], "customer_number")

    async def _visible(self, contact: Contact, field: str) -> Contact:
        try:
            return await contacts.get_visible_contact(self.actor, contact.id)
        except NotFound:
            raise _fail(
                field, _("This contact exists, but you are not responsible for it.")
            ) from None

    # Contracts

    async def _contract(self, values: dict[str, str]) -> str:
        external_id = _external_id(values)
        contact = await self._contract_contact(values)
        folder = values.pop("folder", "insurance")
        if folder not in FOLDERS:
            message = _("Unknown folder: use Insurance, Finances, Other contracts or Emergency.")
            raise _fail("folder", message)
        if not staff_may_edit_folder(self.actor, folder):
            raise _fail("folder", _("You may not add or change contracts in this folder."))
        if values.get("insurer"):
            values["insurer"] = await self._insurer_name(values["insurer"])
        found = await self._find_contract(external_id, contact.id, folder, values)
        if found is None:
            clean = await contracts.clean_contract({"status": "active", **values}, folder=folder)
            created = await Contract.create(
                contact_id=contact.id,
                folder=folder,
                created_by_id=self.actor.id,
                external_id=external_id or None,
                **clean,
            )
            await self._record(events.CONTRACT_ADDED, created)
            return CREATED
        clean = await contracts.clean_contract(
            {**contracts.form_values(found), **values}, folder=folder
        )
        changes = {
            column: value for column, value in clean.items() if getattr(found, column) != value
        }
        if external_id and found.external_id != external_id:
            changes["external_id"] = external_id
        if not changes:
            return UNCHANGED
        try:  # a compare-and-set on the version read: a staff edit saved since then stays
            await save_if_unchanged(
                Contract, where={"id": found.id}, version=found.version, changes=changes, labels={}
            )
        except EditConflict:
            raise _changed_meanwhile() from None
        before = {column: getattr(found, column) for column in contracts.CHANGE_COLUMNS}
        for column, value in changes.items():
            setattr(found, column, value)
        after = {column: getattr(found, column) for column in contracts.CHANGE_COLUMNS}
        changed = events.changes_between(before, after, contracts.CHANGE_COLUMNS)
        await self._record(events.CONTRACT_EDITED, found, changes=changed)
        return UPDATED

    async def _record(
        self, kind: str, contract: Contract, changes: dict[str, list[Any]] | None = None
    ) -> None:
        """The contract's event (its webhooks, the customer's trail), told to nobody: an
        import does not notify customers of each contract."""
        await events.record(
            self.actor,
            kind,
            contact_id=contract.contact_id,
            object_type="contract",
            object_id=contract.id,
            folder=contract.folder,
            title=contracts.title_of(contract),
            changes=changes or None,
            tell=events.NOBODY,
            customer_made=contract.created_by_customer,
        )

    async def _contract_contact(self, values: dict[str, str]) -> Contact:
        """The contact a contract row names by external ID or customer number."""
        external_id = values.pop("contact_external_id", "")
        number = values.pop("contact_number", "")
        if external_id:
            found = await Contact.filter(external_id=external_id).first()
            field = "contact_external_id"
        elif number:
            same = await Contact.filter(customer_number=number).limit(2)
            if len(same) > 1:
                raise _fail("contact_number", _("Several contacts have this customer number."))
            found, field = (same[0] if same else None), "contact_number"
        else:
            message = _("Please give the contact's external ID or customer number.")
            raise _fail("contact_number", message)
        if found is None:
            missing = {
                "contact_external_id": _("There is no contact with this external ID."),
                "contact_number": _("There is no contact with this customer number."),
            }
            raise _fail(field, missing[field])
        return await self._visible(found, field)

    async def _insurer_name(self, name: str) -> str:
        """The catalogue's spelling of an insurer named in any case ("ALLIANZ ..."); a name
        not in the catalogue stays as written (the folder's rule decides on it)."""
        key = sort_key(name)
        if key not in self._insurers:
            insurer = await Insurer.filter(sort_key=key).first()
            self._insurers[key] = insurer.name if insurer else name
        return self._insurers[key]

    async def _find_contract(
        self, external_id: str, contact_id: int, folder: str, values: dict[str, str]
    ) -> Contract | None:
        """By external ID; else the contact's contract in the folder with the same insurance
        number and no external ID. Never another contact's, never moved between folders."""
        if external_id:
            found = await Contract.filter(external_id=external_id).first()
            if found is not None:
                if found.contact_id != contact_id:
                    raise _fail("external_id", _("This contract belongs to another contact."))
                if found.folder != folder:
                    raise _fail("folder", _("This contract is in another folder."))
                return found
        number = values.get("insurance_number", "")
        if not number:
            return None
        same = Contract.filter(contact_id=contact_id, folder=folder, insurance_number=number)
        return await same.filter(external_id__isnull=True).order_by("id").first()


def _contact_values(contact: Contact) -> dict[str, str]:
    """A stored contact as its edit form would send it."""
    values = {name: str(getattr(contact, name) or "") for name in CONTACT_FIELDS}
    values["birthdate"] = contact.birthdate.isoformat() if contact.birthdate else ""
    return values


def _same(contact: Contact, clean: dict[str, Any]) -> bool:
    def stored(name: str) -> Any:
        value = getattr(contact, name)
        return value if isinstance(value, date) else str(value or "")

    return all(stored(name) == value for name, value in clean.items())
