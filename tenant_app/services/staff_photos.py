"""Staff photos (User.photo_key) for the portal's "Ihr Berater" card.

A staff member uploads their own photo on their account page; whoever manages users may
change anyone's of the tenant. The picture is checked and re-encoded (files/portraits.py) and
kept in the file storage under a generated key. Who may see it: the tenant's staff, and a
customer whose shown contact has that member as a responsible staff member (Betreuer)."""

from __future__ import annotations

import io
from typing import cast

import anyio
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.files import images, portraits
from tenant_app.files.storage import Storage, new_key
from tenant_app.models.accounts import User
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.folders import AuditEntry
from tenant_app.models.scoping import current_tenant_id
from tenant_app.permissions import can_manage_users, is_customer, is_staff

FIELD = "photo"  # the upload's form field
SAVED_AUDIT, REMOVED_AUDIT = "staff_photo_saved", "staff_photo_removed"
_IMAGE_WORK = anyio.CapacityLimiter(2)  # decoding is CPU work; a few at a time


def may_change(actor: CurrentUser, user_id: int) -> bool:
    return is_staff(actor) and (actor.id == user_id or can_manage_users(actor))


async def _staff_member(actor: CurrentUser, user_id: int) -> User:
    if not may_change(actor, user_id):
        raise PermissionDenied
    member = await User.get_or_none(id=user_id, kind="staff")  # the tenant's only
    if member is None:
        raise NotFound
    return member


async def photo_key(actor: CurrentUser, user_id: int) -> str | None:
    """The stored photo's key of a staff member `actor` may see (None: no photo)."""
    found = await User.filter(id=user_id, kind="staff").values_list("photo_key", flat=True)
    if not found:
        raise NotFound
    key = cast(str | None, found[0])
    if is_staff(actor):
        return key
    if not is_customer(actor) or actor.contact_id is None:
        raise NotFound
    responsible = ContactResponsible.filter(contact_id=actor.contact_id, user_id=user_id)
    if not await responsible.exists():
        raise NotFound
    return key


async def replace_photo(actor: CurrentUser, storage: Storage, *, user_id: int, data: bytes) -> str:
    """Check, re-encode and store the photo, then make it the member's (the old one goes);
    ValidationFailed at the upload field for anything that is not an acceptable picture."""
    member = await _staff_member(actor, user_id)
    try:
        image = await anyio.to_thread.run_sync(
            portraits.process_portrait, data, limiter=_IMAGE_WORK
        )
    except images.ImageRejected as rejected:
        raise ValidationFailed({FIELD: rejected.message}) from rejected
    key = new_key(current_tenant_id())
    await storage.save(key, io.BytesIO(image.data))
    async with in_transaction():
        await User.filter(id=member.id).update(photo_key=key)
        await AuditEntry.create(action=SAVED_AUDIT, actor_id=actor.id, subject_id=member.id)
    if member.photo_key:
        await storage.delete(member.photo_key)
    return key


async def remove_photo(actor: CurrentUser, storage: Storage, *, user_id: int) -> None:
    member = await _staff_member(actor, user_id)
    if member.photo_key:
        async with in_transaction():
            await User.filter(id=member.id).update(photo_key=None)
            await AuditEntry.create(action=REMOVED_AUDIT, actor_id=actor.id, subject_id=member.id)
        await storage.delete(member.photo_key)


async def own_photo(actor: CurrentUser) -> dict[str, object] | None:
    """What the account page shows of a staff member's photo (None for customers)."""
    if not is_staff(actor):
        return None
    key = await User.filter(id=actor.id).values_list("photo_key", flat=True)
    return {"user_id": actor.id, "key": key[0] if key else None}
