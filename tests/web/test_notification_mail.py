"""The mail about notifications left unread: after five minutes (or at once, daily, never), one
per account and batch, saying only what happened, in the tenant's branding and form of address
and the recipient's language; never twice, never for what was read in time. Times are
injected; the mails go through the real SMTP server."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from tenant_app.app import PERIODIC_USE_CASES
from tenant_app.jobs.runner import JobRunner
from tenant_app.models.accounts import User
from tenant_app.models.activity import Notification
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import events, notification_mail
from tenant_app.services.notification_mail import DELAY
from tenant_app.tenancy import enter_tenant, leave_tenant, load_tenant_info, tenant_cache
from tests.conftest import CUSTOMER_PASSWORD, html_of, make_customer, text_of
from tests.notification_helpers import mail_unread, newest_notification, told
from tests.web.test_tickets import make_staff

ORIGIN = {"Origin": "http://alpha.localhost"}
SUBJECT = "Schaden am Auto"
BODY = "Bitte rufen Sie mich unter 0171 2233445 an."
LIST_LINK = "http://alpha.localhost/account/notifications"
SIE = re.compile(r"\b(Sie|Ihnen|Ihr|Ihre|Ihren|Ihrem|Ihrer)\b")
BERLIN_SUMMER = timedelta(hours=2)  # CEST: 07:00 in Berlin is 05:00 UTC


def all_of(message: Any) -> str:
    return "\n".join((str(message["Subject"]), text_of(message), html_of(message)))


@pytest.fixture
async def office(tenant, passwords, client_for) -> SimpleNamespace:
    """Kai (customer, communication on) and Anna (his responsible), both logged in."""
    anna = await make_staff(tenant, passwords, "anna", "Anna", handles_tickets=True)
    contact = await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=contact.id, user_id=anna.id)
        kai = await User.get(contact_id=contact.id)
    kai_client, anna_client = client_for(tenant.hostname), client_for(tenant.hostname)
    await kai_client.log_in("kai", CUSTOMER_PASSWORD)
    await anna_client.log_in("anna")
    return SimpleNamespace(anna=anna, kai=kai, contact=contact, k=kai_client, a=anna_client)


async def kai_writes(office: SimpleNamespace, subject: str = SUBJECT) -> int:
    """Kai opens a ticket to Anna; its id."""
    token = await office.k.csrf("/portal/tickets/new")
    fields = {
        "csrf_token": (None, token),
        "staff_id": (None, str(office.anna.id)),
        "subject": (None, subject),
        "body": (None, BODY),
    }
    created = await office.k.post("/portal/tickets", files=fields, headers=ORIGIN)
    assert created.status_code == 303
    return int(created.headers["location"].split("?")[0].rsplit("/", 1)[1])


async def kai_replies(office: SimpleNamespace, ticket_id: int) -> None:
    path = f"/portal/tickets/{ticket_id}"
    token = await office.k.csrf(path)
    fields = {"csrf_token": (None, token), "body": (None, "Und noch etwas.")}
    assert (await office.k.post(f"{path}/reply", files=fields, headers=ORIGIN)).status_code == 303


async def record_for(tenant: Any, user: User, *, at: datetime, kind: str = events.TICKET_REPLY):
    """A notification for `user`, created at `at` (the system as actor)."""
    tokens = enter_tenant(await load_tenant_info(tenant.tenant.id))
    try:
        event = await events.record(
            None, kind, contact_id=None, object_type="ticket", title=SUBJECT, tell=[user.id]
        )
        await Notification.filter(event_id=event.id).update(created_at=at)
    finally:
        leave_tenant(tokens)


async def prefer(tenant: Any, user: User, choice: str, **more: Any) -> None:
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=user.id).update(notification_mail=choice, **more)


async def test_an_unread_notification_is_mailed_once_after_five_minutes(
    office, tenant, settings, deliver
) -> None:
    await kai_writes(office)
    assert await told(tenant, events.TICKET_OPENED) == ["anna"]
    assert await mail_unread(settings, after=DELAY - timedelta(seconds=1)) == 0
    assert await deliver() == []
    assert await mail_unread(settings) == 1
    [mail] = await deliver()
    assert mail["To"] == "anna@alpha.example"
    assert mail["Subject"] == "Alpha Versicherungsmakler GmbH: 1 ungelesene Benachrichtigung"
    text = text_of(mail)
    assert "Guten Tag Anna," in text and "Eine neue Anfrage" in text
    assert LIST_LINK in text and f'href="{LIST_LINK}"' in html_of(mail)
    # the whole number: its first digits alone turn up by chance in a Message-ID's digits
    shown = mail.as_string() + text + html_of(mail)
    for secret in (SUBJECT, "0171 2233445", "Kai", "Kunde", "kai@kunde.example"):
        assert secret not in shown, secret  # no title, message or customer
    with tenant_scope(tenant.tenant.id):
        assert (await Notification.get()).read_at is None  # mailed, still unread in the bell
    assert await mail_unread(settings, after=timedelta(hours=1)) == 0
    assert len(await deliver()) == 1


async def test_a_notification_read_in_time_is_never_mailed(
    office, tenant, settings, deliver
) -> None:
    ticket_id = await kai_writes(office)
    path = f"/staff/tickets/{ticket_id}"
    read = await office.a.submit(f"{path}/read", form_page=path)  # opening the thread reads it
    assert read.status_code == 204
    with tenant_scope(tenant.tenant.id):
        assert (await Notification.get()).read_at is not None
    assert await mail_unread(settings, after=timedelta(hours=1)) == 0
    assert await deliver() == []


async def test_three_notifications_make_one_mail(office, settings, deliver) -> None:
    ticket_id = await kai_writes(office)
    await kai_replies(office, ticket_id)
    await kai_replies(office, ticket_id)
    assert await mail_unread(settings) == 1
    [mail] = await deliver()
    assert mail["Subject"] == "Alpha Versicherungsmakler GmbH: 3 ungelesene Benachrichtigungen"
    text = text_of(mail)
    assert "- Eine neue Antwort auf eine Anfrage (2×)" in text
    assert "- Eine neue Anfrage\n" in text.replace("\r\n", "\n")
    assert "Und noch etwas" not in mail.as_string() and SUBJECT not in mail.as_string()


async def test_instant_mails_at_the_next_run(office, tenant, settings, deliver) -> None:
    await prefer(tenant, office.anna, "instant")
    await kai_writes(office)
    assert await mail_unread(settings, after=timedelta(0)) == 1
    assert [m["To"] for m in await deliver()] == ["anna@alpha.example"]


async def test_the_background_loop_runs_the_job_every_few_seconds(
    office, tenant, settings, deliver
) -> None:
    runner = JobRunner(settings, periodic=PERIODIC_USE_CASES)  # as the app's loop runs it
    [job] = [job for job in runner.jobs if job.name == "unread notifications"]
    assert job.every == 15  # seconds
    await prefer(tenant, office.anna, "instant")
    await kai_writes(office)
    await job.run()
    assert [m["To"] for m in await deliver()] == ["anna@alpha.example"]


async def test_daily_digest_at_seven_in_berlin_once_a_day(office, tenant, settings, deliver):
    anna = office.anna
    await prefer(tenant, anna, "daily")
    evening = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)  # 20:00 in Berlin
    await record_for(tenant, anna, at=evening)
    await record_for(tenant, anna, at=evening + timedelta(minutes=10))
    seven = datetime(2026, 6, 2, 7, 0, tzinfo=UTC) - BERLIN_SUMMER
    run = notification_mail.send_due
    assert await run(settings, now=evening + timedelta(hours=6)) == 0  # the night
    assert await run(settings, now=seven - timedelta(seconds=1)) == 0
    assert await run(settings, now=seven) == 1  # 07:00 in Berlin, 05:00 UTC
    [digest] = await deliver()
    assert "Eine neue Antwort auf eine Anfrage (2×)" in text_of(digest)
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(id=anna.id)).notification_digest_at == seven
    # What comes after 07:00 waits for the next morning, as does a late one from before.
    await record_for(tenant, anna, at=seven + timedelta(hours=1), kind=events.TICKET_OPENED)
    await record_for(tenant, anna, at=seven - timedelta(minutes=5), kind=events.TICKET_CLOSED)
    assert await run(settings, now=seven + timedelta(hours=5)) == 0  # once a day
    assert await run(settings, now=seven + timedelta(hours=23, minutes=59)) == 0
    assert await run(settings, now=seven + timedelta(days=1)) == 1
    second = (await deliver())[1]
    assert "Eine neue Anfrage" in text_of(second) and "abgeschlossen" in text_of(second)
    assert "Antwort" not in text_of(second)  # the first digest's are not told again
    assert await run(settings, now=seven + timedelta(days=2)) == 0


async def test_never_and_inactive_accounts_get_no_mail(
    office, tenant, passwords, settings, deliver
) -> None:
    ben = await make_staff(tenant, passwords, "ben", "Ben", handles_tickets=True)
    await prefer(tenant, office.anna, "never")
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=ben.id).update(is_active=False)
    now = datetime.now(UTC)
    await record_for(tenant, office.anna, at=now)
    await record_for(tenant, ben, at=now)
    assert await mail_unread(settings, after=timedelta(days=1)) == 0
    assert await deliver() == []


async def test_language_of_the_recipient_and_form_of_address_of_the_tenant(
    office, tenant, settings, deliver
) -> None:
    await Tenant.filter(id=tenant.tenant.id).update(address_form="du")
    tenant_cache.invalidate()
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=office.anna.id).update(language="en")
    await kai_writes(office)  # Anna is told (in English, formally: staff)
    path = f"/staff/contacts/{office.contact.id}/tickets"
    token = await office.a.csrf(f"{path}/new")
    started = await office.a.post(
        path,
        files={"csrf_token": (None, token), "subject": (None, "Police"), "body": (None, "Hier.")},
        headers=ORIGIN,
    )
    assert started.status_code == 303  # Kai is told (in German, Du)
    assert await mail_unread(settings) == 2
    mails = {m["To"]: m for m in await deliver()}
    english, du = mails["anna@alpha.example"], mails["kai@kunde.example"]
    assert english["Subject"] == "Alpha Versicherungsmakler GmbH: 1 unread notification"
    assert "Hello Anna," in text_of(english) and "A new request" in text_of(english)
    assert "There is news in the portal that you have not read yet:" in text_of(english)
    assert "Hallo Kai," in text_of(du) and "die du noch nicht gelesen hast" in text_of(du)
    assert "Eine neue Anfrage" in text_of(du) and not SIE.search(all_of(du))
    assert "Police" not in all_of(du) and "Anna" not in all_of(du)


async def test_two_runs_at_once_send_one_mail(office, tenant, settings, deliver) -> None:
    ticket_id = await kai_writes(office)
    await kai_replies(office, ticket_id)
    now = await newest_notification() + DELAY
    queued = await asyncio.gather(*(notification_mail.send_due(settings, now=now) for _ in "12"))
    assert sorted(queued) == [0, 1]
    assert [m["To"] for m in await deliver()] == ["anna@alpha.example"]
    with tenant_scope(tenant.tenant.id):
        assert await Notification.filter(mailed_at=now).count() == 2


async def test_each_tenant_mails_its_own_accounts(
    office, tenant, other_tenant, settings, deliver
) -> None:
    await kai_writes(office)
    await kai_writes(office, "Zweites Anliegen")
    beta_admin = other_tenant.admin
    await record_for(other_tenant, beta_admin, at=datetime.now(UTC))
    assert await mail_unread(settings) == 2
    mails = {m["To"]: m for m in await deliver()}
    alpha, beta = mails["anna@alpha.example"], mails[beta_admin.email]
    assert alpha["Subject"].startswith("Alpha Versicherungsmakler GmbH: 2 ")
    assert beta["Subject"] == "Beta Finanz KG: 1 ungelesene Benachrichtigung"
    assert LIST_LINK in text_of(alpha) and "alpha.localhost" not in all_of(beta)
    assert "http://beta.localhost/account/notifications" in text_of(beta)
