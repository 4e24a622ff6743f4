"""The staff's side of a contact's trusted persons: the list with its trail, and opening the
emergency folder at once on proof (services/trust.py has the states; vetoing is there too).

The proof is filed as a document on the contact itself, never shared: exactly the staff who
may open on proof (those who manage contacts) can read it on the contact's page, the
customer and the trusted person never, and the contact's export and erasure include it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.models.contacts import Contact, ContactResponsible
from tenant_app.models.households import TrustedPerson
from tenant_app.permissions import can_manage_contacts, is_staff
from tenant_app.schemas.folders import TITLE_MAX
from tenant_app.services import trust_mail
from tenant_app.services.contacts import get_visible_contact
from tenant_app.services.documents import Upload, add_document, delete_document
from tenant_app.services.trust import TrustEntry, entries, event, now_or, settle
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _

OPENABLE = ("invited", "ready", "requested")  # on proof, also before the person registered
NOTE_MAX = 2000  # characters


@dataclass(frozen=True)
class ContactTrust:
    """A contact's trusted persons on its staff page, and what this staff member may do."""

    entries: list[TrustEntry]
    may_veto: bool  # manages contacts or is responsible for the contact
    may_open: bool  # manages contacts: open at once on proof


async def contact_trust(
    actor: CurrentUser, *, contact_id: int, settings: Settings, now: datetime | None = None
) -> ContactTrust:
    """Every trusted person the contact named (removed ones too), with their trail. The
    caller has checked that the actor sees the contact."""
    if not is_staff(actor):
        raise PermissionDenied
    persons = list(await TrustedPerson.filter(contact_id=contact_id).order_by("created_at", "id"))
    if not persons:
        return ContactTrust([], may_veto=False, may_open=False)
    manages = can_manage_contacts(actor)
    responsible = manages or await ContactResponsible.exists(
        contact_id=contact_id, user_id=actor.id
    )
    found = await entries(settings, persons, now_or(now))
    return ContactTrust(found, may_veto=responsible, may_open=manages)


async def openable(actor: CurrentUser, *, contact_id: int, trust_id: int) -> TrustedPerson:
    """A trusted person of a contact the actor sees, if the actor may open on proof."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    contact = await get_visible_contact(actor, contact_id)
    person = await TrustedPerson.get_or_none(id=trust_id, contact_id=contact.id)
    if person is None:
        raise NotFound
    return person


def _proof_errors(note: str, upload: Upload | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not note:
        errors["note"] = _("Please describe the proof: what it is, from whom, of which date.")
    elif len(note) > NOTE_MAX:
        errors["note"] = _("Please enter at most %(n)s characters.", n=NOTE_MAX)
    if upload is None:
        errors["file"] = _("Please choose the proof document.")
    return errors


async def open_on_proof(
    actor: CurrentUser,
    store: Storage,
    *,
    settings: Settings,
    contact_id: int,
    trust_id: int,
    note: str,
    upload: Upload | None,
    now: datetime | None = None,
) -> TrustedPerson:
    """Open the emergency folder at once, recording the note and the uploaded proof; the
    trusted person and the customer are told."""
    person = await openable(actor, contact_id=contact_id, trust_id=trust_id)
    at = now_or(now)
    await settle(settings, [person], at)
    if person.status not in OPENABLE:
        raise ValidationFailed({"form": _("Nothing to open: access is open already or ended.")})
    note = note.strip()
    if errors := _proof_errors(note, upload):
        raise ValidationFailed(errors)
    title = _("Proof: emergency folder opened for %(name)s", name=person.full_name)
    proof = await add_document(
        actor,
        store,
        contact_id=person.contact_id,
        upload=upload,
        values={"title": title[:TITLE_MAX], "category": "other"},
        max_bytes=settings.max_upload_bytes,
        folder="",
        shared=False,
    )
    async with in_transaction():
        opened = await TrustedPerson.filter(id=person.id, status__in=OPENABLE).update(
            status="open", opened_at=at, version=F("version") + 1
        )
        if opened:
            await event(person, "opened_proof", at, actor, note=note, document_id=proof.id)
            contact = await Contact.get(id=person.contact_id)
            await trust_mail.tell_opened(settings, person, contact, on_proof=True)
    if not opened:  # removed or opened meanwhile: the proof is no step of anything
        await delete_document(actor, store, proof)
        raise ValidationFailed({"form": _("Nothing to open: access is open already or ended.")})
    return person
