"""In development, the links in mails follow the port `serve` / `demo` serve on."""

from __future__ import annotations

import email
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from email import policy
from pathlib import Path

import httpx
import pytest

from tenant_app.cli import follow_served_port
from tenant_app.settings import load_settings
from tests.conftest import CSRF_RE, free_port, text_of

BOUND = 90.0  # seconds for a command to seed its data and start serving (a busy machine)


@pytest.mark.parametrize(
    "env,expected",
    [
        ({}, 8141),
        ({"PUBLIC_PORT": "9000"}, 9000),  # set explicitly: kept
        ({"APP_ENV": "production", "SECRET_KEY": "s" * 40}, 0),  # behind a proxy: never
    ],
    ids=["development", "explicit", "production"],
)
def test_the_served_port_becomes_the_public_port(monkeypatch, env, expected) -> None:
    monkeypatch.setenv("PUBLIC_PORT", "")  # so that monkeypatch restores what the CLI sets
    monkeypatch.delenv("PUBLIC_PORT")
    monkeypatch.setenv("APP_ENV", "development")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    follow_served_port(load_settings(), 8141)
    assert load_settings().public_port == expected


def _environment(database: Path, mail_dir: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite://{database}",
        "STORAGE_DIR": str(database.parent / "files"),
        "MAIL_BACKEND": "file",
        "MAIL_DIR": str(mail_dir),
        "ARGON2_PROFILE": "fast",
    }
    environment.pop("PUBLIC_PORT", None)
    return environment


CLI = [sys.executable, "-m", "tenant_app.cli"]


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory, migrated) -> Path:
    """A database with the demo tenant (`tenant-app demo --no-serve`), made once."""
    database = tmp_path_factory.mktemp("ports") / "demo.sqlite3"
    migrated.sqlite(database)
    seeded = subprocess.run(
        [*CLI, "demo", "--no-serve"],
        env=_environment(database, database.parent / "mail"),
        capture_output=True,
        text=True,
        timeout=BOUND,
    )
    assert seeded.returncode == 0, seeded.stderr
    return database


@pytest.fixture
def served(request, demo_database, tmp_path) -> Iterator[tuple[int, Path]]:
    """`tenant-app demo --port P` or `tenant-app serve --port P`: the port, the mail folder."""
    port = free_port()
    command = [*CLI, request.param, "--port", str(port)]
    environment = _environment(demo_database, tmp_path / "mail")
    output = tmp_path / "output.txt"
    with output.open("wb") as sink:
        process = subprocess.Popen(command, env=environment, stdout=sink, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(port, process, output)
        yield port, tmp_path / "mail"
    finally:
        process.terminate()
        process.wait(15)
    if request.param == "demo":
        assert f"http://demo.localhost:{port}/login" in output.read_text()


def _wait_until_up(port: int, process: subprocess.Popen[bytes], output: Path) -> None:
    deadline = time.monotonic() + BOUND
    while True:
        assert process.poll() is None, output.read_text()
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return
        except httpx.TransportError:
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.3)


@pytest.mark.parametrize("served", ["demo", "serve"], indirect=True)
def test_mails_link_to_the_port_being_served(served) -> None:
    port, mail_dir = served
    host = "demo.localhost"
    with httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Host": host, "Origin": f"http://{host}"},
        timeout=30,
    ) as browser:
        page = browser.get("/passwort-vergessen")
        token = CSRF_RE.search(page.text).group(1)  # type: ignore[union-attr]
        sent = browser.post(
            "/passwort-vergessen", data={"csrf_token": token, "identifier": "admin"}
        )
        assert sent.status_code == 200
    deadline = time.monotonic() + BOUND
    while not list(mail_dir.glob("*.eml")):
        assert time.monotonic() < deadline, "no mail was written"
        time.sleep(0.3)
    mail = email.message_from_bytes(
        next(mail_dir.glob("*.eml")).read_bytes(), policy=policy.default
    )
    text = text_of(mail)  # type: ignore[arg-type]
    assert f"http://{host}:{port}/passwort/" in text
    assert ":8000" not in text
