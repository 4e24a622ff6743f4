"""The storage tests' fixtures: one SeaweedFS per run, a fresh bucket per test, and a `store`
that is each backend in turn."""

from __future__ import annotations

import dataclasses
import secrets
from typing import Any

import pytest

from tenant_app import create_app
from tenant_app.files.storage import LocalStorage, Storage, storage_for
from tenant_app.settings import Settings
from tests.s3_server import S3Server, s3_server  # noqa: F401 (the session fixture)


@pytest.fixture
def s3_settings(settings: Settings, s3_server: S3Server) -> Settings:  # noqa: F811
    """The test settings with STORAGE_BACKEND=s3 and a bucket of this test's own."""
    bucket = f"test-{secrets.token_hex(6)}"
    made = s3_server.request("PUT", bucket=bucket)
    assert made.status_code == 200, made.text
    return dataclasses.replace(settings, **s3_server.settings(bucket))


@pytest.fixture
def s3_app(s3_settings: Settings) -> Any:
    return create_app(s3_settings, manage_db=False)


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, settings: Settings) -> Storage:
    if request.param == "local":
        return LocalStorage(settings.storage_dir)
    return storage_for(request.getfixturevalue("s3_settings"))
