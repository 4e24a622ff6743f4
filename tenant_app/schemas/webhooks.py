"""A webhook endpoint as the tenant admin enters it: the URL (whose form and target
services/webhook_targets.py judge), a description, the event types and whether it is on."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

from tenant_app.schemas.base import Flag, FormInput, Required, Text, at_most, fail
from tenant_app.text.i18n import gettext as _
from tenant_app.vocabulary import WEBHOOK_EVENT_TYPES

URL_MAX_CHARS = 500  # WebhookEndpoint.url
DESCRIPTION_MAX_CHARS = 200  # WebhookEndpoint.description


def _event_types(value: object) -> list[str]:
    chosen = [str(item) for item in value] if isinstance(value, list | tuple) else []
    if not chosen:
        raise fail(_("Please choose at least one event."))
    if any(item not in WEBHOOK_EVENT_TYPES for item in chosen):
        raise fail(_("Invalid input."))
    return [kind for kind in WEBHOOK_EVENT_TYPES if kind in chosen]  # in the list's order


EventTypes = Annotated[list[str], BeforeValidator(_event_types)]


class WebhookEndpointInput(FormInput):
    url: Annotated[Required, at_most(URL_MAX_CHARS)]
    description: Annotated[Text, at_most(DESCRIPTION_MAX_CHARS)] = ""
    event_types: EventTypes
    is_active: Flag = False
