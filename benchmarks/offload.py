"""The offloaded download: nginx in front of app processes started with DOWNLOAD_OFFLOAD.

The app checks the session and the right, then answers `X-Accel-Redirect`; nginx sends the
file from its `internal` location over STORAGE_DIR. The configuration is the documented one
(docs/nginx.conf.example, via tests/nginx_front.py), with one nginx worker and one listening
port per core, so wrk loads it as it loads the app: one thread per port.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import httpx
from harness import BenchError, Group, say, start_group, start_server, wait_group, wait_ready
from plan import OFFLOADED_DOWNLOAD, Page

from tests.nginx_front import nginx_config, nginx_path

OFFLOAD = "/_files/"
KEY = OFFLOADED_DOWNLOAD


def available() -> bool:
    return bool(nginx_path())


def start(
    env: dict[str, str], app_ports: list[int], nginx_ports: list[int], scratch: Path
) -> tuple[Group, Group]:
    """(the app processes with the offload on, nginx in front of them), started: `wait`
    for them to answer (once the database is ready: nginx's health check reaches the app)."""
    say(f"starting the app with DOWNLOAD_OFFLOAD and nginx in front, {len(app_ports)} each ...")
    app = start_group(
        "offload-app",
        "tenant_app.asgi:app",
        app_ports,
        {**env, "DOWNLOAD_OFFLOAD": OFFLOAD},
        scratch,
    )
    home = scratch / "nginx"
    home.mkdir(exist_ok=True)
    storage = Path(env["STORAGE_DIR"])
    config = nginx_config(home, nginx_ports, app_ports, storage, workers=len(nginx_ports))
    argv = [nginx_path(), "-c", str(config), "-p", str(home)]
    nginx = start_server("nginx", argv, env, scratch)  # its errors: home / "error.log"
    return app, Group("nginx", [nginx], nginx_ports)


def wait(app: Group, nginx: Group) -> None:
    wait_group(app, "/healthz", f"big.localhost:{app.ports[0]}")
    server = nginx.servers[0]
    for port in nginx.ports:
        wait_ready(server, f"http://127.0.0.1:{port}/healthz", f"big.localhost:{port}")


def check(page: Page, port: int, files: Sequence[Path], size: int) -> int:
    """A sample of the offloaded downloads: exactly the stored file, as an attachment, no
    X-Accel-Redirect left over; returns how many were checked."""
    asks = page.rotating or [page.repeat]
    step = max(1, len(asks) // max(1, size))
    checked = 0
    with httpx.Client(timeout=10.0) as client:
        for n in range(0, len(asks), step)[:size]:
            ask, file = asks[n], files[n % len(files)]
            response = client.get(
                f"http://127.0.0.1:{port}{ask.path}",
                headers={"Host": f"{ask.host}:{port}", "Cookie": ask.cookie},
            )
            wrong = (
                response.status_code != 200
                or response.content != file.read_bytes()
                or "x-accel-redirect" in response.headers
                or not response.headers.get("content-disposition", "").startswith("attachment;")
            )
            if wrong:
                raise BenchError(
                    f"{page.name} #{n} ({ask.path}) through nginx: status "
                    f"{response.status_code}, {len(response.content)} bytes, headers "
                    f"{dict(response.headers)}"
                )
            checked += 1
    return checked
