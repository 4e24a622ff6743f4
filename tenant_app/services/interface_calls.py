"""Calling an insurer through its plug-in: what a call needs (the firm's active account, its
credentials, the user's agent number — refused with a clear message when one is missing),
the HTTP client with the installation's timeout, every exchange kept for support as an
`InterfaceCall` (masked: no credentials), and the plug-in's errors turned into what the user
reads. A failed call changes nothing of the draft: the caller stores answers before calling.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import anyio

from tenant_app.actors import CurrentUser
from tenant_app.errors import ValidationFailed
from tenant_app.models.interfaces import InterfaceCall
from tenant_app.models.scoping import current_tenant_id
from tenant_app.plugins import (
    AgentRejected,
    CallContext,
    InsurerAuthFailed,
    InsurerError,
    InsurerHttp,
    InsurerPlugin,
    InsurerRejected,
    InsurerUnavailable,
)
from tenant_app.security.credentials import CredentialsUnreadable
from tenant_app.services import insurer_accounts, insurer_plugins
from tenant_app.settings import Settings
from tenant_app.text.i18n import get_locale
from tenant_app.text.i18n import gettext as _

T = TypeVar("T")
MASKED_MIN = 4  # shorter credential values are not masked (they would mask ordinary text)


@dataclass(frozen=True, slots=True)
class Connection:
    """What calls to one insurer need, for one user."""

    plugin: InsurerPlugin
    credentials: Mapping[str, str]
    agent_number: str
    base_url: str


class InsurerCallFailed(ValidationFailed):
    """A call did not succeed: `errors` as a form shows them ("form" for the whole), and
    whether trying again later may help (the insurer was down)."""

    def __init__(self, errors: dict[str, str], *, retry: bool) -> None:
        super().__init__(errors)
        self.retry = retry


def _refused(message: str) -> ValidationFailed:
    return ValidationFailed({"form": message})


async def connection_for(
    settings: Settings, actor: CurrentUser, plugin_key: str, *, agent_number: str = ""
) -> Connection:
    """The connection of the actor to the insurer of `plugin_key`, or ValidationFailed saying
    what is missing (the plug-in inactive, no credentials, no agent number of the user).
    `agent_number`: an application's own, instead of the actor's."""
    plugin = insurer_plugins.plugin(plugin_key)
    account = await insurer_accounts.account_for(plugin_key) if plugin else None
    if plugin is None or account is None or not account.is_active:
        raise _refused(_("This insurer interface is not activated for the firm."))
    if not account.sealed_credentials:
        raise _refused(
            _("The firm's credentials for %(insurer)s are missing.", insurer=plugin.insurer_name)
        )
    number = agent_number or await insurer_accounts.agent_number_of(actor.id, plugin_key)
    if not number:
        raise _refused(
            _(
                "You have no agent number (Vermittlernummer) with %(insurer)s. An administrator"
                " enters it under Settings › Online accounts.",
                insurer=plugin.insurer_name,
            )
        )
    try:
        credentials = await insurer_accounts.credentials_for(settings, account)
    except CredentialsUnreadable:  # its key was taken out of CREDENTIALS_KEYS before rotating
        raise _refused(
            _(
                "The firm's credentials for %(insurer)s can no longer be read. An administrator"
                " enters them again under Settings › Online accounts.",
                insurer=plugin.insurer_name,
            )
        ) from None
    base_url = settings.insurer_url_map().get(plugin_key, plugin.default_base_url)
    return Connection(plugin, credentials, number, base_url)


def _message(plugin: InsurerPlugin, error: InsurerError) -> tuple[dict[str, str], bool]:
    insurer = plugin.insurer_name
    if isinstance(error, InsurerUnavailable):
        text = _(
            "%(insurer)s cannot be reached right now. Everything you entered is kept as a draft;"
            " please try again later.",
            insurer=insurer,
        )
        return {"form": text}, True
    if isinstance(error, InsurerAuthFailed):
        text = _(
            "%(insurer)s refused the firm's credentials. An administrator can check them under"
            " Settings › Online accounts.",
            insurer=insurer,
        )
        return {"form": text}, False
    if isinstance(error, AgentRejected):
        text = _("%(insurer)s does not know your agent number.", insurer=insurer)
        return {"form": text}, False
    if isinstance(error, InsurerRejected):
        errors = dict(error.errors)
        if error.message or not errors:
            errors["form"] = error.message or _(
                "%(insurer)s refused the application.", insurer=insurer
            )
        return errors, False
    text = _(
        "The answer of %(insurer)s could not be read. What you entered is kept; the exchange is"
        " in the interface log for support.",
        insurer=insurer,
    )
    return {"form": text}, True


def _secrets(connection: Connection) -> list[str]:
    """What the call log masks: a secret field's value however short (a log hard to read beats
    a leaked password), the other credentials from MASKED_MIN characters, and each pair as
    "one:other" (a Basic login written out)."""
    secret = {field.key for field in connection.plugin.credential_fields if field.secret}
    values = connection.credentials
    masked = [v for k, v in values.items() if v and (k in secret or len(v) >= MASKED_MIN)]
    pairs = [f"{a}:{b}" for a in values.values() for b in values.values() if a and b and a != b]
    return masked + pairs


async def run_call(
    settings: Settings,
    connection: Connection,
    *,
    application_id: int | None,
    call: Callable[[CallContext], Awaitable[T]],
) -> T:
    """The plug-in's answer, or InsurerCallFailed with the user's message. The exchanges are
    kept whatever happened (also when the request is cancelled meanwhile)."""
    http = InsurerHttp(
        connection.base_url,
        secrets=_secrets(connection),
        timeout=float(settings.insurer_timeout_seconds),
    )
    context = CallContext(
        http=http,
        credentials=connection.credentials,
        agent_number=connection.agent_number,
        language=get_locale(),
    )
    try:
        return await call(context)
    except InsurerError as error:
        errors, retry = _message(connection.plugin, error)
        raise InsurerCallFailed(errors, retry=retry) from error
    except Exception as error:  # a plug-in's bug must not lose the draft or show a 500
        errors, retry = _message(connection.plugin, InsurerError(repr(error)))
        raise InsurerCallFailed(errors, retry=retry) from error
    finally:
        with anyio.CancelScope(shield=True):
            await _keep(connection, application_id, http)


async def _keep(connection: Connection, application_id: int | None, http: InsurerHttp) -> None:
    tenant_id = current_tenant_id()  # bulk_create skips save(), which sets it
    await InterfaceCall.bulk_create(
        [
            InterfaceCall(
                tenant_id=tenant_id,
                plugin=connection.plugin.key,
                application_id=application_id,
                operation=exchange.operation[:20],
                method=exchange.method,
                url=exchange.url[:500],
                attempt=exchange.attempt,
                status_code=exchange.status_code,
                request_body=exchange.request_body,
                response_body=exchange.response_body,
                error=exchange.error[:300],
                duration_ms=exchange.duration_ms,
            )
            for exchange in http.exchanges
        ]
    )
