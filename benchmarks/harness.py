"""Process and database plumbing for the benchmark: servers, throwaway databases, facts.

Used by run.py; nothing here measures anything by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
VENV_BIN = ROOT / ".venv" / "bin"
READY_TIMEOUT = 40.0  # seconds for a server to answer after start
STOP_TIMEOUT = 10.0  # seconds between SIGTERM and SIGKILL
CLI_TIMEOUT = 600  # seconds for migrate (index builds on a loaded database take a while)
REUSED_DB = "tapp_bench_reused"  # --reuse-db keeps the loaded dataset here (+ "_quick")


STARTED = time.monotonic()


class BenchError(RuntimeError):
    pass


def say(message: str) -> None:
    """A progress line, with the seconds since the run started."""
    print(f"[{time.monotonic() - STARTED:5.0f} s] {message}", flush=True)


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
def bench_database(server: str, *, reuse: str = "") -> Iterator[str]:
    """A throwaway database, dropped at the end; with `reuse`, that kept one (created once)."""
    if reuse:
        exists = pg_admin(
            server,
            f"SELECT count(*) FROM pg_database WHERE datname = '{reuse}'",  # noqa: S608
        )
        if exists == "0":
            pg_admin(server, f'CREATE DATABASE "{reuse}"')
        say(f"using kept database {reuse}")
        yield f"{server}/{reuse}"
        return
    name = f"tapp_bench_{int(time.time())}_{os.getpid()}_{secrets.token_hex(3)}"
    pg_admin(server, f'CREATE DATABASE "{name}"')
    say(f"created database {name}")
    try:
        yield f"{server}/{name}"
    finally:
        try:
            pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            say(f"dropped database {name}")
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


def check_page(
    port: int, path: str, host: str, cookie: str | None = None, expect_text: str = ""
) -> bytes:
    """One request before the load, so a wrong page fails loudly instead of as errors."""
    headers = {"Host": host}
    if cookie:
        headers["Cookie"] = cookie
    response = httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=10.0)
    if response.status_code != 200:
        where = response.headers.get("location", "")
        raise BenchError(f"GET {path} on {host} answered {response.status_code} {where}")
    if expect_text and expect_text not in response.text:
        raise BenchError(f"GET {path} on {host} does not show {expect_text!r}")
    return response.content


# --- machine facts ----------------------------------------------------------------------


def load_average() -> str:
    try:
        return " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


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


def uvicorn_argv(app: str, port: int, *extra: str) -> list[str]:
    """One uvicorn process (no supervisor) serving `app` on 127.0.0.1:`port`."""
    return [
        str(VENV_BIN / "uvicorn"),
        app,
        *extra,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
        # the app's production event loop (tenant_app/cli.py, the Dockerfile), for every
        # server alike: the limits and fortunes differ from the app in their work only
        "--loop",
        "asyncio",
    ]


@dataclass
class Group:
    """A server as one process per core, each on its own port (see wrkload.py for why)."""

    name: str
    servers: list[Server]
    ports: list[int]

    def error_counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for server in self.servers:
            counts.update(server.error_counts())
        return counts

    def check_alive(self) -> None:
        for server in self.servers:
            if server.process.poll() is not None:
                raise BenchError(f"{server.name} died:\n{server.log_tail()}")

    def stop(self) -> None:
        for server in self.servers:
            stop_server(server)


def start_group(
    name: str, app: str, ports: list[int], env: dict[str, str], logdir: Path, *extra: str
) -> Group:
    """A single-process server of `app` on each port (start, then `wait_group`)."""
    servers = [
        start_server(f"{name}-{n}", uvicorn_argv(app, port, *extra), env, logdir)
        for n, port in enumerate(ports)
    ]
    return Group(name, servers, ports)


def wait_group(group: Group, path: str, host: str = "") -> None:
    for server, port in zip(group.servers, group.ports, strict=True):
        wait_ready(server, f"http://127.0.0.1:{port}{path}", host or f"127.0.0.1:{port}")


def free_ports(count: int) -> list[int]:
    """`count` different free ports (taken together, so no two servers get the same)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports
