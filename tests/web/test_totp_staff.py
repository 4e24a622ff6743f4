"""What staff decide about second factors: the admin requires one for all staff (a grace
period with a banner, then only the security page), and a customer who lost theirs gets it
reset only through the link-and-PIN flow of a forgotten password."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from tenant_app.models.accounts import AccountLink, Session, User
from tenant_app.models.factors import RecoveryCode, TotpFactor
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.tenancy import tenant_cache
from tenant_app.text.formatting import DISPLAY_TZ
from tests.conftest import ADMIN_PASSWORD, CUSTOMER_PASSWORD, link_in, make_customer, text_of
from tests.web.test_tickets import make_staff
from tests.web.test_totp import SECOND_STEP, SECURITY, enrol_totp, password_step, second_step

SETTINGS = "/staff/settings"
REQUIRE = "/staff/settings/second-factor/require"
NEW_PASSWORD = "Wolkenschiff-Tanne-9"
KAI_PIN = "02011990"  # make_customer's birthdate


async def _kai_with_birthdate(tenant, passwords):
    """Kai as staff set him up: his account carries his birthdate, the links' PIN."""
    contact = await make_customer(tenant, passwords, communication=True)
    with tenant_scope(tenant.tenant.id):
        await User.filter(contact_id=contact.id).update(birthdate=date(1990, 1, 2))
    return contact


async def _admin(tenant, client_for):
    admin = client_for(tenant.hostname)
    await admin.log_in("alpha-admin")
    return admin


async def _deadline_passed(tenant) -> None:
    """The grace period ended (as if its days had gone by)."""
    past = datetime.now(UTC) - timedelta(days=15)
    await Tenant.filter(id=tenant.tenant.id).update(staff_2fa_required_at=past)
    tenant_cache.invalidate()


async def test_the_admin_requires_a_second_factor_with_a_grace_period(
    tenant, passwords, client_for
) -> None:
    await make_staff(tenant, passwords, "anna", "Anna", handles_tickets=True)
    admin = await _admin(tenant, client_for)
    page = await admin.get(SETTINGS)
    assert 'id="staff-second-factor"' in page.text and 'value="14"' in page.text
    for wrong in ("91", "abc", "", "-1"):
        refused = await admin.submit(REQUIRE, {"grace_days": wrong}, form_page=SETTINGS)
        assert refused.status_code == 422
        assert 'id="f-grace_days-error">Bitte geben Sie eine Zahl von 0 bis 90 Tagen ein.' in (
            refused.text
        )
        assert f'value="{wrong}"' in refused.text  # the input as typed
    saved = await admin.submit(REQUIRE, {"grace_days": "10"}, form_page=SETTINGS)
    assert saved.status_code == 303
    page = await admin.get(saved.headers["location"])
    assert 'id="staff-factor-saved"' in page.text and "Verpflichtend seit" in page.text
    anna = client_for(tenant.hostname)
    await anna.log_in("anna")
    home = await anna.get("/staff")
    assert home.status_code == 200 and 'id="staff-factor-banner"' in home.text
    deadline = (datetime.now(UTC) + timedelta(days=10)).astimezone(DISPLAY_TZ).strftime("%d.%m.%Y")
    assert deadline in home.text and 'href="/account/security"' in home.text
    # Changing the grace period keeps the start; lifting it ends banner and requirement.
    with tenant_scope(tenant.tenant.id):
        since = (await Tenant.get(id=tenant.tenant.id)).staff_2fa_required_at
    await admin.submit(REQUIRE, {"grace_days": "30"}, form_page=SETTINGS)
    stored = await Tenant.get(id=tenant.tenant.id)
    assert stored.staff_2fa_required_at == since and stored.staff_2fa_grace_days == 30
    lifted = await admin.submit(f"{SETTINGS}/second-factor/lift", form_page=SETTINGS)
    assert lifted.status_code == 303
    assert 'id="staff-factor-banner"' not in (await anna.get("/staff")).text


async def test_only_who_manages_settings_sets_the_requirement(
    tenant, passwords, client_for
) -> None:
    await make_staff(tenant, passwords, "anna", "Anna", handles_tickets=True)
    anna = client_for(tenant.hostname)
    await anna.log_in("anna")
    token = await anna.csrf("/staff")
    origin = {"Origin": f"http://{tenant.hostname}"}
    for path in (REQUIRE, f"{SETTINGS}/second-factor/lift"):
        answer = await anna.post(
            path, data={"csrf_token": token, "grace_days": "0"}, headers=origin
        )
        assert answer.status_code == 403
    assert (await Tenant.get(id=tenant.tenant.id)).staff_2fa_required_at is None


async def test_after_the_deadline_staff_reach_only_the_set_up(
    tenant, passwords, client_for
) -> None:
    await make_staff(tenant, passwords, "anna", "Anna", handles_tickets=True)
    await make_customer(tenant, passwords, communication=True)
    admin = await _admin(tenant, client_for)
    await admin.submit(REQUIRE, {"grace_days": "14"}, form_page=SETTINGS)
    await _deadline_passed(tenant)
    anna = client_for(tenant.hostname)
    await anna.log_in("anna")
    for path in ("/staff", "/staff/contacts", "/staff/tickets", "/staff/settings"):
        answer = await anna.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == SECURITY
    fragment = await anna.get("/staff/contacts", headers={"HX-Request": "true"})
    assert fragment.headers["HX-Redirect"] == SECURITY  # the whole page, not a fragment
    page = await anna.get(SECURITY)
    assert page.status_code == 200 and 'id="staff-factor-banner"' in page.text
    assert "alert--danger" in page.text.split('id="staff-factor-banner"')[0][-200:]
    assert "/staff/badge" not in page.text  # nothing on the page polls what it cannot reach
    assert 'href="/staff/contacts"' not in page.text
    await enrol_totp(anna, password=ADMIN_PASSWORD)
    assert (await anna.get("/staff")).status_code == 200
    assert 'id="staff-factor-banner"' not in (await anna.get("/staff")).text
    # Customers choose for themselves: no requirement, no banner.
    kai = client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    portal = await kai.get("/portal")
    assert portal.status_code == 200 and 'id="staff-factor-banner"' not in portal.text
    # Logging out stays possible for one who has not set it up.
    admin_page = await admin.get(SECURITY)
    assert 'id="staff-factor-banner"' in admin_page.text
    assert (await admin.submit("/logout", form_page=SECURITY)).status_code == 303


async def test_while_required_the_last_factor_cannot_be_removed(
    tenant, passwords, client_for
) -> None:
    admin = await _admin(tenant, client_for)
    _secret, codes = await enrol_totp(admin, password=ADMIN_PASSWORD)
    await admin.submit(REQUIRE, {"grace_days": "0"}, form_page=SETTINGS)
    answer = await admin.submit(
        f"{SECURITY}/totp/disable",
        {"disable_password": "correct horse battery", "disable_code": codes[0]},
        form_page=SECURITY,
    )
    assert answer.status_code == 422 and "Ihre Firma verlangt" in answer.text
    with tenant_scope(tenant.tenant.id):
        assert await TotpFactor.filter(user_id=tenant.admin.id).exists()
        assert await RecoveryCode.filter(used_at=None).count() == 10  # no code spent


async def test_staff_reset_a_customers_factor_only_by_link_and_pin(
    tenant, passwords, client_for, deliver
) -> None:
    contact = await _kai_with_birthdate(tenant, passwords)
    kai = client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    await enrol_totp(kai)
    admin = await _admin(tenant, client_for)
    page = f"/staff/contacts/{contact.id}"
    detail = await admin.get(page)
    assert 'id="factor-reset"' in detail.text and "Zweiten Faktor zurücksetzen" in detail.text
    sent = await admin.submit(f"{page}/second-factor/reset", form_page=page)
    assert sent.status_code == 303
    assert 'id="factor-reset-sent"' in (await admin.get(sent.headers["location"])).text
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(username="kai")).has_second_factor  # nothing happens before
    [mail] = [m for m in await deliver() if "zweiter Faktor" in str(m["Subject"])]
    assert mail["To"] == "kai@kunde.example"
    link = urlsplit(link_in(mail)).path
    visitor = client_for(tenant.hostname)
    wrong_pin = {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "01011990"}
    assert (await visitor.submit(link, wrong_pin)).status_code == 422
    with tenant_scope(tenant.tenant.id):
        assert await TotpFactor.exists()  # a wrong PIN changes nothing
    done = await visitor.submit(link, {**wrong_pin, "pin": KAI_PIN})
    assert done.status_code == 200
    with tenant_scope(tenant.tenant.id):
        user = await User.get(username="kai")
        assert not user.has_second_factor
        assert not await TotpFactor.filter(user_id=user.id).exists()
        assert not await RecoveryCode.filter(user_id=user.id).exists()
        assert not await Session.filter(user_id=user.id).exists()  # logged out everywhere
    assert (await kai.get("/portal")).status_code == 303
    answer = await password_step(visitor, "kai", NEW_PASSWORD)
    assert answer.headers["location"] == "/portal"  # no second factor asked
    assert 'id="factor-reset"' not in (await admin.get(page)).text  # nothing left to reset


async def test_a_forgotten_password_link_keeps_the_factor(
    tenant, passwords, client_for, deliver
) -> None:
    await _kai_with_birthdate(tenant, passwords)
    kai = client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    _secret, codes = await enrol_totp(kai)
    visitor = client_for(tenant.hostname)
    asked = await visitor.submit("/passwort-vergessen", {"identifier": "kai"})
    assert asked.status_code == 200
    [mail] = [m for m in await deliver() if "/passwort/" in text_of(m)]
    link = urlsplit(link_in(mail)).path
    new = {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": KAI_PIN}
    assert (await visitor.submit(link, new)).status_code == 200
    answer = await password_step(visitor, "kai", NEW_PASSWORD)
    assert answer.headers["location"] == SECOND_STEP  # the login still asks for the factor
    assert (await second_step(visitor, codes[0])).status_code == 303
    with tenant_scope(tenant.tenant.id):
        assert not await AccountLink.filter(clears_factors=True).exists()


async def test_the_reset_is_for_staff_who_manage_contacts_and_see_the_contact(
    tenant, other_tenant, passwords, client_for
) -> None:
    contact = await _kai_with_birthdate(tenant, passwords)
    other = await make_customer(other_tenant, passwords, email="ola@kunde.example")
    kai = client_for(tenant.hostname)
    await kai.log_in("kai", CUSTOMER_PASSWORD)
    await enrol_totp(kai)
    await make_staff(tenant, passwords, "anna", "Anna", sees_all_contacts=True)
    anna = client_for(tenant.hostname)
    await anna.log_in("anna")
    page = f"/staff/contacts/{contact.id}"
    assert 'id="factor-reset"' not in (await anna.get(page)).text
    refused = await anna.submit(f"{page}/second-factor/reset", form_page=page)
    assert refused.status_code == 403
    admin = await _admin(tenant, client_for)
    elsewhere = f"/staff/contacts/{other.id}/second-factor/reset"
    assert (await admin.submit(elsewhere, form_page=page)).status_code == 404
    with tenant_scope(tenant.tenant.id):
        assert not await AccountLink.exists()
    # A customer without a second factor has nothing to reset.
    lea = await make_customer(tenant, passwords, email="lea@kunde.example", first_name="Lea")
    lea_page = f"/staff/contacts/{lea.id}"
    assert 'id="factor-reset"' not in (await admin.get(lea_page)).text
    answer = await admin.submit(f"{lea_page}/second-factor/reset", form_page=lea_page)
    assert answer.status_code == 303 and "factor_error" in answer.headers["location"]


async def test_the_user_list_shows_who_has_a_second_factor(tenant, passwords, client_for) -> None:
    anna = await make_staff(tenant, passwords, "anna", "Anna", handles_tickets=True)
    bert = await make_staff(tenant, passwords, "bert", "Bert", handles_tickets=True)
    with tenant_scope(tenant.tenant.id):
        await User.filter(id=anna.id).update(has_second_factor=True)
    admin = await _admin(tenant, client_for)

    def cell(page: str, user_id: int) -> str:
        return page.split(f'id="second-factor-{user_id}">')[1].split("</td>")[0]

    listing = (await admin.get("/staff/users")).text
    assert "Eingerichtet" in cell(listing, anna.id)
    assert "Nicht eingerichtet" in cell(listing, bert.id)
    await admin.submit(REQUIRE, {"grace_days": "10"}, form_page=SETTINGS)
    listing = (await admin.get("/staff/users")).text
    assert "Fehlt" in cell(listing, bert.id) and "Eingerichtet" in cell(listing, anna.id)


async def test_a_view_as_customer_ends_when_the_second_factor_falls_due(
    tenant, passwords, client_for
) -> None:
    """Staff who opened a customer's portal during the grace period do not keep browsing it
    once the deadline passed: the view ends and the portal leads to the set-up."""
    contact = await make_customer(tenant, passwords, communication=True)
    admin = await _admin(tenant, client_for)
    await admin.submit(REQUIRE, {"grace_days": "14"}, form_page=SETTINGS)
    viewed = await admin.submit(f"/staff/contacts/{contact.id}/view-as", form_page="/staff")
    assert viewed.status_code == 303 and (await admin.get("/portal")).status_code == 200
    await _deadline_passed(tenant)
    for path in ("/portal", "/portal/tickets", "/portal/profile"):
        answer = await admin.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == SECURITY, path
    await enrol_totp(admin, password=ADMIN_PASSWORD)
    assert (await admin.get("/staff")).status_code == 200
    assert (await admin.get("/portal")).status_code == 403  # the view is over, not resumed


async def test_a_colleague_who_lost_the_factor_gets_it_reset_by_link_and_pin(
    tenant, passwords, client_for, deliver
) -> None:
    """Staff have no broker to call: who manages users sends the same link as for a
    customer; only the colleague, with their PIN and a new password, removes the factor."""
    anna = await make_staff(tenant, passwords, "anna", "Anna", birthdate=date(1985, 6, 7))
    plain = await make_staff(tenant, passwords, "otto", "Otto", handles_tickets=True)
    colleague = client_for(tenant.hostname)
    await colleague.log_in("anna")
    await enrol_totp(colleague, password=ADMIN_PASSWORD)
    page = f"/staff/users/{anna.id}"
    otto = client_for(tenant.hostname)
    await otto.log_in("otto")
    refused = await otto.submit(f"{page}/second-factor/reset", form_page="/staff")
    assert refused.status_code in (403, 404)  # no right to manage users
    admin = await _admin(tenant, client_for)
    detail = await admin.get(page)
    assert 'id="factor-reset"' in detail.text
    assert 'id="factor-reset"' not in (await admin.get(f"/staff/users/{plain.id}")).text
    sent = await admin.submit(f"{page}/second-factor/reset", form_page=page)
    assert sent.status_code == 303 and "factor_reset_sent" in sent.headers["location"]
    [mail] = [
        m for m in await deliver() if m["To"] == "anna@alpha.example" and "/passwort/" in text_of(m)
    ]
    with tenant_scope(tenant.tenant.id):
        assert (await User.get(id=anna.id)).has_second_factor  # nothing before the link is used
    visitor = client_for(tenant.hostname)
    done = await visitor.submit(
        urlsplit(link_in(mail)).path,
        {"password": NEW_PASSWORD, "password2": NEW_PASSWORD, "pin": "07061985"},
    )
    assert done.status_code == 200
    with tenant_scope(tenant.tenant.id):
        assert not (await User.get(id=anna.id)).has_second_factor
        assert not await TotpFactor.filter(user_id=anna.id).exists()
    answer = await password_step(visitor, "anna", NEW_PASSWORD)
    assert answer.headers["location"] == "/staff"  # straight in: no factor left
