"""Inviting one contact to the portal: the account, the chosen sharing, the first information
and the invitation mail, all in one transaction; a failure leaves nothing of it.

The batch (services/invitations_batch.py) calls `invite_contact` for each of its contacts;
`resend` and `revoke` act on a contact's latest invitation from its page."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.db import is_unavailable
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage
from tenant_app.models.accounts import AccountLink, User
from tenant_app.models.contacts import Contact
from tenant_app.models.engagement import Invitation
from tenant_app.models.folders import CustomerAccess, Document
from tenant_app.models.tenancy import Tenant
from tenant_app.permissions import can_manage_contacts
from tenant_app.schemas.invitations import InviteOptions
from tenant_app.services import accounts, events, first_information, legal_profile
from tenant_app.services.contacts import contacts_visible_to
from tenant_app.settings import Settings
from tenant_app.tenancy import current_tenant
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import company_display

logger = logging.getLogger("tenant_app.invitations")

INVITED, SKIPPED, FAILED = "invited", "skipped", "failed"
MAIL_TEMPLATE = "invitation"
PROFILE = (
    *("name", "broker_firm_name", "broker_legal_form", "broker_phone", "broker_email"),
    *("broker_street", "broker_postal_code", "broker_city"),
)


@dataclass(frozen=True)
class Outcome:
    contact_id: int
    name: str
    outcome: str  # invited | skipped | failed
    reason: str = ""

    def line(self) -> dict[str, Any]:
        return {"contact_id": self.contact_id, "name": self.name, "outcome": self.outcome}


@dataclass(frozen=True)
class Pdf:
    """The first information rendered once for a whole batch: each contact gets a copy."""

    data: bytes
    sha256: str

    @classmethod
    def of(cls, data: bytes) -> Pdf:
        return cls(data, hashlib.sha256(data).hexdigest())


async def first_information_pdf() -> Pdf | None:
    """The tenant's first information, if its module is on."""
    if not current_tenant().has_module("first_information"):
        return None
    return Pdf.of(await first_information.render_pdf())


def download_path(document_id: int) -> str:
    return f"/portal/documents/{document_id}/download"


def _name(contact: Contact) -> str:
    return f"{contact.last_name}, {contact.first_name}"


async def _skip_reason(contact: Contact, account: User | None) -> str:
    if account is not None and account.password_hash:
        return _("Already has a login.")
    if account is not None and not account.is_active:
        return _("The login is deactivated.")
    return ""


async def address_taken(email: str, contact_id: int) -> bool:
    """Another contact or account has the address (the contact form's rule)."""
    if await Contact.filter(email=email).exclude(id=contact_id).exists():
        return True
    return await User.filter(email=email).exclude(contact_id=contact_id).exists()


async def invite_contact(
    actor: CurrentUser,
    settings: Settings,
    store: Storage,
    *,
    contact_id: int,
    options: InviteOptions,
    pdf: Pdf | None,
    batch_id: int | None = None,
) -> Outcome:
    """Invite one contact the actor may see; the outcome with its reason, never an exception
    for the contact's own problems (a batch goes on with the next one)."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    contact = await contacts_visible_to(actor).filter(id=contact_id).first()
    if contact is None:
        return Outcome(contact_id, "", FAILED, _("This contact does not exist or is not yours."))
    account = await User.get_or_none(contact_id=contact.id)
    if reason := await _skip_reason(contact, account):
        return Outcome(contact.id, _name(contact), SKIPPED, reason)
    email = contact.email or options.emails.get(contact.id, "")
    if not email:
        return Outcome(contact.id, _name(contact), FAILED, _("The contact has no e-mail address."))
    if not contact.email and await address_taken(email, contact.id):
        return Outcome(contact.id, _name(contact), FAILED, _("The address is already in use."))
    stored = await first_information.store_file(store, pdf.data) if pdf else None
    try:
        async with in_transaction():  # a savepoint inside a batch's step
            await _invite(actor, settings, contact, account, email, options, pdf, stored, batch_id)
    except Exception as error:
        if stored:
            await remove_files(store, [stored[0]])
        if isinstance(error, ValidationFailed):
            message = next(iter(error.errors.values()), "")
            return Outcome(contact.id, _name(contact), FAILED, message)
        if is_unavailable(error):
            raise
        logger.exception("invitation failed", extra={"fields": {"contact": contact.id}})
        return Outcome(contact.id, _name(contact), FAILED, _("An unexpected error occurred."))
    return Outcome(contact.id, _name(contact), INVITED)


async def _invite(
    actor: CurrentUser,
    settings: Settings,
    contact: Contact,
    account: User | None,
    email: str,
    options: InviteOptions,
    pdf: Pdf | None,
    stored: tuple[str, int] | None,
    batch_id: int | None,
) -> None:
    if not contact.email:  # filled in in the dialog: kept on the contact
        await Contact.filter(id=contact.id).update(email=email, version=F("version") + 1)
    if account is None:
        account = await accounts.create_customer_account(actor, contact_id=contact.id)
    await User.filter(id=account.id).update(address_form=options.address_form)
    account.address_form = options.address_form
    document = None
    if pdf and stored:
        document = await first_information.file_on_contact(
            contact_id=contact.id,
            key=stored[0],
            size=stored[1],
            sha256=pdf.sha256,
            filed_by=actor.id,
        )
    await share(actor, contact.id, options, first_information=document)
    links = (
        {"first_information_url": f"/portal/documents/{document.id}/download"} if document else {}
    )
    mail_id = await accounts.queue_link_mail(
        settings,
        account,
        purpose="register",
        template=MAIL_TEMPLATE,
        extra={"context": {"profile": await _profile()}, "links": links},
    )
    await Invitation.create(
        contact_id=contact.id,
        user_id=account.id,
        invited_by_id=actor.id,
        batch_id=batch_id,
        address_form=options.address_form,
        share_mode=options.share,
        categories=",".join(options.categories) if options.share == "categories" else "",
        first_information_id=document.id if document else None,
        mail_id=mail_id,
    )


async def _profile() -> dict[str, str]:
    """The broker profile the invitation mail shows (firm with its legal form once)."""
    rows = await Tenant.filter(id=current_tenant().id).values(*PROFILE)
    profile = {key: str(value or "") for key, value in rows[0].items()}
    name = profile.pop("broker_firm_name") or profile.pop("name")
    return {**profile, "firm": company_display(name, profile.pop("broker_legal_form"))}


async def share(
    actor: CurrentUser, contact_id: int, options: InviteOptions, *, first_information: Any
) -> None:
    """Apply the dialog's sharing in the caller's transaction: the chosen documents shared
    (each recorded as shared, as staff sharing one is), their folders unlocked with data
    share. Sharing by category hides the other categories' broker documents in folders that
    were closed until now, so the customer sees exactly what was chosen."""
    rows = await (
        Document.filter(contact_id=contact_id, uploaded_by_customer=False)
        .exclude(folder="")
        .values("id", "folder", "category", "title", "shared_with_customer")
    )
    chosen = [
        row
        for row in rows
        if options.share == "all"
        or row["category"] in options.categories
        or (first_information is not None and row["id"] == first_information.id)
    ]
    folders = {str(row["folder"]) for row in chosen}
    access = await CustomerAccess.get_or_none(contact_id=contact_id)
    opened = {
        folder
        for folder in folders
        if access is None
        or not (getattr(access, f"{folder}_unlock") and getattr(access, f"{folder}_share"))
    }
    flags: dict[str, Any] = {
        f"{folder}_{flag}": True for folder in folders for flag in ("unlock", "share")
    }
    # A folder opened only for the first information is read-only: data share alone would let
    # the customer change the broker's contracts there, which nobody chose.
    flags |= {
        f"{folder}_readonly": True for folder in opened - _chosen_folders(chosen, first_information)
    }
    if access is None:
        await CustomerAccess.create(contact_id=contact_id, **flags)
    elif opened:
        await CustomerAccess.filter(id=access.id).update(**flags, version=F("version") + 1)
    newly = [row for row in chosen if not row["shared_with_customer"]]
    now = datetime.now(UTC)
    if newly:
        await Document.filter(id__in=[row["id"] for row in newly]).update(
            shared_with_customer=True, updated_at=now, version=F("version") + 1
        )
    for row in newly:
        await events.record(
            actor,
            events.DOCUMENT_SHARED,
            contact_id=contact_id,
            object_type="document",
            object_id=row["id"],
            folder=str(row["folder"]),
            title=str(row["title"]),
            tell=events.NOBODY,  # the customer has no login yet: the invitation tells them
        )
    chosen_ids = {row["id"] for row in chosen}
    hidden = [
        row["id"]
        for row in rows
        if options.share == "categories"
        and row["folder"] in opened
        and row["id"] not in chosen_ids
        and row["shared_with_customer"]
    ]
    if hidden:
        await Document.filter(id__in=hidden).update(
            shared_with_customer=False, updated_at=now, version=F("version") + 1
        )


def _chosen_folders(chosen: list[dict[str, Any]], first_information: Any) -> set[str]:
    """The folders of the chosen documents besides the first information."""
    letter = None if first_information is None else first_information.id
    return {str(row["folder"]) for row in chosen if row["id"] != letter}


async def latest_invitation(actor: CurrentUser, *, contact_id: int) -> Invitation | None:
    """The contact's newest invitation (the contact's visibility checked by the caller)."""
    if not can_manage_contacts(actor):
        raise PermissionDenied
    return await Invitation.filter(contact_id=contact_id).order_by("-created_at", "-id").first()


async def resend(actor: CurrentUser, settings: Settings, *, contact_id: int) -> None:
    """A new link in the invitation's mail; the older links stop working."""
    invitation = await latest_invitation(actor, contact_id=contact_id)
    if invitation is None:
        raise NotFound
    user = await User.get(id=invitation.user_id)
    if user.password_hash or not user.is_active:
        raise ValidationFailed({"invitation": _("The customer has already registered.")})
    await legal_profile.require_live()  # the imprint and signature must be complete first
    links = (
        {"first_information_url": download_path(invitation.first_information_id)}
        if invitation.first_information_id
        else {}
    )
    async with in_transaction():
        mail_id = await accounts.queue_link_mail(
            settings,
            user,
            purpose="register",
            template=MAIL_TEMPLATE,
            extra={"context": {"profile": await _profile()}, "links": links},
        )
        await Invitation.filter(id=invitation.id).update(mail_id=mail_id, revoked_at=None)


async def revoke(actor: CurrentUser, *, contact_id: int) -> None:
    """The unused links stop working; the account stays, unregistered."""
    invitation = await latest_invitation(actor, contact_id=contact_id)
    if invitation is None or invitation.revoked_at is not None:
        raise NotFound
    now = datetime.now(UTC)
    async with in_transaction():
        await AccountLink.filter(user_id=invitation.user_id, used_at=None, revoked_at=None).update(
            revoked_at=now
        )
        await Invitation.filter(id=invitation.id).update(revoked_at=now)
