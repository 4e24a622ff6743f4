"""Einstellungen › Onlinekonten, what the pages show: every installed plug-in with the firm's
account (active, credentials entered, their hint, the reminder, how many staff have an agent
number), and one plug-in's page: the credentials form, the staff with their agent numbers.

A secret credential (a password) never leaves the service: its input stays empty, marked
as stored; only the other fields (a user name) are shown as entered. Administrators only
(permissions.can_link_systems): the credentials act for the whole firm at the insurer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from tenant_app.actors import CurrentUser
from tenant_app.errors import NotFound, PermissionDenied
from tenant_app.models.accounts import User
from tenant_app.models.interfaces import AgentNumber, InsurerAccount
from tenant_app.permissions import can_link_systems
from tenant_app.plugins import Field, InsurerPlugin, text_in
from tenant_app.security.credentials import CredentialsUnreadable
from tenant_app.services import insurer_plugins
from tenant_app.services.insurer_accounts import credentials_for
from tenant_app.settings import Settings
from tenant_app.text.i18n import get_locale

CREDENTIAL_PREFIX = "credential_"  # the form's name of a credential field: credential_<key>
AGENT_PREFIX = "agent_"  # the form's name of a staff member's agent number: agent_<user id>
AGENT_NUMBER_MAX = 40  # AgentNumber.number


@dataclass(frozen=True)
class AccountSummary:
    """One installed plug-in and the firm's account with its insurer."""

    key: str
    insurer_name: str
    description: str
    countries: tuple[str, ...]
    is_active: bool
    has_credentials: bool
    hint: str  # what may be shown of the credentials (the user name), never a secret
    reminds: bool
    agents: int  # active staff members with an agent number
    version: int  # the account's edit version; 0 while there is no account yet


@dataclass(frozen=True)
class CredentialInput:
    """One input of the credentials form."""

    name: str  # the form field's name
    label: str
    help: str
    kind: str  # the plug-in's field type (text, int, decimal, date, bool, choice)
    required: bool
    secret: bool
    stored: bool  # a secret is stored: the input stays empty, leaving it empty keeps it
    max_length: int
    choices: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class StaffAgent:
    user_id: int
    name: str
    email: str
    role: str
    number: str  # "" if none

    @property
    def field(self) -> str:
        return f"{AGENT_PREFIX}{self.user_id}"


@dataclass(frozen=True)
class AccountPage:
    summary: AccountSummary
    inputs: list[CredentialInput]
    values: dict[str, str]  # the non-secret inputs' values and the version
    unreadable: bool  # credentials are stored, but no configured key opens them
    can_seal: bool  # a key to seal with is configured (production needs CREDENTIALS_KEYS)
    staff: list[StaffAgent]
    agent_help: str


def require_admin(actor: CurrentUser) -> None:
    if not can_link_systems(actor):
        raise PermissionDenied


def plugin_for(actor: CurrentUser, key: str) -> InsurerPlugin:
    """The installed plug-in `key` (NotFound if none), for an administrator."""
    require_admin(actor)
    found = insurer_plugins.plugin(key)
    if found is None:
        raise NotFound
    return found


def _summary(plugin: InsurerPlugin, row: InsurerAccount | None, agents: int) -> AccountSummary:
    return AccountSummary(
        key=plugin.key,
        insurer_name=plugin.insurer_name,
        description=text_in(plugin.description, get_locale()),
        countries=tuple(plugin.countries),
        is_active=bool(row and row.is_active),
        has_credentials=bool(row and row.sealed_credentials),
        hint=row.credentials_hint if row else "",
        reminds=bool(row and row.remind_on_new_object),
        agents=agents,
        version=row.version if row else 0,
    )


async def overview(actor: CurrentUser) -> list[AccountSummary]:
    """Every installed plug-in with the firm's account, in the order of their keys."""
    require_admin(actor)
    installed = insurer_plugins.installed()
    rows = {row.plugin: row for row in await InsurerAccount.filter(plugin__in=list(installed))}
    agents = Counter(
        str(key)
        for key in await AgentNumber.filter(
            plugin__in=list(installed), user__kind="staff", user__is_active=True
        ).values_list("plugin", flat=True)
    )
    return [_summary(plugin, rows.get(key), agents[key]) for key, plugin in installed.items()]


def _input(field: Field, stored: Mapping[str, str]) -> CredentialInput:
    language = get_locale()
    return CredentialInput(
        name=f"{CREDENTIAL_PREFIX}{field.key}",
        label=text_in(field.label, language),
        help=text_in(field.help, language),
        kind=field.type,
        required=field.required,
        secret=field.secret,
        stored=field.secret and bool(stored.get(field.key)),
        max_length=field.max_length,
        choices=tuple((value, text_in(label, language)) for value, label in field.choices),
    )


async def stored_credentials(
    settings: Settings, row: InsurerAccount | None
) -> tuple[dict[str, str], bool]:
    """The credentials as entered and whether they could not be opened ({} then)."""
    if row is None:
        return {}, False
    try:
        return await credentials_for(settings, row), False
    except CredentialsUnreadable:
        return {}, True


def shown_values(plugin: InsurerPlugin, values: Mapping[str, str]) -> dict[str, str]:
    """What the form may show again of `values` (form names): never a secret."""
    secret = {f"{CREDENTIAL_PREFIX}{f.key}" for f in plugin.credential_fields if f.secret}
    return {name: value for name, value in values.items() if name not in secret}


async def staff_agents(plugin_key: str) -> list[StaffAgent]:
    """The active staff members with their agent numbers for this plug-in."""
    numbers = {
        int(user_id): str(number)
        for user_id, number in await AgentNumber.filter(plugin=plugin_key).values_list(
            "user_id", "number"
        )
    }
    people = await User.filter(kind="staff", is_active=True).order_by(
        "last_name", "first_name", "id"
    )
    return [
        StaffAgent(
            user_id=user.id,
            name=f"{user.first_name} {user.last_name}".strip(),
            email=user.email,
            role=user.role,
            number=numbers.get(user.id, ""),
        )
        for user in people
    ]


async def account_page(
    actor: CurrentUser,
    settings: Settings,
    key: str,
    *,
    typed: Mapping[str, str] | None = None,
) -> AccountPage:
    """One plug-in's page. `typed`: a refused form's input (form names), shown again but for
    its secrets; else the stored non-secret credentials and the account's version."""
    plugin = plugin_for(actor, key)
    row = await InsurerAccount.get_or_none(plugin=key)
    stored, unreadable = await stored_credentials(settings, row)
    staff = await staff_agents(key)
    summary = _summary(plugin, row, sum(1 for person in staff if person.number))
    values = {
        f"{CREDENTIAL_PREFIX}{f.key}": stored.get(f.key, "")
        for f in plugin.credential_fields
        if not f.secret
    }
    values["version"] = str(summary.version)
    values |= {person.field: person.number for person in staff}
    if typed is not None:
        values |= shown_values(plugin, typed)
    return AccountPage(
        summary=summary,
        inputs=[_input(f, stored) for f in plugin.credential_fields],
        values=values,
        unreadable=unreadable,
        can_seal=bool(settings.credential_keys().keys),
        staff=staff,
        agent_help=text_in(plugin.agent_number_help, get_locale()),
    )
