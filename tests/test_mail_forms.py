"""Every mail in one form of address: customers of a Du tenant read only Du, staff always read
the formal Sie (and no customer signature), and no link sticks to the text before it."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.mail.render import RenderedMail, render_email
from tenant_app.services.erasure_retention import mail_context
from tenant_app.services.retention_rules import ErasureOutcome, Kept
from tenant_app.services.security_mail import KINDS as SECURITY_CHANGES
from tenant_app.tenancy import load_tenant_info
from tenant_app.text.user_agents import DeviceName

EMAIL_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "email"
SIE = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer|Ihres)\b")
DU = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines)\b", re.IGNORECASE)
PERSON = SimpleNamespace(first_name="Eva", username="eva.e")
LINK = "http://alpha.localhost/some/where"
TRUST = {  # the trusted person's mails (services/trust_mail.py)
    "name": "Eva",
    "customer": "Kai Kunde",
    "person": "Tom Treu",
    "days": 7,
    "opens_at": datetime(2026, 3, 8, 9, 30, tzinfo=UTC),
    "link": LINK,
}
INVITER = {"firm": "Alpha Makler GmbH", "broker_phone": "0221 123", "broker_street": "Ring 1"}
UNREAD = {  # one item and several of a kind
    "recipient": PERSON,
    "happened": [("Eine neue Antwort auf eine Anfrage", 2), ("Eine neue Anfrage", 1)],
    "total": 3,
    "link": LINK,
}

# Every variant of every mail, by who receives it.
CUSTOMER_MAILS = [
    ("password_link", {"user": PERSON, "purpose": "register", "hours": 72, "link": LINK}),
    ("password_link", {"user": PERSON, "purpose": "reset", "hours": 72, "link": LINK}),
    (  # staff reset the customer's second factor (services/factor_admin.py)
        "password_link",
        {"user": PERSON, "purpose": "reset", "hours": 72, "link": LINK, "clears_factors": True},
    ),
    ("username", {"user": PERSON, "login_url": LINK}),
    *(  # an invitation (services/invitations.py), with and without the first information
        ("invitation", {"user": PERSON, "hours": 72, "link": LINK, "profile": INVITER, **more})
        for more in ({"first_information_url": LINK}, {})
    ),
    (
        "new_device",
        {
            "client": "203.0.113.9",
            "device": DeviceName("Firefox", "Windows"),
            "at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
            "devices_url": LINK,
        },
    ),
    *(  # a change to the login's security, or wrong codes after the password
        (
            "security_change",
            {
                "kind": kind,
                "passkey": "Laptop",
                "at": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
                "security_url": LINK,
            },
        )
        for kind in sorted(SECURITY_CHANGES)
    ),
    ("unread_notifications", UNREAD),  # services/notification_mail.py
    *(("trust_named", {**TRUST, "with_link": with_link}) for with_link in (True, False)),
    ("trust_requested", TRUST),
    ("trust_vetoed", TRUST),
    ("lead_confirm", {"name": "Eva", "days": 7, "confirm_url": LINK}),  # Kunde werden
    *(  # services/erasure_retention.py: what was deleted, what is kept until when
        ("erasure_done", mail_context("Eva", outcome))
        for outcome in (
            ErasureOutcome(deleted={"documents": 2, "mails": 3}),
            ErasureOutcome(
                deleted={"documents": 1}, kept=[Kept("document_policy", 2, date(2032, 12, 31))]
            ),
            ErasureOutcome(kept=[Kept("contract", 1, None)], held=True),
        )
    ),
    *(
        ("trust_opened", {**TRUST, "mine": mine, "on_proof": on_proof})
        for mine in (True, False)
        for on_proof in (True, False)
    ),
]
STAFF_MAILS = [
    *CUSTOMER_MAILS,
    *(
        ("staff_notice", {"recipient": PERSON, "kind": kind, "details": "550", "link": LINK})
        for kind in ("link_locked", "mail_failed", "staff_mail_failed")
    ),
    ("storage_full", {"recipient": PERSON}),
    (  # services/tenders.py: the request confirmation, and the notice to the backoffice
        "tender_confirmation",
        {
            "name": "Eva",
            "number": "A-00007",
            "line": "Commercial",
            "customer": "Kai Kunde",
            "backoffice": "Nordlicht Backoffice",
            "hash": "ab" * 32,
            "due_at": datetime(2026, 3, 9, 9, 30, tzinfo=UTC),
            "link": LINK,
        },
    ),
    ("tender_notice", {"number": "A-00007", "firm": "Alpha Makler GmbH", "link": LINK}),
    ("tender_withdrawn", {"number": "A-00007", "firm": "Alpha Makler GmbH", "link": LINK}),
    *(  # services/support_mail.py: to the operators, and to the firm's administrators
        (
            "support_request",
            {"recipient": PERSON, "firm": "Alpha", "request_subject": "Login", "is_new": is_new}
            | {"author": "Clara Chef", "link": LINK},
        )
        for is_new in (True, False)
    ),
    *(
        (
            "support_answer",
            {"recipient": PERSON, "request_subject": "Login", "kind": kind, "link": LINK},
        )
        for kind in ("answered", "closed")
    ),
    (  # services/webhooks_delivery.py: an endpoint failing too long was switched off
        "webhook_disabled",
        {
            "recipient": PERSON,
            "url": "https://crm.example.com/hooks",
            "since": datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
            "link": LINK,
        },
    ),
]
COMMON = {"subject_line": "Kfz", "author": "Anna Berater", "name": "Kai Kunde"}


async def render_all(tenant: Any, mails: list, *, for_staff: bool) -> list[RenderedMail]:
    info = replace(
        await load_tenant_info(tenant.tenant.id),
        address_form="du",
        signature_html="<p>Viele Grüße, dein Alpha-Team</p>",
    )
    return [
        render_email(
            name,
            {**COMMON, **context},
            tenant=info,
            base_url="http://alpha.localhost",
            locale="de",
            for_staff=for_staff,
        )
        for name, context in mails
    ]


def words(mail: RenderedMail) -> str:
    return "\n".join((mail.subject, mail.text, re.sub(r"<[^>]+>", " ", mail.html)))


def test_every_mail_template_is_checked_here() -> None:
    names = {
        path.name.removesuffix(".subject.txt") for path in EMAIL_TEMPLATES.glob("*.subject.txt")
    }
    assert names == {name for name, _context in STAFF_MAILS}


async def test_customers_of_a_du_tenant_read_only_du(tenant) -> None:
    for mail in await render_all(tenant, CUSTOMER_MAILS, for_staff=False):
        assert not SIE.findall(words(mail)), mail.text
        assert DU.search(mail.text) and "dein Alpha-Team" in mail.text


async def test_staff_read_the_formal_form_without_the_customer_signature(tenant) -> None:
    for mail in await render_all(tenant, STAFF_MAILS, for_staff=True):
        assert not DU.findall(words(mail)), mail.text
        assert "Alpha-Team" not in mail.text + mail.html


@pytest.mark.parametrize("for_staff", [False, True])
async def test_no_link_sticks_to_the_text_before_it(tenant, for_staff) -> None:
    mails = STAFF_MAILS if for_staff else CUSTOMER_MAILS
    for mail in await render_all(tenant, mails, for_staff=for_staff):
        assert not re.search(r"\Shttps?://", mail.text), mail.text
