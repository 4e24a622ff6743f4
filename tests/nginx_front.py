"""The documented nginx block (docs/nginx.conf.example) as a runnable nginx configuration:
for the offload test (tests/web/test_download_offload.py) and the benchmark's offloaded
download (benchmarks/offload.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def nginx_path() -> str:
    """The nginx binary, or "" when it is not installed (apt-get install nginx)."""
    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")


def nginx_config(
    tmp: Path,
    listen: Sequence[int],
    app_ports: Sequence[int],
    storage: Path,
    *,
    workers: int = 1,
) -> Path:
    """nginx.conf in `tmp`: the example's server block listening on each port of `listen`
    (127.0.0.1) in front of the app processes on `app_ports`, files from `storage`."""
    server = (ROOT / "docs" / "nginx.conf.example").read_text()
    upstream = "\n    ".join(f"server 127.0.0.1:{port};" for port in app_ports)
    listening = "\n    ".join(f"listen 127.0.0.1:{port};" for port in listen)
    for name, value in (
        ("server 127.0.0.1:{APP_PORT};", upstream),
        ("listen {LISTEN};", listening),
        ("{BASE_DOMAIN}", "localhost"),
        ("{STORAGE_DIR}", str(storage.resolve())),
    ):
        if name not in server:
            raise ValueError(f"docs/nginx.conf.example no longer has {name!r}")
        server = server.replace(name, value)
    temp = "".join(
        f"{kind}_temp_path {tmp / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read STORAGE_DIR
    config = tmp / "nginx.conf"
    config.write_text(
        f"{user}daemon off;\nworker_processes {workers};\npid {tmp / 'nginx.pid'};\n"
        f"error_log {tmp / 'error.log'} warn;\nevents {{}}\n"
        f"http {{\naccess_log off;\n{temp}{server}\n}}\n"
    )
    return config
