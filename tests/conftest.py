"""Fixtures that read like a user's actions: tenants, staff, clients on a tenant's host.

The database is real: SQLite by default, PostgreSQL when DATABASE_URL points at one
(a throwaway database is created for the run and dropped at its end). The schema comes
from the committed migrations, exactly as in production.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from tortoise.contrib.test import truncate_all_models

from tenant_app import create_app, db
from tenant_app.models.scoping import tenant_scope
from tenant_app.resources import PasswordService
from tenant_app.services.tenants import NewTenant, create_tenant
from tenant_app.settings import Settings
from tenant_app.tenancy import tenant_cache

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


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp("run")
    url, _ = _database_url(tmp)
    return Settings(
        environment="test",
        database_url=url,
        base_domain="localhost",
        secret_key="test-secret-" + "x" * 40,
        storage_dir=tmp / "files",
        mail_dir=tmp / "mail",
        argon2_profile="fast",
    )


@pytest.fixture(scope="session", autouse=True)
async def database(settings: Settings) -> AsyncIterator[None]:
    url = settings.database_url
    admin_url = None
    if url.startswith("postgres"):
        admin_url = url.rsplit("/", 1)[0] + "/postgres"
        name = url.rsplit("/", 1)[1]
        conn = await asyncpg.connect(admin_url)
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
    await db.apply_migrations(settings)
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
    await truncate_all_models()
    tenant_cache.invalidate()


@pytest.fixture(scope="session")
def passwords(settings: Settings) -> PasswordService:
    return PasswordService(settings)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Any:
    return create_app(settings, manage_db=False)


async def make_tenant(passwords: PasswordService, slug: str, name: str) -> NewTenant:
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


@pytest.fixture
def as_tenant() -> Any:
    return tenant_scope


def tempdir() -> str:
    return tempfile.mkdtemp()
