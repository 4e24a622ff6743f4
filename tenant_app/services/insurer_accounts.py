"""A firm's online accounts with insurers (Onlinekonten): what the rest of the core asks.

One `InsurerAccount` row per tenant and plug-in holds the credentials sealed
(security/credentials.py, bound to the tenant and the plug-in), whether the interface is
active, and whether staff are reminded to ask about insurance on a new insured object; one
`AgentNumber` row per staff member and plug-in holds their Vermittlernummer. The settings page
that changes them is services/insurer_account_settings.py; re-sealing with a new key is
services/insurer_account_keys.py.

Every function here works in the current tenant scope.
"""

from __future__ import annotations

from tenant_app.models.interfaces import AgentNumber, InsurerAccount
from tenant_app.plugins import InsurerPlugin
from tenant_app.security.credentials import unseal
from tenant_app.services import insurer_plugins
from tenant_app.settings import Settings


async def account_for(plugin_key: str) -> InsurerAccount | None:
    """The firm's account with the insurer of this plug-in (None: never set up)."""
    return await InsurerAccount.get_or_none(plugin=plugin_key)


async def credentials_for(settings: Settings, account: InsurerAccount) -> dict[str, str]:
    """The credentials as entered ({} if none were). Raises
    `security.credentials.CredentialsUnreadable` when no configured key opens them (a key
    removed from CREDENTIALS_KEYS before `tenant-app credentials rotate`): the caller tells
    the user the online account must be entered again. Never log what this returns."""
    if not account.sealed_credentials:
        return {}
    keys = settings.credential_keys()
    return unseal(keys, account.tenant_id, account.plugin, account.sealed_credentials)


async def agent_number_of(user_id: int, plugin_key: str) -> str:
    """The staff member's agent number with this plug-in's insurer ("" if none)."""
    numbers = await AgentNumber.filter(user_id=user_id, plugin=plugin_key).values_list(
        "number", flat=True
    )
    return str(numbers[0]) if numbers else ""


async def active_accounts() -> dict[str, tuple[InsurerPlugin, bool]]:
    """The installed plug-ins the firm has switched on with credentials entered (the ones an
    application can go through), in the order of their keys, each with whether its reminder
    is on (staff are asked about insurance on every new insured object it covers)."""
    installed = insurer_plugins.installed()
    rows = (
        await InsurerAccount.filter(plugin__in=list(installed) or [""], is_active=True)
        .exclude(sealed_credentials="")
        .values_list("plugin", "remind_on_new_object")
    )
    reminds = {str(key): bool(remind) for key, remind in rows}
    return {key: (plugin, reminds[key]) for key, plugin in installed.items() if key in reminds}


async def active_plugins() -> list[InsurerPlugin]:
    """The active plug-ins (see `active_accounts`)."""
    return [plugin for plugin, _remind in (await active_accounts()).values()]


async def reminding_plugins() -> list[InsurerPlugin]:
    """The active plug-ins whose reminder is on (see `active_accounts`)."""
    return [plugin for plugin, remind in (await active_accounts()).values() if remind]
