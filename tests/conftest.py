"""Fixtures that read like a user's actions: tenants, staff, clients on a tenant's host.

The database is real: SQLite by default, PostgreSQL when DATABASE_URL points at one
(a throwaway database is created for the run and dropped at its end). The schema comes
from the committed migrations, exactly as in production.
"""

from __future__ import annotations

import email
import logging
import os
import re
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiosmtpd.controller import Controller
from tortoise import Tortoise

from tenant_app import create_app, db
from tenant_app.fragments import fragment_cache
from tenant_app.jobs.outbox import MailWorker
from tenant_app.models.scoping import tenant_scope
from tenant_app.models.tenancy import Tenant
from tenant_app.security.passwords import PasswordService
from tenant_app.services import insurer_plugins
from tenant_app.services.tenants import NewTenant, create_tenant
from tenant_app.settings import Settings
from tenant_app.tenancy import tenant_cache
from tests.emptying import empty_all_tables
from tests.insurer_service import InsurerService
from tests.legal_profiles import complete_profile
from tests.migrated import MigratedDatabases, migrated  # noqa: F401 - a fixture for every module

# Every kept card that a test's page shows again is rendered afresh too and must be the same
# (fragments.StaleFragment otherwise), here and in the app processes the tests start.
os.environ["FRAGMENT_CACHE_CHECK"] = "1"
fragment_cache.check = True


@pytest.fixture(autouse=True)
def _no_stale_fragment() -> Iterator[None]:
    """A page may turn the check's error into an error page; the test fails all the same."""
    found = len(fragment_cache.stale)
    yield
    assert fragment_cache.stale[found:] == []


@pytest.fixture(autouse=True)
def _reference_insurer_as_before() -> Iterator[None]:
    """An app built in production mode stops offering the reference insurer in the whole
    process (app.py); the next test, whichever it is on its worker, finds it as before."""
    before = insurer_plugins.reference_choice()
    yield
    if insurer_plugins.reference_choice() != before:
        insurer_plugins.offer_reference(before)


ADMIN_PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _database_url(tmp: Path) -> tuple[str, str | None]:
    """The URL for this run and, for PostgreSQL, the server URL to drop it from."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        server = base.rsplit("/", 1)[0]
        name = f"tapp_test_{uuid.uuid4().hex[:10]}"
        return f"{server}/{name}", f"{server}/postgres"
    return f"sqlite://{tmp / 'test.sqlite3'}", None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def smtp_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def insurer_service() -> Iterator[InsurerService]:
    """The reference insurer (Radschutz) as a real HTTP server, started once per run."""
    service = InsurerService().start()
    yield service
    service.stop()


@pytest.fixture
def insurer(insurer_service: InsurerService) -> InsurerService:
    """The reference insurer with nothing remembered: no applications, requests or faults."""
    insurer_service.reset()
    return insurer_service


INSURER_TIMEOUT_SECONDS = 2  # the "slow" fault of the tests waits longer than this


@pytest.fixture(scope="session")
def settings(
    tmp_path_factory: pytest.TempPathFactory, smtp_port: int, insurer_service: InsurerService
) -> Settings:
    tmp = tmp_path_factory.mktemp("run")
    url, _ = _database_url(tmp)
    return Settings(
        mail_backend="smtp",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        mail_from="portal@makler.example",
        public_port=0,
        environment="test",
        database_url=url,
        base_domain="localhost",
        secret_key="test-secret-" + "x" * 40,
        storage_dir=tmp / "files",
        mail_dir=tmp / "mail",
        argon2_profile="fast",
        insurer_urls=f"radschutz={insurer_service.url}",
        insurer_timeout_seconds=INSURER_TIMEOUT_SECONDS,
    )


@pytest.fixture(scope="session")
def run_database(settings: Settings, migrated: MigratedDatabases) -> str:  # noqa: F811
    """The run's database, a copy of the schema migrated once per run (tests/migrated.py);
    made outside the tests' event loop, as `migrated` runs its own."""
    url = settings.database_url
    if url.startswith("postgres"):
        return migrated.postgres(url.rsplit("/", 1)[1])
    return migrated.sqlite(Path(url.removeprefix("sqlite://")))


@pytest.fixture(scope="session", autouse=True)
async def database(settings: Settings, run_database: str) -> AsyncIterator[None]:
    url = settings.database_url
    admin_url = url.rsplit("/", 1)[0] + "/postgres" if url.startswith("postgres") else None
    await db.init_db(settings)
    yield
    await db.close_db()
    if admin_url:
        conn = await asyncpg.connect(admin_url)
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
        await conn.close()


@pytest.fixture(autouse=True)
async def clean_database(database: None) -> AsyncIterator[None]:
    yield
    await empty_all_tables()
    tenant_cache.invalidate()


@pytest.fixture
async def pg_pool(settings: Settings) -> Any:
    """The app's PostgreSQL connection pool (tenant_app/db_pool.py); skips on SQLite."""
    if not settings.database_url.startswith("postgres"):
        pytest.skip("the pool is PostgreSQL's")
    client = Tortoise.get_connection("default")
    await client.execute_query("SELECT 1")  # the pool is made on first use
    return client._pool


@pytest.fixture(scope="session")
def passwords(settings: Settings) -> PasswordService:
    return PasswordService(settings)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Any:
    return create_app(settings, manage_db=False)


async def make_tenant(passwords: PasswordService, slug: str, name: str) -> NewTenant:
    made = await _create_tenant(passwords, slug, name)
    # A complete broker profile: the go-live check lets the tenant invite customers.
    await Tenant.filter(id=made.tenant.id).update(**complete_profile(broker_firm_name=name))
    return made


async def _create_tenant(passwords: PasswordService, slug: str, name: str) -> NewTenant:
    return await create_tenant(
        passwords,
        slug=slug,
        name=name,
        base_domain="localhost",
        admin_email=f"chef@{slug}.example",
        admin_first_name="Clara",
        admin_last_name="Chef",
        admin_username=f"{slug}-admin",
        admin_password=ADMIN_PASSWORD,
    )


@pytest.fixture
async def tenant(passwords: PasswordService) -> NewTenant:
    return await make_tenant(passwords, "alpha", "Alpha Versicherungsmakler GmbH")


@pytest.fixture
async def other_tenant(passwords: PasswordService) -> NewTenant:
    return await make_tenant(passwords, "beta", "Beta Finanz KG")


class Client(httpx.AsyncClient):
    """A browser-like client on one host: sends Origin and the page's CSRF token on posts."""

    def __init__(self, app: Any, host: str) -> None:
        super().__init__(
            transport=httpx.ASGITransport(app=app),
            base_url=f"http://{host}",
            follow_redirects=False,
        )
        self.host = host

    async def csrf(self, path: str = "/login") -> str:
        page = await self.get(path)
        match = CSRF_RE.search(page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1)

    async def submit(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        form_page: str | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """POST a form as a browser would after loading `form_page` (default: the same path)."""
        token = await self.csrf(form_page or path)
        payload = {"csrf_token": token, **(data or {})}
        headers = {"Origin": f"http://{self.host}", **kwargs.pop("headers", {})}
        return await self.post(path, data=payload, headers=headers, **kwargs)

    async def log_in(self, identifier: str, password: str = ADMIN_PASSWORD) -> httpx.Response:
        response = await self.submit("/login", {"identifier": identifier, "password": password})
        assert response.status_code == 303, response.text[:500]
        return response


@pytest.fixture
async def client_for(app: Any) -> AsyncIterator[Any]:
    clients: list[Client] = []

    def factory(host: str) -> Client:
        client = Client(app, host)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
def client(client_for: Any, tenant: NewTenant) -> Client:
    return client_for(tenant.hostname)


@dataclass
class QueryCounter:
    count: int = 0


class _CountingHandler(logging.Handler):
    def __init__(self, counter: QueryCounter) -> None:
        super().__init__(logging.DEBUG)
        self.counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(("Created connection", "Closed connection")):
            self.counter.count += 1


@contextmanager
def count_queries() -> Iterator[QueryCounter]:
    """Count the SQL statements the ORM sends while the block runs."""
    logger = logging.getLogger("tortoise.db_client")
    counter = QueryCounter()
    handler = _CountingHandler(counter)
    previous = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield counter
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


async def page_queries(client: Any, path: str) -> int:
    """How many SQL statements one GET of a page sends (which must answer 200)."""
    with count_queries() as counter:
        response = await client.get(path)
    assert response.status_code == 200
    return counter.count


@pytest.fixture
def as_tenant() -> Any:
    return tenant_scope


class Mailbox:
    """Collects what a real SMTP server (aiosmtpd, in its own thread) receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.mailbox = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        if self.controller is None:
            self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
            self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.mailbox.messages

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture(scope="session")
def smtp_server(smtp_port: int) -> Iterator[SmtpServer]:
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> Iterator[SmtpServer]:
    smtp_server.start()
    smtp_server.messages.clear()
    yield smtp_server
    smtp_server.start()


@pytest.fixture
def deliver(settings: Settings, smtp: SmtpServer) -> Any:
    """Run the outbox worker once, as the background worker would."""

    async def run(**kwargs: Any) -> list[EmailMessage]:
        await MailWorker(settings).run_once(**kwargs)
        return smtp.messages

    return run


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


LINK_RE = re.compile(r"https?://[^\s]+/passwort/[A-Za-z0-9_-]+")


def link_in(message: EmailMessage) -> str:
    match = LINK_RE.search(text_of(message))
    assert match, text_of(message)
    return match.group(0)


CUSTOMER_PASSWORD = "Kundenpasswort-1"


async def make_customer(
    tenant: NewTenant,
    passwords: PasswordService,
    *,
    email: str = "kai@kunde.example",
    first_name: str = "Kai",
    last_name: str = "Kunde",
    **access: bool,
) -> Any:
    """A registered customer (contact + account) with the given permission flags."""
    from datetime import date

    from tenant_app.models.accounts import User
    from tenant_app.models.contacts import Contact
    from tenant_app.models.folders import CustomerAccess

    with tenant_scope(tenant.tenant.id):
        contact = await Contact.create(
            first_name=first_name, last_name=last_name, email=email, birthdate=date(1990, 1, 2)
        )
        await User.create(
            kind="customer",
            role="kunde",
            username=email.split("@")[0],
            email=email,
            first_name=first_name,
            last_name=last_name,
            contact_id=contact.id,
            password_hash=await passwords.hash(CUSTOMER_PASSWORD),
        )
        await CustomerAccess.create(contact_id=contact.id, **access)
    return contact


async def actor_of(username: str) -> Any:
    """The staff member `username` as a use case sees them (call inside the tenant's scope)."""
    from tenant_app.actors import CurrentUser
    from tenant_app.models.accounts import User

    user = await User.get(username=username)
    return CurrentUser(
        id=user.id,
        kind=user.kind,
        role=user.role,
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        language=None,
        session_id="test",
        csrf_token="test",
    )
