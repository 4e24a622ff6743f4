"""Einstellungen › Onlinekonten, the changes: the credentials saved (checked by the plug-in's
declared fields, sealed with the current key of CREDENTIALS_KEYS), the interface activated
(only with credentials) or deactivated, the reminder on new insured objects, the staff's
agent numbers.

Each change is a compare-and-set on the account's `version` (services/versions.py): a stale
form changes nothing and says what is stored now. A refused form changes nothing at all.
Each change is written to the audit trail, never with a credential's value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from tenant_app.actors import CurrentUser
from tenant_app.errors import EditConflict, ValidationFailed
from tenant_app.models.folders import AuditEntry
from tenant_app.models.interfaces import AgentNumber, InsurerAccount
from tenant_app.plugins import InsurerPlugin, text_in
from tenant_app.schemas.base import checked
from tenant_app.schemas.risk_values import model_of, stored_values
from tenant_app.security.credentials import seal
from tenant_app.services.application_steps import attribute_of
from tenant_app.services.insurer_account_pages import (
    AGENT_NUMBER_MAX,
    AGENT_PREFIX,
    CREDENTIAL_PREFIX,
    plugin_for,
    staff_agents,
    stored_credentials,
)
from tenant_app.services.versions import claim, conflict_errors, save_if_unchanged, version_of
from tenant_app.settings import Settings
from tenant_app.text.i18n import get_locale
from tenant_app.text.i18n import gettext as _

# AuditEntry.action (subject: the account; for agent numbers, the staff member)
CREDENTIALS_SAVED = "insurer_credentials_saved"
ACTIVATED, DEACTIVATED = "insurer_account_activated", "insurer_account_deactivated"
REMINDER_ON, REMINDER_OFF = "insurer_reminder_on", "insurer_reminder_off"
AGENT_SET, AGENT_REMOVED = "agent_number_set", "agent_number_removed"
HINT_MAX = 120  # InsurerAccount.credentials_hint


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def checked_credentials(
    plugin: InsurerPlugin, values: Mapping[str, str], stored: Mapping[str, str]
) -> dict[str, str]:
    """The credentials to seal, or ValidationFailed with a message next to each field. A
    secret left empty keeps the stored one; a secret typed is kept exactly as typed."""
    fields = plugin.credential_fields
    given = {f.key: values.get(f"{CREDENTIAL_PREFIX}{f.key}", "") for f in fields}
    for field in fields:
        if field.secret and not given[field.key].strip():
            given[field.key] = stored.get(field.key, "")
    language = get_locale()
    model = model_of(f"Credentials_{plugin.key}", tuple(attribute_of(f, language) for f in fields))
    found, errors = checked(model, given)
    if found is None or errors:
        raise ValidationFailed({f"{CREDENTIAL_PREFIX}{k}": v for k, v in errors.items()})
    typed = stored_values(found.model_dump())
    return {
        f.key: given[f.key] if f.secret else _as_text(typed[f.key])
        for f in fields
        if f.key in typed and typed[f.key] != ""
    }


def hint_of(plugin: InsurerPlugin, credentials: Mapping[str, str]) -> str:
    """What the settings page may show of the credentials: the non-secret values."""
    shown = [credentials.get(f.key, "") for f in plugin.credential_fields if not f.secret]
    return " · ".join(value for value in shown if value)[:HINT_MAX]


async def _row(key: str, version: int | None) -> tuple[InsurerAccount, int | None]:
    """The account to change, made now if there is none yet, and the version a save must
    find: a form loaded before the account existed carries version 0."""
    row = await InsurerAccount.get_or_none(plugin=key)
    if row is not None:
        return row, version
    try:
        row = await InsurerAccount.create(plugin=key)
    except IntegrityError:  # made by someone else meanwhile: a form with 0 is stale
        return await InsurerAccount.get(plugin=key), version
    return row, row.version if version == 0 else version


async def _audit(actor: CurrentUser, action: str, subject_id: int, details: str) -> None:
    await AuditEntry.create(
        action=action, actor_id=actor.id, subject_id=subject_id, details=details[:300]
    )


async def save_credentials(
    actor: CurrentUser, settings: Settings, key: str, values: Mapping[str, str]
) -> None:
    """Check, seal and store the credentials (form names: credential_<key>, and version)."""
    plugin = plugin_for(actor, key)
    stored, _unreadable = await stored_credentials(
        settings, await InsurerAccount.get_or_none(plugin=key)
    )
    clean = checked_credentials(plugin, values, stored)
    keys = settings.credential_keys()
    if not keys.keys:
        message = _(
            "The credentials cannot be stored: the server has no key to encrypt them"
            " (CREDENTIALS_KEYS). Please ask whoever runs the portal's server to set one."
        )
        raise ValidationFailed({"form": message})
    row, version = await _row(key, version_of(values))
    changes = {
        "sealed_credentials": seal(keys, row.tenant_id, key, clean),
        "credentials_hint": hint_of(plugin, clean),
        "updated_by_id": actor.id,
    }
    changed = [f.key for f in plugin.credential_fields if clean.get(f.key) != stored.get(f.key)]
    async with in_transaction():
        await save_if_unchanged(
            InsurerAccount,
            where={"id": row.id},
            version=version,
            changes=changes,
            labels={"credentials_hint": _("Credentials")},
            form_names={"credentials_hint": "credentials"},
        )
        details = f"{key}: {', '.join(changed) or '-'}"  # which fields, never their values
        await _audit(actor, CREDENTIALS_SAVED, row.id, details)


async def set_active(
    actor: CurrentUser, key: str, *, active: bool, values: Mapping[str, str]
) -> None:
    """Switch the interface on (only with credentials entered) or off."""
    plugin_for(actor, key)
    found = await InsurerAccount.get_or_none(plugin=key)
    if active and (found is None or not found.sealed_credentials):
        message = _("Please enter and save the credentials first: without them it stays off.")
        raise ValidationFailed({"is_active": message})
    action = ACTIVATED if active else DEACTIVATED
    await _switch(actor, key, values, ("is_active", active, _("Active"), "is_active"), action)


async def set_reminder(
    actor: CurrentUser, key: str, *, remind: bool, values: Mapping[str, str]
) -> None:
    """Whether staff are asked about insurance on every new insured object it covers."""
    plugin_for(actor, key)
    switch = ("remind_on_new_object", remind, _("Reminder"), "remind")
    await _switch(actor, key, values, switch, REMINDER_ON if remind else REMINDER_OFF)


async def _switch(
    actor: CurrentUser,
    key: str,
    values: Mapping[str, str],
    switch: tuple[str, bool, str, str],
    action: str,
) -> None:
    """One yes/no of the account (column, value, label, form name) set at the form's
    version, and the audit entry `action`."""
    column, value, label, form_name = switch
    row, version = await _row(key, version_of(values))
    async with in_transaction():
        await save_if_unchanged(
            InsurerAccount,
            where={"id": row.id},
            version=version,
            changes={column: value, "updated_by_id": actor.id},
            labels={column: label},
            form_names={column: form_name},
        )
        await _audit(actor, action, row.id, key)


def _checked_numbers(
    plugin: InsurerPlugin, values: Mapping[str, str], user_ids: list[int]
) -> dict[int, str]:
    """The agent numbers sent (agent_<user id>; one not sent stays as it is), or
    ValidationFailed with a message next to each that does not fit the insurer's form."""
    wanted: dict[int, str] = {}
    errors: dict[str, str] = {}
    message = text_in(plugin.agent_number_help, get_locale())
    for user_id in user_ids:
        name = f"{AGENT_PREFIX}{user_id}"
        if name not in values:
            continue
        number = values[name].strip()
        if len(number) > AGENT_NUMBER_MAX:
            errors[name] = _("Please enter at most %(n)s characters.", n=AGENT_NUMBER_MAX)
        elif number and not re.fullmatch(plugin.agent_number_pattern, number):
            errors[name] = _("This is no agent number of this insurer.") + (
                f" {message}" if message else ""
            )
        wanted[user_id] = number
    if errors:
        raise ValidationFailed(errors)
    return wanted


async def save_agent_numbers(actor: CurrentUser, key: str, values: Mapping[str, str]) -> int:
    """Store the staff's agent numbers (empty removes one); returns how many changed."""
    plugin = plugin_for(actor, key)
    staff = await staff_agents(key)
    names = {person.user_id: person.name for person in staff}
    wanted = _checked_numbers(plugin, values, list(names))
    before = {person.user_id: person.number for person in staff}
    if all(before[user_id] == number for user_id, number in wanted.items()):
        return 0
    row, version = await _row(key, version_of(values))
    async with in_transaction():
        try:
            await claim(InsurerAccount, row_id=row.id, version=version or 0)
        except EditConflict as stale:
            raise _agents_conflict(before, wanted, names, stale.version) from None
        changed = 0
        for user_id, number in wanted.items():
            if number != before[user_id]:
                await _store_number(actor, key, user_id, number)
                changed += 1
    return changed


def _agents_conflict(
    before: Mapping[int, str], wanted: Mapping[int, str], names: Mapping[int, str], version: int
) -> EditConflict:
    """What a stale agent-number form is told: the numbers stored now where they differ."""
    current = SimpleNamespace(**{f"{AGENT_PREFIX}{uid}": before[uid] for uid in wanted})
    changes = {f"{AGENT_PREFIX}{uid}": number for uid, number in wanted.items()}
    labels = {f"{AGENT_PREFIX}{uid}": names[uid] for uid in wanted}
    return EditConflict(conflict_errors(current, changes, labels, {}), version=version)


async def _store_number(actor: CurrentUser, key: str, user_id: int, number: str) -> None:
    if not number:
        await AgentNumber.filter(user_id=user_id, plugin=key).delete()
        await _audit(actor, AGENT_REMOVED, user_id, key)
        return
    updated = await AgentNumber.filter(user_id=user_id, plugin=key).update(number=number)
    if not updated:
        await AgentNumber.create(user_id=user_id, plugin=key, number=number)
    await _audit(actor, AGENT_SET, user_id, f"{key}: {number}")
