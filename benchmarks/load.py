"""A small, cheap HTTP/1.1 load generator for loopback targets only.

    .venv/bin/python benchmarks/load.py http://127.0.0.1:8101/fortunes
    .venv/bin/python benchmarks/load.py http://bench.localhost:8100/staff \
        --header "Cookie: session=..." --connections 32

A fixed number of keep-alive connections (default 32) each send one GET after the other for
a warm-up (default 2 s, not counted) and then a measured window (default 10 s). Raw asyncio
streams on uvloop with a pre-built request and a minimal response parser keep the client's
own CPU use low, which matters when client and servers share two cores.

Bounded in every direction: connections, duration and request count have hard caps, every
request has a timeout, and only 127.0.0.1 is ever connected to: URL and Host header may
name 127.0.0.1, localhost or a *.localhost name, nothing else, and names are never resolved.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
MAX_CONNECTIONS = 256
MAX_SECONDS = 120.0
MAX_REQUESTS = 5_000_000  # per target, warm-up included
REQUEST_TIMEOUT = 5.0  # seconds per request (connect, send, whole response)
RAMP_SECONDS = 1.0  # connections are opened one by one over this time (at most warm-up / 2)
BALANCE_EVERY = 0.1  # seconds between checks of how connections spread over server processes

# Maps the client-side ports of open connections to the server process serving each one
# (run.py reads this from /proc). With it, measure() spreads the connections evenly.
WorkerMap = Callable[[], dict[int, int]]


class TargetRefused(ValueError):
    """The target is not a loopback address (or otherwise not allowed)."""


@dataclass(frozen=True)
class Target:
    name: str
    url: str  # http://127.0.0.1:PORT/path
    host: str | None = None  # Host header; defaults to the URL's host:port
    headers: tuple[tuple[str, str], ...] = ()
    expect_status: int = 200

    def address(self) -> tuple[str, int, str, str]:
        """(connect host, port, request path, Host header), after checking the target.

        The URL may name 127.0.0.1, localhost or a *.localhost host; the connection always
        goes to 127.0.0.1 (names are never resolved) and the name becomes the Host header.
        """
        parts = urlsplit(self.url)
        if parts.scheme != "http":
            raise TargetRefused(f"{self.url}: only plain http:// is supported")
        if parts.port is None or parts.hostname is None:
            raise TargetRefused(f"{self.url}: give host and port explicitly")
        _check_host_header(parts.hostname)
        host_header = self.host or f"{parts.hostname}:{parts.port}"
        _check_host_header(host_header)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return LOOPBACK, parts.port, path, host_header


def _check_host_header(value: str) -> None:
    name, _, port = value.partition(":")
    name = name.lower().rstrip(".")
    loopback_name = name in (LOOPBACK, "localhost") or name.endswith(".localhost")
    plain = all(c.isascii() and (c.isalnum() or c in ".-") for c in name)
    if loopback_name and plain and (port == "" or port.isdigit()):
        return
    raise TargetRefused(f"{value!r}: only 127.0.0.1, localhost or *.localhost allowed")


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    errors: int
    latencies_ms: list[float] = field(repr=False)
    error_kinds: Counter[str] = field(default_factory=Counter)
    client_cpu_s: float = 0.0
    per_worker: tuple[int, ...] = ()  # connections per server process when measuring began

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile of the successful requests' latencies, in ms."""
        if not self.latencies_ms:
            return math.nan
        ordered = sorted(self.latencies_ms)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1]

    def summary(self) -> dict[str, float | int | str]:
        return {
            "target": self.name,
            "requests": self.requests,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p95_ms": round(self.percentile(95), 2),
            "p99_ms": round(self.percentile(99), 2),
            "errors": self.errors,
        }


def merge(name: str, results: Sequence[Result]) -> Result:
    """Several measurements of one target as one: requests and seconds add up."""
    kinds: Counter[str] = Counter()
    for r in results:
        kinds.update(r.error_kinds)
    return Result(
        name=name,
        requests=sum(r.requests for r in results),
        seconds=sum(r.seconds for r in results),
        errors=sum(r.errors for r in results),
        latencies_ms=[ms for r in results for ms in r.latencies_ms],
        error_kinds=kinds,
        client_cpu_s=sum(r.client_cpu_s for r in results),
    )


class _Run:
    """Shared state of one measurement: phase flags, counters, latencies."""

    def __init__(self) -> None:
        self.recording = False
        self.stop = False
        self.window_end = math.inf
        self.sent = 0
        self.ok = 0
        self.errors: Counter[str] = Counter()
        self.latencies: list[float] = []
        self.ports: dict[int, int] = {}  # connection number -> its client-side port
        self.reconnect: set[int] = set()  # connections to close and open again

    def error(self, kind: str) -> None:
        if self.recording and time.perf_counter() <= self.window_end:
            self.errors[kind] += 1


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return (status, connection may be reused)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    lower = head.lower()
    keep_alive = b"\r\nconnection: close" not in lower
    start = lower.find(b"\r\ncontent-length:")
    if start >= 0:
        end = lower.index(b"\r\n", start + 2)
        length = int(lower[start + 17 : end])
        if length:
            await reader.readexactly(length)
    elif b"\r\ntransfer-encoding: chunked" in lower:
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailers
                break
            await reader.readexactly(size + 2)
    elif status >= 200 and status not in (204, 304):
        await reader.read()  # body until the server closes
        keep_alive = False
    return status, keep_alive


async def _connection(
    run: _Run, number: int, port: int, request: bytes, expect: int, delay: float = 0.0
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    await asyncio.sleep(delay)
    try:
        while not run.stop:
            if run.sent >= MAX_REQUESTS:
                run.stop = True
                break
            if writer is None:
                try:
                    async with asyncio.timeout(REQUEST_TIMEOUT):
                        reader, writer = await asyncio.open_connection(LOOPBACK, port)
                    run.ports[number] = writer.get_extra_info("sockname")[1]
                except (OSError, TimeoutError):
                    run.error("connect")
                    await asyncio.sleep(0.05)
                    continue
            assert reader is not None
            run.sent += 1
            started = time.perf_counter()
            try:
                async with asyncio.timeout(REQUEST_TIMEOUT):
                    writer.write(request)
                    status, keep_alive = await _read_response(reader)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
                run.error(type(exc).__name__)
                run.ports.pop(number, None)
                writer.close()
                reader = writer = None
                continue
            finished = time.perf_counter()
            if run.recording and finished <= run.window_end:
                if status == expect:
                    run.ok += 1
                    run.latencies.append((finished - started) * 1000)
                else:
                    run.errors[f"status {status}"] += 1
            if not keep_alive or number in run.reconnect:
                run.reconnect.discard(number)
                run.ports.pop(number, None)
                writer.close()
                reader = writer = None
    finally:
        if writer is not None:
            writer.close()


def _rebalance(run: _Run, owners: dict[int, int], workers: int, connections: int) -> Counter[int]:
    """Mark connections beyond an even share per server process for reconnection."""
    quota = math.ceil(connections / workers)
    counts: Counter[int] = Counter()
    for number, client_port in sorted(run.ports.items()):
        owner = owners.get(client_port)
        if owner is None:
            continue
        counts[owner] += 1
        if counts[owner] > quota:
            run.reconnect.add(number)
    return counts


async def _warm_up(
    run: _Run, warmup: float, connections: int, worker_map: WorkerMap | None, workers: int
) -> tuple[int, ...]:
    """Wait out the warm-up; meanwhile spread the connections evenly over the workers.

    With several server processes on one listening socket, whichever process wakes first
    accepts, so a burst of connects often lands on one process and leaves the other idle.
    Connections beyond an even share are closed and opened again (the idle process tends to
    take them) until the spread is even or the warm-up is over. Returns the final spread.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + warmup
    await asyncio.sleep(min(warmup / 2, RAMP_SECONDS))
    counts: Counter[int] = Counter()
    while worker_map is not None and workers > 1 and loop.time() < deadline - BALANCE_EVERY:
        counts = _rebalance(run, worker_map(), workers, connections)
        if not run.reconnect and sum(counts.values()) == connections:
            break
        await asyncio.sleep(BALANCE_EVERY)
    else:
        if worker_map is not None:
            counts = _rebalance(run, worker_map(), max(workers, 1), connections)
    run.reconnect.clear()
    await asyncio.sleep(max(0.0, deadline - loop.time()))
    if worker_map is None:
        return ()
    found = sorted(counts.values(), reverse=True)
    return tuple(found + [0] * max(0, workers - len(found)))


async def measure(
    target: Target,
    *,
    connections: int = 32,
    duration: float = 10.0,
    warmup: float = 2.0,
    worker_map: WorkerMap | None = None,
    workers: int = 1,
) -> Result:
    """Load one target with `connections` keep-alive connections; measure after warm-up.

    `worker_map` and `workers` (the server's process count) let the warm-up spread the
    connections evenly over the server's processes; without them they land as they land.
    """
    if not 1 <= connections <= MAX_CONNECTIONS:
        raise ValueError(f"connections must be 1..{MAX_CONNECTIONS}")
    if not (0 < duration <= MAX_SECONDS and 0 <= warmup <= MAX_SECONDS):
        raise ValueError(f"duration and warm-up must be at most {MAX_SECONDS} s")
    _, port, path, host = target.address()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}",
        "User-Agent: tenant-app-bench/1",
        "Accept: text/html,*/*",
        "Accept-Encoding: identity",
    ]
    lines += [f"{name}: {value}" for name, value in target.headers]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    run = _Run()
    # connections open one by one over the first half of the warm-up, not in one burst
    step = min(warmup / 2, RAMP_SECONDS) / connections
    tasks = [
        asyncio.create_task(_connection(run, i, port, request, target.expect_status, i * step))
        for i in range(connections)
    ]
    try:
        spread = await _warm_up(run, warmup, connections, worker_map, workers)
        cpu_start = time.process_time()
        window_start = time.perf_counter()
        run.window_end = window_start + duration
        run.recording = True
        await asyncio.sleep(duration)
        run.stop = True
        measured = time.perf_counter() - window_start
        cpu = time.process_time() - cpu_start
        _, pending = await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT + 1)
    finally:
        run.stop = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    if pending:
        run.errors["unfinished"] += len(pending)
    return Result(
        name=target.name,
        requests=run.ok,
        seconds=min(measured, duration),
        errors=sum(run.errors.values()),
        latencies_ms=run.latencies,
        error_kinds=run.errors,
        client_cpu_s=cpu,
        per_worker=spread,
    )


def run_async(coro):  # type: ignore[no-untyped-def]
    """Run a coroutine on uvloop when available (cheaper client), else on asyncio."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coro)


def format_table(results: Sequence[Result]) -> str:
    header = f"{'target':<22} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    rows = [header, "-" * len(header)]
    for r in results:
        rows.append(
            f"{r.name:<22} {r.rps:>9.1f} {r.percentile(50):>8.2f} {r.percentile(95):>8.2f}"
            f" {r.percentile(99):>8.2f} {r.errors:>7}"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "url", help=f"http://{LOOPBACK}:PORT/path or http://NAME.localhost:PORT/path"
    )
    parser.add_argument("--host", help="Host header (127.0.0.1, localhost or *.localhost)")
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument("--expect", type=int, default=200, help="expected status")
    parser.add_argument("--connections", "-c", type=int, default=32)
    parser.add_argument("--duration", "-d", type=float, default=10.0)
    parser.add_argument("--warmup", "-w", type=float, default=2.0)
    args = parser.parse_args(argv)
    headers = tuple(
        (name.strip(), value.strip()) for name, value in (h.split(":", 1) for h in args.header)
    )
    target = Target(args.url, args.url, args.host, headers, args.expect)
    try:
        target.address()
    except TargetRefused as exc:
        parser.error(str(exc))
    result = run_async(
        measure(target, connections=args.connections, duration=args.duration, warmup=args.warmup)
    )
    print(format_table([result]))
    if result.error_kinds:
        print("errors:", dict(result.error_kinds))
    print(f"client CPU: {result.client_cpu_s:.1f} s over {result.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
