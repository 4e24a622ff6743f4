"""The data-processing agreement (AVV, Art. 28 GDPR) between each firm (controller) and the
platform (processor).

The operator writes a version as a draft and publishes it; the newest published version is
the current one. A firm's administrator reads it and accepts it, recorded with who, when and
which version (`DpaAcceptance`, one per tenant and version); a newly published version must be
accepted again, and until then the firm's administrators see a banner. Error messages are
msgids: the caller translates them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.models.folders import AuditEntry
from tenant_app.models.legal import DpaAcceptance, DpaVersion
from tenant_app.permissions import is_admin, is_operator
from tenant_app.services.unique import write_unless_taken
from tenant_app.text.labels import N_
from tenant_app.text.rich import has_text, sanitize_rich_text

VERSION_CHARS = 20  # the column's size
TEXT_CHARS = 200_000
VERSION_MISSING = N_("Please enter the version, e.g. 2026-1.")
VERSION_TOO_LONG = N_("At most 20 characters.")
VERSION_TAKEN = N_("This version exists already.")
TEXT_MISSING = N_("Please enter the text of the agreement.")
TEXT_TOO_LONG = N_("The text is too long.")


@dataclass(frozen=True)
class DpaRow:
    """A line of the operator's list: a version with how many firms accepted it."""

    dpa: DpaVersion
    accepted_by: int  # firms
    is_current: bool


@dataclass(frozen=True)
class TenantDpa:
    """What a firm's administrator sees: the current version, its acceptance by this firm
    (None: not yet), and every acceptance of this firm, newest first."""

    current: DpaVersion | None
    accepted: DpaAcceptance | None
    acceptances: list[DpaAcceptance]


def _operator(actor: CurrentUser) -> None:
    if not is_operator(actor):
        raise NotFound


def _admin(actor: CurrentUser) -> None:
    if not is_admin(actor):
        raise NotFound


async def current_version() -> DpaVersion | None:
    """The newest published version (platform-wide)."""
    return (
        await DpaVersion.filter(published_at__isnull=False).order_by("-published_at", "-id").first()
    )


async def operator_rows(actor: CurrentUser) -> list[DpaRow]:
    _operator(actor)
    versions = await DpaVersion.all().order_by("-created_at", "-id")
    counts = Counter(
        int(str(dpa_id))
        for dpa_id in await DpaAcceptance.unscoped.all().values_list("dpa_id", flat=True)
    )
    current = await current_version()
    current_id = current.id if current else None
    return [DpaRow(dpa, counts[dpa.id], dpa.id == current_id) for dpa in versions]


async def operator_version(actor: CurrentUser, dpa_id: int) -> DpaVersion:
    _operator(actor)
    dpa = await DpaVersion.get_or_none(id=dpa_id)
    if dpa is None:
        raise NotFound
    return dpa


def _checked(version: str, text: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    version = version.strip()
    if not version:
        errors["version"] = VERSION_MISSING
    elif len(version) > VERSION_CHARS:
        errors["version"] = VERSION_TOO_LONG
    clean = sanitize_rich_text(text) if len(text) <= TEXT_CHARS else ""
    if len(text) > TEXT_CHARS:
        errors["text"] = TEXT_TOO_LONG
    elif not has_text(clean):
        errors["text"] = TEXT_MISSING
    if errors:
        raise ValidationFailed(errors)
    return version, clean


async def create_draft(actor: CurrentUser, *, version: str, text: str) -> DpaVersion:
    """A new version as a draft: refused with a message per field (nothing saved)."""
    _operator(actor)
    version, clean = _checked(version, text)
    if await DpaVersion.filter(version=version).exists():
        raise ValidationFailed({"version": VERSION_TAKEN})
    created = await write_unless_taken(lambda: DpaVersion.create(version=version, text=clean))
    if created is None:  # the same version saved meanwhile
        raise ValidationFailed({"version": VERSION_TAKEN})
    return created


async def publish(actor: CurrentUser, dpa_id: int) -> DpaVersion:
    """The draft becomes the current version: every firm must accept it (again)."""
    dpa = await operator_version(actor, dpa_id)
    if dpa.published_at is None:
        await DpaVersion.filter(id=dpa.id, published_at=None).update(
            published_at=datetime.now(UTC), published_by_name=actor.full_name[:200]
        )
    return await DpaVersion.get(id=dpa.id)


async def tenant_dpa(actor: CurrentUser) -> TenantDpa:
    _admin(actor)
    current = await current_version()
    acceptances = await DpaAcceptance.filter().prefetch_related("dpa").order_by("-accepted_at")
    accepted = next((row for row in acceptances if current and row.dpa_id == current.id), None)
    return TenantDpa(current, accepted, list(acceptances))


async def needs_acceptance(actor: CurrentUser) -> DpaVersion | None:
    """The current version if the actor is an administrator whose firm has not accepted it
    (the banner); None otherwise."""
    if not is_admin(actor):
        return None
    current = await current_version()
    if current is None or await DpaAcceptance.filter(dpa_id=current.id).exists():
        return None
    return current


async def accept(actor: CurrentUser, *, dpa_id: int) -> DpaAcceptance:
    """The firm accepts the current version (an older or unknown one: NotFound). Accepting
    twice keeps the first record."""
    _admin(actor)
    current = await current_version()
    if current is None or current.id != dpa_id:
        raise NotFound
    async with in_transaction():
        found = await DpaAcceptance.filter(dpa_id=current.id).first()
        if found is not None:
            return found
        accepted = await write_unless_taken(
            lambda: DpaAcceptance.create(
                dpa_id=current.id, accepted_by_id=actor.id, accepted_by_name=actor.full_name[:200]
            )
        )
        if accepted is None:  # accepted in another tab meanwhile
            return await DpaAcceptance.get(dpa_id=current.id)
        await AuditEntry.create(
            action="dpa_accepted", actor_id=actor.id, subject_id=current.id, details=current.version
        )
    return accepted
