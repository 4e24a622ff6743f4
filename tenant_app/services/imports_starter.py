"""Who an import runs as: the staff member or API token's account that started it, checked
when the job starts and again before each chunk, so that an import stops once its starter
may no longer import (a revoked token, a staff member without the right)."""

from __future__ import annotations

from tenant_app.actors import CurrentUser, actor_from
from tenant_app.models.accounts import User
from tenant_app.models.integration import ApiToken, ImportJob
from tenant_app.permissions import can_manage_contacts
from tenant_app.services import api_tokens
from tenant_app.text import i18n
from tenant_app.text.i18n import gettext as _


async def starter(job: ImportJob) -> tuple[User | None, str]:
    """The account that started the job, and its language for the report's messages."""
    user = await User.get_or_none(id=job.created_by_id) if job.created_by_id else None
    return user, (user.language if user and user.language else i18n.DEFAULT_LOCALE)


async def actor_of(user: User | None, kind: str) -> tuple[CurrentUser | None, str]:
    """The account the job runs as, or None and why it may no longer import: a staff member
    who manages contacts, or an API token's account while the token is valid and may write
    imports and their kind of record."""
    if user is not None and user.is_active and user.kind == "api":
        return await _api_actor(user, kind)
    actor = actor_from(user) if user is not None and user.is_active else None
    if actor is None or user is None or user.kind != "staff" or not can_manage_contacts(actor):
        return None, _("The person who started the import may no longer manage contacts.")
    return actor, ""


async def _api_actor(user: User, kind: str) -> tuple[CurrentUser | None, str]:
    """A token's account acts as its requests do (one query: run again before each chunk)."""
    caller = await api_tokens.caller_of_account(user.id)
    if caller is None:  # a second query only now, to say why
        if await ApiToken.filter(user_id=user.id, revoked_at=None).exists():
            return None, _("The API token has expired.")
        return None, _("The API token has been revoked.")
    if not (caller.allows("imports:write") and caller.allows(f"{kind}:write")):
        return None, _("The API token may no longer import these records.")
    return caller.actor, ""


async def still_allowed(job: ImportJob, user: User) -> str:
    """Why the job's starter may no longer import, or "" (checked before each chunk)."""
    if user.kind != "api":
        fresh = await User.get_or_none(id=user.id)
        return (await actor_of(fresh, job.kind))[1]
    return (await _api_actor(user, job.kind))[1]
