"""Staff actions that make mail, and SMTP servers that misbehave, for the mail tests."""

from __future__ import annotations

import asyncio
import email
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tenant_app.models.contacts import Contact
from tenant_app.models.scoping import tenant_scope
from tests.conftest import free_port

CUSTOMER = {
    "first_name": "Jana",
    "last_name": "Jäger",
    "birthdate": "07.11.1979",
    "email": "jana@kunde.example",
}


async def invite_customer(client: Any, tenant: Any, **changes: Any) -> int:
    """As the logged-in admin: a new contact, its account, and the registration mail queued.

    `responsible=[user ids]` names the staff who look after the contact."""
    values = {**CUSTOMER, **changes}
    created = await client.submit("/staff/contacts", values, form_page="/staff/contacts/new")
    assert created.status_code == 303, created.text[:1000]
    with tenant_scope(tenant.tenant.id):
        contact_id = (await Contact.get(email=values["email"])).id
    page = f"/staff/contacts/{contact_id}"
    await client.submit(f"{page}/account", form_page=page)
    sent = await client.submit(f"{page}/registration-mail", form_page=page)
    assert sent.status_code == 303
    return contact_id


class MisbehavingMailbox:
    """Takes `seconds` per mail and refuses `refused` recipients with 550."""

    def __init__(self, *, seconds: float = 0.0, refused: tuple[str, ...] = ()) -> None:
        self.seconds = seconds
        self.refused = refused
        self.messages: list[EmailMessage] = []
        self.refusals: list[str] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            self.refusals.append(address)
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(self.seconds)
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class MisbehavingServer:
    def __init__(self, mailbox: MisbehavingMailbox) -> None:
        self.mailbox = mailbox
        self.port = free_port()
        self.controller = Controller(mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> MisbehavingServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()
