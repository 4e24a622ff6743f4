"""The `tenant-app` command: serve, migrate, worker, tenant create, demo."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from tenant_app import db
from tenant_app.errors import ValidationFailed
from tenant_app.resources import PasswordService
from tenant_app.settings import ConfigError, Settings, load_settings


def _serve(settings: Settings, host: str, port: int, workers: int, reload: bool) -> None:
    import uvicorn

    uvicorn.run(
        "tenant_app.asgi:app",
        host=host,
        port=port,
        workers=workers if not reload else None,
        reload=reload,
        proxy_headers=True,
        server_header=False,
        log_config=None,
    )


async def _create_tenant(settings: Settings, args: argparse.Namespace) -> int:
    from tenant_app.services.tenants import create_tenant

    await db.apply_migrations(settings)
    await db.init_db(settings)
    try:
        created = await create_tenant(
            PasswordService(settings),
            slug=args.slug,
            name=args.name,
            base_domain=settings.base_domain,
            admin_email=args.admin_email,
            admin_first_name=args.admin_first_name,
            admin_last_name=args.admin_last_name,
        )
    except ValidationFailed as failed:
        for field, message in failed.errors.items():
            print(f"error: {field}: {message}", file=sys.stderr)
        return 2
    finally:
        await db.close_db()
    print(
        f"Tenant {created.tenant.slug!r} created: {_public_url(settings, created.hostname)}/login"
    )
    print(f"Admin login: {created.admin.username}  (e-mail {created.admin.email})")
    print(f"Initial password: {created.admin_password}  (shown once; please change it)")
    return 0


def _public_url(settings: Settings, hostname: str) -> str:
    default_port = {"http": 80, "https": 443}.get(settings.public_scheme)
    port = "" if settings.public_port in (0, default_port) else f":{settings.public_port}"
    return f"{settings.public_scheme}://{hostname}{port}"


async def _ensure_demo(settings: Settings) -> str:
    from tenant_app.services.demo import DEMO_SLUG, ensure_demo
    from tenant_app.services.tenants import hostname_for
    from tenant_app.storage import storage_for

    await db.apply_migrations(settings)
    await db.init_db(settings)
    try:
        created = await ensure_demo(
            PasswordService(settings), storage_for(settings), base_domain=settings.base_domain
        )
    finally:
        await db.close_db()
    print("Demo tenant created." if created else "Demo tenant exists already (left as it is).")
    return hostname_for(DEMO_SLUG, settings.base_domain)


async def _run_worker(settings: Settings) -> None:
    from tenant_app.logs import configure_logging
    from tenant_app.mail.worker import MailWorker

    configure_logging(settings.log_level)
    await db.apply_migrations(settings)
    await db.init_db(settings)
    try:
        await MailWorker(settings).run_forever()
    finally:
        await db.close_db()


def _print_demo_logins() -> None:
    from tenant_app.services import demo

    print(f"  Admin:            {demo.ADMIN[0]} / {demo.ADMIN[1]}")
    print(f"  Staff (all):      mia / {demo.STAFF_PASSWORD}")
    print(f"  Staff (read):     paul / {demo.STAFF_PASSWORD}")
    for person in demo.CUSTOMERS:
        print(f"  Customer:         {person.username} / {demo.CUSTOMER_PASSWORD}  ({person.story})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tenant-app", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web app with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--reload", action="store_true")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("worker", help="run only the mail outbox worker (the web app runs one too)")
    tenant = sub.add_parser("tenant", help="manage tenants").add_subparsers(
        dest="action", required=True
    )
    create = tenant.add_parser("create", help="create a tenant and its admin")
    create.add_argument(
        "--slug", required=True, help="subdomain, e.g. mueller -> mueller.BASE_DOMAIN"
    )
    create.add_argument("--name", required=True, help="the firm's name")
    create.add_argument("--admin-email", required=True)
    create.add_argument("--admin-first-name", default="Admin")
    create.add_argument("--admin-last-name", default="")
    demo = sub.add_parser("demo", help="create the demo tenant if absent and serve it")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="only create the demo data")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if args.command == "serve":
        asyncio.run(db.apply_migrations(settings))
        _serve(settings, args.host, args.port, args.workers, args.reload)
        return 0
    if args.command == "migrate":
        asyncio.run(db.apply_migrations(settings))
        print("Database is up to date.")
        return 0
    if args.command == "worker":
        asyncio.run(_run_worker(settings))
        return 0
    if args.command == "tenant":
        return asyncio.run(_create_tenant(settings, args))
    if args.command == "demo":
        hostname = asyncio.run(_ensure_demo(settings))
        print(f"Demo portal: http://{hostname}:{args.port}/login")
        _print_demo_logins()
        if settings.mail_backend == "file":
            print(f"Mails are written as .eml files to {settings.mail_dir}")
        if not args.no_serve:
            _serve(settings, "127.0.0.1", args.port, 1, False)
        return 0
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
