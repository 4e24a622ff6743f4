"""Processes of a cluster: a `tenant-app worker` (optionally with its clock ahead), and
browser-like clients of the app processes (one host, cookies that can move between them)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import CSRF_RE
from tests.live import LiveServer

REPO = Path(__file__).resolve().parents[2]
STOP_SECONDS = 15.0
BRAND_CSS = re.compile(r'<link rel="stylesheet" href="(/brand\.css\?v=[^"]+)">')


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def worker_process(env: dict[str, str], log_path: Path, *, ahead: float = 0) -> Iterator[Worker]:
    """`tenant-app worker`; with `ahead`, every wall clock of the process runs that many
    seconds ahead (tests/cluster/skewed.py), as on a host whose clock drifted."""
    command = [sys.executable, "-m", "tenant_app.cli", "worker"]
    if ahead:
        command = [sys.executable, "-m", "tests.cluster.skewed", str(ahead), "worker"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    worker = Worker(process, log_path)
    try:
        yield worker
        assert process.poll() is None, f"the worker stopped:\n{worker.log}"
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_SECONDS)


class Browser(httpx.AsyncClient):
    """A browser on a tenant's host, talking to one app process (`use` moves it to another,
    cookies and all, as a load balancer would)."""

    def __init__(self, server: LiveServer, host: str) -> None:
        super().__init__(
            base_url=f"http://127.0.0.1:{server.port}",
            headers={"Host": host, "Origin": f"http://{host}"},
            timeout=httpx.Timeout(20),  # bounds every wait, a live stream's message too
        )

    def use(self, server: LiveServer) -> Browser:
        self.base_url = httpx.URL(f"http://127.0.0.1:{server.port}")
        return self

    async def csrf(self, path: str) -> str:
        page = await self.get(path)
        match = CSRF_RE.search(page.text)
        assert match, f"no CSRF token on {path}: {page.status_code} {page.text[:300]}"
        return match.group(1)

    async def submit(
        self, path: str, data: dict[str, str], *, form_page: str | None = None
    ) -> httpx.Response:
        token = await self.csrf(form_page or path)
        return await self.post(path, data={"csrf_token": token, **data})

    async def log_in(self, identifier: str, password: str) -> httpx.Response:
        return await self.submit("/login", {"identifier": identifier, "password": password})


async def wait_until(
    condition: Callable[[], Awaitable[bool]], *, within: float, what: str
) -> float:
    """Poll `condition()` until true; the seconds it took (fails after `within`)."""
    started = time.monotonic()
    while not await condition():
        assert time.monotonic() - started < within, f"{what} (waited {within} s)"
        await asyncio.sleep(0.05)
    return time.monotonic() - started
