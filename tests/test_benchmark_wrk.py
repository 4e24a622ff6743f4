"""The benchmark's load step: rotate.lua under wrk (benchmarks/wrkload.py).

A one-second run against a small HTTP server in this process: each wrk thread connects to
its own port, goes through the request file in turns, and the summary comes back as JSON.
Skipped where wrk is not installed.
"""

from __future__ import annotations

import shutil
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import wrkload  # noqa: E402
from wrkload import Line  # noqa: E402


class _Seen(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk expects
    seen: Counter[tuple[int, str, str, str]] = Counter()
    lock = threading.Lock()

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        port: int = self.connection.getsockname()[1]
        key = (port, self.path, self.headers["Host"] or "", self.headers["Cookie"] or "")
        with self.lock:
            self.seen[key] += 1
        body = b"ok"
        self.send_response(404 if self.path == "/missing" else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # wrk drops its connections at the end: nothing to report


@pytest.fixture
def two_servers() -> Iterator[list[int]]:
    servers = [_Server(("127.0.0.1", 0), _Seen) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    _Seen.seen.clear()
    yield [server.server_address[1] for server in servers]
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_rotates_over_the_requests_and_both_ports(
    two_servers: list[int], tmp_path: Path
) -> None:
    lines = [
        Line("/a?x=1", "big.localhost:8000", "__Host-session=abc"),
        Line("/b", "big.localhost:8000"),
        Line("/missing", "small.localhost:8000"),
    ]
    requests = wrkload.write_requests(tmp_path / "requests.txt", lines)
    result = wrkload.run(requests, two_servers, connections=4, seconds=1)
    assert result.requests > 30
    assert result.p50_ms > 0 and result.p99_ms >= result.p50_ms
    assert 0 < result.errors["status"] < result.requests  # the 404s count as errors
    seen = {(path, host, cookie) for _, path, host, cookie in _Seen.seen}
    assert seen == {
        ("/a?x=1", "big.localhost:8000", "__Host-session=abc"),
        ("/b", "big.localhost:8000", ""),
        ("/missing", "small.localhost:8000", ""),
    }
    assert {port for port, *_ in _Seen.seen} == set(two_servers)


def test_request_files_name_loopback_hosts_only(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="only 127.0.0.1"):
        wrkload.write_requests(tmp_path / "r.txt", [Line("/", "example.com")])
    with pytest.raises(ValueError, match="not a request line"):
        wrkload.write_requests(tmp_path / "r.txt", [Line("/\tx", "127.0.0.1:1")])


def test_the_summary_line_is_read() -> None:
    output = (
        "Running 1s test\nBENCH_JSON "
        '{"requests": 100, "duration_us": 2000000, "bytes": 5000, "connect": 0, "read": 1, '
        '"write": 0, "status": 2, "timeout": 0, "p50_us": 1500, "p90_us": 2000, '
        '"p99_us": 9000, "max_us": 12000, "mean_us": 1600.5}\n'
    )
    result = wrkload.parse(output)
    assert result.rps == 50.0
    assert result.errors == {"read": 1, "status": 2}
    assert (result.p50_ms, result.p99_ms) == (1.5, 9.0)
