"""How much a server process's memory grows while it receives a large upload.

Used by run.py (`--upload-mb 10 100 1024`): a single-process uvicorn (so its pid is the
process that parses the request) with upload limits raised above the largest file, and a
logged-in admin's session. Each upload is one multipart POST of a PDF header followed by
zeros, generated on the fly, so the client holds no copy either. A thread samples the
server's resident memory (VmRSS) every 10 ms during the upload; the peak is compared with
the resident memory just before. Another asks the same process for /healthz every 20 ms:
the slowest answer shows how long the event loop was blocked (by hashing, say). The request
goes through the normal pipeline: python-multipart spools the file to disk beyond 1 MB, the
type is sniffed from its first bytes, it is hashed and copied to storage in 64 KB chunks in
worker threads.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

CHUNK = 1024 * 1024
SAMPLE_EVERY = 0.01  # seconds
BOUNDARY = "benchmarkboundary7MA4YWxkTrZu0gW"


@dataclass(frozen=True)
class UploadResult:
    megabytes: int
    status: int
    seconds: float
    rss_before_kb: int
    rss_peak_kb: int
    rss_after_kb: int
    hwm_after_kb: int  # the process's all-time peak (VmHWM) after this upload
    stall_ms: float  # the slowest /healthz answer of the same process during the upload

    @property
    def growth_mb(self) -> float:
        return (self.rss_peak_kb - self.rss_before_kb) / 1024


def memory_kb(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    found = {}
    for key in ("VmRSS", "VmHWM"):
        match = re.search(rf"{key}:\s+(\d+)", status)
        found[key] = int(match.group(1)) if match else 0
    return found


class _Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, memory_kb(self.pid)["VmRSS"])
            time.sleep(SAMPLE_EVERY)


class _Prober(threading.Thread):
    """Asks the uploading process for /healthz every 20 ms: a blocked event loop shows."""

    def __init__(self, port: int, host: str) -> None:
        super().__init__(daemon=True)
        self.url = f"http://127.0.0.1:{port}/healthz"
        self.host = host
        self.slowest = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        with httpx.Client(headers={"Host": self.host}, timeout=60.0) as client:
            while not self.done.is_set():
                started = time.perf_counter()
                client.get(self.url)
                self.slowest = max(self.slowest, (time.perf_counter() - started) * 1000)
                time.sleep(0.02)


def multipart(fields: list[tuple[str, str]], size: int) -> tuple[Iterator[bytes], int]:
    """A streamed multipart body: the form fields, then a `size`-byte PDF-looking file."""
    head = b"".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    )
    head += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="gross.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

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


def upload(
    *, port: int, host: str, cookie: str, csrf_token: str, pid: int, contact_id: int, mb: int
) -> UploadResult:
    """POST one `mb`-megabyte document and watch the server's memory meanwhile."""
    body, length = multipart(
        [
            ("csrf_token", csrf_token),
            ("folder", "insurance"),
            ("contract_id", ""),
            ("title", f"Großes Dokument {mb} MB"),
        ],
        mb * CHUNK,
    )
    headers = {
        "Host": host,
        "Cookie": cookie,
        "Origin": f"http://{host}",
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(length),
    }
    before = memory_kb(pid)["VmRSS"]
    sampler = _Sampler(pid)
    sampler.start()
    prober = _Prober(port, host)
    prober.start()
    started = time.perf_counter()
    try:
        response = httpx.post(
            f"http://127.0.0.1:{port}/staff/contacts/{contact_id}/documents",
            content=body,
            headers=headers,
            timeout=600.0,
        )
    finally:
        elapsed = time.perf_counter() - started
        sampler.done.set()
        prober.done.set()
        sampler.join()
        prober.join()
    after = memory_kb(pid)
    return UploadResult(
        megabytes=mb,
        status=response.status_code,
        seconds=elapsed,
        rss_before_kb=before,
        rss_peak_kb=max(sampler.peak, after["VmRSS"]),
        rss_after_kb=after["VmRSS"],
        hwm_after_kb=after["VmHWM"],
        stall_ms=prober.slowest,
    )
