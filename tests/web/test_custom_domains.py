"""A tenant admin's own domain: added, answered only with its token until verified by the
HTTP token (the app serves its own token to the check, over a real socket), then the portal;
the primary domain in mails; removal; the job; the load balancer's TLS question."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest
from markupsafe import escape

from tenant_app.models.accounts import User
from tenant_app.models.folders import AuditEntry
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant, TenantHost
from tenant_app.services import custom_domains, domain_check
from tenant_app.text import i18n
from tests.conftest import ADMIN_PASSWORD, link_in
from tests.live import live_server

PAGE = "/staff/settings/domains"
DOMAIN = "portal.makler-mueller.test"


def de(message: str, **variables: Any) -> str:
    """A message as the (German) page shows it, HTML-escaped as in the page."""
    with i18n.using("de"):
        text = i18n.gettext(message, **variables)
    return str(escape(text))


@pytest.fixture
async def admin(client: Any, tenant: Any) -> Any:
    await client.log_in("alpha-admin")
    return client


async def add(admin: Any, hostname: str) -> Any:
    return await admin.submit(PAGE, {"hostname": hostname})


async def host(hostname: str) -> TenantHost:
    return await TenantHost.get(hostname=hostname)


async def test_an_admin_adds_a_domain_and_reads_what_to_set(admin: Any) -> None:
    answer = await add(admin, "  Portal.Makler-Mueller.TEST. ")
    assert answer.status_code == 303
    stored = await host(DOMAIN)
    assert stored.is_custom and not stored.is_verified and not stored.is_primary
    page = await admin.get(answer.headers["location"])
    assert 'id="domain-added"' in page.text
    assert DOMAIN in page.text and "portal.localhost" in page.text  # the CNAME target
    assert stored.verification_token in page.text
    assert f"http://{DOMAIN}/.well-known/tenant-app-verification/" in page.text
    assert f'id="domain-{stored.id}-pending"' in page.text
    assert de("Not checked yet.") in page.text
    with tenant_scope(stored.tenant_id):
        assert await AuditEntry.filter(action="custom_domain_added", subject_id=stored.id).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("makler", "not a domain"),
        ("https://portal.makler.test/", "not a domain"),
        ("alpha.localhost", "platform"),
        ("portal.localhost", "platform"),
        ("platform.localhost", "platform"),
        ("bad_name.test", "not a domain"),
        ("169.254.169.254", "not a domain"),  # an address, not a domain
    ],
)
async def test_a_bad_domain_is_refused_next_to_the_field(
    admin: Any, typed: str, message: str
) -> None:
    messages = {
        "not a domain": "Please enter a domain such as portal.your-firm.de (without https://).",
        "platform": "This address belongs to the platform. Please enter a domain of your own.",
    }
    answer = await add(admin, typed)
    assert answer.status_code == 422
    assert 'id="f-hostname-error"' in answer.text and de(messages[message]) in answer.text
    assert not await TenantHost.filter(is_custom=True).exists()


async def test_a_domain_of_another_tenant_is_in_use_without_saying_whose(
    admin: Any, other_tenant: Any, client_for: Any
) -> None:
    other = client_for(other_tenant.hostname)
    await other.log_in("beta-admin")
    assert (await add(other, DOMAIN)).status_code == 303
    answer = await add(admin, DOMAIN)
    assert answer.status_code == 422
    assert de("This domain is already in use.") in answer.text and "Beta" not in answer.text
    assert (await host(DOMAIN)).tenant_id == other_tenant.tenant.id


async def test_at_most_five_own_domains(admin: Any) -> None:
    for number in range(custom_domains.MAX_DOMAINS):
        assert (await add(admin, f"p{number}.makler.test")).status_code == 303
    answer = await add(admin, "p9.makler.test")
    limit = de("At most %(count)s own domains. Remove one first.", count=5)
    assert answer.status_code == 422 and limit in answer.text


async def test_only_administrators_reach_the_page(
    client: Any, client_for: Any, tenant: Any, passwords: Any
) -> None:
    with tenant_scope(tenant.tenant.id):
        await User.create(
            kind="staff",
            role="mitarbeiter",
            username="sina",
            email="sina@alpha.example",
            first_name="Sina",
            last_name="Staff",
            password_hash=await passwords.hash(ADMIN_PASSWORD),
            manages_settings=True,
        )
    staff = client_for(tenant.hostname)
    await staff.log_in("sina")
    assert (await staff.get(PAGE)).status_code == 403
    answer = await staff.submit(PAGE, {"hostname": DOMAIN}, form_page="/staff")
    assert answer.status_code == 403
    assert not await TenantHost.filter(hostname=DOMAIN).exists()


async def test_another_tenants_domain_cannot_be_touched(
    admin: Any, other_tenant: Any, client_for: Any
) -> None:
    other = client_for(other_tenant.hostname)
    await other.log_in("beta-admin")
    await add(other, DOMAIN)
    theirs = await host(DOMAIN)
    for action in ("check", "primary", "remove"):
        answer = await admin.submit(f"{PAGE}/{theirs.id}/{action}", form_page=PAGE)
        assert answer.status_code == 404
    assert await TenantHost.exists(hostname=DOMAIN)


async def test_an_unverified_domain_answers_only_its_token(
    admin: Any, client_for: Any, tenant: Any
) -> None:
    await add(admin, DOMAIN)
    token = (await host(DOMAIN)).verification_token
    visitor = client_for(DOMAIN)
    for path in ("/login", "/", "/staff", "/impressum", "/brand.css", "/passwort-vergessen"):
        answer = await visitor.get(path)
        assert answer.status_code == 404, path
        assert "Alpha" not in answer.text
    assert (await visitor.post("/login", data={"identifier": "x"})).status_code == 404
    answer = await visitor.get(f"/.well-known/tenant-app-verification/{token}")
    assert answer.status_code == 200 and answer.text == token
    assert answer.headers["content-type"].startswith("text/plain")
    wrong = await visitor.get("/.well-known/tenant-app-verification/not-the-token")
    assert wrong.status_code == 404 and token not in wrong.text
    # The platform's own host has no token to hand out.
    plain = await client_for(tenant.hostname).get(f"/.well-known/tenant-app-verification/{token}")
    assert plain.status_code == 404


async def test_the_http_token_verifies_the_domain_which_then_serves_the_portal(
    admin: Any, client_for: Any, settings: Any, tmp_path: Any, monkeypatch: Any, deliver: Any
) -> None:
    await add(admin, DOMAIN)
    stored = await host(DOMAIN)
    with live_server(settings, tmp_path) as server:
        # DNS would lead the check to us: here it connects to the app's own socket.
        monkeypatch.setattr(domain_check.check_token, "connect_to", f"127.0.0.1:{server.port}")
        answer = await admin.submit(f"{PAGE}/{stored.id}/check", form_page=PAGE)
    assert answer.status_code == 303
    page = await admin.get(answer.headers["location"])
    assert 'id="domain-verified"' in page.text
    stored = await host(DOMAIN)
    assert stored.is_verified and stored.check_error == "" and stored.checked_at is not None
    login = await client_for(DOMAIN).get("/login")
    assert login.status_code == 200 and "Alpha Versicherungsmakler" in login.text

    # Primary: the password mail's link leads to the own domain.
    answer = await admin.submit(f"{PAGE}/{stored.id}/primary", form_page=PAGE)
    assert answer.status_code == 303 and (await host(DOMAIN)).is_primary
    with tenant_scope(stored.tenant_id):  # a reset link needs a birthdate (the PIN's)
        await User.filter(username="alpha-admin").update(birthdate=date(1980, 1, 2))
    await client_for(DOMAIN).submit("/passwort-vergessen", {"identifier": "alpha-admin"})
    mails = [m for m in await deliver() if m["To"] == "chef@alpha.example"]
    assert urlsplit(link_in(mails[-1])).hostname == DOMAIN
    with tenant_scope(stored.tenant_id):
        actions = set(await AuditEntry.all().values_list("action", flat=True))
    assert {"custom_domain_added", "custom_domain_verified", "custom_domain_primary"} <= actions

    # Removed: the platform's address is primary again, the domain leads nowhere.
    answer = await admin.submit(f"{PAGE}/{stored.id}/remove", form_page=PAGE)
    assert answer.status_code == 303
    assert not await TenantHost.exists(hostname=DOMAIN)
    assert (await TenantHost.get(hostname="alpha.localhost")).is_primary
    assert (await client_for(DOMAIN).get("/login")).status_code == 404


class _Answer(BaseHTTPRequestHandler):
    body = b"someone-elses-token"

    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def other_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


async def test_a_wrong_token_or_no_answer_leaves_a_reason(
    admin: Any, other_server: str, monkeypatch: Any
) -> None:
    await add(admin, DOMAIN)
    stored = await host(DOMAIN)
    monkeypatch.setattr(domain_check.check_token, "connect_to", other_server)
    answer = await admin.submit(f"{PAGE}/{stored.id}/check", form_page=PAGE)
    page = await admin.get(answer.headers["location"])
    assert 'id="domain-not-yet"' in page.text
    assert de(domain_check.WRONG_TOKEN) in page.text
    assert f'id="domain-{stored.id}-status"' in page.text
    assert not (await host(DOMAIN)).is_verified

    monkeypatch.setattr(domain_check.check_token, "connect_to", "127.0.0.1:9")  # nobody there
    await admin.submit(f"{PAGE}/{stored.id}/check", form_page=PAGE)
    assert (await host(DOMAIN)).check_error == domain_check.UNREACHABLE
    assert (
        await admin.get(f"/.well-known/tenant-app/tls-allowed?domain={DOMAIN}")
    ).status_code == 404


async def test_the_job_checks_pending_domains_for_a_week_then_stops(
    admin: Any, settings: Any
) -> None:
    await add(admin, "new.makler.test")
    await add(admin, "old.makler.test")
    await TenantHost.filter(hostname="old.makler.test").update(
        created_at=datetime.now(UTC) - timedelta(days=custom_domains.PENDING_DAYS + 1)
    )
    asked: list[str] = []

    async def answers(hostname: str, token: str) -> str:
        asked.append(hostname)
        return ""

    assert await custom_domains.check_pending(settings, check=answers) == 1
    assert asked == ["new.makler.test"] and (await host("new.makler.test")).is_verified
    assert await custom_domains.check_pending(settings, check=answers) == 0  # nothing left
    old = await host("old.makler.test")
    page = await admin.get(PAGE)
    assert f'id="domain-{old.id}-stopped"' in page.text  # waits for "Check now"
    assert f'id="domain-{old.id}-check"' in page.text


async def test_the_load_balancer_asks_which_hosts_may_have_a_certificate(
    admin: Any, client_for: Any, tenant: Any
) -> None:
    await add(admin, DOMAIN)
    asker = client_for("127.0.0.1:8000")  # Caddy calls us by whatever name it has for us

    async def allowed(domain: str) -> int:
        answer = await asker.get("/.well-known/tenant-app/tls-allowed", params={"domain": domain})
        return int(answer.status_code)

    assert await allowed("alpha.localhost") == 200
    assert await allowed("ALPHA.localhost") == 200
    assert await allowed(DOMAIN) == 404  # not verified yet
    assert await allowed("unknown.test") == 404
    assert await allowed("") == 404 and await allowed("a b") == 404
    await TenantHost.filter(hostname=DOMAIN).update(is_verified=True)
    assert await allowed(DOMAIN) == 200
    await Tenant.filter(id=tenant.tenant.id).update(is_active=False)
    assert await allowed(DOMAIN) == 404 and await allowed("alpha.localhost") == 404


def test_typed_domains_are_cleaned() -> None:
    assert custom_domains.clean_hostname(" Portal.Müller-Makler.DE. ") == (
        "portal.xn--mller-makler-dlb.de"
    )
    assert custom_domains.clean_hostname("host:443") == ""


async def test_a_domain_pointing_inwards_is_not_fetched_where_private_targets_are_refused() -> None:
    """In production a domain whose name resolves to an internal address is refused before
    any request goes out (no look into the platform's own network by its DNS record)."""
    check = domain_check.HttpTokenCheck(allow_private=False, timeout=1.0)
    assert await check("localhost", "a" * 32) == domain_check.PRIVATE
    assert await check("no-such-host.invalid", "a" * 32) == domain_check.UNREACHABLE
