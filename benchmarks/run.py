"""Load benchmark of the app against a bare baseline, in one run: `python benchmarks/run.py`.

1. creates a throwaway PostgreSQL database (dropped at the end, also on failure or Ctrl-C),
2. `tenant-app migrate`, `tenant-app tenant create --slug bench ...` (reads the password),
3. starts the app (`uvicorn tenant_app.asgi:app --workers 2`) and the baseline
   (`benchmarks/baseline_app.py`, 2 workers) on free loopback ports,
4. logs in once over HTTP (the login rate limit allows 10 attempts per 15 minutes),
5. measures baseline /fortunes, app /healthz, app /login (anonymous) and app /staff (logged
   in), each with the same fixed load, in interleaved rounds (ABBA) so drift hits all alike,
6. prints a table and writes benchmarks/RESULTS.md with throughput as a ratio of the
   baseline's, then stops every server it started.

Timing goals live here, never in tests. See benchmarks/README.md for how to read the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import importlib.metadata
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
VENV_BIN = ROOT / ".venv" / "bin"


def _ensure_venv() -> None:
    """Re-run under the project's venv when started with another Python."""
    venv_python = VENV_BIN / "python"
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() and venv_python.exists():
        os.execv(str(venv_python), [str(venv_python), __file__, *sys.argv[1:]])  # noqa: S606


if __name__ == "__main__":
    _ensure_venv()

import asyncpg  # noqa: E402
import httpx  # noqa: E402

sys.path.insert(0, str(BENCH_DIR))
from load import Result, Target, WorkerMap, format_table, measure, merge, run_async  # noqa: E402

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
TENANT_SLUG = "bench"
WORKERS = 2  # uvicorn worker processes, for the app and the baseline alike
NOISY = 0.10  # baseline rounds differing by more than ±10 % of their mean: warn
READY_TIMEOUT = 40.0  # seconds for a server to answer after start
STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL
CLI_TIMEOUT = 120  # seconds for migrate / tenant create


class BenchError(RuntimeError):
    pass


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def error_counts(self) -> Counter[str]:
        """Errors in the JSON-lines log so far: 'path: last line of the traceback' -> count."""
        counts: Counter[str] = Counter()
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return counts
        for line in lines:
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("level") not in ("ERROR", "CRITICAL"):
                continue
            cause = str(entry.get("exc") or entry.get("msg") or "").strip().splitlines()
            counts[f"{entry.get('path', '?')}: {cause[-1] if cause else '?'}"] += 1
        return counts

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


# --- helpers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _admin(server: str, sql: str) -> str | None:
    conn = await asyncpg.connect(f"{server}/postgres")
    try:
        if sql.lstrip().upper().startswith(("SHOW", "SELECT")):
            return str(await conn.fetchval(sql))
        await conn.execute(sql)
        return None
    finally:
        await conn.close()


def pg_admin(server: str, sql: str) -> str | None:
    return asyncio.run(_admin(server, sql))


@contextlib.contextmanager
def throwaway_database(server: str) -> Iterator[str]:
    name = f"tapp_bench_{int(time.time())}_{os.getpid()}_{secrets.token_hex(3)}"
    pg_admin(server, f'CREATE DATABASE "{name}"')
    print(f"created database {name}")
    try:
        yield f"{server}/{name}"
    finally:
        try:
            pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"dropped database {name}")
        except Exception as exc:  # noqa: BLE001 - report, keep cleaning up
            print(f"warning: could not drop database {name}: {exc}", file=sys.stderr)


def run_cli(args: Sequence[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [str(VENV_BIN / "tenant-app"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(
            f"tenant-app {' '.join(args)} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def parse_tenant_output(stdout: str) -> tuple[str, str]:
    user = re.search(r"^Admin login:\s*(\S+)", stdout, re.MULTILINE)
    password = re.search(r"^Initial password:\s*(\S+)", stdout, re.MULTILINE)
    if not user or not password:
        raise BenchError(f"could not read username/password from:\n{stdout}")
    return user.group(1), password.group(1)


def start_server(name: str, argv: Sequence[str], env: dict[str, str], logdir: Path) -> Server:
    log_path = logdir / f"{name}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            list(argv),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )
    return Server(name, process, log_path)


def stop_server(server: Server) -> None:
    """SIGTERM to the server's process group (uvicorn stops its workers), SIGKILL if stuck.

    Signals go to the group only while its leader, our child, is still unreaped, so the
    group id cannot have been reused by anyone else.
    """
    process = server.process
    if process.poll() is not None:
        return  # already gone (and reaped): nothing of ours to signal
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)


def wait_ready(server: Server, url: str, host: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"{server.name} exited early:\n{server.log_tail()}")
        try:
            response = httpx.get(url, headers={"Host": host}, timeout=2.0)
            if response.status_code == 200:
                return
            last = f"status {response.status_code}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        time.sleep(0.2)
    raise BenchError(
        f"{server.name} not ready after {READY_TIMEOUT}s ({last}):\n{server.log_tail()}"
    )


def _cookies(response: httpx.Response) -> dict[str, str]:
    jar = {}
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0].strip()
    return jar


def log_in(port: int, host: str, identifier: str, password: str) -> str:
    """Log in once over HTTP; return the `Cookie` header value of the session."""
    base = f"http://127.0.0.1:{port}"
    form_page = httpx.get(f"{base}/login", headers={"Host": host}, timeout=10.0)
    if form_page.status_code != 200:
        raise BenchError(f"GET /login answered {form_page.status_code}")
    csrf_cookie = _cookies(form_page).get("csrf")
    match = re.search(r'<input[^>]*name="csrf_token"[^>]*value="([^"]*)"', form_page.text)
    if not csrf_cookie or not match:
        raise BenchError("GET /login gave no csrf cookie or no csrf_token input")
    answer = httpx.post(
        f"{base}/login",
        headers={"Host": host, "Origin": f"http://{host}", "Cookie": f"csrf={csrf_cookie}"},
        data={
            "csrf_token": html.unescape(match.group(1)),
            "identifier": identifier,
            "password": password,
            "next": "",
        },
        timeout=30.0,
        follow_redirects=False,
    )
    session = _cookies(answer).get("session")
    if answer.status_code != 303 or not session:
        raise BenchError(
            f"POST /login answered {answer.status_code} without a session cookie "
            f"(do not retry quickly: 10 attempts per account per 15 min)\n{answer.text[:500]}"
        )
    return f"session={session}"


def check_page(port: int, path: str, host: str, cookie: str | None = None) -> None:
    """One request before the load, so a wrong status fails loudly instead of as errors."""
    headers = {"Host": host}
    if cookie:
        headers["Cookie"] = cookie
    response = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=10.0)
    if response.status_code != 200:
        where = response.headers.get("location", "")
        raise BenchError(f"GET {path} on {host} answered {response.status_code} {where}")


# --- which server process serves which connection (Linux /proc) -------------------------


def _group_members(pgid: int) -> list[int]:
    """Processes of a process group except its leader: uvicorn's workers."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == pgid:
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[-1].split()  # after "(comm)": state ppid pgrp ...
        if len(fields) > 2 and fields[2] == str(pgid):
            members.append(int(entry))
    return members


def worker_map_for(server: Server, port: int) -> WorkerMap | None:
    """client port -> worker pid for established connections to `port`, or None off Linux."""
    if not Path("/proc/net/tcp").exists():
        return None
    workers = _group_members(server.process.pid)

    def owners() -> dict[int, int]:
        socket_owner: dict[int, int] = {}
        for pid in workers:
            fd_dir = f"/proc/{pid}/fd"
            with contextlib.suppress(OSError):
                for fd in os.listdir(fd_dir):
                    with contextlib.suppress(OSError):
                        link = os.readlink(f"{fd_dir}/{fd}")
                        if link.startswith("socket:["):
                            socket_owner[int(link[8:-1])] = pid
        found: dict[int, int] = {}
        with open("/proc/net/tcp") as table:
            next(table)
            for line in table:
                fields = line.split()
                # local_address rem_address st ... inode; "01" = ESTABLISHED
                if fields[3] != "01" or int(fields[1].rsplit(":", 1)[1], 16) != port:
                    continue
                owner = socket_owner.get(int(fields[9]))
                if owner is not None:
                    found[int(fields[2].rsplit(":", 1)[1], 16)] = owner
        return found

    return owners


# --- machine facts and report ----------------------------------------------------------


def load_average() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def noise_warning(rows: Sequence[Row]) -> str | None:
    """A warning when single rounds disagree by more than ±NOISY (a busy machine)."""
    _, shares, spreads = ratios(rows)
    noisy = [
        f"{row.target.name} {low:.2f}-{high:.2f}"
        for row, share, (low, high) in zip(rows, shares, spreads, strict=True)
        if share and (high - low) / share > 2 * NOISY
    ]
    if not noisy:
        return None
    return (
        f"noisy run: single rounds differ by more than ±{NOISY:.0%} ({', '.join(noisy)}); "
        "something else was probably using the CPU. Take the ratios with care and run again "
        "when the machine is quiet."
    )


def machine_facts(pg_server: str) -> dict[str, str]:
    facts = {"nproc": str(len(os.sched_getaffinity(0)))}
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                facts["CPU"] = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                facts["memory"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    facts["OS"] = platform.platform()
    facts["Python"] = platform.python_version()
    facts["PostgreSQL"] = pg_admin(pg_server, "SHOW server_version") or "?"
    versions = []
    for package in (
        "starlette",
        "uvicorn",
        "uvloop",
        "httptools",
        "jinja2",
        "tortoise-orm",
        "asyncpg",
    ):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions.append(f"{package} {importlib.metadata.version(package)}")
    facts["packages"] = ", ".join(versions)
    git = shutil.which("git")
    if git:
        head = subprocess.run(  # noqa: S603 - read-only git query
            [git, "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603 - read-only, takes no index lock
            [
                git,
                "--no-optional-locks",
                "status",
                "--porcelain",
                "--",
                "tenant_app",
                "templates",
                "migrations",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        if head:
            facts["app commit"] = head + (" + uncommitted changes" if dirty else "")
    return facts


@dataclass
class Row:
    """One target: its measurements, one per round, and what the servers logged meanwhile."""

    target: Target
    note: str
    rounds: list[Result] = field(default_factory=list)
    server_errors: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> Result:
        return merge(self.target.name, self.rounds)

    @property
    def spread(self) -> str:
        """Connections per server process in each round, e.g. '16/16 16/16'."""
        return " ".join("/".join(map(str, r.per_worker)) or "?" for r in self.rounds)


def ratios(rows: Sequence[Row]) -> tuple[float, list[float], list[tuple[float, float]]]:
    """Baseline req/s; each row's req/s as a share of it; min and max of the per-round share.

    rows[0] is the baseline. Per round, a target is compared with that round's baseline
    measurement, so the spread shows how much the ratio moved within this run.
    """
    baseline = rows[0]
    reference = baseline.total.rps
    shares = [row.total.rps / reference if reference else math.nan for row in rows]
    spreads = []
    for row in rows:
        if row is baseline:
            per_round = [r.rps / reference if reference else math.nan for r in row.rounds]
        else:
            per_round = [
                r.rps / b.rps if b.rps else math.nan
                for r, b in zip(row.rounds, baseline.rounds, strict=True)
            ]
        spreads.append((min(per_round), max(per_round)))
    return reference, shares, spreads


def markdown_report(
    rows: Sequence[Row],
    facts: dict[str, str],
    args: argparse.Namespace,
    started: datetime,
    elapsed: float,
) -> str:
    reference, shares, spreads = ratios(rows)
    per_round = args.duration / args.rounds
    lines = [
        "# Benchmark results",
        "",
        "Written by `python benchmarks/run.py` (overwritten at every run; see README.md).",
        "",
        f"- **Date**: {started.strftime('%Y-%m-%d %H:%M UTC')} (the run took {elapsed:.0f} s)",
        f"- **Load**: {args.connections} keep-alive connections; per target {args.rounds} "
        f"rounds of {args.warmup:g} s warm-up + {per_round:g} s measured "
        f"({args.duration:g} s measured in all), rounds in ABBA order; client "
        "`benchmarks/load.py` on the same machine",
        "- **Servers**: uvicorn, 2 workers each, `APP_ENV=development`, `LOG_LEVEL=WARNING`, "
        "no access log; app and baseline on the same throwaway PostgreSQL database",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
    ]
    lines += [f"| {key} | {value} |" for key, value in facts.items()]
    lines += [
        "",
        "## Numbers",
        "",
        "| target | req/s | × baseline | per round | p50 ms | p95 ms | p99 ms | errors "
        "| client CPU | conns/worker |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row, share, (low, high) in zip(rows, shares, spreads, strict=True):
        r = row.total
        cpu = r.client_cpu_s / r.seconds * 100 if r.seconds else 0.0
        lines.append(
            f"| {r.name} | {r.rps:.0f} | **{share:.2f}×** | {low:.2f}–{high:.2f} | "
            f"{r.percentile(50):.1f} | {r.percentile(95):.1f} | {r.percentile(99):.1f} | "
            f"{r.errors} | {cpu:.0f} % | {row.spread} |"
        )
    warning = noise_warning(rows)
    if warning:
        lines += ["", f"> **⚠ {warning}**"]
    lines += [
        "",
        f"*× baseline* is the target's requests/s divided by the baseline's ({reference:.0f} "
        "req/s) over the whole run. *Per round* is the lowest and highest ratio of single "
        "rounds (each against that round's baseline; for the baseline itself, each round "
        "against the whole): a wide range means a noisy machine, so repeat the run. "
        "*Client CPU* is the load generator's own CPU time as a share of one core. "
        "*Conns/worker* is how the connections were spread over the server's worker "
        "processes in each round (the warm-up evens them out).",
        "",
        "## What each target does",
        "",
    ]
    lines += [f"- **{row.target.name}**: {row.note}" for row in rows]
    lines += [
        "",
        "## Rounds",
        "",
        "Requests/s of each round (odd rounds run the targets top to bottom, even rounds "
        "bottom to top).",
        "",
        "| target | " + " | ".join(f"round {n + 1}" for n in range(args.rounds)) + " |",
        "|---|" + "---:|" * args.rounds,
    ]
    lines += [
        f"| {row.target.name} | " + " | ".join(f"{r.rps:.0f}" for r in row.rounds) + " |"
        for row in rows
    ]
    troubled = [row for row in rows if row.total.error_kinds or row.server_errors]
    if troubled:
        lines += ["", "## Errors", ""]
        for row in troubled:
            lines.append(f"- {row.target.name}: {dict(row.total.error_kinds)}")
            lines += [
                f"  - server log: {n} × `{what}`" for what, n in row.server_errors.most_common()
            ]
    return "\n".join(lines) + "\n"


def console_table(rows: Sequence[Row]) -> str:
    _, shares, spreads = ratios(rows)
    table = format_table([row.total for row in rows]).splitlines()
    out = [table[0] + f" {'x base':>7} {'rounds':>10}  conns/worker", table[1] + "-" * 33]
    for line, share, (low, high), row in zip(table[2:], shares, spreads, rows, strict=True):
        out.append(line + f" {share:>6.2f}x {low:>4.2f}-{high:<4.2f}  {row.spread}")
    return "\n".join(out)


# --- main --------------------------------------------------------------------------------


def uvicorn_argv(app: str, port: int, *extra: str) -> list[str]:
    return [
        str(VENV_BIN / "uvicorn"),
        app,
        *extra,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(WORKERS),
        "--no-access-log",
    ]


def plan_targets(app_port: int, base_port: int, host: str, cookie: str) -> list[tuple[Target, str]]:
    """What to measure; the baseline comes first (the ratios divide by it)."""
    app_url = f"http://127.0.0.1:{app_port}"
    baseline_url = f"http://127.0.0.1:{base_port}/fortunes"
    return [
        (
            Target("baseline /fortunes", baseline_url),
            "bare Starlette + asyncpg pool + Jinja2: 12 rows (+1), sorted, autoescaped HTML",
        ),
        (
            Target("app /healthz", f"{app_url}/healthz", host),
            "tenantless: the app's middleware stack, `SELECT 1` through Tortoise, JSON",
        ),
        (
            Target("app /login (anon)", f"{app_url}/login", host),
            "no cookies (a first visit): tenant lookup (cached), a new signed CSRF cookie, "
            "the themed login page",
        ),
        (
            Target("app /staff (session)", f"{app_url}/staff", host, (("Cookie", cookie),)),
            "logged-in admin: signed session cookie, session query, staff home page",
        ),
    ]


def measure_all(
    plan: Sequence[tuple[Target, str]], servers: dict[int, Server], args: argparse.Namespace
) -> list[Row]:
    """Measure every target in rounds, in ABBA order (forwards, backwards, ...).

    Interleaving spreads slow drift of the machine over all targets instead of letting it
    fall on whichever target happened to run at the time.
    """
    rows = [Row(target, note) for target, note in plan]
    per_round = args.duration / args.rounds
    seen: Counter[str] = Counter()
    for number in range(args.rounds):
        for row in rows if number % 2 == 0 else reversed(rows):
            print(
                f"round {number + 1}/{args.rounds}: {row.target.name} "
                f"({args.warmup:g} s + {per_round:g} s) ...",
                flush=True,
            )
            port = row.target.address()[1]
            row.rounds.append(
                run_async(
                    measure(
                        row.target,
                        connections=args.connections,
                        duration=per_round,
                        warmup=args.warmup,
                        worker_map=worker_map_for(servers[port], port),
                        workers=WORKERS,
                    )
                )
            )
            # errors the servers logged while this target ran (new since the previous one)
            logged: Counter[str] = Counter()
            for server in servers.values():
                if server.process.poll() is not None:
                    raise BenchError(f"{server.name} died:\n{server.log_tail()}")
                for what, count in server.error_counts().items():
                    logged[f"{server.name} {what}"] = count
            row.server_errors.update({w: n - seen[w] for w, n in logged.items() if n > seen[w]})
            seen = logged
    return rows


def benchmark(args: argparse.Namespace, scratch: Path, servers: list[Server]) -> list[Row]:
    app_port = free_port()
    base_port = free_port()
    while base_port == app_port:
        base_port = free_port()
    host = f"{TENANT_SLUG}.localhost:{app_port}"
    with throwaway_database(args.pg_server) as database_url:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "APP_ENV": "development",
            "TEMPLATE_AUTO_RELOAD": "0",  # as in production
            "LOG_LEVEL": "WARNING",
            "BASE_DOMAIN": "localhost",
            "PUBLIC_PORT": str(app_port),
            "STORAGE_DIR": str(scratch / "files"),
            "MAIL_BACKEND": "file",
            "MAIL_DIR": str(scratch / "mail"),
        }
        try:
            print(f"migrating and creating tenant {TENANT_SLUG!r} ...", flush=True)
            run_cli(["migrate"], env)
            created = run_cli(
                ["tenant", "create", "--slug", TENANT_SLUG, "--name", "Bench GmbH"]
                + ["--admin-email", "admin@bench.example"],
                env,
            )
            username, password = parse_tenant_output(created)

            print(f"starting app on :{app_port} and baseline on :{base_port} ...", flush=True)
            app_argv = uvicorn_argv("tenant_app.asgi:app", app_port)
            servers.append(start_server("app", app_argv, env, scratch))
            base_argv = uvicorn_argv("baseline_app:app", base_port, "--app-dir", str(BENCH_DIR))
            servers.append(start_server("baseline", base_argv, env, scratch))
            wait_ready(servers[0], f"http://127.0.0.1:{app_port}/healthz", host)
            base_host = f"127.0.0.1:{base_port}"
            wait_ready(servers[1], f"http://{base_host}/fortunes", base_host)

            print(f"logging in once as {username!r} ...", flush=True)
            cookie = log_in(app_port, host, username, password)
            check_page(app_port, "/staff", host, cookie)
            check_page(app_port, "/login", host)
            plan = plan_targets(app_port, base_port, host, cookie)
            return measure_all(plan, {app_port: servers[0], base_port: servers[1]}, args)
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
    parser.add_argument("--connections", "-c", type=int, default=32)
    parser.add_argument(
        "--duration", "-d", type=float, default=10.0, help="measured seconds per target, in all"
    )
    parser.add_argument(
        "--rounds", "-r", type=int, default=2, help="split each target's duration in rounds"
    )
    parser.add_argument(
        "--warmup", "-w", type=float, default=2.0, help="unmeasured seconds before each round"
    )
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
        rows = benchmark(args, scratch, servers)
        facts = machine_facts(args.pg_server)
        facts["load average"] = f"{load_before} before the run, {load_average()} after (1/5/15 min)"
    except BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        for server in servers:  # already stopped unless something failed half-way
            stop_server(server)
        shutil.rmtree(scratch, ignore_errors=True)

    print()
    print(console_table(rows))
    warning = noise_warning(rows)
    if warning:
        print(f"\nWARNING: {warning}")
    for row in rows:
        if row.total.error_kinds or row.server_errors:
            print(f"errors in {row.target.name}: {dict(row.total.error_kinds)}")
            for what, count in row.server_errors.most_common():
                print(f"    server log: {count} x {what}")
    report = markdown_report(rows, facts, args, started, time.monotonic() - clock)
    args.results.write_text(report, encoding="utf-8")
    print(f"\nwrote {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
