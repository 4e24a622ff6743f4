"""Load benchmark of the app against a bare baseline, in one run: `python benchmarks/run.py`.

1. creates a throwaway PostgreSQL database (dropped at the end, also on failure or Ctrl-C),
   migrates it and bulk-loads the dataset (dataset.py: 1,000 tenants, 100,000 contacts,
   ~1,000,000 contracts and documents, a "big" tenant of 20,000 contacts, a "mid" one of
   1,000 and a "small" one of 10),
2. makes a fresh login session for each measured tenant's admin and bench customer,
3. starts the app as in production (`APP_ENV=production`, uvicorn, one worker per core) and
   the baseline (`baseline_app.py`, the same number of workers) on free loopback ports,
4. records which SQL each page sends and EXPLAINs it (queries.py),
5. loads each page at 1, 16 and 64 connections in interleaved rounds (ABBA), so drift hits
   all pages alike; the contact list, search and customer folder also in the mid and small
   tenants, to show how cost grows with the tenant,
6. uploads 10 MB, 100 MB and 1 GB files into a single-process server and samples its memory,
7. prints the tables and writes benchmarks/RESULTS.md (and results.json).

Timing goals live here, never in tests. See benchmarks/README.md for how to read the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"


def _ensure_venv() -> None:
    """Re-run under the project's venv when started with another Python."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and venv_python.exists():
        os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])  # noqa: S606


if __name__ == "__main__":
    _ensure_venv()

import asyncpg  # noqa: E402

sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))
import dataset  # noqa: E402
import queries  # noqa: E402
import report  # noqa: E402
import upload_memory  # noqa: E402
from harness import (  # noqa: E402
    REUSED_DB,
    BenchError,
    Server,
    bench_database,
    check_page,
    free_port,
    load_average,
    machine_facts,
    run_cli,
    start_server,
    stop_server,
    uvicorn_argv,
    wait_ready,
    worker_map_for,
)
from load import Target, measure, run_async  # noqa: E402
from report import Page, Row  # noqa: E402

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
LEVELS = (1, 16, 64)
GROWTH_LEVELS = (1, 64)  # the mid and small tenants' pages are measured at these only
UPLOAD_MB = (10, 100, 1024)
SESSION_COOKIE = "__Host-session"  # the cookie name with APP_ENV=production


def workers() -> int:
    return len(os.sched_getaffinity(0))


def plan_pages(
    data: dataset.Dataset, app_port: int, base_port: int, cookies: dict[tuple[str, str], str]
) -> list[Page]:
    """What to measure; the baseline comes first (the ratios divide by it)."""
    pages = [
        Page(
            "baseline",
            "",
            Target("baseline /fortunes", f"http://127.0.0.1:{base_port}/fortunes"),
            "bare Starlette + asyncpg pool + Jinja2: 12 rows (+1), sorted, autoescaped HTML",
            LEVELS,
            logged_in=False,
            expect_text="Additional fortune",
        )
    ]
    for key, tenant in data.tenants.items():
        host = f"{tenant.slug}.localhost:{app_port}"
        url = f"http://127.0.0.1:{app_port}"
        levels = LEVELS if key == "big" else GROWTH_LEVELS

        def page(
            kind: str,
            who: str | None,
            path: str,
            label: str,
            note: str,
            text: str,
            key: str = key,
            host: str = host,
            url: str = url,
            levels: tuple = levels,
        ) -> Page:
            headers = (("Cookie", f"{SESSION_COOKIE}={cookies[(key, who)]}"),) if who else ()
            return Page(
                kind,
                key,
                Target(f"{label} ({key})", url + path, host, headers),
                note,
                levels,
                logged_in=who is not None,
                expect_text=text,
            )

        if key == "big":
            pages += [
                page(
                    "login",
                    None,
                    "/login",
                    "login page",
                    "anonymous first visit: tenant from the Host header (cached), a new signed "
                    "CSRF cookie, the themed login page",
                    "csrf_token",
                ),
            ]
        pages += [
            page(
                "folder",
                "customer",
                "/portal/folders/insurance",
                "customer folder",
                "logged-in customer with data share: 20 contracts and 20 documents in the "
                "insurance folder",
                "VS-",
            ),
            page(
                "contacts",
                "staff",
                "/staff/contacts",
                "contact list",
                "logged-in admin: page 1 of all contacts, sorted by name, 25 per page",
                f"@{tenant.slug}.example",
            ),
            page(
                "search",
                "staff",
                f"/staff/contacts?q={dataset.SEARCH_TERM}",
                "contact search",
                f"the contact list searched for {dataset.SEARCH_TERM!r} (~1 % of the contacts)",
                'id="results"',
            ),
        ]
        if key == "big":
            pages += [
                page(
                    "ticket",
                    "customer",
                    f"/portal/tickets/{tenant.ticket_id}",
                    "ticket (customer)",
                    f"the customer's ticket with {dataset.TICKET_ENTRIES} entries and its history",
                    f"Nachricht {dataset.TICKET_ENTRIES}",
                ),
                page(
                    "ticket-staff",
                    "staff",
                    f"/staff/tickets/{tenant.ticket_id}",
                    "ticket (staff)",
                    "the same ticket as the admin sees it (reply, forward, close)",
                    f"Nachricht {dataset.TICKET_ENTRIES}",
                ),
                page(
                    "download",
                    "customer",
                    f"/portal/documents/{tenant.download_id}/download",
                    "1 MB download",
                    "the customer downloads a 1 MB PDF (streamed as an attachment)",
                    "%PDF",
                ),
            ]
    return pages


def measure_level(
    connections: int, pages: Sequence[Page], servers: dict[int, Server], args: argparse.Namespace
) -> list[Row]:
    """Measure every page of this level in rounds, in ABBA order (forwards, backwards, ...)."""
    rows = [Row(page, connections) for page in pages if connections in page.levels]
    per_round = args.duration / args.rounds
    seen: Counter[str] = Counter()
    for number in range(args.rounds):
        for row in rows if number % 2 == 0 else reversed(rows):
            print(
                f"{connections:>3} conns, round {number + 1}/{args.rounds}: {row.page.name}",
                flush=True,
            )
            port = row.page.target.address()[1]
            row.rounds.append(
                run_async(
                    measure(
                        row.page.target,
                        connections=connections,
                        duration=per_round,
                        warmup=args.warmup,
                        worker_map=worker_map_for(servers[port], port),
                        workers=workers(),
                    )
                )
            )
            logged: Counter[str] = Counter()
            for server in servers.values():
                if server.process.poll() is not None:
                    raise BenchError(f"{server.name} died:\n{server.log_tail()}")
                for what, count in server.error_counts().items():
                    logged[f"{server.name} {what}"] = count
            row.server_errors.update({w: n - seen[w] for w, n in logged.items() if n > seen[w]})
            seen = logged
    return rows


async def prepare(
    database_url: str, storage: Path, env: dict[str, str], reuse: bool
) -> tuple[dataset.Dataset, dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """Load the dataset (or find the kept one) and make fresh sessions."""
    from tenant_app.security import cookies as app_cookies
    from tenant_app.security.passwords import PasswordService
    from tenant_app.settings import load_settings

    os.environ.update(env)
    settings = load_settings()
    conn = await asyncpg.connect(database_url)
    try:
        data = await dataset.existing(conn) if reuse else None
        if data is None:
            print("loading the dataset (about a minute) ...", flush=True)
            password_hash = PasswordService(settings).hasher.hash(secrets.token_urlsafe(16))
            data = await dataset.load(conn, storage, password_hash)
            print(f"loaded in {data.seconds:.0f} s: " + ", ".join(dataset.summary(data)))
        else:
            print("reusing the loaded dataset: " + ", ".join(dataset.summary(data)))
        await conn.execute("DELETE FROM login_session WHERE user_agent = 'benchmark'")

        def sign(tenant_id: int, secret: str) -> str:
            return app_cookies.sign(settings, "session", tenant_id, secret)

        cookies, csrf_tokens = await dataset.create_sessions(conn, data, sign)
    finally:
        await conn.close()
    return data, cookies, csrf_tokens


async def record_queries(pages: Sequence[Page], database_url: str) -> list[queries.PageQueries]:
    from tenant_app.app import build_app

    app = build_app(run_worker=False)
    wanted = []
    for page in pages:
        if page.key == "baseline" or page.tenant not in ("big", "small"):
            continue
        _, _, path, host = page.target.address()
        wanted.append((page.name, path, host, page.cookie))
    found = await queries.capture(app, wanted)
    await queries.explain(database_url, found)
    return found


def measure_uploads(
    args: argparse.Namespace,
    env: dict[str, str],
    scratch: Path,
    data: dataset.Dataset,
    cookie,
    csrf,
) -> list[upload_memory.UploadResult]:
    if not args.upload_mb:
        return []
    port = free_port()
    largest = max(args.upload_mb) * upload_memory.CHUNK
    upload_env = {
        **env,
        "MAX_BODY_BYTES": str(largest + 1024 * 1024),
        "MAX_UPLOAD_BYTES": str(largest + 1024 * 1024),
        "TMPDIR": str(scratch / "tmp"),
        "STORAGE_DIR": str(scratch / "uploads"),  # removed with the scratch directory
    }
    (scratch / "tmp").mkdir(exist_ok=True)
    big = data.tenants["big"]
    host = f"big.localhost:{port}"
    server = start_server(
        "upload", uvicorn_argv("tenant_app.asgi:app", port, 1), upload_env, scratch
    )
    results = []
    try:
        wait_ready(server, f"http://127.0.0.1:{port}/healthz", host)
        check_page(port, "/staff", host, f"{SESSION_COOKIE}={cookie}")
        for mb in args.upload_mb:
            print(f"uploading {mb} MB ...", flush=True)
            results.append(
                upload_memory.upload(
                    port=port,
                    host=host,
                    cookie=f"{SESSION_COOKIE}={cookie}",
                    csrf_token=csrf,
                    pid=server.process.pid,
                    contact_id=big.customer_contact_id + 1,  # not the measured customer
                    mb=mb,
                )
            )
            print(f"  {results[-1]}", flush=True)
    finally:
        stop_server(server)
    return results


def benchmark(args: argparse.Namespace, scratch: Path, servers: list[Server]) -> dict:
    app_port, base_port = free_port(), free_port()
    while base_port == app_port:
        base_port = free_port()
    with bench_database(args.pg_server, reuse=args.reuse_db) as database_url:
        storage = Path(args.storage) if args.reuse_db else scratch / "files"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "LOG_LEVEL": "WARNING",
            "BASE_DOMAIN": "localhost",
            "PUBLIC_SCHEME": "http",
            "PUBLIC_PORT": str(app_port),
            "STORAGE_DIR": str(storage),
            "MAIL_BACKEND": "file",
            "MAIL_DIR": str(scratch / "mail"),
        }
        try:
            print("migrating ...", flush=True)
            run_cli(["migrate"], env)
            data, cookies, csrf = asyncio.run(prepare(database_url, storage, env, args.reuse_db))
            print(f"starting app and baseline, {workers()} workers each ...", flush=True)
            servers.append(
                start_server(
                    "app", uvicorn_argv("tenant_app.asgi:app", app_port, workers()), env, scratch
                )
            )
            base_argv = uvicorn_argv(
                "baseline_app:app", base_port, workers(), "--app-dir", str(BENCH_DIR)
            )
            servers.append(start_server("baseline", base_argv, env, scratch))
            big_host = f"big.localhost:{app_port}"
            wait_ready(servers[0], f"http://127.0.0.1:{app_port}/healthz", big_host)
            base_host = f"127.0.0.1:{base_port}"
            wait_ready(servers[1], f"http://{base_host}/fortunes", base_host)

            pages = plan_pages(data, app_port, base_port, cookies)
            if args.only:
                pages = [p for p in pages if p.key == "baseline" or p.key in args.only]
            for page in pages:
                _, port, path, host = page.target.address()
                check_page(port, path, host, page.cookie, page.expect_text)
            print("recording the queries of each page ...", flush=True)
            found = asyncio.run(record_queries(pages, database_url))
            servers_by_port = {app_port: servers[0], base_port: servers[1]}
            levels = {
                n: measure_level(n, pages, servers_by_port, args) for n in sorted(args.levels)
            }
            for server in servers:
                stop_server(server)
            uploads = measure_uploads(
                args, env, scratch, data, cookies[("big", "staff")], csrf[("big", "staff")]
            )
            return {"levels": levels, "pages": found, "uploads": uploads, "data": data}
        except BenchError as exc:
            logged = [
                f"\n  {server.name} logged {count} x {what}"
                for server in servers
                for what, count in server.error_counts().most_common(5)
            ]
            raise BenchError(str(exc) + "".join(logged)) from exc
        finally:
            for server in servers:
                stop_server(server)


def _sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--levels", type=int, nargs="+", default=list(LEVELS), help="connection counts"
    )
    parser.add_argument(
        "--duration", "-d", type=float, default=6.0, help="measured seconds per page and level"
    )
    parser.add_argument("--rounds", "-r", type=int, default=2, help="split the duration in rounds")
    parser.add_argument(
        "--warmup", "-w", type=float, default=1.5, help="unmeasured seconds before each round"
    )
    parser.add_argument(
        "--upload-mb", type=int, nargs="*", default=list(UPLOAD_MB), help="upload sizes; none: skip"
    )
    parser.add_argument("--only", nargs="+", help="page keys: folder contacts search ticket ...")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help=f"keep the loaded dataset in database {REUSED_DB} (and its files) between runs",
    )
    parser.add_argument("--storage", default=str(Path(tempfile.gettempdir()) / "tapp-bench-files"))
    parser.add_argument("--pg-server", default=PG_SERVER, help="postgres://user@host:port")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md")
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 10:
        parser.error("--rounds must be 1..10")
    if urlsplit(args.pg_server).hostname not in ("127.0.0.1", "localhost"):
        parser.error("--pg-server must be on 127.0.0.1")
    signal.signal(signal.SIGTERM, _sigterm)  # so the cleanup below runs on `kill` too

    started = datetime.now(UTC)
    clock = time.monotonic()
    load_before = load_average()
    servers: list[Server] = []
    scratch = Path(tempfile.mkdtemp(prefix="tapp-bench-"))
    try:
        result = benchmark(args, scratch, servers)
        facts = machine_facts(args.pg_server)
        facts["load average"] = f"{load_before} before the run, {load_average()} after (1/5/15 min)"
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for server in servers:
            stop_server(server)
        shutil.rmtree(scratch, ignore_errors=True)

    levels, found, uploads = result["levels"], result["pages"], result["uploads"]
    print(report.console(levels, found))
    for line in report.upload_lines(uploads):
        print(line)
    elapsed = time.monotonic() - clock
    data = result["data"]
    setup = [
        f"**Date**: {started.strftime('%Y-%m-%d %H:%M UTC')} (the run took {elapsed:.0f} s)",
        "**Data** (PostgreSQL, bulk-loaded by `benchmarks/dataset.py`): "
        + ", ".join(dataset.summary(data)),
        f"**Servers**: uvicorn, {workers()} workers each (one per core), app with "
        "`APP_ENV=production`, `LOG_LEVEL=WARNING`, no access log; app and baseline on the "
        "same database",
        f"**Load**: `benchmarks/load.py` on the same machine, keep-alive connections; per page "
        f"and level {args.rounds} rounds of {args.warmup:g} s warm-up + "
        f"{args.duration / args.rounds:g} s measured, in ABBA order",
    ]
    notes = {page.name: page.note for rows in levels.values() for page in (r.page for r in rows)}
    text = report.markdown(
        levels=levels, pages=found, uploads=uploads, facts=facts, setup=setup, notes=notes
    )
    args.results.write_text(text, encoding="utf-8")
    args.results.with_name("results.json").write_text(
        json.dumps(report.as_dict(levels), indent=1), encoding="utf-8"
    )
    print(f"\nwrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
