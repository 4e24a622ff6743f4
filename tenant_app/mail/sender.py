"""Deliver one message: over SMTP with aiosmtplib, or as an .eml file for development."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib

from tenant_app.mail.render import strip_header
from tenant_app.settings import Settings


def build_message(
    settings: Settings, *, sender_name: str, to: str, subject: str, text: str, html: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((strip_header(sender_name), settings.mail_from))
    message["To"] = strip_header(to)
    message["Subject"] = strip_header(subject)
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


async def deliver(settings: Settings, message: EmailMessage) -> None:
    """Raise on any failure: the worker keeps the mail and tries again later."""
    if settings.mail_backend == "file":
        settings.mail_dir.mkdir(parents=True, exist_ok=True)
        path = settings.mail_dir / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(bytes(message))
        return
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_user or None,
        password=settings.smtp_password or None,
        use_tls=settings.smtp_tls == "tls",
        start_tls=True if settings.smtp_tls == "starttls" else False,
        timeout=20,
    )
