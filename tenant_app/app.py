"""Application assembly: routes, middleware, lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from tenant_app import db
from tenant_app.api import routing as api_routing
from tenant_app.demo.seed import DEMO_SLUG
from tenant_app.edge.context import RequestContextMiddleware
from tenant_app.edge.csrf import CsrfMiddleware
from tenant_app.edge.headers import SecurityHeadersMiddleware
from tenant_app.edge.limits import BodyLimitMiddleware
from tenant_app.edge.locale import LocaleMiddleware
from tenant_app.edge.metrics import MetricsMiddleware
from tenant_app.edge.session import SessionMiddleware
from tenant_app.edge.suspension import SuspensionMiddleware
from tenant_app.edge.tenant import TenantMiddleware
from tenant_app.files.storage import storage_for
from tenant_app.jobs.runner import CLEANUP_SECONDS, JobRunner
from tenant_app.live.broker import broker
from tenant_app.live.postgres import listen
from tenant_app.logs import configure_logging
from tenant_app.pages import route_index
from tenant_app.security.passwords import PasswordService
from tenant_app.services import (
    custom_domains,
    data_requests,
    domain_check,
    idempotency,
    imports,
    imports_run,
    insurer_plugins,
    invitations_batch,
    leads_public,
    notification_mail,
    push_send,
    retention_purge,
    webhooks_delivery,
)
from tenant_app.services.notices import mail_failed
from tenant_app.services.tenants import hostname_for
from tenant_app.services.trust import open_due_everywhere
from tenant_app.services.upload_checks import MAX_UPLOADS
from tenant_app.settings import Settings, load_settings
from tenant_app.templating import STATIC_DIR, compile_all_templates, use_links
from tenant_app.tenancy import tenant_cache
from tenant_app.web import routing
from tenant_app.web.dispatch import IndexedRouter
from tenant_app.web.errors import exception_handlers
from tenant_app.web.guards import LoginRequired, login_required

# Run by the background loop with its clean-ups: waiting periods of trusted persons that have
# passed open (and mail) even if nobody looks; notifications left unread are mailed.
PERIODIC_USE_CASES = (
    ("trusted persons", open_due_everywhere, CLEANUP_SECONDS),
    ("unread notifications", notification_mail.send_due, notification_mail.EVERY),
    ("web push", push_send.send_due, push_send.EVERY),
    ("csv imports", imports_run.worker.run_due, imports_run.EVERY),  # each beside the loop
    ("invitations", invitations_batch.worker.run_due, invitations_batch.EVERY),  # likewise
    ("csv import retention", imports.forget_old, CLEANUP_SECONDS),
    ("unconfirmed prospects", leads_public.forget_unconfirmed, CLEANUP_SECONDS),
    ("webhooks", webhooks_delivery.send_due, webhooks_delivery.EVERY),
    ("webhook log retention", webhooks_delivery.purge_old, CLEANUP_SECONDS),
    ("idempotency keys", idempotency.expire_old, CLEANUP_SECONDS),
    ("retention periods ended", retention_purge.purge_due, retention_purge.EVERY),
    ("data-request copies", data_requests.forget_expired_exports, CLEANUP_SECONDS),
    ("own domains pending", custom_domains.check_pending, custom_domains.EVERY),
)


class CachedStatic(StaticFiles):
    """Static files carry a version in their URL, so browsers may keep them for a year."""

    async def get_response(self, path: str, scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response


def settle_heap() -> None:
    """Compile the templates, then move everything start-up built out of the collector's sight.

    Otherwise every full collection walks those long-lived objects again, which showed as
    15-56 ms pauses every few hundred requests; young garbage is still collected as before.
    """
    compile_all_templates()
    gc.collect()
    gc.freeze()


def build_app(
    settings: Settings | None = None, *, manage_db: bool = True, run_worker: bool | None = None
) -> Starlette:
    settings = (settings or load_settings()).check()
    run_worker = manage_db and settings.run_worker if run_worker is None else run_worker
    configure_logging(settings.log_level)
    domain_check.check_token.allow_private = settings.allows_private_webhooks  # SSRF rule

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if manage_db:
            await db.init_db(settings)
        settle_heap()
        runner = JobRunner(settings, on_mail_failed=mail_failed, periodic=PERIODIC_USE_CASES)
        worker = asyncio.create_task(runner.run_forever()) if run_worker else None
        listener = (
            asyncio.create_task(listen(settings.database_url, broker))
            if manage_db and db.is_postgres(settings.database_url)
            else None
        )
        try:
            yield
        finally:
            for task in (worker, listener):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            await imports_run.worker.stop()  # a running import waits for the next process
            await invitations_batch.worker.stop()  # so does a batch of invitations
            await tenant_cache.reloaded()
            if manage_db:
                await db.close_db()

    routes = [
        *api_routing.routes(),
        *routing.routes(),
        Mount("/static", app=CachedStatic(directory=str(STATIC_DIR)), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeadersMiddleware, settings=settings),
        Middleware(MetricsMiddleware, settings=settings),  # sees the final status, even a 500
        Middleware(RequestContextMiddleware, settings=settings),
        Middleware(BodyLimitMiddleware, settings=settings),
        Middleware(
            TenantMiddleware,
            settings=settings,
            demo_host=hostname_for(DEMO_SLUG, settings.base_domain),
        ),
        Middleware(SessionMiddleware, settings=settings),
        Middleware(LocaleMiddleware, settings=settings),
        Middleware(SuspensionMiddleware, settings=settings),  # a suspended tenant: its notice
        Middleware(CsrfMiddleware, settings=settings),
    ]
    handlers = {**exception_handlers, LoginRequired: login_required}
    app = Starlette(middleware=middleware, exception_handlers=handlers)
    app.router = IndexedRouter(routes, lifespan=lifespan)  # what Starlette makes, but indexed
    use_links(route_index(app).path)
    app.state.settings = settings
    insurer_plugins.offer_reference(settings.is_development)
    app.state.upload_limits = {  # what the file pickers check before sending
        "files": MAX_UPLOADS,
        "file_bytes": settings.max_upload_bytes,
        "total_bytes": settings.max_body_bytes,
    }
    app.state.passwords = PasswordService(settings)
    app.state.storage = storage_for(settings)
    return app
