"""Notices staff must act on for a contact: a link died from wrong PINs, a mail bounced.

A notice shows on the contact's page until someone marks it done, and goes by mail to the
staff responsible for the contact (or, if nobody is, to those who manage contacts).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound
from tenant_app.logs import log
from tenant_app.mail.notify import notify
from tenant_app.mail.outbox import FailedMail
from tenant_app.models.accounts import User
from tenant_app.models.contacts import Contact, ContactNotice
from tenant_app.services.contacts import get_visible_contact
from tenant_app.settings import Settings, load_settings
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info

logger = logging.getLogger("tenant_app.notices")

NOTICE_KINDS = ("link_locked", "mail_failed")
STAFF_TEMPLATE = "staff_notice"  # the mail that tells staff; never itself the cause of one


async def record(
    *, contact_id: int, kind: str, details: str = "", settings: Settings | None = None
) -> ContactNotice:
    """Called inside the tenant scope and the transaction of whatever caused the notice.

    Pass the app's `settings` where the caller has them: the mail's links use its address.
    """
    notice = await ContactNotice.create(contact_id=contact_id, kind=kind, details=details[:300])
    contact = await Contact.get(id=contact_id)
    for member in await _responsible_staff(contact_id):
        await _mail(settings or load_settings(), member, kind, contact.full_name, details, notice)
    return notice


async def _responsible_staff(contact_id: int) -> list[User]:
    staff = User.filter(kind="staff", is_active=True)
    chosen = await staff.filter(responsible_for__contact_id=contact_id)
    return chosen or await staff.filter(Q(manages_contacts=True) | Q(role="admin"))


async def _mail(
    settings: Settings,
    member: User,
    kind: str,
    name: str,
    details: str,
    notice: ContactNotice,
) -> None:
    await notify(
        settings,
        to=member.email,
        language=member.language,
        template=STAFF_TEMPLATE,
        context={"recipient": member, "kind": kind, "name": name, "details": details},
        links={"link": f"/staff/contacts/{notice.contact_id}#notices"},
        contact_id=notice.contact_id,
        user_id=member.id,
    )


async def mail_failed(settings: Settings, mail: FailedMail) -> None:
    """The outbox gave up on a mail (registered with the worker, which runs across tenants)."""
    tokens = enter_tenant(await load_tenant_info(mail.tenant_id))
    try:
        async with in_transaction():
            await _tell_of_failure(settings, mail)
    finally:
        leave_tenant(tokens)


async def _tell_of_failure(settings: Settings, mail: FailedMail) -> None:
    details = f"{mail.to_address}: {mail.error}"
    recipient = await User.get_or_none(id=mail.user_id) if mail.user_id else None
    if mail.kind == STAFF_TEMPLATE:
        log(logger, logging.ERROR, "a notice mail to staff failed", mail_id=mail.id)
    elif recipient is not None and recipient.kind == "staff":
        admins = User.filter(kind="staff", is_active=True).exclude(id=recipient.id)
        for admin in await admins.filter(Q(manages_users=True) | Q(role="admin")):
            await notify(
                settings,
                to=admin.email,
                language=admin.language,
                template=STAFF_TEMPLATE,
                context={
                    "recipient": admin,
                    "kind": "staff_mail_failed",
                    "name": recipient.full_name,
                    "details": details,
                },
                links={"link": f"/staff/users/{recipient.id}"},
                user_id=admin.id,
            )
    elif mail.contact_id and await Contact.exists(id=mail.contact_id):
        await record(
            contact_id=mail.contact_id, kind="mail_failed", details=details, settings=settings
        )
    else:
        log(logger, logging.WARNING, "a failed mail concerns nobody known", mail_id=mail.id)


async def open_for_contact(actor: CurrentUser, *, contact_id: int) -> list[ContactNotice]:
    contact = await get_visible_contact(actor, contact_id)
    return await ContactNotice.filter(contact_id=contact.id, resolved_at=None).order_by("id")


async def resolve(actor: CurrentUser, *, contact_id: int, notice_id: int) -> None:
    """Mark a notice done (whoever sees the contact may): it leaves the page and the home."""
    contact = await get_visible_contact(actor, contact_id)
    done = await ContactNotice.filter(id=notice_id, contact_id=contact.id, resolved_at=None).update(
        resolved_at=datetime.now(UTC)
    )
    if not done and not await ContactNotice.exists(id=notice_id, contact_id=contact.id):
        raise NotFound
