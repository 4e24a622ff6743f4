"""A tenant's insurer catalogue: seeded from data, searched A-Z and by type-ahead, admin-edited."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.folders import Insurer
from tenant_app.models.scoping import current_tenant_id
from tenant_app.permissions import is_admin
from tenant_app.schemas.base import checked
from tenant_app.schemas.settings import InsurerInput
from tenant_app.text.i18n import gettext as _

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "insurers.txt"


def sort_key(name: str) -> str:
    return name.strip().lower()


def catalogue_names() -> list[str]:
    lines = CATALOGUE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


async def seed_insurers() -> int:
    """Add the shipped catalogue to the current tenant; names already there are left alone."""
    existing = set(cast(list[str], await Insurer.all().values_list("name", flat=True)))
    missing = [name for name in catalogue_names() if name not in existing]
    tenant_id = current_tenant_id()  # bulk_create bypasses save(), so the tenant is set here
    await Insurer.bulk_create(
        [Insurer(name=name, sort_key=sort_key(name), tenant_id=tenant_id) for name in missing]
    )
    return len(missing)


async def matching(text: str = "", *, letter: str = "", limit: int = 40) -> list[Insurer]:
    query = Insurer.all()
    if letter[:1].isalpha():
        query = query.filter(sort_key__startswith=letter[:1].lower())
    if text.strip():
        query = query.filter(sort_key__contains=sort_key(text)[:50])
    return list(await query.order_by("sort_key").limit(limit))


async def is_listed(name: str) -> bool:
    return await Insurer.filter(name=name).exists()


async def add_insurer(actor: CurrentUser, *, name: str) -> Insurer:
    if not is_admin(actor):
        raise PermissionDenied
    insurer, errors = checked(InsurerInput, {"name": name})
    if insurer is None:
        raise ValidationFailed(errors)
    listed = ValidationFailed({"name": _("This insurer is already in the list.")})
    if await is_listed(insurer.name):
        raise listed
    try:
        async with in_transaction():  # on its own: a refused insert must not spoil the rest
            return await Insurer.create(name=insurer.name, sort_key=sort_key(insurer.name))
    except IntegrityError:  # another admin added the same name a moment ago
        raise listed from None


async def remove_insurer(actor: CurrentUser, *, insurer_id: int) -> None:
    """Contracts keep the insurer's name as it was shown; only the catalogue entry goes."""
    if not is_admin(actor):
        raise PermissionDenied
    deleted = await Insurer.filter(id=insurer_id).delete()
    if not deleted:
        raise NotFound
