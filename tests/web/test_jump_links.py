"""Jump-in links (Absprung): the broker's system gets a link for a named staff member and a
case; opening it logs that member into the case once. A used, expired or unknown link, an
inactive member or one who no longer sees the contact: a page saying so, and no login.
A second factor is asked for as after the password."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tenant_app.errors import NotFound, PermissionDenied, ValidationFailed
from tenant_app.models.accounts import LoginRecord, Session, User
from tenant_app.models.contacts import ContactResponsible
from tenant_app.models.integration import JumpLink
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.services import jump_links
from tenant_app.tenancy import tenant_cache
from tests.case_helpers import actor, in_tenant, open_case, staff_member
from tests.conftest import ADMIN_PASSWORD, make_customer
from tests.web.test_totp import Clock, enrol_totp, second_step


@pytest.fixture
async def scene(tenant, passwords) -> Any:
    """Kai's case; Anna, who is responsible for Kai (and sees only her own contacts)."""
    kai = await make_customer(tenant, passwords)
    anna = await staff_member(tenant, passwords, "anna", access_insurance="write")
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.create(contact_id=kai.id, user_id=anna.id)
    case = await open_case(tenant, kai)
    return kai, anna, case


async def link_for(tenant: Any, settings: Any, user_id: int, target_id: int, **options: Any) -> str:
    """The URL the broker's system would get (asked here by the admin)."""
    async with in_tenant(tenant):
        return await jump_links.create_jump_link(
            await actor("alpha-admin"),
            settings=settings,
            user_id=user_id,
            target_id=target_id,
            **options,
        )


def _session_cookie(response: Any) -> bool:
    return any(c.startswith("session=") for c in response.headers.get_list("set-cookie"))


async def _sessions(tenant: Any, user_id: int) -> int:
    with tenant_scope(tenant.tenant.id):
        return await Session.filter(user_id=user_id).count()


async def test_a_jump_in_link_logs_the_staff_member_into_the_case_once(
    tenant, settings, client_for, scene
) -> None:
    _kai, anna, case = scene
    url = await link_for(tenant, settings, anna.id, case.id)
    assert url.startswith(f"http://{tenant.hostname}/jump/") and len(url.rsplit("/", 1)[1]) >= 43
    with tenant_scope(tenant.tenant.id):
        stored = await JumpLink.get(user_id=anna.id)
    assert url.rsplit("/", 1)[1] not in stored.token_hash  # kept hashed
    assert timedelta(seconds=100) < stored.expires_at - datetime.now(UTC) <= timedelta(seconds=121)
    browser = client_for(tenant.hostname)
    opened = await browser.get(urlsplit(url).path)
    assert opened.status_code == 303 and opened.headers["location"] == f"/staff/cases/{case.id}"
    assert _session_cookie(opened) and opened.headers["referrer-policy"] == "no-referrer"
    assert opened.headers["cache-control"] == "no-store"
    page = await browser.get(opened.headers["location"])
    assert page.status_code == 200 and "Kfz-Wechsel" in page.text and "Anna Team" in page.text
    with tenant_scope(tenant.tenant.id):
        assert await LoginRecord.filter(user_id=anna.id).count() == 1  # as after the login form
        assert (await User.get(id=anna.id)).last_login_at is not None
        assert (await JumpLink.get(id=stored.id)).used_at is not None

    again = await client_for(tenant.hostname).get(urlsplit(url).path)
    assert again.status_code == 410
    assert "bereits verwendet oder ist abgelaufen" in html.unescape(again.text)
    assert again.headers["referrer-policy"] == "no-referrer" and not _session_cookie(again)
    assert await _sessions(tenant, anna.id) == 1


async def test_an_expired_or_unknown_link_changes_nothing(
    tenant, other_tenant, settings, client_for, scene
) -> None:
    _kai, anna, case = scene
    url = await link_for(tenant, settings, anna.id, case.id)
    with tenant_scope(tenant.tenant.id):
        await JumpLink.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    browser = client_for(tenant.hostname)
    expired = await browser.get(urlsplit(url).path)
    assert expired.status_code == 410 and not _session_cookie(expired)
    for unknown in ("/jump/" + "x" * 43, "/jump/" + "y" * 500):
        missing = await browser.get(unknown)
        assert missing.status_code == 404 and 'id="jump-problem"' in missing.text
    assert await _sessions(tenant, anna.id) == 0
    with tenant_scope(tenant.tenant.id):
        assert (await JumpLink.get(user_id=anna.id)).used_at is None
    # Nor does a link of this tenant work on another one's host (nor is it used up there).
    other = await link_for(tenant, settings, anna.id, case.id)
    elsewhere = await client_for(other_tenant.hostname).get(urlsplit(other).path)
    assert elsewhere.status_code == 404 and 'id="jump-problem"' in elsewhere.text
    assert (await client_for(tenant.hostname).get(urlsplit(other).path)).status_code == 303


async def test_an_inactive_member_or_one_who_no_longer_sees_the_contact_is_refused(
    tenant, settings, client_for, scene
) -> None:
    kai, anna, case = scene
    url = await link_for(tenant, settings, anna.id, case.id)
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=anna.id).update(is_active=False)
    refused = await client_for(tenant.hostname).get(urlsplit(url).path)
    assert refused.status_code == 403 and "nicht aktiv" in html.unescape(refused.text)
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=anna.id).update(is_active=True)
    url = await link_for(tenant, settings, anna.id, case.id)
    with tenant_scope(tenant.tenant.id):
        await ContactResponsible.filter(contact_id=kai.id, user_id=anna.id).delete()
    refused = await client_for(tenant.hostname).get(urlsplit(url).path)
    assert refused.status_code == 403 and not _session_cookie(refused)
    assert await _sessions(tenant, anna.id) == 0


async def test_links_are_made_only_for_active_staff_who_see_the_contact(
    tenant, other_tenant, passwords, settings, scene
) -> None:
    kai, anna, case = scene
    ben = await staff_member(tenant, passwords, "ben", access_insurance="write")  # not Kai's
    with tenant_scope(tenant.tenant.id):
        kai_login = await User.get(contact_id=kai.id)
    stranger = await make_customer(other_tenant, passwords, email="olga@kunde.example")
    foreign_case = await open_case(other_tenant, stranger, by="beta-admin")
    for user_id in (ben.id, kai_login.id, 10**6):
        with pytest.raises(ValidationFailed) as refused:
            await link_for(tenant, settings, user_id, case.id)
        assert "user_id" in refused.value.errors
    for target in (foreign_case.id, 10**6):
        with pytest.raises(NotFound):
            await link_for(tenant, settings, anna.id, target)
    for ttl in (0, 601):
        with pytest.raises(ValidationFailed):
            await link_for(tenant, settings, anna.id, case.id, ttl=ttl)
    async with in_tenant(tenant):
        with pytest.raises(PermissionDenied):  # staff who are no admin ask through the API
            await jump_links.create_jump_link(
                await actor("anna"), settings=settings, user_id=anna.id, target_id=case.id
            )
    contact_url = await link_for(tenant, settings, anna.id, kai.id, target_type="contact")
    assert "/jump/" in contact_url
    with tenant_scope(tenant.tenant.id):
        assert await JumpLink.filter(user_id=anna.id).count() == 1


async def test_a_second_factor_is_asked_for_before_the_case_opens(
    tenant, settings, client_for, scene, clock: Clock
) -> None:
    _kai, anna, case = scene
    own = client_for(tenant.hostname)
    await own.log_in("anna")
    secret, _codes = await enrol_totp(own, clock, password=ADMIN_PASSWORD)
    clock.tick()
    url = await link_for(tenant, settings, anna.id, case.id)
    browser = client_for(tenant.hostname)
    opened = await browser.get(urlsplit(url).path)
    assert opened.status_code == 303 and opened.headers["location"] == "/login/second-factor"
    assert opened.headers["referrer-policy"] == "no-referrer"
    assert (await browser.get(f"/staff/cases/{case.id}")).status_code == 303  # not logged in yet
    assert await _sessions(tenant, anna.id) == 1  # only her own browser's
    done = await second_step(browser, clock.code(secret))
    assert done.status_code == 303 and done.headers["location"] == f"/staff/cases/{case.id}"
    assert (await browser.get(done.headers["location"])).status_code == 200
    assert (await client_for(tenant.hostname).get(urlsplit(url).path)).status_code == 410


async def test_a_due_second_factor_leads_to_its_set_up_as_after_a_login(
    tenant, settings, client_for, scene
) -> None:
    _kai, anna, case = scene
    await Tenant.filter(id=tenant.tenant.id).update(
        staff_2fa_required_at=datetime.now(UTC) - timedelta(days=30)
    )
    tenant_cache.invalidate()
    url = await link_for(tenant, settings, anna.id, case.id)
    browser = client_for(tenant.hostname)
    opened = await browser.get(urlsplit(url).path)
    assert opened.status_code == 303
    page = await browser.get(opened.headers["location"])
    assert page.status_code == 303 and page.headers["location"] == "/account/security"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    from tenant_app.security import totp

    made = Clock()
    monkeypatch.setattr(totp, "current_time", lambda: made.now)
    return made


async def test_old_links_are_cleaned_up_after_a_day(tenant, settings, scene) -> None:
    from tenant_app.jobs.housekeeping import purge_expired

    _kai, anna, case = scene
    await link_for(tenant, settings, anna.id, case.id)
    await link_for(tenant, settings, anna.id, case.id)
    with tenant_scope(tenant.tenant.id):
        old = await JumpLink.all().order_by("id").first()
        assert old is not None
        await JumpLink.filter(id=old.id).update(expires_at=datetime.now(UTC) - timedelta(days=2))
    await purge_expired(settings)
    with tenant_scope(tenant.tenant.id):
        assert await JumpLink.all().count() == 1 and not await JumpLink.filter(id=old.id).exists()
