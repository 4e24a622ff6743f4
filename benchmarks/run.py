"""Load benchmark of the app's pages against fortunes and against each page's own limits, in
one run: `python benchmarks/run.py` (full, ~9 minutes) or `--quick` (~3 minutes).

1. creates a throwaway PostgreSQL database (dropped at the end, also on failure or Ctrl-C),
   migrates it and bulk-loads the dataset (dataset.py), makes fresh sessions (logins.py)
   and plans the requests of both modes (plan.py): repeat (one page over and over) and
   rotating (a different customer, with its own session, each request);
2. starts the app as in production (`APP_ENV=production`, uvicorn, one process per core),
   the fortunes yardstick (baseline_app.py) likewise;
3. serves every planned request once in this process and its helpers (capture.py): its
   bytes, its SQL, and its bytes cut into literal markup and escaped values; checks a sample
   against the server;
4. starts the limits server (limits_app.py, one process per core): per page and request the
   zero-render limit (the same SQL, then the captured bytes), the lean-render limit (the
   same SQL, then one flat template renders the same bytes), and for the download a bare
   FileResponse of the same file; checks that they answer the app's exact bytes;
5. EXPLAINs each page's statements (queries.py);
6. loads everything with wrk at 64 connections (wrkload.py, rotate.lua), in both modes, in
   ABBA rounds, each page right before its limits;
7. full run: uploads 10 MB, 100 MB and 1 GB files into a single-process server and samples
   its memory (upload_memory.py);
8. prints the tables and writes benchmarks/RESULTS.md and results.json (report.py).

Timing goals live here, never in tests. See benchmarks/README.md for how to read the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
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
import breakdown  # noqa: E402
import capture  # noqa: E402
import checks  # noqa: E402
import dataset  # noqa: E402
import document  # noqa: E402
import logins  # noqa: E402
import measure  # noqa: E402
import offload  # noqa: E402
import plan  # noqa: E402
import queries  # noqa: E402
import report  # noqa: E402
import upload_memory  # noqa: E402
import wrkload  # noqa: E402
from harness import (  # noqa: E402
    REUSED_DB,
    BenchError,
    Group,
    bench_database,
    check_page,
    free_ports,
    load_average,
    machine_facts,
    run_cli,
    say,
    start_group,
    start_server,
    stop_server,
    uvicorn_argv,
    wait_group,
    wait_ready,
)

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
CONNECTIONS = 64
UPLOAD_MB = (10, 100, 1024)
FULL = {"seconds": 3, "rounds": 2, "warmup": 2, "sample": 20, "breakdown": 3}
QUICK = {"seconds": 1, "rounds": 1, "warmup": 1, "sample": 5, "breakdown": 0}
BREAKDOWN_BATCH = 100  # requests per turn of the in-process breakdown


def cores() -> int:
    return len(os.sched_getaffinity(0))


async def prepare(
    database_url: str, storage: Path, env: dict[str, str], args: argparse.Namespace
) -> tuple[dataset.Dataset, list[plan.Page], logins.Logins]:
    """Load the dataset (or find the kept one), make fresh sessions, plan the requests."""
    from tenant_app.security import cookies as app_cookies
    from tenant_app.security.passwords import PasswordService
    from tenant_app.settings import load_settings

    os.environ.update(env)
    settings = load_settings()
    conn = await asyncpg.connect(database_url)
    try:
        data = await dataset.existing(conn, args.scale) if args.reuse_db else None
        if data is None:
            say(f"loading the {args.scale.name} dataset ...")
            password_hash = PasswordService(settings).hasher.hash(secrets.token_urlsafe(16))
            data = await dataset.load(conn, storage, password_hash, args.scale)
            say(f"loaded in {data.seconds:.0f} s: " + ", ".join(dataset.summary(data)))
        else:
            say("reusing the loaded dataset: " + ", ".join(dataset.summary(data)))
            dataset.store_downloads(storage, data)  # the files may be gone meanwhile

        def sign(tenant_id: int, secret: str) -> str:
            return app_cookies.sign(settings, "session", tenant_id, secret)

        made = await logins.create(conn, data, sign)
        pages = await plan.plan_pages(conn, data, made, growth=not args.quick)
    finally:
        await conn.close()
    if args.only:
        pages = [p for p in pages if p.key in args.only]
    return data, pages, made


async def explain(
    pages: list[plan.Page], captured: dict[tuple[str, str], Any], database_url: str
) -> list[queries.PageQueries]:
    found = []
    for page in pages:
        if page.tenant in ("big", "small") and (page.name, "repeat") in captured:
            first = captured[(page.name, "repeat")][0]
            statements = [queries.Statement(s.sql, s.values) for s in first.statements]
            found.append(queries.PageQueries(page.name, page.repeat.path, first.status, statements))
    await queries.explain(database_url, found)
    return found


def measure_uploads(
    args: argparse.Namespace,
    env: dict[str, str],
    scratch: Path,
    data: dataset.Dataset,
    staff: logins.Login,
) -> list[upload_memory.UploadResult]:
    if not args.upload_mb:
        return []
    port = free_ports(1)[0]
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
    s3 = None
    if args.upload_s3:  # the same uploads into a real S3 server (SeaweedFS, as in the tests)
        from tests.s3_server import S3Server

        say("starting SeaweedFS for the S3 uploads ...")
        s3 = S3Server(scratch / "seaweedfs").start()
        upload_env |= {key.upper(): str(value) for key, value in s3.settings().items()}
    server = start_server("upload", uvicorn_argv("tenant_app.asgi:app", port), upload_env, scratch)
    results = []
    try:
        wait_ready(server, f"http://127.0.0.1:{port}/healthz", host)
        check_page(port, "/staff", host, staff.cookie)
        for mb in args.upload_mb:
            say(f"uploading {mb} MB ...")
            results.append(
                upload_memory.upload(
                    port=port,
                    host=host,
                    cookie=staff.cookie,
                    csrf_token=staff.csrf_token,
                    pid=server.process.pid,
                    # a contact after the bench customers: no measured page changes
                    contact_id=max(c.contact_id for c in big.customers) + 1,
                    mb=mb,
                )
            )
            say(f"  {results[-1]}")
    finally:
        stop_server(server)
        if s3 is not None:
            s3.stop()
    return results


def start_servers(
    env: dict[str, str], ports: list[int], scratch: Path, groups: list[Group], offloading: bool
) -> tuple[Group, Group, Group | None, Group | None]:
    """The app and fortunes, one process per core each (`ports`: theirs, in this order), and
    with `offloading` the app with the offload and nginx: started, not yet answering
    (`wait_servers`). They start on the migrated database while the dataset loads: their
    start-up (Python, templates) is CPU work for the core the loading leaves idle. Not before
    the migration: their background jobs would fail on the tables not there yet."""
    n = cores()
    say(f"starting the app and fortunes, {n} processes each ...")
    app = start_group("app", "tenant_app.asgi:app", ports[:n], env, scratch)
    groups.append(app)
    fortunes = start_group(
        "fortunes", "baseline_app:app", ports[n : 2 * n], env, scratch, "--app-dir", str(BENCH_DIR)
    )
    groups.append(fortunes)
    if not offloading:
        return app, fortunes, None, None
    offload_app, nginx = offload.start(env, ports[3 * n : 4 * n], ports[4 * n :], scratch)
    groups += [offload_app, nginx]
    return app, fortunes, offload_app, nginx


def wait_servers(
    app: Group, fortunes: Group, offload_app: Group | None, nginx: Group | None
) -> None:
    wait_group(app, "/healthz", f"big.localhost:{app.ports[0]}")
    wait_group(fortunes, "/fortunes")
    if offload_app is not None and nginx is not None:
        offload.wait(offload_app, nginx)


def benchmark(args: argparse.Namespace, scratch: Path, groups: list[Group]) -> dict[str, Any]:
    reuse = "" if not args.reuse_db else REUSED_DB + ("_quick" if args.quick else "")
    with bench_database(args.pg_server, reuse=reuse) as database_url:
        storage = Path(args.storage) / args.scale.name if args.reuse_db else scratch / "files"
        ports = free_ports(5 * cores())  # the app's, fortunes', the limits', offload's, nginx's
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "APP_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "LOG_LEVEL": "WARNING",
            "BASE_DOMAIN": "localhost",
            "PUBLIC_SCHEME": "http",
            "PUBLIC_PORT": str(ports[0]),
            "STORAGE_DIR": str(storage),
            "MAIL_BACKEND": "file",
            "MAIL_DIR": str(scratch / "mail"),
        }
        try:
            say("migrating ...")
            run_cli(["migrate"], env)
            offloading = offload.available() and (not args.only or offload.KEY in args.only)
            app, fortunes, offload_app, nginx = start_servers(
                env, ports, scratch, groups, offloading
            )
            data, pages, made = asyncio.run(prepare(database_url, storage, env, args))
            planned = sum(len(p.asks(m)) for p in pages for m in measure.MODES)
            say(f"sessions made, {planned:,} requests planned over {len(pages)} pages")
            offloaded = next((p for p in pages if p.key == offload.KEY), None)
            if offloaded is not None and not offloading:
                say("nginx is not installed (apt-get install nginx): no offloaded download")
                pages.remove(offloaded)
                offloaded = None
            wait_servers(app, fortunes, offload_app, nginx)
            say("the servers answer")
            for page in pages:
                ask = page.repeat
                cookie = ask.cookie or None
                check_page(
                    app.ports[0], ask.path, f"{ask.host}:{app.ports[0]}", cookie, page.expect_text
                )
            say(f"capturing every planned request here, in {cores()} processes ...")
            clock = time.monotonic()
            captured = capture.capture_all(pages, measure.MODES, app.ports[0], cores())
            count = sum(len(found) for found in captured.values())
            say(f"  {count} requests in {time.monotonic() - clock:.0f} s")
            checked = checks.check_app(pages, captured, app.ports[0], args.sample)
            say(f"  the app server answered the captured bytes ({checked} checked)")
            big = data.tenants["big"]
            files = [storage / c.download_key for c in big.customers]
            if offloaded is not None and nginx is not None:  # both or neither
                checked = offload.check(offloaded, nginx.ports[0], files, args.sample)
                say(
                    f"  nginx sent the stored files for the offloaded downloads ({checked} checked)"
                )
            spec = checks.write_spec(
                scratch / "limits.pickle",
                pages,
                captured,
                files,
            )
            say(f"starting the limits server, {cores()} processes ...")
            limits = start_group(
                "limits",
                "limits_app:app",
                ports[2 * cores() : 3 * cores()],
                {**env, "LIMITS_SPEC": str(spec)},
                scratch,
                "--app-dir",
                str(BENCH_DIR),
            )
            groups.append(limits)
            wait_group(limits, "/file/0")
            checked = checks.check_limits(pages, captured, limits.ports[0], args.sample)
            say(f"  zero and lean routes answer the app's bytes ({checked} checked)")
            say("explaining the queries ...")
            found = asyncio.run(explain(pages, captured, database_url))
            servers = measure.Servers(app, limits, fortunes, app.ports[0], nginx)
            targets = measure.build_targets(
                pages, captured, servers, scratch, download_bytes=dataset.DOWNLOAD_BYTES
            )
            say(f"measuring {len(targets)} targets ...")
            measure.run_rounds(
                targets,
                connections=args.connections,
                seconds=args.seconds,
                rounds=args.rounds,
                warmup=args.warmup,
                scratch=scratch,
                before_each=logins.Refresher(database_url),
            )
            for group in groups:
                group.stop()
            parts = breakdown.Breakdown({})
            if args.breakdown:
                say("where each logged-in page's CPU goes, in this process (breakdown.py) ...")
                parts = asyncio.run(
                    breakdown.measure_pages(
                        pages,
                        spec,
                        rounds=args.breakdown,
                        batch=BREAKDOWN_BATCH,
                        before_each=logins.Refresher(database_url),
                        say=say,
                    )
                )
            uploads = measure_uploads(args, env, scratch, data, made.staff["big"][0])
            return {
                "targets": targets,
                "pages": pages,
                "queries": found,
                "uploads": uploads,
                "data": data,
                "breakdown": parts,
            }
        except BenchError as exc:
            logged = [
                f"\n  {group.name} logged {count} x {what}"
                for group in groups
                for what, count in group.error_counts().most_common(5)
            ]
            raise BenchError(str(exc) + "".join(logged)) from exc
        finally:
            for group in groups:
                group.stop()


def _sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small dataset, 1 round of 1 s per target, no uploads, no growth table (~3 min)",
    )
    parser.add_argument("--connections", "-c", type=int, default=CONNECTIONS)
    parser.add_argument("--seconds", "-d", type=int, help="measured seconds per round (whole)")
    parser.add_argument("--rounds", "-r", type=int, help="rounds per target")
    parser.add_argument("--warmup", "-w", type=int, help="unmeasured seconds before the first")
    parser.add_argument("--sample", type=int, help="requests per page checked byte for byte")
    parser.add_argument(
        "--breakdown",
        type=int,
        help="rounds of the in-process CPU breakdown of each logged-in page (0: none)",
    )
    parser.add_argument("--upload-mb", type=int, nargs="*", help="upload sizes; none: skip")
    parser.add_argument(
        "--upload-s3",
        action="store_true",
        help="uploads go to SeaweedFS's S3 (STORAGE_BACKEND=s3) instead of a local directory",
    )
    parser.add_argument("--only", nargs="+", help="page keys: login folder contacts search ...")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help=f"keep the loaded dataset in database {REUSED_DB}[_quick] (and its files)",
    )
    parser.add_argument("--storage", default=str(Path(tempfile.gettempdir()) / "tapp-bench-files"))
    parser.add_argument("--pg-server", default=PG_SERVER, help="postgres://user@host:port")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "RESULTS.md")
    args = parser.parse_args(argv)
    defaults = QUICK if args.quick else FULL
    for name, value in defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    if args.upload_mb is None:
        args.upload_mb = [] if args.quick else list(UPLOAD_MB)
    args.scale = dataset.QUICK if args.quick else dataset.FULL
    if not 1 <= args.rounds <= 10:
        parser.error("--rounds must be 1..10")
    if urlsplit(args.pg_server).hostname not in ("127.0.0.1", "localhost"):
        parser.error("--pg-server must be on 127.0.0.1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        wrkload.wrk_path()
    except wrkload.WrkMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _sigterm)  # so the cleanup below runs on `kill` too
    started = datetime.now(UTC)
    clock = time.monotonic()
    load_before = load_average()
    groups: list[Group] = []
    scratch = Path(tempfile.mkdtemp(prefix="tapp-bench-"))
    try:
        result = benchmark(args, scratch, groups)
        facts = machine_facts(args.pg_server)
        facts["load average"] = f"{load_before} before the run, {load_average()} after (1/5/15 min)"
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for group in groups:
            group.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    elapsed = time.monotonic() - clock
    summary = report.Summary(result["targets"], result["pages"], args.connections)
    print(document.console(summary))
    for line in report.upload_lines(result["uploads"]):
        print(line)
    setup = document.setup_lines(args, result, started, elapsed, cores())
    text = document.markdown(
        summary, result["queries"], result["uploads"], facts, setup, result["breakdown"]
    )
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(text, encoding="utf-8")
    json_path = args.results.with_name("results.json")
    json_path.write_text(document.as_json(summary, result["breakdown"]), encoding="utf-8")
    print(f"\nwrote {args.results} and {json_path.name} (the run took {elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
