"""Tickets: what a customer and staff write to each other, and a comment when forwarding."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict

from tenant_app.schemas.base import FormInput, Text, at_most, filled
from tenant_app.text.i18n import gettext as _

MAX_SUBJECT = 200  # characters, as typed
MAX_BODY = 10_000  # characters, as typed


# Validators listed later run first: blank, then too long, then Text strips.
Subject = Annotated[Text, at_most(MAX_SUBJECT), filled(lambda: _("Please enter a subject."))]
Body = Annotated[Text, at_most(MAX_BODY), filled(lambda: _("Please enter a message."))]
Comment = Annotated[Text, at_most(MAX_BODY)]  # may be blank


class _TicketForm(FormInput):
    # A field the form did not send counts as empty.
    model_config = ConfigDict(validate_default=True)


class NewTicketInput(_TicketForm):
    """A new ticket: its subject and first message."""

    subject: Subject = ""
    body: Body = ""


class ReplyInput(_TicketForm):
    """A reply on an open ticket."""

    body: Body = ""


class ForwardInput(_TicketForm):
    """Staff hand a ticket to a colleague, with an optional comment."""

    comment: Comment = ""
