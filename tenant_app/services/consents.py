"""Consent to processing special categories of data (Art. 9 (2) (a) GDPR): health data for
life, disability and health insurance (vocabulary.SPECIAL_CATEGORY_LINES).

The customer gives it in the portal to a text of a known version (templates/portal/
consents/_text.html: change `TEXT_VERSION` whenever that text changes), recorded with the
account and the time, and withdraws it there at any time (Art. 7 (3) GDPR), recorded too.
While a contact has no current consent (given, not withdrawn), documents of contracts in
those lines are not newly shared with the customer (`check_sharing`) and the customer cannot
upload into such a contract (`upload_sharing`); what was shared before a withdrawal stays
shown, as a withdrawal leaves what was lawfully done before it (Art. 7 (3) sentence 2).
Error messages are msgids the caller translates (templates) or, for the document hooks,
already translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.folders import Contract
from tenant_app.models.legal import ConsentRecord
from tenant_app.permissions import can_use_staff_area
from tenant_app.services import contacts, events
from tenant_app.text.i18n import addressed
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_
from tenant_app.vocabulary import CONSENT_KINDS, SPECIAL_CATEGORY_LINES


def _a(message: str) -> str:
    """Mark a customer-facing sentence for both forms of address (read with `addressed`)."""
    return message


HEALTH_DATA = CONSENT_KINDS[0]
TEXT_VERSION = "2026-12"  # of templates/portal/consents/_text.html
NOT_AGREED = _a("Please tick the box to give your consent.")
STALE_TEXT = _a("The text of the consent has changed meanwhile. Please read it again.")
STAFF_REFUSAL = N_(
    "This document belongs to a contract with health data. It can be shared with the"
    " customer only once the customer has given consent to processing health data"
    " (in the portal under Consents)."
)
CUSTOMER_REFUSAL = _a(
    "Documents for this contract contain health data. Please first give your consent under"
    " Consents; then you can upload here."
)
GIVEN_TITLE = N_("Consent to processing health data given")
WITHDRAWN_TITLE = N_("Consent to processing health data withdrawn")


@dataclass(frozen=True)
class ConsentState:
    """A contact's consents: the current one (None: none), and every record, newest first."""

    current: ConsentRecord | None
    history: list[ConsentRecord]
    text_version: str = TEXT_VERSION

    @property
    def is_outdated(self) -> bool:
        """Given to an earlier text: still valid, but the customer may read the new one."""
        return self.current is not None and self.current.text_version != TEXT_VERSION


# A contract's product line is free text ("Private Krankenversicherung", "Risikoleben",
# "Berufsunfähigkeit", "BU") or a key of vocabulary.PRODUCT_LINES: these parts of the
# folded name mark a line whose papers hold health data.
HEALTH_LINE_PARTS = (*SPECIAL_CATEGORY_LINES, "berufsunfaehig", "erwerbsunfaehig", "pflege")
HEALTH_LINE_NAMES = frozenset({"bu", "pkv", "bav-bu"})
_FOLDED = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def is_special_line(product_line: str) -> bool:
    """Documents of a contract in this line hold health data (Art. 9 GDPR)."""
    folded = product_line.strip().lower().translate(_FOLDED)
    return folded in HEALTH_LINE_NAMES or any(part in folded for part in HEALTH_LINE_PARTS)


async def has_consent(contact_id: int, kind: str = HEALTH_DATA) -> bool:
    return await ConsentRecord.filter(contact_id=contact_id, kind=kind, withdrawn_at=None).exists()


async def _state(contact_id: int) -> ConsentState:
    records = await ConsentRecord.filter(contact_id=contact_id, kind=HEALTH_DATA).order_by(
        "-given_at", "-id"
    )
    current = next((record for record in records if record.withdrawn_at is None), None)
    return ConsentState(current=current, history=records)


def _own_login(actor: CurrentUser) -> int:
    """Consent is the data subject's own: only the contact's own login gives or withdraws it."""
    if actor.kind != "customer" or actor.contact_id is None:
        raise NotFound
    if actor.own_contact_id != actor.contact_id:  # a household's or a trusted login
        raise PermissionDenied
    return actor.contact_id


async def portal_state(actor: CurrentUser) -> ConsentState:
    if actor.kind != "customer" or actor.contact_id is None:
        raise NotFound
    return await _state(actor.contact_id)


async def staff_state(actor: CurrentUser, *, contact_id: int) -> ConsentState:
    """For staff who see the contact (404 otherwise)."""
    if not can_use_staff_area(actor):
        raise NotFound
    contact = await contacts.get_visible_contact(actor, contact_id)
    return await _state(contact.id)


async def give_consent(actor: CurrentUser, *, agreed: bool, text_version: str) -> ConsentRecord:
    """The customer consents to the text of `text_version` (the one they read): refused
    with a message next to the checkbox if not ticked or if the text has changed meanwhile."""
    contact_id = _own_login(actor)
    if text_version != TEXT_VERSION:
        raise ValidationFailed({"agree": STALE_TEXT})
    if not agreed:
        raise ValidationFailed({"agree": NOT_AGREED})
    async with in_transaction():
        current = await ConsentRecord.filter(
            contact_id=contact_id, kind=HEALTH_DATA, withdrawn_at=None
        ).first()
        if current is not None and current.text_version == TEXT_VERSION:
            return current  # given twice (a second tab): one record
        if current is not None:  # consent to the new text replaces the one to the old
            await _withdraw(actor, current)
        record = await ConsentRecord.create(
            contact_id=contact_id, kind=HEALTH_DATA, text_version=TEXT_VERSION, given_by_id=actor.id
        )
        await _record_event(actor, contact_id, record.id, GIVEN_TITLE)
    return record


async def withdraw_consent(actor: CurrentUser) -> bool:
    """Withdrawn at once (Art. 7 (3) GDPR); False if there was nothing to withdraw."""
    contact_id = _own_login(actor)
    async with in_transaction():
        current = await ConsentRecord.filter(
            contact_id=contact_id, kind=HEALTH_DATA, withdrawn_at=None
        ).first()
        if current is None:
            return False
        await _withdraw(actor, current)
        await _record_event(actor, contact_id, current.id, WITHDRAWN_TITLE)
    return True


async def _withdraw(actor: CurrentUser, record: ConsentRecord) -> None:
    await ConsentRecord.filter(id=record.id, withdrawn_at=None).update(
        withdrawn_at=datetime.now(UTC), withdrawn_by_id=actor.id
    )


async def _record_event(actor: CurrentUser, contact_id: int, record_id: int, title: str) -> None:
    await events.record(
        actor,
        events.CONSENT_CHANGED,
        contact_id=contact_id,
        object_type="consent",
        object_id=record_id,
        title=_(title),
    )


async def _is_special_contract(contract_id: int | None) -> bool:
    if contract_id is None:
        return False
    line = await Contract.filter(id=contract_id).values_list("product_line", flat=True)
    return bool(line) and is_special_line(str(line[0]))


async def check_sharing(*, contact_id: int, contract_id: int | None, field: str = "shared") -> None:
    """Staff may show a document of a health contract to the customer only with consent:
    ValidationFailed next to the sharing checkbox (`field`) otherwise."""
    if await _is_special_contract(contract_id) and not await has_consent(contact_id):
        raise ValidationFailed({field: _(STAFF_REFUSAL)})


async def upload_needs_consent(actor: CurrentUser, contract: Contract | None) -> bool:
    """The customer's upload form for this contract waits for consent (it says so and
    links to the consent instead of offering a file the upload would refuse)."""
    if actor.kind != "customer" or contract is None or not is_special_line(contract.product_line):
        return False
    return not await has_consent(contract.contact_id)


async def upload_sharing(
    actor: CurrentUser, *, contact_id: int, contract_id: int | None, shared: bool | None
) -> bool | None:
    """The sharing of a new document (see document_store: None is the default). Into a
    health contract without consent the customer cannot upload (ValidationFailed next to the
    file field), staff cannot upload shared (next to the sharing checkbox), and a staff
    upload without a choice stays hidden from the customer."""
    if not await _is_special_contract(contract_id) or await has_consent(contact_id):
        return shared
    if actor.kind == "customer":
        raise ValidationFailed({"file": addressed(CUSTOMER_REFUSAL)})
    if shared:
        raise ValidationFailed({"shared": _(STAFF_REFUSAL)})
    return False
