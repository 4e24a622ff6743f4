"""Upload a large file to a real server and report how much the server process's memory grows.

    python benchmarks/upload_memory.py [--mb 200]

Starts uvicorn on a throwaway SQLite database with the demo tenant, logs in as the demo
admin, streams one multipart upload of `--mb` megabytes (a PDF header followed by zeros,
generated on the fly, so the client holds no copy either) into a customer's insurance
folder, and prints the server's resident memory before and after and its peak (VmHWM) before and after.
The upload is parsed by python-multipart, which spools files to disk beyond 1 MB, and the
storage backend copies in 64 KB chunks, so memory should not grow with the file size.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def memory_kb(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(rf"{key}:\s+(\d+)", status).group(1)) for key in ("VmRSS", "VmHWM")}  # type: ignore[union-attr]


def multipart(
    boundary: str, fields: list[tuple[str, str]], size: int
) -> tuple[Iterator[bytes], int]:
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="gross.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        yield b"%PDF-1.4\n"
        remaining = size - 9
        while remaining > 0:
            step = min(CHUNK, remaining)
            yield b"\0" * step
            remaining -= step
        yield tail

    return body(), len(head) + size + len(tail)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mb", type=int, default=200)
    args = parser.parse_args()
    size = args.mb * 1024 * 1024
    scratch = Path(tempfile.mkdtemp(prefix="upload-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite://{scratch / 'bench.sqlite3'}",
        "STORAGE_DIR": str(scratch / "files"),
        "MAIL_DIR": str(scratch / "mail"),
        "APP_ENV": "development",
        "LOG_LEVEL": "WARNING",
        "MAX_BODY_BYTES": str(size + 10 * CHUNK),
        "MAX_UPLOAD_BYTES": str(size + CHUNK),
        "TMPDIR": str(scratch),
    }
    subprocess.run(
        [sys.executable, "-m", "tenant_app.cli", "demo", "--no-serve"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tenant_app.asgi:app", "--port", str(port)],
        env=env,
        cwd=ROOT,
    )
    host = f"demo.localhost:{port}"
    try:
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", headers={"Host": host}, timeout=120
        ) as client:
            for _ in range(100):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            origin = {"Origin": f"http://{host}"}
            token = re.search(
                r'name="csrf_token" value="([^"]+)"', client.get("/login").text
            ).group(1)  # type: ignore[union-attr]
            client.post(
                "/login",
                data={"csrf_token": token, "identifier": "admin", "password": "demo-admin-2026"},
                headers=origin,
            )
            contacts = client.get("/staff/contacts").text
            contact_id = re.search(r"/staff/contacts/(\d+)", contacts).group(1)  # type: ignore[union-attr]
            page = client.get(f"/staff/contacts/{contact_id}/folders/insurance").text
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            before = memory_kb(server.pid)
            boundary = "benchmarkboundary7MA4YWxkTrZu0gW"
            body, length = multipart(
                boundary,
                [
                    ("csrf_token", token),
                    ("folder", "insurance"),
                    ("contract_id", ""),
                    ("title", "Großes Dokument"),
                ],
                size,
            )
            started = time.perf_counter()
            response = client.post(
                f"/staff/contacts/{contact_id}/documents",
                content=body,
                headers={
                    **origin,
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                    "Content-Length": str(length),
                },
            )
            elapsed = time.perf_counter() - started
            after = memory_kb(server.pid)
    finally:
        server.terminate()
        server.wait(10)
    stored = sum(path.stat().st_size for path in (scratch / "files").rglob("*") if path.is_file())
    print(
        f"upload of {args.mb} MB: HTTP {response.status_code} in {elapsed:.1f} s; stored files {stored / CHUNK:.0f} MB"
    )
    print(
        f"server RSS before {before['VmRSS'] / 1024:.1f} MB, after {after['VmRSS'] / 1024:.1f} MB, "
        f"growth {(after['VmRSS'] - before['VmRSS']) / 1024:.1f} MB; peak (VmHWM) before "
        f"{before['VmHWM'] / 1024:.1f} MB, after {after['VmHWM'] / 1024:.1f} MB"
    )
    # The peak before the upload already includes one Argon2id hash (64 MiB) from the login.
    ok = response.status_code == 303 and after["VmHWM"] - before["VmHWM"] < 16 * 1024
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
