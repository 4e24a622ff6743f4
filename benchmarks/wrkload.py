"""The load step: wrk (the Debian package, /usr/bin/wrk) with rotate.lua.

wrk is written in C and spends a fraction of the CPU a Python load generator would: on a
2-core machine shared by client and servers that matters. Each server runs one process per
core, each on its own port; wrk runs one thread per process and each thread connects to one
process only, so the connections are spread evenly (a shared listening socket hands a burst
of connects to whichever process wakes first, often nearly all to one).

Only 127.0.0.1 is ever connected to, and Host headers may name only 127.0.0.1, localhost
or *.localhost. Connections, duration and the per-request timeout are capped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "rotate.lua"
MAX_CONNECTIONS = 256
MAX_SECONDS = 120
TIMEOUT_SECONDS = 5  # per request; a slower answer counts as an error
ERROR_KINDS = ("connect", "read", "write", "status", "timeout")


class WrkMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Line:
    """One request of a request file."""

    path: str
    host: str  # the Host header, with the port
    cookie: str = ""


@dataclass
class Result:
    requests: int
    seconds: float
    bytes: int
    errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def _check_host(value: str) -> None:
    name, _, port = value.partition(":")
    name = name.lower().rstrip(".")
    loopback = name in ("127.0.0.1", "localhost") or name.endswith(".localhost")
    plain = all(c.isascii() and (c.isalnum() or c in ".-") for c in name)
    if not (loopback and plain and (port == "" or port.isdigit())):
        raise ValueError(f"{value!r}: only 127.0.0.1, localhost or *.localhost allowed")


def write_requests(path: Path, lines: Sequence[Line]) -> Path:
    """The request file rotate.lua reads: path, Host and Cookie per line, tab-separated."""
    rows = []
    for line in lines:
        _check_host(line.host)
        fields = (line.path, line.host, line.cookie)
        if any(c in field for field in fields for c in "\t\r\n") or not line.path.startswith("/"):
            raise ValueError(f"not a request line: {line!r}")
        rows.append("\t".join(fields))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def wrk_path() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkMissing("wrk not found: apt-get install wrk")
    return found


def parse(output: str) -> Result:
    """rotate.lua's summary line."""
    line = next((x for x in output.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"no summary from wrk:\n{output[-2000:]}")
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        bytes=data["bytes"],
        errors={kind: data[kind] for kind in ERROR_KINDS if data[kind]},
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        mean_ms=data["mean_us"] / 1000,
    )


def run(requests: Path, ports: Sequence[int], *, connections: int, seconds: int) -> Result:
    """Load the server listening on `ports` (one process each) with the requests in the file,
    `connections` keep-alive connections, one wrk thread per port."""
    if not 1 <= connections <= MAX_CONNECTIONS or connections < len(ports):
        raise ValueError(f"connections must be {len(ports)}..{MAX_CONNECTIONS}")
    if not 1 <= seconds <= MAX_SECONDS:
        raise ValueError(f"seconds must be 1..{MAX_SECONDS}")
    argv = [
        wrk_path(),
        f"--threads={len(ports)}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        f"--timeout={TIMEOUT_SECONDS}s",
        f"--script={SCRIPT}",
        f"http://127.0.0.1:{ports[0]}/",
    ]
    env = {
        **os.environ,
        "BENCH_REQUESTS": str(requests),
        "BENCH_PORTS": " ".join(str(int(p)) for p in ports),
    }
    done = subprocess.run(  # noqa: S603 - fixed argv, no shell
        argv, env=env, capture_output=True, text=True, timeout=seconds + 30, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)
