"""The reference insurer (Radschutz, `reference_insurer/`) as a real HTTP server for tests:
uvicorn in a background thread on a free port, told what to do (faults, reset) and asked
what it received through its own test endpoints, over HTTP like any other client."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import uvicorn

from reference_insurer.app import DEMO_ACCOUNTS, DEMO_AGENTS, create_app

START_TIMEOUT = 30.0  # seconds; generous, the machine may be busy
USERNAME, PASSWORD = next(iter(DEMO_ACCOUNTS.items()))
AGENT = min(DEMO_AGENTS)  # VM-10001


def free_port() -> int:
    """A port free now (as tests/conftest.py finds one; not imported from there, so that
    conftest can import this module)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class InsurerService:
    """One Radschutz service: `start()` once, `reset()` between tests, `stop()` at the end."""

    def __init__(
        self, accounts: dict[str, str] | None = None, agents: set[str] | None = None
    ) -> None:
        self.accounts = dict(DEMO_ACCOUNTS if accounts is None else accounts)
        self.agents = set(DEMO_AGENTS if agents is None else agents)
        self.port = 0
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> InsurerService:
        if self._server is not None:
            return self
        self.port = free_port()
        config = uvicorn.Config(
            create_app(self.accounts, self.agents),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="insurer", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            assert self._thread.is_alive(), "the insurer service did not start"
            assert time.monotonic() < deadline, "the insurer service did not start in time"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(START_TIMEOUT)
        self._server = self._thread = None

    def _control(self, method: str, path: str, payload: Any = None) -> Any:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            response = client.request(method, path, json=payload)
        response.raise_for_status()
        return response.json()

    def fault(self, mode: str, count: int = 0, seconds: float = 0.0) -> None:
        """Misbehave for the next `count` /v1 requests (0: until reset): "slow" (answer after
        `seconds`), "error" (500), "auth" (401), or "none"."""
        self._control("POST", "/_faults", {"mode": mode, "count": count, "seconds": seconds})

    def reset(self) -> None:
        """Forget applications, policies, recorded requests and faults."""
        self._control("POST", "/_reset")

    def requests(self) -> list[dict[str, Any]]:
        """The /v1 requests received so far: method, path, headers (no Authorization), json,
        status."""
        found: list[dict[str, Any]] = self._control("GET", "/_requests")
        return found

    def client(self, **kwargs: Any) -> httpx.Client:
        """A client with the demo account and first agent number (override by keyword)."""
        options: dict[str, Any] = {
            "base_url": self.url,
            "auth": (USERNAME, PASSWORD),
            "headers": {"X-Agent-Number": AGENT},
            "timeout": 10,
            **kwargs,
        }
        return httpx.Client(**options)
