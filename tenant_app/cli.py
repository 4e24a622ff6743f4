"""The `tenant-app` command: serve, migrate, worker, tenant create, platform init, backoffice
create and add-user, credentials new-key and rotate, demo."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from typing import IO, Any

import click

from tenant_app import cli_credentials, cli_storage, cli_tenant_move, db
from tenant_app.errors import ValidationFailed
from tenant_app.security.passwords import PasswordService
from tenant_app.settings import ConfigError, Settings, load_settings


def follow_served_port(settings: Settings, port: int) -> None:
    """In development, links in mails point at the port being served unless PUBLIC_PORT says
    otherwise. uvicorn imports the app by name (in its worker and reload processes too), so
    the choice reaches the app's settings through the environment."""
    if settings.is_development and not os.environ.get("PUBLIC_PORT", "").strip():
        os.environ["PUBLIC_PORT"] = str(port)


GRACEFUL_SHUTDOWN_SECONDS = 10
# Python's own event loop, not uvloop (uvicorn's default when installed): at saturation uvloop
# held some answers back while it took new requests, so that one login page in a hundred
# waited 400-600 ms where the median was 30 ms (64 connections on one process); asyncio
# serves them in turn (p99 35-60 ms) at the same throughput. The Dockerfile says the same.
EVENT_LOOP = "asyncio"


def _serve(settings: Settings, host: str, port: int, workers: int, reload: bool) -> None:
    import uvicorn

    follow_served_port(settings, port)
    uvicorn.run(
        "tenant_app.asgi:app",
        host=host,
        port=port,
        workers=workers if not reload else None,
        reload=reload,
        proxy_headers=True,
        server_header=False,
        loop=EVENT_LOOP,
        log_config=None,
        # Open live streams (the bell) would hold a shutdown or reload for minutes: they are
        # cut after this, and the pages connect again to the next process.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


async def _create_tenant(
    settings: Settings,
    *,
    slug: str,
    name: str,
    admin_email: str,
    admin_first_name: str,
    admin_last_name: str,
) -> int:
    from tenant_app.services.tenants import create_tenant
    from tenant_app.tenancy import public_url

    await db.apply_migrations(settings)
    await db.init_db(settings)
    try:
        created = await create_tenant(
            PasswordService(settings),
            slug=slug,
            name=name,
            base_domain=settings.base_domain,
            admin_email=admin_email,
            admin_first_name=admin_first_name,
            admin_last_name=admin_last_name,
        )
    except ValidationFailed as failed:
        for field, message in failed.errors.items():
            print(f"error: {field}: {message}", file=sys.stderr)
        return 2
    finally:
        await db.close_db()
    print(f"Tenant {created.tenant.slug!r} created: {public_url(settings, created.hostname)}/login")
    print(f"Admin login: {created.admin.username}  (e-mail {created.admin.email})")
    print(f"Initial password: {created.admin_password}  (one-time: changed at first login)")
    return 0


def _refused(failed: ValidationFailed) -> int:
    for field, message in failed.errors.items():
        print(f"error: {field}: {message}", file=sys.stderr)
    return 2


def _print_login(settings: Settings, hostname: str, made: Any) -> None:
    from tenant_app.tenancy import public_url

    print(f"Login page: {public_url(settings, hostname)}/login")
    print(f"Login: {made.user.username}  (e-mail {made.user.email})")
    print(f"Initial password: {made.password}  (one-time: changed at first login)")


async def _platform_init(settings: Settings, host: str, person: dict[str, str]) -> int:
    """The platform's space on its host (made once, kept in step) and an operator's login."""
    from tenant_app.services import platform

    await db.apply_migrations(settings)
    await db.init_db(settings)
    try:
        space = await platform.ensure_platform(host)
        made = await platform.create_login(
            PasswordService(settings),
            space,
            kind="operator",
            email=person["email"],
            first_name=person["first_name"],
            last_name=person["last_name"],
        )
    except ValidationFailed as failed:
        return _refused(failed)
    finally:
        await db.close_db()
    print(f"Platform space ready on {host}.")
    _print_login(settings, host, made)
    return 0


async def _backoffice_create(settings: Settings, days: int, **fields: str) -> int:
    from tenant_app.services import platform

    await db.apply_migrations(settings)
    await db.init_db(settings)
    try:
        made = await platform.create_backoffice(service_days={"*": days}, **fields)
    except ValidationFailed as failed:
        return _refused(failed)
    finally:
        await db.close_db()
    print(f"Backoffice {made.name!r} created (service promise: {days} working days).")
    return 0


async def _backoffice_add_user(settings: Settings, backoffice: str, person: dict[str, str]) -> int:
    from tenant_app.errors import NotFound
    from tenant_app.services import operator_pages, platform

    await db.apply_migrations(settings)
    await db.init_db(settings)
    try:
        space = await platform.platform_tenant()
        if space is None:
            print("error: no platform space yet: run `platform init` first", file=sys.stderr)
            return 2
        found = await operator_pages.backoffice_named(backoffice)
        made = await platform.create_login(
            PasswordService(settings),
            space,
            kind="backoffice",
            email=person["email"],
            first_name=person["first_name"],
            last_name=person["last_name"],
            backoffice=found,
        )
    except NotFound:
        print(f"error: backoffice: no backoffice named {backoffice!r}", file=sys.stderr)
        return 2
    except ValidationFailed as failed:
        return _refused(failed)
    finally:
        await db.close_db()
    _print_login(settings, settings.platform_hostname, made)
    return 0


async def _run_worker(settings: Settings) -> None:
    from tenant_app.app import PERIODIC_USE_CASES
    from tenant_app.jobs.runner import JobRunner
    from tenant_app.logs import configure_logging
    from tenant_app.services.notices import mail_failed

    configure_logging(settings.log_level)
    await db.apply_migrations(settings)
    await db.init_db(settings)
    try:
        runner = JobRunner(settings, on_mail_failed=mail_failed, periodic=PERIODIC_USE_CASES)
        await runner.run_forever()
    finally:
        await db.close_db()


class _ConfigFailed(click.ClickException):
    """The settings cannot be loaded: told like a usage error, with the same exit code 2."""

    exit_code = 2

    def show(self, file: IO[Any] | None = None) -> None:
        print(f"configuration error: {self.message}", file=file or sys.stderr)


def _settings() -> Settings:
    """Loaded by each command, after its arguments are parsed, so --help needs no config."""
    try:
        return load_settings()
    except ConfigError as exc:
        raise _ConfigFailed(str(exc)) from exc


@click.group(help=__doc__, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    pass


@cli.command("serve", help="run the web app with uvicorn")
@click.option("--host", default="127.0.0.1")
@click.option("--port", type=int, default=8000)
@click.option("--workers", type=int, default=1)
@click.option("--reload", is_flag=True)
def _serve_command(host: str, port: int, workers: int, reload: bool) -> int:
    settings = _settings()
    asyncio.run(db.apply_migrations(settings))
    _serve(settings, host, port, workers, reload)
    return 0


@cli.command("migrate", help="apply database migrations")
def _migrate_command() -> int:
    asyncio.run(db.apply_migrations(_settings()))
    print("Database is up to date.")
    return 0


@cli.command("worker", help="run only the mail outbox worker (the web app runs one too)")
def _worker_command() -> int:
    asyncio.run(_run_worker(_settings()))
    return 0


@cli.group("tenant", help="manage tenants")
def _tenant_group() -> None:
    pass


@_tenant_group.command("create", help="create a tenant and its admin")
@click.option("--slug", required=True, help="subdomain, e.g. mueller -> mueller.BASE_DOMAIN")
@click.option("--name", required=True, help="the firm's name")
@click.option("--admin-email", required=True)
@click.option("--admin-first-name", default="Admin")
@click.option("--admin-last-name", default="")
def _tenant_create_command(
    slug: str, name: str, admin_email: str, admin_first_name: str, admin_last_name: str
) -> int:
    return asyncio.run(
        _create_tenant(
            _settings(),
            slug=slug,
            name=name,
            admin_email=admin_email,
            admin_first_name=admin_first_name,
            admin_last_name=admin_last_name,
        )
    )


cli_tenant_move.add_commands(_tenant_group, _settings)


@cli.group("platform", help="the platform's own space: operators and backoffices")
def _platform_group() -> None:
    pass


@_platform_group.command("init", help="make the platform's space and an operator's login")
@click.option("--host", default=None, help="default: PLATFORM_HOST or platform.BASE_DOMAIN")
@click.option("--operator-email", required=True)
@click.option("--first-name", default="Operator")
@click.option("--last-name", default="Platform")
def _platform_init_command(
    host: str | None, operator_email: str, first_name: str, last_name: str
) -> int:
    settings = _settings()
    person = {"email": operator_email, "first_name": first_name, "last_name": last_name}
    return asyncio.run(_platform_init(settings, host or settings.platform_hostname, person))


@cli.group("backoffice", help="backoffices that collect offers for tenders")
def _backoffice_group() -> None:
    pass


@_backoffice_group.command("create", help="create a backoffice")
@click.option("--name", required=True)
@click.option("--legal-form", default="")
@click.option("--email", default="", help="told of new tenders")
@click.option("--days", type=click.IntRange(1, 60), default=5, help="service promise")
def _backoffice_create_command(name: str, legal_form: str, email: str, days: int) -> int:
    fields = {"name": name, "legal_form": legal_form, "email": email}
    return asyncio.run(_backoffice_create(_settings(), days, **fields))


@_backoffice_group.command("add-user", help="add a person's login to a backoffice")
@click.option("--backoffice", required=True, help="the backoffice's name")
@click.option("--email", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
def _backoffice_add_user_command(
    backoffice: str, email: str, first_name: str, last_name: str
) -> int:
    person = {"email": email, "first_name": first_name, "last_name": last_name}
    return asyncio.run(_backoffice_add_user(_settings(), backoffice, person))


cli.add_command(cli_credentials.group(_settings))
cli.add_command(cli_storage.group(_settings))


@cli.command("demo", help="create the demo tenant if absent and serve it")
@click.option("--port", type=int, default=8000)
@click.option("--no-serve", is_flag=True, help="only create the demo data")
def _demo_command(port: int, no_serve: bool) -> int:
    settings = _settings()
    from tenant_app.demo.launch import (
        ensure_demo_tenant,
        print_demo_logins,
        start_reference_insurer,
    )

    hostname = asyncio.run(ensure_demo_tenant(settings))
    print(f"Demo portal: http://{hostname}:{port}/login")
    print(f"Platform (operators, backoffices): http://{settings.platform_hostname}:{port}/login")
    print_demo_logins()
    if settings.mail_backend == "file":
        print(f"Mails are written as .eml files to {settings.mail_dir}")
    if not no_serve:
        start_reference_insurer(settings)
        _serve(settings, "127.0.0.1", port, 1, False)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        result = cli.main(args, prog_name="tenant-app", standalone_mode=False)
    except click.ClickException as exc:
        # UsageError (bad or missing arguments) has exit code 2, as argparse gave; so has
        # _ConfigFailed, as before.
        exc.show()
        return exc.exit_code
    except click.Abort as abort:
        # click turns Ctrl-C (and EOFError) in a command into Abort: let the original out.
        if abort.__cause__ is not None:
            raise abort.__cause__ from None
        raise
    # A command's return value, or the exit code of --help (0).
    return result if isinstance(result, int) else 0


if __name__ == "__main__":
    raise SystemExit(main())
