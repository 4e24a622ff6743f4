"""compose.yaml and the Dockerfile cannot drift from the settings the app reads."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tenant_app import settings as settings_module

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
# Read by something other than load_settings: the image's command, prometheus-client, Python.
NOT_SETTINGS = {"WEB_CONCURRENCY", "PROMETHEUS_MULTIPROC_DIR", "PYTHONDONTWRITEBYTECODE"}
NOT_SETTINGS |= {"PYTHONUNBUFFERED"}


class _Recording(dict[str, str]):
    """An environment that notes every name asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.asked.add(str(key))
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        return super().__iter__()


def settings_read(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    recording = _Recording()
    real = os.environ
    monkeypatch.setattr(os, "environ", recording)  # what tenant_app.settings reads through
    settings_module.load_settings()
    monkeypatch.setattr(os, "environ", real)
    return recording.asked


def test_every_app_variable_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    read = settings_read(monkeypatch)
    assert {"DATABASE_URL", "METRICS_TOKEN", "S3_BUCKET"} <= read
    for name in ("app", "worker"):
        environment = COMPOSE["services"][name]["environment"]
        unknown = set(environment) - read - NOT_SETTINGS
        assert not unknown, f"{name} sets variables the app never reads: {unknown}"
    dockerfile = (ROOT / "Dockerfile").read_text()
    env_block = re.search(r"^ENV (.+?)(?<!\\)$", dockerfile, re.MULTILINE | re.DOTALL)
    assert env_block
    names = set(re.findall(r"([A-Z][A-Z0-9_]+)=", env_block.group(1)))
    assert names and not names - read - NOT_SETTINGS


def test_the_services_run_together() -> None:
    services = COMPOSE["services"]
    assert {"app", "worker", "db", "s3", "s3-bucket"} <= set(services)
    app, worker = services["app"], services["worker"]
    assert app["environment"]["WEB_CONCURRENCY"] == "2"
    assert worker["command"] == ["tenant-app", "worker"]
    for service in (app, worker):
        environment = service["environment"]
        assert environment["STORAGE_BACKEND"] == "s3"
        assert environment["S3_ENDPOINT"] == "http://s3:8333"
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert "METRICS_TOKEN" in environment
    assert "server" in services["s3"]["command"] and "-s3" in services["s3"]["command"]
    assert services["s3"]["image"].startswith("chrislusf/seaweedfs")
    assert "s3.bucket.create" in " ".join(services["s3-bucket"]["command"])
    bucket_done = app["depends_on"]["s3-bucket"]["condition"]
    assert bucket_done == "service_completed_successfully"


def test_each_stateful_service_keeps_its_data_in_a_declared_volume() -> None:
    declared = set(COMPOSE["volumes"])
    for name, path in (("db", "/var/lib/postgresql/data"), ("s3", "/data"), ("app", "/backups")):
        mounts = dict(m.split(":", 1) for m in COMPOSE["services"][name]["volumes"])
        volume = next(v for v, target in mounts.items() if target.startswith(path))
        assert volume in declared


def test_the_image_and_tenant_app_serve_run_the_same_event_loop(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Python's asyncio loop (tenant_app/cli.py says why): the image's command and `tenant-app
    serve` alike."""
    import uvicorn

    from tenant_app import cli

    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"--loop {cli.EVENT_LOOP}" in dockerfile and cli.EVENT_LOOP == "asyncio"
    served: dict[str, Any] = {}
    monkeypatch.setenv("PUBLIC_PORT", "8000")  # serve would set it in development
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.update(options))
    cli._serve(settings, "127.0.0.1", 8123, 2, False)
    assert served["loop"] == "asyncio" and served["workers"] == 2
