"""Signing a submitted application: the signed copy uploaded and filed beside it, or the
customer's click-to-sign at the broker's screen with the consent recorded (who, what was
agreed to, when, from where, taken by whom)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import anyio
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage
from tenant_app.models.contacts import Contact
from tenant_app.models.folders import Document
from tenant_app.models.interfaces import InterfaceApplication
from tenant_app.services import document_store
from tenant_app.services.interface_applications import application_for, store_changes
from tenant_app.services.upload_checks import Upload
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _
from tenant_app.text.labels import N_

SIGNABLE = ("submitted", "signed")  # a signature may be replaced until finalized


def _unsent() -> ValidationFailed:
    return ValidationFailed({"form": _("Please send the application first.")})


async def sign_by_upload(
    settings: Settings,
    store: Storage,
    actor: CurrentUser,
    application_id: int,
    *,
    upload: Upload | None,
) -> InterfaceApplication:
    """The signed copy, scanned or photographed, filed beside the application."""
    application = await application_for(actor, application_id, write=True)
    if application.status not in ("submitted", "signed"):
        raise _unsent()
    if upload is None:
        raise ValidationFailed({"signed_file": _("Please choose the signed application.")})
    filed: list[Document] = []
    try:
        async with in_transaction():  # the status first: a finalized one takes no new copy
            await store_changes(application, None, expect=SIGNABLE, signature="upload")
            filed = await document_store.store_documents(
                actor,
                store,
                contact_id=application.contact_id,
                contract=None,
                folder="insurance",
                uploads=[upload],
                values={"title": _("Signed application"), "folder": "insurance"}
                | {"category": "application"},
                max_bytes=settings.max_upload_bytes,
                shared=False,
                announce=False,
            )
            return await store_changes(
                application,
                None,
                expect=SIGNABLE,
                status="signed",
                signed_paper_id=filed[0].id,
                signature_record={"recorded_by": actor.id, "document": filed[0].id},
                signed_at=datetime.now(UTC),
            )
    except BaseException:
        with anyio.CancelScope(shield=True):
            await remove_files(store, [document.storage_key for document in filed])
        raise


def signer_of(contact: Contact) -> str:
    """Who signs for the contact: the person, else (a firm without a named person) the firm."""
    return f"{contact.first_name} {contact.last_name}".strip() or contact.company_name.strip()


CONSENT_TEXT = N_("I have read the application and agree to it. My click counts as my signature.")


async def sign_by_click(
    actor: CurrentUser,
    application_id: int,
    *,
    values: Mapping[str, Any],
    client: Mapping[str, str],
) -> InterfaceApplication:
    """The customer agrees at the broker's screen: the consent box, the signer's name as the
    contact's, recorded with what was agreed to, when, from where, by whom it was taken."""
    application = await application_for(actor, application_id, write=True)
    if application.status not in ("submitted", "signed"):
        raise _unsent()
    contact = await Contact.get(id=application.contact_id)
    name = str(values.get("signer_name", "")).strip()
    errors: dict[str, str] = {}
    if str(values.get("consent", "")).lower() not in ("on", "1", "true", "yes"):
        errors["consent"] = _("The customer must agree to sign by click.")
    expected = signer_of(contact)
    if not name or " ".join(name.split()).casefold() != expected.casefold():
        errors["signer_name"] = _(
            "Please enter the customer's name as on record: %(name)s.", name=expected
        )
    if errors:
        raise ValidationFailed(errors)
    now = datetime.now(UTC)
    record = {
        "signer_name": expected,
        "consent_text": _(CONSENT_TEXT),
        "paper_document": application.paper_id,
        "recorded_by": actor.id,
        "at": now.isoformat(),
        "ip": client.get("ip", "")[:64],
        "user_agent": client.get("user_agent", "")[:300],
    }
    return await store_changes(
        application,
        None,
        expect=SIGNABLE,
        status="signed",
        signature="click",
        signature_record=record,
        signed_at=now,
    )
