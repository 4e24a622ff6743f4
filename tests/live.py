"""A real uvicorn process on the test database, for what only a socket shows (slow bodies,
a frozen database), and helpers to talk to it as a browser would."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tenant_app.settings import Settings
from tests.conftest import CSRF_RE, free_port

START_TIMEOUT = 30.0  # seconds; generous, the machine may be busy


@dataclass
class LiveServer:
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def browser(self, host: str) -> httpx.Client:
        """A client on `host` (sent as the Host header; cookies stay with 127.0.0.1)."""
        return httpx.Client(
            base_url=f"http://127.0.0.1:{self.port}",
            headers={"Host": host, "Origin": f"http://{host}"},
            timeout=30,
        )


def log_in(browser: httpx.Client, username: str, password: str, *, home: str = "/staff") -> str:
    """Log in; the session's CSRF token (as the pages carry it)."""
    page = browser.get("/login")
    token = _csrf(page.text)
    answer = browser.post(
        "/login", data={"csrf_token": token, "identifier": username, "password": password}
    )
    assert answer.status_code == 303, answer.text[:300]
    return _csrf(browser.get(home).text)


def _csrf(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, html[:300]
    return match.group(1)


def server_problems(log: str) -> list[str]:
    """Lines of the server's log that report an unhandled error or carry a traceback."""
    return [
        line
        for line in log.splitlines()
        if "Exception in ASGI application" in line
        or '"level": "ERROR"' in line
        or line.startswith("Traceback")
    ]


def process_environment(settings: Settings, tmp_path: Path, **env: str) -> dict[str, str]:
    """The environment of an app or worker process configured like the tests' app, plus `env`."""
    return {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "SECRET_KEY": settings.secret_key,
        "BASE_DOMAIN": settings.base_domain,
        "STORAGE_DIR": str(settings.storage_dir),
        "MAIL_BACKEND": "file",
        "MAIL_DIR": str(tmp_path / "mail"),
        "ARGON2_PROFILE": "fast",
        "PUBLIC_PORT": "0",
        **env,
    }


@contextmanager
def live_server(settings: Settings, tmp_path: Path, **env: str) -> Iterator[LiveServer]:
    """`uvicorn tenant_app.asgi:app` on a free port, configured like the tests' app plus `env`."""
    port = free_port()
    log_path = tmp_path / f"server-{port}.log"
    environment = process_environment(settings, tmp_path, **env)
    command = [sys.executable, "-m", "uvicorn", "tenant_app.asgi:app", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    server = LiveServer(port, log_path, process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(15)


def _wait_until_up(server: LiveServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        assert server.process.poll() is None, f"server exited:\n{server.log}"
        try:
            httpx.get(f"http://127.0.0.1:{server.port}/healthz", timeout=5)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"server did not start:\n{server.log}"
            time.sleep(0.2)


def wait_for(condition: object, *, within: float, what: str) -> None:
    """Poll `condition()` until true; fail after `within` seconds (a bound, not a timing)."""
    deadline = time.monotonic() + within
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"{what} (waited {within} s)"
        time.sleep(0.1)
