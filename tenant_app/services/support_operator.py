"""The operator's side of support requests, on the platform host: the inbox of every firm's
requests, one request with its conversation and screenshots, an answer, closing.

The operator reads across tenants, so this module (and only this one) uses the models'
`unscoped` manager, on purpose. Writing runs as the request's own tenant (`as_tenant`): the
entry, its screenshot's key and the mail to the firm's administrators are that tenant's, as
if the firm's host had served it. Every action is written to the operators' audit.
Anyone but an operator gets NotFound (the console is not there for them).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.files.storage import Storage
from tenant_app.models.operations import OperatorAction, SupportEntry, SupportRequest
from tenant_app.permissions import is_operator
from tenant_app.services import support, support_mail
from tenant_app.settings import Settings
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info

INBOX_LIMIT = 300  # rows shown; open requests come first, so none waiting is ever cut off
ANSWERED, CLOSED = "support_answered", "support_closed"  # OperatorAction.action


@dataclass(frozen=True)
class InboxRow:
    id: int
    tenant_name: str
    subject: str
    status: str
    last_entry_at: datetime | None
    waits_for_operator: bool  # open, and the firm wrote last


def _check(actor: CurrentUser) -> None:
    if not is_operator(actor):
        raise NotFound


async def inbox(actor: CurrentUser) -> list[InboxRow]:
    """Every firm's requests, open first, the newest entry first: one query."""
    _check(actor)
    rows = (
        await SupportRequest.unscoped.all()
        .order_by("-status", "-last_entry_at", "-id")
        .limit(INBOX_LIMIT)
        .values(
            "id", "subject", "status", "last_entry_at", "last_entry_by_operator", "tenant__name"
        )
    )
    return [
        InboxRow(
            id=row["id"],
            tenant_name=row["tenant__name"] or "",
            subject=row["subject"],
            status=row["status"],
            last_entry_at=row["last_entry_at"],
            waits_for_operator=row["status"] == support.OPEN and not row["last_entry_by_operator"],
        )
        for row in rows
    ]


async def _request(request_id: int) -> SupportRequest:
    found = SupportRequest.unscoped.filter(id=request_id).select_related("tenant").first()
    request: SupportRequest | None = await found
    if request is None:
        raise NotFound
    return request


async def request_page(actor: CurrentUser, request_id: int) -> support.SupportPage:
    _check(actor)
    request = await _request(request_id)
    entries = await SupportEntry.unscoped.filter(request_id=request.id).order_by("created_at", "id")
    return support.SupportPage(request, list(entries), tenant_name=request.tenant.name)


@contextlib.asynccontextmanager
async def as_tenant(tenant_id: int) -> AsyncIterator[None]:
    """Run the block as the tenant (its scope, its host and branding for mails)."""
    tokens = enter_tenant(await load_tenant_info(tenant_id))
    try:
        yield
    finally:
        leave_tenant(tokens)


async def _audit(actor: CurrentUser, request: SupportRequest, action: str) -> None:
    await OperatorAction.create(
        operator_id=actor.id,
        operator_name=actor.full_name[:200] or actor.username,
        action=action,
        tenant_id=request.tenant_id,
        tenant_name=request.tenant.name[:200],
        detail=f"#{request.id} {request.subject}"[:500],
    )


async def answer(
    actor: CurrentUser,
    settings: Settings,
    storage: Storage,
    request_id: int,
    *,
    body: str,
    screenshot: bytes | None,
) -> None:
    """The operator's answer (a closed request opens again); the firm's admins are told."""
    _check(actor)
    request = await _request(request_id)
    errors: dict[str, str] = {}
    body = support.clean_text(body, field="body", max_chars=support.BODY_CHARS, errors=errors)
    shot = await support.prepare_screenshot(screenshot, errors)
    if errors:
        raise ValidationFailed(errors)
    async with as_tenant(request.tenant_id):
        async with support.stored(storage, shot) as key, in_transaction():
            await support.write_entry(
                settings, request, author=actor, body=body, key=key, shot=shot
            )
            await _audit(actor, request, ANSWERED)


async def close(actor: CurrentUser, settings: Settings, request_id: int) -> None:
    """Close the request; the firm's admins are told (nothing happens if it is closed)."""
    _check(actor)
    request = await _request(request_id)
    if request.status == support.CLOSED:
        return
    async with as_tenant(request.tenant_id), in_transaction():
        await SupportRequest.filter(id=request.id).update(status=support.CLOSED)
        await _audit(actor, request, CLOSED)
        await support_mail.tell_admins(settings, request, kind="closed")


async def screenshot_of(actor: CurrentUser, request_id: int, entry_id: int) -> tuple[str, str]:
    """The stored key and type of an entry's screenshot, for the operator."""
    _check(actor)
    rows = await SupportEntry.unscoped.filter(id=entry_id, request_id=request_id).values_list(
        "screenshot_key", "screenshot_type"
    )
    if not rows or not rows[0][0]:
        raise NotFound
    return str(rows[0][0]), str(rows[0][1])
