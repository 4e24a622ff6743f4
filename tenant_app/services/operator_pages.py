"""The operator's console on the platform host: the backoffices with their people and the
tenants engaging them, a new backoffice, a new person working for one.

Only an operator of the platform's own space reaches any of it; for everyone else each use
case answers NotFound, as the pages do (the console is not there for them). Error messages
are msgids: the caller translates them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, ValidationFailed
from tenant_app.models.accounts import User
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenders import Backoffice, BackofficeEngagement, BackofficeMember
from tenant_app.permissions import is_operator
from tenant_app.security.passwords import PasswordService
from tenant_app.security.sessions import end_all_sessions
from tenant_app.services import platform
from tenant_app.vocabulary import PRODUCT_LINES

DEFAULT_DAYS = "*"  # the service promise for every product line not named on its own
DAY_FIELD = "days_"  # form fields days_default and days_<product line>
DEFAULT_FIELD = f"{DAY_FIELD}default"
BACKOFFICE_FIELDS = ("name", "legal_form", "email")
MEMBER_FIELDS = ("email", "first_name", "last_name")


@dataclass(frozen=True)
class BackofficeRow:
    """A line of the console's list."""

    id: int
    name: str
    legal_form: str
    email: str
    members: int
    engaged_tenants: int
    is_active: bool


@dataclass(frozen=True)
class MemberRow:
    user_id: int
    name: str
    username: str
    email: str
    waits_for_first_login: bool  # still the one-time password
    last_login_at: datetime | None
    is_active: bool = True


@dataclass(frozen=True)
class BackofficePage:
    backoffice: Backoffice
    members: list[MemberRow]
    engaged_tenants: int


def _check(actor: CurrentUser) -> None:
    if not is_operator(actor):
        raise NotFound


def day_fields() -> dict[str, str]:
    """The service promise's form fields and their product line: the default first."""
    return {DEFAULT_FIELD: DEFAULT_DAYS} | {f"{DAY_FIELD}{line}": line for line in PRODUCT_LINES}


def empty_backoffice_form() -> dict[str, str]:
    return {**dict.fromkeys((*BACKOFFICE_FIELDS, *day_fields()), ""), DEFAULT_FIELD: "5"}


async def backoffice_rows(actor: CurrentUser) -> list[BackofficeRow]:
    _check(actor)
    backoffices = await Backoffice.all().order_by("name", "id")
    members = Counter(
        int(str(backoffice_id))
        for backoffice_id in await BackofficeMember.all().values_list("backoffice_id", flat=True)
    )
    engaged = Counter(
        int(str(backoffice_id))
        for backoffice_id in await BackofficeEngagement.unscoped.filter(ended_at=None).values_list(
            "backoffice_id", flat=True
        )
    )
    return [
        BackofficeRow(
            id=row.id,
            name=row.name,
            legal_form=row.legal_form,
            email=row.email,
            members=members[row.id],
            engaged_tenants=engaged[row.id],
            is_active=row.is_active,
        )
        for row in backoffices
    ]


async def backoffice_page(actor: CurrentUser, backoffice_id: int) -> BackofficePage:
    _check(actor)
    backoffice = await Backoffice.get_or_none(id=backoffice_id)
    space = await platform.platform_tenant()
    if backoffice is None or space is None:
        raise NotFound
    user_ids = await BackofficeMember.filter(backoffice_id=backoffice.id).values_list(
        "user_id", flat=True
    )
    with tenant_scope(space.id):
        users = await User.filter(id__in=list(user_ids)).order_by("last_name", "first_name", "id")
    engaged = await BackofficeEngagement.unscoped.filter(
        backoffice_id=backoffice.id, ended_at=None
    ).count()
    members = [
        MemberRow(
            user_id=user.id,
            name=f"{user.first_name} {user.last_name}".strip(),
            username=user.username,
            email=user.email,
            waits_for_first_login=user.must_change_password,
            last_login_at=user.last_login_at,
            is_active=user.is_active,
        )
        for user in users
    ]
    return BackofficePage(backoffice, members, engaged)


def service_days_from(values: dict[str, str]) -> dict[str, object]:
    """The promise as typed (empty fields left out: those lines take the default); each
    field checked on its own, so that its message stands next to it."""
    raw: dict[str, object] = {}
    errors: dict[str, str] = {}
    for name, line in day_fields().items():
        value = values.get(name, "").strip()
        if not value and line != DEFAULT_DAYS:
            continue
        try:
            raw |= platform.clean_service_days({line: value})
        except ValidationFailed as failed:
            errors[name] = failed.errors["service_days"]
    if errors:
        raise ValidationFailed(errors)
    return raw


async def create_backoffice(actor: CurrentUser, *, values: dict[str, str]) -> Backoffice:
    """A new backoffice; refused with every field's message at once (nothing saved)."""
    _check(actor)
    try:
        days, day_errors = service_days_from(values), {}
    except ValidationFailed as failed:
        days, day_errors = {DEFAULT_DAYS: 5}, failed.errors
    try:
        # The other fields are checked (and saved) by the platform's use case; with a wrong
        # promise the row is rolled back, so that one answer names every wrong field.
        async with in_transaction():
            backoffice = await platform.create_backoffice(
                name=values["name"],
                legal_form=values["legal_form"],
                email=values["email"],
                service_days=days,
            )
            if day_errors:
                raise ValidationFailed(day_errors)
    except ValidationFailed as failed:
        raise ValidationFailed({**failed.errors, **day_errors}) from None
    return backoffice


async def add_member(
    actor: CurrentUser, passwords: PasswordService, backoffice_id: int, *, values: dict[str, str]
) -> platform.NewLogin:
    """A person working for the backoffice, with a one-time password to hand over once."""
    _check(actor)
    backoffice = await Backoffice.get_or_none(id=backoffice_id)
    space = await platform.platform_tenant()
    if backoffice is None or space is None:
        raise NotFound
    return await platform.create_login(
        passwords,
        space,
        kind="backoffice",
        email=values["email"],
        first_name=values["first_name"],
        last_name=values["last_name"],
        backoffice=backoffice,
    )


async def backoffice_named(name: str) -> Backoffice:
    """For the operator's command line, which names a backoffice: NotFound if none is."""
    backoffice = await Backoffice.get_or_none(name=name.strip())
    if backoffice is None:
        raise NotFound
    return backoffice


async def set_backoffice_active(actor: CurrentUser, backoffice_id: int, *, active: bool) -> None:
    """Lock a backoffice out (its people reach no tender, no broker can engage it) or let it
    back in; engagements and tenders stay as they are."""
    _check(actor)
    if not await Backoffice.filter(id=backoffice_id).update(is_active=active):
        raise NotFound


async def set_member_active(
    actor: CurrentUser, backoffice_id: int, user_id: int, *, active: bool
) -> None:
    """Lock one person of the backoffice out (their sessions end at once) or let them back in."""
    _check(actor)
    space = await platform.platform_tenant()
    member = BackofficeMember.filter(backoffice_id=backoffice_id, user_id=user_id)
    if space is None or not await member.exists():
        raise NotFound
    with tenant_scope(space.id):
        async with in_transaction():
            await User.filter(id=user_id).update(is_active=active)
            if not active:
                await end_all_sessions(user_id)
