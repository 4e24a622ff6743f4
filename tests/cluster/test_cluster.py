"""Several processes, one installation: whatever a user does through one app process holds in
the other (sessions, limits, branding, live news), and the worker processes together send
each mail once. Two uvicorn processes and a worker on one PostgreSQL (tests/cluster/conftest.py).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from urllib.parse import urlsplit

from tortoise.transactions import in_transaction

from tenant_app.jobs.outbox import MailWorker
from tenant_app.models.accounts import User
from tenant_app.models.engagement import InvitationBatch
from tenant_app.models.mail import OutboxMail
from tenant_app.models.scoping import tenant_scope
from tenant_app.security.ratelimit import LOGIN_PER_ACCOUNT
from tenant_app.services import invitations_batch
from tenant_app.tenancy import CACHE_SECONDS
from tests.api_helpers import bearer, make_token
from tests.cluster.conftest import Cluster
from tests.cluster.processes import BRAND_CSS, Browser, wait_until, worker_process
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, link_in, make_customer
from tests.html_forms import form_fields
from tests.test_outbox_claims import addresses, queue_mails
from tests.web.test_api_documents import DOCS, PDF_BYTES, upload
from tests.web.test_branding import LOOK, SETTINGS, image_bytes
from tests.web.test_notifications_stream import STREAM, Events, bell_text, open_ticket

WRONG = "not the password"
AHEAD = 3600.0  # seconds a worker host's clock runs ahead of the database's
MAIL_SECONDS = 20.0  # bound on the worker loops' polls (2 s) and the SMTP conversations


def admin_of(firm) -> str:  # type: ignore[no-untyped-def]
    return f"{firm.tenant.slug}-admin"


def opened(browsers: list[Browser], cluster: Cluster, app: int, host: str) -> Browser:
    browser = cluster.browser(app, host)
    browsers.append(browser)
    return browser


async def test_a_login_through_one_process_is_valid_in_the_other(cluster, firm, browsers) -> None:
    first = opened(browsers, cluster, 0, firm.hostname)
    assert (await first.log_in(admin_of(firm), ADMIN_PASSWORD)).status_code == 303
    second = opened(browsers, cluster, 1, firm.hostname)
    second.cookies = first.cookies  # the same browser, sent to the other process
    home = await second.get("/staff")
    assert home.status_code == 200 and "Clara" in home.text
    # logged out through the second process: the first (still sent the old cookie) no
    # longer knows the session either
    out = await second.submit("/logout", {}, form_page="/staff")
    assert out.status_code == 303
    assert (await first.get("/staff")).status_code in (302, 303)


async def test_failed_logins_count_across_processes(cluster, firm, browsers) -> None:
    one = opened(browsers, cluster, 0, firm.hostname)
    other = opened(browsers, cluster, 1, firm.hostname)
    allowed = LOGIN_PER_ACCOUNT.attempts
    for attempt in range(allowed):
        browser = one if attempt % 2 else other
        answer = await browser.log_in(admin_of(firm), WRONG)
        assert answer.status_code == 401, (attempt, answer.status_code)
    for browser in (one, other):  # the limit is reached in both, at the same total
        answer = await browser.log_in(admin_of(firm), ADMIN_PASSWORD)
        assert answer.status_code == 429
        assert "Zu viele Anmeldeversuche" in answer.text


async def test_a_branding_change_reaches_the_other_process_within_the_cache_time(
    cluster, firm, browsers
) -> None:
    admin = opened(browsers, cluster, 0, firm.hostname)
    visitor = opened(browsers, cluster, 1, firm.hostname)
    before = BRAND_CSS.search((await visitor.get("/login")).text)  # the other process caches
    assert before and "#aa3300" not in (await visitor.get(before.group(1))).text.lower()
    assert (await admin.log_in(admin_of(firm), ADMIN_PASSWORD)).status_code == 303
    logo = {"csrf_token": (None, await admin.csrf(SETTINGS))}
    logo["logo"] = ("logo.png", image_bytes("PNG"), "image/png")  # type: ignore[assignment]
    assert (await admin.post(f"{SETTINGS}/logo", files=logo)).status_code == 303
    fields = form_fields((await admin.get(SETTINGS)).text, SETTINGS)
    changes = {**LOOK, "version": fields["version"], "primary_color": "#aa3300"}
    assert (await admin.submit(SETTINGS, changes)).status_code == 303

    async def seen() -> bool:
        page = (await visitor.get("/login")).text
        found = BRAND_CSS.search(page)
        return bool(found and found.group(1) != before.group(1) and "/branding/logo" in page)

    waited = await wait_until(seen, within=CACHE_SECONDS + 5, what="the other process's page")
    assert waited <= CACHE_SECONDS + 1.0  # the documented delay, plus a request's time
    page = (await visitor.get("/login")).text
    theme = BRAND_CSS.search(page)
    assert theme and "#aa3300" in (await visitor.get(theme.group(1))).text.lower()
    logo_path = re.search(r'src="(/branding/logo\?v=[^"]+)"', page)
    assert logo_path, page
    served = await visitor.get(logo_path.group(1))
    assert served.status_code == 200 and served.content.startswith(b"\x89PNG")


async def test_a_file_stored_through_one_process_is_served_by_the_other(
    cluster, firm, browsers, passwords
) -> None:
    kai = await make_customer(firm, passwords)
    secret = await make_token(firm, ["documents:write"])
    stored = set(cluster.s3.keys())
    made = await upload(
        opened(browsers, cluster, 0, firm.hostname),
        secret,
        contact_id=kai.id,
        folder="insurance",
        title="Police Hausrat",
        category="policy",
    )
    assert made.status_code == 201, made.text
    assert len(set(cluster.s3.keys()) - stored) == 1  # in the one object store
    path = f"{DOCS}/{made.json()['id']}/content"
    served = await opened(browsers, cluster, 1, firm.hostname).get(path, headers=bearer(secret))
    assert served.status_code == 200 and served.content == PDF_BYTES


async def test_each_mail_is_sent_once_by_three_workers(cluster, firm, browsers, passwords) -> None:
    customers = [f"kunde{n}@{firm.tenant.slug}.example" for n in range(6)]
    for number, address in enumerate(customers):
        await make_customer(firm, passwords, email=address, first_name=f"Kunde{number}")
    with tenant_scope(firm.tenant.id):  # a reset asks for the PIN: the date of birth
        await User.filter(kind="customer").update(birthdate=date(1990, 1, 2))
    before = len(cluster.smtp.messages)
    for number, address in enumerate(customers):  # asked for through either process
        visitor = opened(browsers, cluster, number % 2, firm.hostname)
        answer = await visitor.submit("/passwort-vergessen", {"identifier": address})
        assert answer.status_code == 200
    await queue_mails(firm, 24)  # and a burst no process was told of: all poll for it
    expected = Counter([*customers, *addresses(24)])

    async def all_sent() -> bool:
        with tenant_scope(firm.tenant.id):
            pending = await OutboxMail.filter(status="pending").count()
        arrived = [m for m in cluster.smtp.messages[before:] if m["To"] in expected]
        return pending == 0 and len(arrived) >= len(expected)

    await wait_until(all_sent, within=MAIL_SECONDS, what="every mail sent")
    received = Counter(m["To"] for m in cluster.smtp.messages[before:] if m["To"] in expected)
    assert received == expected
    with tenant_scope(firm.tenant.id):
        assert await OutboxMail.filter(status="sent").count() == len(expected)
    reset = next(m for m in cluster.smtp.messages[before:] if m["To"] == customers[0])
    page = await opened(browsers, cluster, 1, firm.hostname).get(urlsplit(link_in(reset)).path)
    assert page.status_code == 200  # the link, sent by whichever worker, opens anywhere


async def test_news_reaches_a_page_served_by_the_other_process(
    cluster, firm, browsers, passwords
) -> None:
    await make_customer(firm, passwords, communication=True)
    office = opened(browsers, cluster, 1, firm.hostname)
    customer = opened(browsers, cluster, 0, firm.hostname)
    assert (await office.log_in(admin_of(firm), ADMIN_PASSWORD)).status_code == 303
    assert (await customer.log_in("kai", CUSTOMER_PASSWORD)).status_code == 303
    token = await customer.csrf("/portal")
    async with office.stream("GET", STREAM) as response:  # served by the second process
        assert response.status_code == 200
        stream = Events(response)
        assert bell_text(await stream.until("bell")) == "Benachrichtigungen"
        await open_ticket(customer, token, firm.admin.id)  # through the first process
        assert bell_text(await stream.until("bell")) == "Benachrichtigungen 1 ungelesen"


async def nothing_pending() -> bool:
    return not await OutboxMail.unscoped.filter(status="pending").exists()


async def test_a_worker_whose_clock_runs_ahead_takes_over_nothing_still_held(
    cluster, firm, settings
) -> None:
    """A fourth worker, its every wall clock an hour ahead (tests/cluster/skewed.py), beside
    mails claimed by another worker (this test) and a batch of invitations whose worker beats."""
    await wait_until(nothing_pending, within=MAIL_SECONDS, what="the earlier tests' mail sent")
    holder = MailWorker(settings.with_overrides(smtp_port=cluster.smtp.port), batch=3)
    async with in_transaction():  # queued and claimed at once: no other worker sees them free
        await queue_mails(firm, 3)
        held = await holder.claim()  # then slow to send: still held
    assert [row["to_address"] for row in held] == addresses(3)
    with tenant_scope(firm.tenant.id):
        batch = await InvitationBatch.create(started_by_id=firm.admin.id, contact_ids=[])
    assert await invitations_batch.claim_next() == (firm.tenant.id, batch.id)
    with tenant_scope(firm.tenant.id):
        beat = (await InvitationBatch.get(id=batch.id)).heartbeat_at
    log_path = cluster.tmp / "worker-ahead.log"
    with worker_process(cluster.env, log_path, ahead=AHEAD) as ahead:
        sent_by_ahead: list[str] = []

        async def firm_pending() -> int:
            with tenant_scope(firm.tenant.id):
                return await OutboxMail.filter(status="pending").count()

        async def ahead_has_worked() -> bool:
            """It sent a mail queued after the claims (so it ran rounds beside them; its
            first round also looked for stalled batches)."""
            sent_by_ahead[:] = re.findall(r'"msg": "mail sent".*?"mail_id": (\d+)', ahead.log)
            if not sent_by_ahead and await firm_pending() == len(held):
                await queue_mails(firm, 1)  # the other workers race it for each of these
            return bool(sent_by_ahead)

        await wait_until(ahead_has_worked, within=MAIL_SECONDS, what="the fast worker sent")
    assert int(sent_by_ahead[0]) > max(int(row["id"]) for row in held)
    with tenant_scope(firm.tenant.id):
        still = await OutboxMail.filter(id__in=[row["id"] for row in held]).values_list(
            "status", "locked_by"
        )
        assert still == [("pending", holder.worker_id)] * 3
        after = await InvitationBatch.get(id=batch.id)
    assert (after.status, after.heartbeat_at) == (invitations_batch.RUNNING, beat)

    async def only_held() -> bool:
        return await firm_pending() == len(held)

    await wait_until(only_held, within=MAIL_SECONDS, what="the other mail sent")
    before = len(cluster.smtp.messages)
    assert await holder.send_claimed(held) == 3  # the claims were never lost
    assert Counter(m["To"] for m in cluster.smtp.messages[before:]) == Counter(addresses(3))
