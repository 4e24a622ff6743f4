"""Deliver one message: over SMTP with aiosmtplib, or as an .eml file for development."""

from __future__ import annotations

import uuid
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import aiosmtplib

from tenant_app.mail.render import strip_header
from tenant_app.settings import Settings

SMTP_TIMEOUT = 20.0  # seconds for each step of the SMTP conversation


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


def is_permanent(error: BaseException) -> bool:
    """The server refused this mail for good (5xx for its recipient or its content).

    A refused sender, a failed login or a refused connection are the relay's or our
    configuration's problem, not this mail's: those stay temporary and are retried.
    """
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        codes = [refused.code for refused in error.recipients]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, aiosmtplib.SMTPRecipientRefused | aiosmtplib.SMTPDataError):
        return 500 <= error.code < 600
    return False


def describe(error: BaseException) -> str:
    """One line for the outbox row and for staff: the server's answer if there was one."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused) and error.recipients:
        error = error.recipients[0]
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return f"{error.code} {error.message}"[:300]
    return f"{type(error).__name__}: {error}"[:300]


async def deliver(
    settings: Settings, message: EmailMessage, *, step_seconds: float = SMTP_TIMEOUT
) -> None:
    """Raise on any failure: the worker decides whether to try again later."""
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
        timeout=step_seconds,  # per step; the caller bounds the whole conversation
    )
