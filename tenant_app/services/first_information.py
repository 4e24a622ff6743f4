"""The first information for customers (Erstinformation, § 15 VersVermV): who the broker is,
their status and register entry, where to complain, their holdings. Written from the same
broker-profile fields as the imprint (text/legal_rules.py) as a PDF,
filed on the contact (folder "other", shared with them) and linked in the invitation mail;
the invitation notes when the customer first opens it."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import anyio

from tenant_app.actors import CurrentUser
from tenant_app.files.pdf import Letter, Section, render_letter
from tenant_app.files.storage import Storage, new_key
from tenant_app.models.engagement import Invitation
from tenant_app.models.folders import Document
from tenant_app.models.scoping import current_tenant_id
from tenant_app.models.tenancy import Tenant
from tenant_app.text import legal_rules
from tenant_app.text.i18n import gettext as _
from tenant_app.text.legal_rules import BrokerProfile
from tenant_app.vocabulary import company_display

FOLDER, CATEGORY = "other", "correspondence"
FILENAME = "Erstinformation.pdf"
REGISTER_URL = legal_rules.REGISTER_URL


def title() -> str:
    return _("First information for customers")


def _holdings(profile: BrokerProfile) -> str:
    if profile.broker_holdings:
        return profile.broker_holdings
    return _(
        "We hold no direct or indirect participation of 10 % or more of the"
        " voting rights or capital of an insurance company, and no insurance"
        " company or its parent holds such a participation in our firm."
    )


def letter_of(tenant: Tenant) -> Letter:
    """The letter from the broker profile, the same fields as the imprint's (fields not
    filled in print as a dash; the go-live check keeps invitations back until they are)."""
    profile = BrokerProfile.of(vars(tenant))
    firm = company_display(tenant.broker_firm_name or tenant.name, tenant.broker_legal_form)
    status = profile.broker_status if profile.broker_status in legal_rules.STATUSES else "makler"
    chamber = ", ".join(p for p in (profile.broker_chamber, profile.broker_chamber_address) if p)
    return Letter(
        title=title(),
        sender=firm,
        sections=(
            Section(
                _("Who we are"),
                facts=(
                    (_("Firm"), firm),
                    (
                        legal_rules.representatives_label(profile.form),
                        profile.names("broker_representatives"),
                    ),
                    (_("Address"), profile.address),
                    (_("Phone"), tenant.broker_phone),
                    (_("E-mail"), tenant.broker_email),
                ),
            ),
            Section(
                _("Status and permission"),
                paragraphs=(_(legal_rules.STATUSES[status]),),
                facts=((_("Chamber"), chamber),),
            ),
            Section(
                _("Register"),
                paragraphs=(
                    _(
                        "We are registered in the insurance intermediaries register (DIHK"
                        " Vermittlerregister). You can check the entry at %(url)s.",
                        url=REGISTER_URL,
                    ),
                    legal_rules.REGISTER_ADDRESS,
                ),
                facts=((_("Register number"), tenant.broker_register_number),),
            ),
            Section(
                _("Complaints and arbitration"),
                paragraphs=(
                    _("For out-of-court dispute resolution you can turn to:"),
                    *legal_rules.OMBUDSMEN,
                ),
            ),
            Section(_("Holdings"), paragraphs=(_holdings(profile),)),
        ),
        footer=_("Information under § 15 VersVermV."),
        author=firm,
    )


async def render_pdf() -> bytes:
    """The current tenant's first information as PDF bytes (rendered off the event loop)."""
    tenant = await Tenant.get(id=current_tenant_id())
    letter = letter_of(tenant)
    return await anyio.to_thread.run_sync(render_letter, letter)


async def store_file(store: Storage, data: bytes) -> tuple[str, int]:
    """Write the PDF to storage under a new key (before the contact's transaction)."""
    key = new_key(current_tenant_id())
    size = await store.save(key, io.BytesIO(data))
    return key, size


async def file_on_contact(
    *, contact_id: int, key: str, size: int, sha256: str, filed_by: int | None
) -> Document:
    """The stored PDF as a document on the contact, shared with them (in the caller's
    transaction: it goes with the invitation or not at all)."""
    return await Document.create(
        contact_id=contact_id,
        folder=FOLDER,
        category=CATEGORY,
        title=title(),
        filename=FILENAME,
        storage_key=key,
        content_type="application/pdf",
        size=size,
        sha256=sha256,
        shared_with_customer=True,
        uploaded_by_id=filed_by,
        document_date=datetime.now(UTC).date(),
    )


async def mark_opened(actor: CurrentUser, document: Any) -> None:
    """The customer opened or downloaded a document (any row with id, folder and filename):
    if it is an invitation's first information, note the first time. One UPDATE, only for
    such a document; a staff member viewing as the customer is no one."""
    if actor.kind != "customer" or actor.viewing_staff_id is not None:
        return
    if document.folder != FOLDER or document.filename != FILENAME:
        return
    document_id = int(document.id)
    await Invitation.filter(
        first_information_id=document_id, first_information_opened_at=None
    ).update(first_information_opened_at=datetime.now(UTC))
