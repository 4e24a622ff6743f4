"""Support requests ("send us an issue"): a tenant's administrators write to the platform's
operator, with an optional screenshot, and read the operator's answers.

Only administrators of the firm reach any of it (others: PermissionDenied, as the other
admin-only settings); another firm's request is NotFound. The operator's side is
services/support_operator.py; both write an entry through `write_entry` here, so a screenshot
and its row are stored together or not at all. Error messages are already translated.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import anyio
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files import images, screenshots
from tenant_app.files.cleanup import remove_files
from tenant_app.files.storage import Storage, new_key
from tenant_app.models.operations import SupportEntry, SupportRequest
from tenant_app.models.scoping import current_tenant_id
from tenant_app.permissions import is_admin, is_operator
from tenant_app.services import support_mail
from tenant_app.settings import Settings
from tenant_app.text.i18n import gettext as _

SUBJECT_CHARS = 200  # the column's size
BODY_CHARS = 10_000
SCREENSHOT_FIELD = "file"  # the form's file field (the shared file picker's name)
OPEN, CLOSED = "open", "closed"
_DECODERS = anyio.CapacityLimiter(2)  # decoding pictures is CPU work in worker threads


@dataclass(frozen=True)
class Screenshot:
    """A checked, re-encoded screenshot, not yet stored."""

    data: bytes
    content_type: str


@dataclass(frozen=True)
class SupportPage:
    request: SupportRequest
    entries: list[SupportEntry]
    tenant_name: str = ""  # the operator's page names the firm


def _check(actor: CurrentUser) -> None:
    if not is_admin(actor):
        raise PermissionDenied


# --- Input -------------------------------------------------------------------------------


def clean_text(value: str, *, field: str, max_chars: int, errors: dict[str, str]) -> str:
    """The text without surrounding blanks; a message in `errors` if empty or too long."""
    text = value.strip()
    if not text:
        errors[field] = _("Please fill in this field.")
    elif len(text) > max_chars:
        errors[field] = _("Please enter at most %(n)s characters.", n=max_chars)
    return text


async def prepare_screenshot(data: bytes | None, errors: dict[str, str]) -> Screenshot | None:
    """The upload checked and written afresh (None: none chosen, or refused into `errors`)."""
    if data is None:
        return None
    try:
        image = await anyio.to_thread.run_sync(
            screenshots.process_screenshot, data, limiter=_DECODERS
        )
    except images.ImageRejected as rejected:
        errors[SCREENSHOT_FIELD] = rejected.message
        return None
    return Screenshot(image.data, image.content_type)


@contextlib.asynccontextmanager
async def stored(storage: Storage, shot: Screenshot | None) -> AsyncIterator[str | None]:
    """The screenshot written under the current tenant's keys; if anything fails, here or in
    the block (the rows' transaction), the file is removed again."""
    if shot is None:
        yield None
        return
    key = new_key(current_tenant_id())
    try:
        await storage.save(key, io.BytesIO(shot.data))
        with anyio.CancelScope(shield=True):
            yield key
    except BaseException:
        with anyio.CancelScope(shield=True):
            await remove_files(storage, [key])
        raise


async def write_entry(
    settings: Settings,
    request: SupportRequest,
    *,
    author: CurrentUser,
    body: str,
    key: str | None,
    shot: Screenshot | None,
    is_new: bool = False,
) -> SupportEntry:
    """One entry of the current tenant's request, in the caller's transaction (inside
    `stored`, which wrote the screenshot as `key`): the request is opened (again), remembers
    who wrote last, and the other side is told by mail."""
    by_operator = is_operator(author)
    now = datetime.now(UTC)
    entry = await SupportEntry.create(
        request_id=request.id,
        author_id=author.id,
        author_name=author.full_name[:200] or author.username,
        by_operator=by_operator,
        body=body,
        screenshot_key=key,
        screenshot_type=shot.content_type if shot else "",
    )
    await SupportRequest.filter(id=request.id).update(
        status=OPEN, last_entry_at=now, last_entry_by_operator=by_operator
    )
    request.status, request.last_entry_at = OPEN, now
    request.last_entry_by_operator = by_operator
    if by_operator:
        await support_mail.tell_admins(settings, request, kind="answered")
    else:
        await support_mail.tell_operators(
            settings, request, author=entry.author_name, is_new=is_new
        )
    return entry


# --- The firm's side ---------------------------------------------------------------------


async def request_rows(actor: CurrentUser) -> list[SupportRequest]:
    """The firm's requests: open first, the newest entry first."""
    _check(actor)
    return list(await SupportRequest.all().order_by("-status", "-last_entry_at", "-id"))


async def request_for(actor: CurrentUser, request_id: int) -> SupportRequest:
    _check(actor)
    request = await SupportRequest.get_or_none(id=request_id)
    if request is None:
        raise NotFound
    return request


async def request_page(actor: CurrentUser, request_id: int) -> SupportPage:
    request = await request_for(actor, request_id)
    entries = await SupportEntry.filter(request_id=request.id).order_by("created_at", "id")
    return SupportPage(request, list(entries))


async def open_request(
    actor: CurrentUser,
    settings: Settings,
    storage: Storage,
    *,
    subject: str,
    body: str,
    screenshot: bytes | None,
) -> SupportRequest:
    """A new request with its first entry; the operators are told by mail."""
    _check(actor)
    errors: dict[str, str] = {}
    subject = clean_text(subject, field="subject", max_chars=SUBJECT_CHARS, errors=errors)
    body = clean_text(body, field="body", max_chars=BODY_CHARS, errors=errors)
    shot = await prepare_screenshot(screenshot, errors)
    if errors:
        raise ValidationFailed(errors)
    async with stored(storage, shot) as key, in_transaction():
        request = await SupportRequest.create(
            subject=subject,
            created_by_id=actor.id,
            created_by_name=actor.full_name[:200] or actor.username,
            last_entry_at=datetime.now(UTC),
        )
        await write_entry(
            settings, request, author=actor, body=body, key=key, shot=shot, is_new=True
        )
    return request


async def reply(
    actor: CurrentUser,
    settings: Settings,
    storage: Storage,
    request_id: int,
    *,
    body: str,
    screenshot: bytes | None,
) -> None:
    """The firm writes again (a closed request opens again); the operators are told."""
    request = await request_for(actor, request_id)
    errors: dict[str, str] = {}
    body = clean_text(body, field="body", max_chars=BODY_CHARS, errors=errors)
    shot = await prepare_screenshot(screenshot, errors)
    if errors:
        raise ValidationFailed(errors)
    async with stored(storage, shot) as key, in_transaction():
        await write_entry(settings, request, author=actor, body=body, key=key, shot=shot)


async def set_open(actor: CurrentUser, request_id: int, *, is_open: bool) -> None:
    """Close a request that is settled, or open it again."""
    request = await request_for(actor, request_id)
    await SupportRequest.filter(id=request.id).update(status=OPEN if is_open else CLOSED)


async def screenshot_of(actor: CurrentUser, request_id: int, entry_id: int) -> tuple[str, str]:
    """The stored key and type of an entry's screenshot of the firm's request."""
    request = await request_for(actor, request_id)
    rows = await SupportEntry.filter(id=entry_id, request_id=request.id).values_list(
        "screenshot_key", "screenshot_type"
    )
    if not rows or not rows[0][0]:
        raise NotFound
    return str(rows[0][0]), str(rows[0][1])
