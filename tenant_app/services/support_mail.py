"""The mails of support requests, queued in the writer's transaction: the platform's
operators hear of a firm's new request or entry (mail "support_request", on the platform's
own host and branding), a firm's administrators of the operator's answer or closing (mail
"support_answer", on the firm's host). No text of the request goes into a mail: the subject
names it, the link leads to it behind the login."""

from __future__ import annotations

from tenant_app.mail.notify import notify
from tenant_app.mail.outbox import enqueue
from tenant_app.mail.render import render_email
from tenant_app.models.accounts import User
from tenant_app.models.operations import SupportRequest
from tenant_app.models.scoping import tenant_scope
from tenant_app.services import platform
from tenant_app.settings import Settings
from tenant_app.tenancy import current_tenant, load_tenant_info, public_url

OPERATOR_MAIL = "support_request"
ADMIN_MAIL = "support_answer"
STAFF_PATH = "/staff/settings/support/{id}"  # web/staff/support.py
OPERATOR_PATH = "/operator/support/{id}"  # web/operator/support.py


async def tell_operators(
    settings: Settings, request: SupportRequest, *, author: str, is_new: bool
) -> int:
    """A mail to every active operator with an address; returns how many were queued (none
    when the platform has no operator yet: the request waits in the console all the same)."""
    firm = current_tenant().name
    space = await platform.platform_tenant()
    if space is None:
        return 0
    with tenant_scope(space.id):
        operators = await User.filter(kind="operator", is_active=True).exclude(email="")
    if not operators:
        return 0
    info = await load_tenant_info(space.id)
    base_url = public_url(settings, settings.platform_hostname)
    context = {
        "firm": firm,
        "request_subject": request.subject,
        "author": author,
        "is_new": is_new,
        "link": base_url + OPERATOR_PATH.format(id=request.id),
    }
    for operator in operators:
        mail = render_email(
            OPERATOR_MAIL,
            {**context, "recipient": operator},
            tenant=info,
            base_url=base_url,
            locale=operator.language or "de",
            for_staff=True,
        )
        with tenant_scope(space.id):  # the platform's mail, not counted as the firm's
            await enqueue(mail, to=operator.email, tenant_id=space.id, kind=OPERATOR_MAIL)
    return len(operators)


async def tell_admins(settings: Settings, request: SupportRequest, *, kind: str) -> int:
    """A mail to each active administrator of the current tenant (`kind`: answered | closed);
    returns how many were queued."""
    admins = await User.filter(kind="staff", role="admin", is_active=True).exclude(email="")
    for admin in admins:
        await notify(
            settings,
            to=admin.email,
            language=admin.language,
            template=ADMIN_MAIL,
            context={"recipient": admin, "request_subject": request.subject, "kind": kind},
            links={"link": STAFF_PATH.format(id=request.id)},
            user_id=admin.id,
        )
    return len(admins)
