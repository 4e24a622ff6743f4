"""A cluster: two app processes (uvicorn, each on its own port) and a separate worker process
(`tenant-app worker`) on the run's PostgreSQL database, one S3 server (SeaweedFS,
tests/s3_server.py) for the files and one SMTP server.

Started once per module. The app processes run the same `tenant_app.asgi:app` as production,
and with it the background loop (there is no setting to switch it off), so three workers
share the outbox and the other claims: the mail tests are the harder for it. Each test makes
its own tenant under a new host name, as a process caches what it knows of a host for
tenancy.CACHE_SECONDS: a host the run's clean-up emptied is never asked for again.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from tenant_app.security.passwords import PasswordService
from tenant_app.services.tenants import NewTenant
from tenant_app.settings import Settings
from tenant_app.tenancy import tenant_cache
from tests.cluster.processes import Browser, Worker, worker_process
from tests.conftest import SmtpServer, free_port, make_tenant
from tests.emptying import empty_all_tables
from tests.live import LiveServer, live_server, process_environment, server_problems
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, S3Server, s3_server  # noqa: F401

_numbers = itertools.count(1)


def needs_postgres() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip(
            "the cluster needs PostgreSQL (DATABASE_URL=postgres://…): its processes hear of"
            " each other's changes through LISTEN/NOTIFY, which SQLite does not have"
        )


@dataclass
class Cluster:
    apps: tuple[LiveServer, LiveServer]
    worker: Worker
    smtp: SmtpServer
    s3: S3Server
    settings: Settings
    env: dict[str, str]  # of every process; for one more worker
    tmp: Path

    def browser(self, app: int, host: str) -> Browser:
        return Browser(self.apps[app], host)

    def logs(self) -> str:
        return "\n".join([*(app.log for app in self.apps), self.worker.log])


@pytest.fixture(scope="module")
def cluster(
    settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
    s3_server: S3Server,  # noqa: F811 - the fixture imported above
) -> Iterator[Cluster]:
    needs_postgres()
    tmp = tmp_path_factory.mktemp("cluster")
    smtp = SmtpServer(free_port())
    smtp.start()
    shared = {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "MAIL_FROM": settings.mail_from,
        "LOG_LEVEL": "INFO",
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT": s3_server.endpoint,
        "S3_BUCKET": s3_server.bucket,
        "S3_ACCESS_KEY_ID": ACCESS_KEY,
        "S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "S3_REGION": REGION,
        "S3_PATH_STYLE": "1",
    }
    env = process_environment(settings, tmp, **shared)
    with ExitStack() as running:
        running.callback(smtp.stop)
        apps = (
            running.enter_context(live_server(settings, tmp, **shared)),
            running.enter_context(live_server(settings, tmp, **shared)),
        )
        worker = running.enter_context(worker_process(env, tmp / "worker.log"))
        made = Cluster(apps, worker, smtp, s3_server, settings, env, tmp)
        yield made
        problems = [line for app in apps for line in server_problems(app.log)]
        problems += server_problems(worker.log)
        assert not problems, made.logs()


@pytest.fixture
async def clean_database() -> AsyncIterator[None]:
    """Each test has a tenant of its own: the tables are emptied once, after the module,
    instead of after every test (tests/conftest.py's fixture of this name)."""
    yield


@pytest.fixture(scope="module", autouse=True)
async def clean_after_module(database: None) -> AsyncIterator[None]:
    yield
    await empty_all_tables()
    tenant_cache.invalidate()


@pytest.fixture
async def firm(cluster: Cluster, passwords: PasswordService) -> NewTenant:
    """A tenant of its own for the test (its admin: `<slug>-admin`, ADMIN_PASSWORD)."""
    slug = f"cluster{next(_numbers)}"
    return await make_tenant(passwords, slug, f"Cluster {slug} Makler GmbH")


@pytest.fixture
async def browsers(cluster: Cluster) -> AsyncIterator[list[Browser]]:
    """Browsers the test opens (`browsers.append(...)`), closed after it."""
    opened: list[Browser] = []
    yield opened
    for browser in opened:
        await browser.aclose()
